"""Lifecycle definitions are checked when built, and every problem names its offenders."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import recordkit as rk
from tests.lifecycle.machines import DEAL_STAGES

S = rk.State
E = rk.Edge


def build(states: list[Any], edges: list[Any], **options: Any) -> rk.Lifecycle:
    return rk.Lifecycle("lc", states, edges, **options)


class TestState:
    def test_title_falls_back_to_name(self) -> None:
        """A state's title is its label, or its name when it has none."""
        assert ("mql", "Marketing qualified") == (
            S("mql").title,
            S("mql", label="Marketing qualified").title,
        )

    @pytest.mark.parametrize(
        ("kwargs", "needle"),
        [
            pytest.param({"name": "MQL"}, "lower-case", id="upper-case-name"),
            pytest.param({"name": ""}, "lower-case", id="empty-name"),
            pytest.param({"name": None}, "lower-case", id="none-name"),
            pytest.param({"name": "a", "final": "yes"}, "final", id="final-not-bool"),
            pytest.param({"name": "a", "guards": "requires"}, "guards", id="guards-string"),
            pytest.param({"name": "a", "guards": [print]}, "guard needs", id="guard-not-guard"),
        ],
    )
    def test_garbage_is_refused(self, kwargs: dict[str, Any], needle: str) -> None:
        """Bad names, flags and guards are refused when the state is declared."""
        name = kwargs.pop("name")
        with pytest.raises(rk.SchemaError, match=needle):
            S(name, **kwargs)


class TestEdge:
    def test_event_defaults_to_target(self) -> None:
        """An edge's event defaults to its target's name."""
        assert "b" == E("a", "b").event

    def test_bad_event_name(self) -> None:
        """An event name that is not a lower-case identifier is refused."""
        with pytest.raises(rk.SchemaError, match="event name"):
            E("a", "b", event="Go!")


class TestTimer:
    def test_days_become_a_timedelta(self) -> None:
        """A timer's days become a timedelta, with an event named after them, counted from entry."""
        timer = rk.Timer("active", "stale", 180)
        assert (dt.timedelta(days=180), "timer:180d", "entered") == (
            timer.after,
            timer.event,
            timer.since,
        )

    @pytest.mark.parametrize(
        "after", [0, -1, "180", None, True], ids=["zero", "negative", "text", "none", "bool"]
    )
    def test_after_must_be_positive(self, after: Any) -> None:
        """A timer's delay must be a positive number of days."""
        with pytest.raises(rk.SchemaError, match="positive duration"):
            rk.Timer("a", "b", after)


BAD = [
    pytest.param([], [], "at least one state", id="no-states"),
    pytest.param([S("a"), S("a", final=True)], [], "declared twice: a", id="duplicate-state"),
    pytest.param(
        [S("a", initial=True), S("b", initial=True, final=True)],
        [E("a", "b")],
        "only one state may be initial, got a, b",
        id="two-initials",
    ),
    pytest.param(
        [S("a"), S("b", final=True)], [E("a", "c")], "unknown state 'c'", id="unknown-target"
    ),
    pytest.param(
        [S("a"), S("b", final=True)], [E("x", "b")], "unknown state 'x'", id="unknown-source"
    ),
    pytest.param(
        [S("a"), S("b", final=True), S("c"), S("d", final=True)],
        [E("a", "b"), E("c", "d")],
        "unreachable from 'a': c, d",
        id="unreachable",
    ),
    pytest.param(
        [S("a"), S("b"), S("c", final=True)],
        [E("a", "b"), E("a", "c")],
        "dead ends that are not final (no way on to a final state): b",
        id="dead-end",
    ),
    pytest.param(
        [S("a"), S("b"), S("c"), S("d", final=True)],
        [E("a", "b"), E("b", "c"), E("c", "b"), E("a", "d")],
        "dead ends that are not final (no way on to a final state): b, c",
        id="trap-cycle",
    ),
    pytest.param(
        [S("a"), S("b", final=True)],
        [E("a", "b"), E("b", "a")],
        "final states cannot have transitions out: b",
        id="final-with-exit",
    ),
    pytest.param([S("a"), S("b", final=True)], [E("a", "a")], "itself", id="self-loop"),
    pytest.param(
        [S("a"), S("b", final=True), S("c", final=True)],
        [E("a", "b", event="go"), E("a", "c", event="go")],
        "event 'go' from 'a' leads to both 'b' and 'c'",
        id="ambiguous-event",
    ),
]


