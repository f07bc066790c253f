"""The facade's lifecycle road: access check, machine, store and audit, all or nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import recordkit as rk
from recordkit import Action, Actor
from tests.lifecycle.machines import DEAL, DEAL_STAGES, T0, Ticks
from tests.strategies import garbage

ANA = Actor("ana", roles={"steward"})
EVE = Actor("eve")


class OnlyStewardsMove:
    """Deny transitions (and hook writes) to actors without the steward role."""

    def check(
        self,
        actor: Actor,
        action: Action,
        schema: rk.Schema,
        record: rk.Record | None,
        fields: Collection[str],
        *,
        after: rk.Record | None = None,
    ) -> None:
        if action in (Action.TRANSITION, Action.UPDATE) and "steward" not in actor.roles:
            record_id = None if record is None else record.id
            raise rk.AccessDenied(actor.id, str(action), record_id=record_id)


def steward(**options: Any) -> tuple[rk.Steward, Ticks]:
    clock = Ticks()
    options.setdefault("clock", clock)
    return rk.Steward(rk.bundled_schema("contact"), **options), clock


def captured(s: rk.Steward, **values: Any) -> rk.Record:
    return s.capture({"first_name": "Ada", "last_name": "Lovelace", **values}, source="form")


def transition_events(s: rk.Steward, record_id: str) -> list[rk.AuditEvent]:
    return [e for e in s.audit.events(record_id) if e.action == "transition"]


class TestAdvance:
    def test_moves_stores_and_audits(self) -> None:
        """
        Advancing moves the record, stores the new version and audits who moved it, from where to
        where and why.
        """
        s, clock = steward()
        r = captured(s)
        clock.advance(1)
        moved = s.advance(r.id, "normalized", actor=ANA, reason="nightly job")
        (event,) = transition_events(s, r.id)
        assert (
            ("normalized", 2),
            moved,
            ("ana", ("state",)),
            {"from": "captured", "to": "normalized", "reason": "nightly job", "version": 2},
        ) == (
            (moved.state, moved.version),
            s.get(r.id),
            (event.actor, event.fields),
            {k: event.detail[k] for k in ("from", "to", "reason", "version")},
        )
        assert s.audit.verify()

    def test_stage_and_state_are_told_apart(self) -> None:
        """A stage target moves the stage and leaves the state where it was."""
        s, _ = steward()
        r = captured(s)
        r = s.advance(r.id, "lead", actor=ANA)
        assert ("captured", "lead") == (r.state, r.stage)

    def test_unknown_target_suggests(self) -> None:
        """A misspelt target is refused with the closest name as a suggestion."""
        s, _ = steward()
        r = captured(s)
        with pytest.raises(rk.TransitionError, match="did you mean 'customer'"):
            s.advance(r.id, "custmer", actor=ANA)

    def test_access_denied_changes_nothing(self) -> None:
        """An actor the access policy refuses leaves the record and the audit trail as they were."""
        s, _ = steward(access=OnlyStewardsMove())
        r = captured(s)
        with pytest.raises(rk.AccessDenied):
            s.advance(r.id, "normalized", actor=EVE)
        assert (r, []) == (s.get(r.id), transition_events(s, r.id))

    def test_guard_refusal_changes_nothing(self) -> None:
        """
        A guard's refusal names the missing field and leaves the record and its transitions alone.
        """
        s, _ = steward()
        # A missing required value is an error: only warn mode stores the record without it.
        r = s.capture({"first_name": "Ada"}, source="form", mode="warn")
        for to in ("normalized", "validated"):
            r = s.advance(r.id, to, actor=ANA)
        with pytest.raises(rk.TransitionError) as caught:
            s.advance(r.id, "active", actor=ANA)
        assert (["last_name"], r, 2) == (
            [i.field for i in caught.value.issues],
            s.get(r.id),
            len(transition_events(s, r.id)),
        )

    def test_activation_runs_the_steward_rules(self) -> None:
        """
        Activation records that the steward's rule set passed, with the schema and rules
        fingerprint.
        """
        s, _ = steward()
        r = captured(s)
        for to in ("normalized", "validated", "active"):
            r = s.advance(r.id, to, actor=ANA)
        assert {"rules_pass": f"contact@1:{s.rules.fingerprint}"} == dict(r.history[-1].rules)

    def test_stale_version_conflicts(self) -> None:
        """An expected version that is no longer current raises ConflictError."""
        s, _ = steward()
        r = captured(s)
        s.advance(r.id, "lead", actor=ANA)
        with pytest.raises(rk.ConflictError):
            s.advance(r.id, "mql", actor=ANA, expected_version=r.version)

    def test_override_is_audited_with_its_reason(self) -> None:
        """
        A move against the declared edges with override=True is audited as an override with its
        reason.
        """
        s, _ = steward()
        r = captured(s)
        s.advance(r.id, "customer", actor=ANA)
        s.advance(r.id, "lead", actor=ANA, override=True, reason="data_error")
        last = transition_events(s, r.id)[-1].detail
        assert (True, "data_error", "override") == (last["override"], last["reason"], last["event"])

    def test_on_chooses_and_is_checked(self) -> None:
        """
        `on` picks the lifecycle a target belongs to and refuses an unknown attribute or a target of
        the other.
        """
        s, _ = steward()
        r = captured(s)
        with pytest.raises(rk.TransitionError, match="on must be"):
            s.advance(r.id, "lead", actor=ANA, on="phase")
        with pytest.raises(rk.TransitionError, match="unknown state 'lead'"):
            s.advance(r.id, "lead", actor=ANA, on="state")


class TestHooksThroughTheFacade:
    def test_hook_changes_are_stored_with_the_move(self) -> None:
        """Values an on-enter hook sets are stored and audited in the same change as the move."""
        biz = rk.bundled_lifecycle("business").with_hooks(
            rk.on_enter("mql", lambda: {"owner": "sdr-team"}, name="assign_owner")
        )
        s, _ = steward(stages=biz)
        r = captured(s)
        moved = s.advance(r.id, "mql", actor=ANA)
        (event,) = transition_events(s, r.id)
        assert ("sdr-team", "sdr-team", ("owner", "stage")) == (
            s.get(r.id)["owner"],
            moved.owner,
            event.fields,
        )

    def test_hook_writes_need_update_access(self) -> None:
        """
        A hook's writes go through the update access check, and a refusal leaves the record unmoved.
        """
        biz = rk.bundled_lifecycle("business").with_hooks(
            rk.on_enter("mql", lambda: {"owner": "x"})
        )

        class NoOwnerWrites(OnlyStewardsMove):
            def check(
                self,
                actor: Actor,
                action: Action,
                schema: Any,
                record: Any,
                fields: Any,
                *,
                after: Any = None,
            ) -> None:
                if action is Action.UPDATE and "owner" in fields:
                    raise rk.AccessDenied(actor.id, "update", field="owner")

        s, _ = steward(stages=biz, access=NoOwnerWrites())
        r = captured(s)
        with pytest.raises(rk.AccessDenied):
            s.advance(r.id, "mql", actor=ANA)
        assert (None, []) == (s.get(r.id).stage, transition_events(s, r.id))

    def test_failing_hook_leaves_stored_record_alone(self) -> None:
        """
        A hook that raises abandons the move and leaves the stored record and its history alone.
        """
        biz = rk.bundled_lifecycle("business").with_hooks(rk.on_exit("lead", lambda: 1 / 0))
        s, _ = steward(stages=biz)
        r = s.advance(captured(s).id, "lead", actor=ANA)
        with pytest.raises(rk.TransitionError, match="abandoned"):
            s.advance(r.id, "mql", actor=ANA)
        assert (r, 1) == (s.get(r.id), len(transition_events(s, r.id)))


class TestRetire:
    def test_retired_records_refuse_every_event(self) -> None:
        """A retired record refuses every further move, including a second retirement."""
        s, _ = steward()
        r = captured(s)
        s.retire(r.id, actor=ANA, reason="duplicate")
        for to in ("active", "lead", "retired"):
            with pytest.raises(rk.TransitionError, match="is retired; nothing moves it"):
                s.advance(r.id, to, actor=ANA)
        with pytest.raises(rk.TransitionError):
            s.retire(r.id, actor=ANA)
        assert ("retired", ["retired"]) == (
            s.get(r.id).state,
            [t.target for t in s.history(r.id)],
        )

    def test_without_state_lifecycle(self) -> None:
        """Retiring without a state lifecycle says that no lifecycle drives the state."""
        s, _ = steward(lifecycle=None)
        with pytest.raises(rk.TransitionError, match="no lifecycle drives 'state'"):
            s.retire(captured(s).id, actor=ANA)


class TestSweep:
    def active(self, s: rk.Steward) -> rk.Record:
        r = captured(s)
        for to in ("normalized", "validated", "active"):
            r = s.advance(r.id, to, actor=ANA)
        return r

    def test_stale_then_retiring(self) -> None:
        """Sweeps move an idle active record to stale, then to retiring, as the system actor."""
        s, _ = steward()
        r = self.active(s)
        first = s.sweep(T0 + dt.timedelta(days=200))
        second = s.sweep(T0 + dt.timedelta(days=400))
        assert ({"stale": 1}, {"retiring": 1}, "retiring") == (
            first.by_target(),
            second.by_target(),
            s.get(r.id).state,
        )
        assert "system" == transition_events(s, r.id)[-1].actor

    def test_sweeping_twice_moves_nothing_more(self) -> None:
        """A second sweep at the same time moves nothing."""
        s, _ = steward()
        self.active(s)
        now = T0 + dt.timedelta(days=500)
        assert (2, 0) == (s.sweep(now).count, s.sweep(now).count)

    def test_clock_going_backwards_is_refused(self) -> None:
        """A sweep at an earlier time than the last one is refused and moves nothing back."""
        s, _ = steward()
        r = self.active(s)
        s.sweep(T0 + dt.timedelta(days=300))
        with pytest.raises(rk.TransitionError, match="clock went backwards"):
            s.sweep(T0 + dt.timedelta(days=5))
        assert "stale" == s.get(r.id).state

    @pytest.mark.parametrize("now", [None, "2026-01-01", 1234.5], ids=["none", "text", "number"])
    def test_garbage_now(self, now: Any) -> None:
        """A sweep time that is not a datetime is refused."""
        s, _ = steward()
        with pytest.raises(rk.TransitionError, match="needs a datetime"):
            s.sweep(now)

    def test_retired_records_are_left_alone(self) -> None:
        """Sweeps never move a retired record."""
        s, _ = steward()
        r = self.active(s)
        s.retire(r.id, actor=ANA)
        assert 0 == s.sweep(T0 + dt.timedelta(days=900)).count


class TestQueries:
    def test_when_did_it_become_a_customer(self) -> None:
        """
        `became` answers when a record first reached a stage, and None for one it never reached.
        """
        s, clock = steward()
        r = captured(s)
        clock.advance(3)
        s.advance(r.id, "lead", actor=ANA)
        clock.advance(10)
        s.advance(r.id, "customer", actor=ANA)
        assert (T0 + dt.timedelta(days=13), None) == (
            s.became(r.id, "customer"),
            s.became(r.id, "evangelist"),
        )

    def test_became_unknown_stage(self) -> None:
        """`became` refuses a name that is no state or stage."""
        s, _ = steward()
        with pytest.raises(rk.TransitionError, match="unknown state or stage"):
            s.became(captured(s).id, "whale")

    def test_history_filter(self) -> None:
        """`history` filters transitions by the attribute they moved and refuses an unknown one."""
        s, _ = steward()
        r = captured(s)
        s.advance(r.id, "lead", actor=ANA)
        s.advance(r.id, "normalized", actor=ANA)
        assert (("lead",), ("normalized",)) == (
            tuple(t.target for t in s.history(r.id, on="stage")),
            tuple(t.target for t in s.history(r.id, on="state")),
        )
        with pytest.raises(rk.TransitionError):
            s.history(r.id, on="phase")


class TestWiring:
    def test_schema_sections_are_the_default(self) -> None:
        """A schema's lifecycle sections drive the steward when no lifecycle is given."""
        schema = rk.Schema(
            "deal",
            DEAL.fields,
            extensions={"stages": rk.lifecycle_to_dict(DEAL_STAGES)},
        )
        s = rk.Steward(schema)
        assert ("governance", "pipeline") == (
            s.lifecycles.machine("state").lifecycle.name,
            s.lifecycles.machine("stage").lifecycle.name,
        )

    @pytest.mark.parametrize(
        ("options", "message"),
        [
            pytest.param({"lifecycle": "governance"}, "must be a Lifecycle", id="string"),
            pytest.param(
                {"lifecycle": DEAL_STAGES}, "drives 'stage', not 'state'", id="wrong-kind"
            ),
            pytest.param(
                {"stages": DEAL_STAGES.with_guards("proposal", rk.requires_fields("budget"))},
                "unknown field 'budget'",
                id="guard-on-unknown-field",
            ),
        ],
    )
    def test_bad_options(self, options: dict[str, Any], message: str) -> None:
        """
        A lifecycle option of the wrong type, kind or fields is refused when the steward is built.
        """
        with pytest.raises(rk.SchemaError, match=message):
            rk.Steward(rk.bundled_schema("contact"), **options)

    def test_stages_off(self) -> None:
        """With stages=None, a stage name is no known target."""
        s, _ = steward(stages=None)
        with pytest.raises(rk.TransitionError, match="unknown state or stage 'lead'"):
            s.advance(captured(s).id, "lead", actor=ANA)


class TestGarbage:
    @given(
        to=garbage | st.sampled_from(["lead", "active"]),
        reason=garbage,
        override=garbage,
        on=st.none() | garbage,
        actor=st.just(ANA) | garbage,
    )
    @settings(max_examples=40)
    def test_advance_refuses_cleanly_and_changes_nothing(
        self, to: Any, reason: Any, override: Any, on: Any, actor: Any
    ) -> None:
        """
        Hostile arguments to advance raise a short RecordkitError and leave the record as it was.
        """
        s, _ = steward()
        r = captured(s)
        try:
            s.advance(r.id, to, actor=actor, reason=reason, override=override, on=on)
        except rk.RecordkitError as exc:
            assert len(str(exc)) < 1000
            assert r == s.get(r.id)
        else:
            assert s.get(r.id).version == r.version + 1

    @given(record_id=garbage, stage=garbage)
    @settings(max_examples=15)
    def test_queries_refuse_cleanly(self, record_id: Any, stage: Any) -> None:
        """Hostile arguments to history and became raise RecordkitError."""
        s, _ = steward()
        for call in (lambda: s.history(record_id), lambda: s.became(record_id, stage)):
            with pytest.raises(rk.RecordkitError):
                call()
