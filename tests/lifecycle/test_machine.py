"""The pure machine: declared moves, skips, overrides, guards, hooks, history and timers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import recordkit as rk
from recordkit.lifecycle import Machine, became, transitions
from tests.lifecycle.machines import DEAL, DEAL_STAGES, at, contact, deal

CONTACT = rk.bundled_schema("contact")
GOV = rk.bundled_lifecycle("governance")
BIZ = rk.bundled_lifecycle("business")


def walk(machine: Machine, record: rk.Record, *targets: str, start: float = 1) -> rk.Record:
    for i, target in enumerate(targets):
        record = machine.move(record, target, actor="ana", at=at(start + i)).record
    return record


class TestMoves:
    def test_declared_move_records_history(self) -> None:
        moved = Machine(GOV, CONTACT).move(contact(), "normalized", actor="ana", at=at(1))
        t = moved.transition
        assert (
            ("normalized", 1),
            ("state", "captured", "normalized", "normalize", "ana", "governance"),
            (t,),
        ) == (
            (moved.record.state, moved.record.version),
            (t.attribute, t.source, t.target, t.event, t.actor, t.lifecycle),
            moved.record.history,
        )

    def test_input_record_is_untouched(self) -> None:
        record = contact()
        Machine(GOV, CONTACT).move(record, "normalized", actor="ana", at=at(1))
        assert ("captured", ()) == (record.state, record.history)

    @pytest.mark.parametrize(
        ("to", "message"),
        [
            pytest.param("activ", "unknown state 'activ' (did you mean 'active'?)", id="typo"),
            pytest.param(
                "active", "no transition captured → active; allowed: normalized", id="no-edge"
            ),
            pytest.param("captured", "already in 'captured'", id="same-state"),
            pytest.param(None, "unknown state None", id="none"),
            pytest.param("x" * 10_000, "unknown state 'xxx", id="huge"),
        ],
    )
    def test_refused_moves(self, to: Any, message: str) -> None:
        with pytest.raises(rk.TransitionError) as caught:
            Machine(GOV, CONTACT).move(contact(), to, actor="ana", at=at(1))
        assert message in str(caught.value)
        assert len(str(caught.value)) < 400

    def test_final_state_refuses_everything(self) -> None:
        m = Machine(GOV, CONTACT)
        retired = walk(m, contact(), "retired")
        with pytest.raises(rk.TransitionError, match="'retired' is final"):
            m.move(retired, "active", actor="ana", at=at(9))

    def test_unknown_current_state(self) -> None:
        with pytest.raises(rk.TransitionError, match="unknown state 'limbo'"):
            Machine(GOV, CONTACT).move(
                contact().evolve(state="limbo"), "active", actor="a", at=at(1)
            )

    def test_clock_going_backwards_is_refused(self) -> None:
        m = Machine(GOV, CONTACT)
        record = walk(m, contact(), "normalized", start=5)
        with pytest.raises(rk.TransitionError, match="clock went backwards"):
            m.move(record, "validated", actor="ana", at=at(1))

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            pytest.param({"actor": ""}, "actor", id="blank-actor"),
            pytest.param({"at": "yesterday"}, "datetime", id="at-text"),
            pytest.param({"reason": " "}, "reason", id="blank-reason"),
            pytest.param({"reason": "r" * 1000}, "reason", id="long-reason"),
            pytest.param({"override": "yes"}, "override", id="override-text"),
        ],
    )
    def test_garbage_arguments(self, kwargs: dict[str, Any], message: str) -> None:
        options: dict[str, Any] = {"actor": "ana", "at": at(1), **kwargs}
        with pytest.raises(rk.TransitionError, match=message):
            Machine(GOV, CONTACT).move(contact(), "normalized", **options)

    def test_send_takes_an_event(self) -> None:
        m = Machine(GOV, CONTACT)
        record = walk(m, contact(), "normalized", "validated")
        moved = m.send(record, "activate", actor="ana", at=at(9))
        assert (("activate", "retire", "merge"), "active", "activate") == (
            m.events(record),
            moved.record.state,
            moved.transition.event,
        )

    def test_send_unknown_event_lists_the_events(self) -> None:
        with pytest.raises(
            rk.TransitionError,
            match="no event 'activate' from captured; events: normalize, retire, merge",
        ):
            Machine(GOV, CONTACT).send(contact(), "activate", actor="ana", at=at(1))

    def test_targets_lists_plain_moves(self) -> None:
        m = Machine(GOV, CONTACT)
        assert ("normalized", "retired", "merged") == m.targets(contact())


class TestGuards:
    def test_refusal_carries_issues_and_changes_nothing(self) -> None:
        m = Machine(DEAL_STAGES, DEAL)
        record = walk(m, deal(), "negotiation")
        with pytest.raises(rk.TransitionError) as caught:
            m.move(record, "closed_won", actor="ana", at=at(5))
        assert (["contract_link"], "negotiation") == (
            [i.field for i in caught.value.issues],
            record.stage,
        )

    def test_guard_versions_go_into_history(self) -> None:
        m = Machine(DEAL_STAGES, DEAL)
        record = walk(m, deal(contract_link="https://x.io/c"), "negotiation", "closed_won")
        assert {"requires(contract_link)": "1"} == dict(record.history[-1].rules)

    def test_activation_needs_required_fields(self) -> None:
        m = Machine(GOV, CONTACT)
        record = walk(m, contact(first_name=None), "normalized", "validated")
        with pytest.raises(rk.TransitionError) as caught:
            m.move(record, "active", actor="ana", at=at(9))
        assert [("first_name", "required")] == [(i.field, i.code) for i in caught.value.issues]

    def test_warnings_do_not_refuse(self) -> None:
        warn = rk.guard(
            lambda: [rk.GuardIssue("name", "odd", "looks odd", severity="warning")], name="w"
        )
        m = Machine(DEAL_STAGES.with_guards("qualification", warn), DEAL)
        assert "qualification" == walk(m, deal(), "qualification").stage

    def test_crashing_guard_is_a_transition_error(self) -> None:
        boom = rk.guard(lambda: 1 / 0, name="boom")
        m = Machine(DEAL_STAGES.with_guards("qualification", boom), DEAL)
        with pytest.raises(rk.TransitionError, match="guard 'boom' failed"):
            walk(m, deal(), "qualification")

    def test_guard_on_unknown_field_fails_at_build(self) -> None:
        with pytest.raises(rk.SchemaError, match="unknown field 'contract'"):
            Machine(DEAL_STAGES.with_guards("proposal", rk.requires_fields("contract")), DEAL)

    def test_check_returns_issues_without_moving(self) -> None:
        m = Machine(DEAL_STAGES, DEAL)
        record = walk(m, deal(), "negotiation")
        assert ["missing"] == [i.code for i in m.check(record, "closed_won")]


class TestForwardOnly:
    def test_first_stage_may_be_any(self) -> None:
        moved = Machine(BIZ, CONTACT).move(contact(), "mql", actor="ana", at=at(1))
        assert (None, "mql", "skip") == (
            moved.transition.source,
            moved.record.stage,
            moved.transition.event,
        )

    def test_skip_forward(self) -> None:
        record = walk(Machine(BIZ, CONTACT), contact(), "lead", "customer")
        assert ("customer", "skip") == (record.stage, record.history[-1].event)

    def test_going_back_needs_an_override(self) -> None:
        m = Machine(BIZ, CONTACT)
        record = walk(m, contact(), "customer")
        with pytest.raises(rk.TransitionError, match="explicit override"):
            m.move(record, "lead", actor="ana", at=at(5))

    def test_override_needs_a_known_reason_code(self) -> None:
        m = Machine(BIZ, CONTACT)
        record = walk(m, contact(), "customer")
        with pytest.raises(rk.TransitionError, match="needs a reason code"):
            m.move(record, "lead", actor="ana", at=at(5), override=True)
        with pytest.raises(rk.TransitionError, match="unknown reason code 'oops'"):
            m.move(record, "lead", actor="ana", at=at(5), override=True, reason="oops")

    def test_override_is_recorded(self) -> None:
        m = Machine(BIZ, CONTACT)
        record = walk(m, contact(), "customer")
        back = m.move(record, "lead", actor="ana", at=at(5), override=True, reason="data_error")
        t = back.transition
        assert ("lead", True, "data_error", "override") == (
            back.record.stage,
            t.override,
            t.reason,
            t.event,
        )

    def test_override_forward_is_refused(self) -> None:
        with pytest.raises(rk.TransitionError, match="only for going back"):
            Machine(BIZ, CONTACT).move(
                contact(), "lead", actor="a", at=at(1), override=True, reason="data_error"
            )

    def test_win_back_from_final_stage(self) -> None:
        m = Machine(BIZ, CONTACT)
        record = walk(m, contact(), "customer", "churned")
        back = m.move(record, "lead", actor="ana", at=at(9), override=True, reason="win_back")
        assert "lead" == back.record.stage

    def test_not_forward_only_state_lifecycle_has_no_overrides(self) -> None:
        m = Machine(GOV, CONTACT)
        record = walk(m, contact(), "normalized")
        with pytest.raises(rk.TransitionError, match="no transition normalized → captured"):
            m.move(record, "captured", actor="ana", at=at(5), reason="data_error")


class TestHooks:
    def test_order_is_exit_transition_enter(self) -> None:
        calls: list[str] = []
        lc = DEAL_STAGES.with_hooks(
            rk.on_enter("qualification", lambda: calls.append("enter")),
            rk.on_transition(lambda: calls.append("transition")),
            rk.on_exit("prospecting", lambda: calls.append("exit")),
            rk.on_enter("proposal", lambda: calls.append("not me")),
        )
        record = Machine(lc, DEAL).move(
            deal().evolve(stage="prospecting"), "qualification", actor="a", at=at(1)
        )
        assert (["exit", "transition", "enter"], "qualification") == (calls, record.record.stage)

    def test_hooks_receive_arguments_by_signature(self) -> None:
        seen: dict[str, Any] = {}

        def hook(source: str, target: str, actor: str, record: rk.Record, **rest: Any) -> None:
            seen.update(source=source, target=target, actor=actor, stage=record.stage)
            seen["rest"] = sorted(rest)

        lc = DEAL_STAGES.with_hooks(rk.on_enter("qualification", hook))
        Machine(lc, DEAL).move(
            deal().evolve(stage="prospecting"), "qualification", actor="a", at=at(1)
        )
        assert {
            "source": "prospecting",
            "target": "qualification",
            "actor": "a",
            "stage": "qualification",
            "rest": ["at", "event", "lifecycle", "override", "reason", "schema"],
        } == seen

    def test_enter_hook_assigns_an_owner(self) -> None:
        lc = BIZ.with_hooks(rk.on_enter("mql", lambda: {"owner": "sdr-team"}, name="assign"))
        moved = Machine(lc, CONTACT).move(contact(), "mql", actor="ana", at=at(1))
        assert ("sdr-team", "sdr-team", ("owner",), "hook:assign") == (
            moved.record["owner"],
            moved.record.owner,
            moved.changed,
            moved.record.provenance["owner"].source,
        )

    @pytest.mark.parametrize(
        ("fn", "message"),
        [
            pytest.param(lambda: 1 / 0, "failed; the move was abandoned", id="raises"),
            pytest.param(lambda: 5, "must return None or a mapping", id="returns-number"),
            pytest.param(lambda: {"nope": 1}, "unknown field 'nope'", id="unknown-field"),
            pytest.param(lambda: {"amount": "lots"}, "amount", id="invalid-value"),
            pytest.param(
                lambda record: setattr(record, "stage", "x"), "in place", id="setattr-frozen"
            ),
            pytest.param(
                lambda record: object.__setattr__(record, "owner", "sneaky"),
                "changed the record in place",
                id="object-setattr",
            ),
        ],
    )
    def test_failing_hook_leaves_record_where_it_was(self, fn: Any, message: str) -> None:
        lc = DEAL_STAGES.with_hooks(rk.on_transition(fn, name="bad"))
        record = deal().evolve(stage="prospecting")
        before = rk.record_to_dict(record, DEAL)
        with pytest.raises(rk.TransitionError, match=message):
            Machine(lc, DEAL).move(record, "qualification", actor="a", at=at(1))
        assert before == rk.record_to_dict(record, DEAL)

    def test_hook_filters(self) -> None:
        hook = rk.on_transition(lambda: None, source="a", target="b")
        assert (True, False, False) == (
            hook.applies("a", "b"),
            hook.applies("x", "b"),
            hook.applies("a", "x"),
        )


class TestTimers:
    LC = rk.Lifecycle(
        "follow_up",
        [rk.State("open"), rk.State("cold"), rk.State("closed", final=True)],
        [rk.Edge("open", "cold"), rk.Edge("cold", "open"), rk.Edge("cold", "closed")],
        timers=[
            rk.Timer("open", "cold", 30, since="last_contacted"),
            rk.Timer("cold", "closed", 60),
        ],
        attribute="stage",
    )

    def test_due_counts_from_a_date_field(self) -> None:
        m = Machine(self.LC, DEAL)
        record = deal(last_contacted=dt.date(2026, 1, 1)).evolve(stage="open")
        assert ((), ("cold",)) == (
            tuple(t.target for t in m.due(record, at(29))),
            tuple(t.target for t in m.due(record, at(30))),
        )

    def test_no_value_is_never_due(self) -> None:
        assert () == Machine(self.LC, DEAL).due(deal().evolve(stage="open"), at(999))

    def test_sweep_chains_due_moves(self) -> None:
        record = deal(last_contacted=dt.date(2026, 1, 1)).evolve(stage="open")
        swept = Machine(self.LC, DEAL).sweep(record, at(100), actor="system")
        assert (["cold"], "cold") == (
            [m.transition.target for m in swept.moves],
            swept.record.stage,
        )
        later = Machine(self.LC, DEAL).sweep(swept.record, at(160), actor="system")
        assert ("closed", "timer:60d") == (later.record.stage, later.record.history[-1].event)

    def test_sweep_is_idempotent(self) -> None:
        m = Machine(GOV, CONTACT)
        record = walk(m, contact(), "normalized", "validated", "active")
        once = m.sweep(record, at(500), actor="system")
        twice = m.sweep(once.record, at(500), actor="system")
        assert ("retiring", ()) == (once.record.state, twice.moves)

    def test_sweep_refused_by_guard_is_reported(self) -> None:
        lc = rk.Lifecycle(
            "l",
            [rk.State("a"), rk.State("b", final=True, guards=[rk.requires_fields("owner")])],
            [rk.Edge("a", "b")],
            timers=[rk.Timer("a", "b", 1)],
        )
        swept = Machine(lc, DEAL).sweep(deal().evolve(state="a"), at(5), actor="system")
        assert ("a", 1) == (swept.record.state, len(swept.refused))

    def test_timer_since_must_be_a_date_field(self) -> None:
        lc = rk.Lifecycle(
            "l",
            [rk.State("a"), rk.State("b", final=True)],
            [rk.Edge("a", "b")],
            timers=[rk.Timer("a", "b", 1, since="amount")],
        )
        with pytest.raises(rk.SchemaError, match="needs a date or datetime field"):
            Machine(lc, DEAL)

    def test_sweep_before_last_move_moves_nothing(self) -> None:
        m = Machine(GOV, CONTACT)
        record = walk(m, contact(), "normalized", "validated", "active", start=400)
        assert () == m.sweep(record, at(300), actor="system").moves


class TestHistoryQueries:
    def test_became_latest_and_first(self) -> None:
        m = Machine(BIZ, CONTACT)
        record = walk(m, contact(), "customer")
        record = m.move(
            record, "lead", actor="a", at=at(5), override=True, reason="data_error"
        ).record
        record = m.move(record, "customer", actor="a", at=at(8)).record
        assert (at(8), at(1), None) == (
            became(record, "customer"),
            became(record, "customer", first=True),
            became(record, "evangelist"),
        )

    def test_transitions_filter(self) -> None:
        record = walk(Machine(GOV, CONTACT), contact(), "normalized")
        record = walk(Machine(BIZ, CONTACT), record, "lead", start=2)
        assert (2, ("normalized",), ("lead",)) == (
            len(transitions(record)),
            tuple(t.target for t in transitions(record, "state")),
            tuple(t.target for t in transitions(record, "stage")),
        )

    def test_history_round_trips_through_json(self) -> None:
        record = walk(Machine(BIZ, CONTACT), contact(), "lead", "customer")
        assert record == rk.Record.from_json(record.to_json(CONTACT), CONTACT)