class TestLifecycle:
    @pytest.mark.parametrize(("states", "edges", "message"), BAD)
    def test_bad_definitions_name_their_offenders(
        self, states: list[Any], edges: list[Any], message: str
    ) -> None:
        """
        A bad graph is refused when the lifecycle is built, naming every offending state or edge.
        """
        with pytest.raises(rk.SchemaError) as caught:
            build(states, edges)
        assert message in str(caught.value)

    def test_backward_edge_in_forward_only(self) -> None:
        """A forward-only lifecycle refuses backward edges, naming them."""
        with pytest.raises(rk.SchemaError, match=r"backward edges .*: c → b"):
            build(
                [S("a"), S("b"), S("c"), S("d", final=True)],
                [E("a", "b"), E("b", "c"), E("c", "b"), E("c", "d")],
                forward_only=True,
            )

    def test_timer_needs_an_edge(self) -> None:
        """A timer without a matching transition is refused."""
        with pytest.raises(rk.SchemaError, match="timer a → c has no matching transition"):
            build(
                [S("a"), S("b"), S("c", final=True)],
                [E("a", "b"), E("b", "c")],
                timers=[rk.Timer("a", "c", 3)],
            )

    def test_unknown_state_suggests_the_closest(self) -> None:
        """An edge to an unknown state suggests the closest declared name."""
        with pytest.raises(rk.SchemaError) as caught:
            build([S("active"), S("retired", final=True)], [E("active", "retird")])
        assert ("retired",) == caught.value.suggestions

    def test_hook_on_unknown_state(self) -> None:
        """A hook on an unknown state is refused."""
        with pytest.raises(rk.SchemaError, match="unknown state 'closed_wn'"):
            DEAL_STAGES.with_hooks(rk.on_enter("closed_wn", lambda: None))

    def test_attribute_is_state_or_stage(self) -> None:
        """A lifecycle drives either the state or the stage."""
        with pytest.raises(rk.SchemaError, match="'state' or 'stage'"):
            build([S("a")], [], attribute="phase")

    def test_initial_defaults_to_first(self) -> None:
        """Without an initial state, the first state is initial."""
        lc = build([S("a"), S("b", final=True)], [E("a", "b")])
        assert ("a", ("b",)) == (lc.initial.name, lc.finals)

    def test_cycle_without_finals_is_fine(self) -> None:
        """A cycle with no final state is a valid lifecycle."""
        lc = build([S("on"), S("off")], [E("on", "off"), E("off", "on")])
        assert ("on", "off") == lc.names

    def test_with_guards_adds_to_a_state(self) -> None:
        """with_guards adds guards to the named state."""
        lc = DEAL_STAGES.with_guards("proposal", rk.requires_fields("amount"))
        assert ["requires(amount)"] == [g.name for g in lc.state("proposal").guards]

    def test_lookups(self) -> None:
        """rank, edges_from and edge answer from the declared graph."""
        win = DEAL_STAGES.edge("negotiation", "closed_won")
        assert win is not None
        assert (
            4,
            ("negotiation", "closed_lost"),
            "win",
        ) == (
            DEAL_STAGES.rank("closed_won"),
            tuple(e.target for e in DEAL_STAGES.edges_from("proposal")),
            win.event,
        )

    def test_reason_codes_are_names(self) -> None:
        """Reason codes must be lower-case names."""
        with pytest.raises(rk.SchemaError, match="reason code"):
            build([S("a")], [], reason_codes=["Bad Code"])
