"""
Random sequences of moves, updates, regressions and sweeps keep the lifecycle invariants.

Two flows: one through the facade (Steward over a MemoryStore, with hooks), one over the
pure machine. After every step: no record is in a forbidden state, no history is lost, every
move followed a declared edge or a recorded override, and each move has its audit event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

import recordkit as rk
from recordkit.lifecycle import Machine
from tests.lifecycle.machines import BUSINESS, DEAL, DEAL_STAGES, GOVERNANCE, T0, Ticks, deal
from tests.strategies import days, job_titles, reasons, targets

ANA = rk.Actor("ana", roles={"steward"})
CONTACT = rk.bundled_schema("contact")


def _refuse_boom(record: rk.Record) -> dict[str, Any]:
    """An on-enter hook that fails for some records and assigns an owner to the others."""
    if record.get("job_title") == "boom":
        raise RuntimeError("boom")
    return {"owner": "sdr-team"}


def check_history(record: rk.Record, lifecycles: dict[str, rk.Lifecycle]) -> None:
    """The history is a chain of legal moves that ends where the record is."""
    where: dict[str, str | None] = {"state": "captured", "stage": None}
    last_at = record.created_at
    closed = False
    for t in record.history:
        lc = lifecycles[t.attribute]
        assert not closed, f"a move after a final state: {t}"
        assert where[t.attribute] == t.source
        assert t.target in lc
        assert last_at <= t.at
        declared = lc.edge(t.source, t.target) is not None
        if lc.forward_only and t.source is not None and lc.rank(t.target) < lc.rank(t.source):
            assert (True, True) == (t.override, t.reason in lc.reason_codes)
        elif lc.forward_only:
            assert not t.override
        else:
            assert declared or (t.source is None and t.target == lc.initial.name)
            assert not t.override
        if t.target == "active":
            assert t.rules["rules_pass"].startswith("contact@")
        where[t.attribute] = t.target
        last_at = t.at
        closed = t.attribute == "state" and t.target in GOVERNANCE.finals
    assert (where["state"], where["stage"]) == (record.state, record.stage)


class StewardFlow(RuleBasedStateMachine):
    """The facade: capture, advance, override, update, sweep — against one MemoryStore."""

    records = Bundle("records")

    def __init__(self) -> None:
        super().__init__()
        self.clock = Ticks()
        stages = BUSINESS.with_hooks(rk.on_enter("mql", _refuse_boom, name="assign_owner"))
        self.steward = rk.Steward(CONTACT, store=rk.MemoryStore(), clock=self.clock, stages=stages)
        self.lifecycles = {"state": GOVERNANCE, "stage": stages}
        self.seen: dict[str, tuple[rk.Transition, ...]] = {}
        self.swept_at: dt.datetime | None = None

    @rule(target=records, last_name=st.sampled_from(["Lovelace", None]), title=job_titles)
    def capture(self, last_name: str | None, title: str | None) -> str:
        raw = {"first_name": "Ada", "last_name": last_name, "job_title": title}
        # A missing required name is an error: warn mode stores it, for activation to refuse.
        mode = "warn" if last_name is None else None
        record = self.steward.capture(raw, source="form", mode=mode)
        self.seen[record.id] = ()
        return record.id

    @rule(record_id=records, to=targets, reason=reasons, override=st.booleans())
    def advance(self, record_id: str, to: str, reason: str | None, override: bool) -> None:
        before = self.steward.get(record_id)
        events = len(list(self.steward.audit.events(record_id)))
        try:
            after = self.steward.advance(record_id, to, actor=ANA, reason=reason, override=override)
        except rk.TransitionError:
            event("advance refused")
            assert before == self.steward.get(record_id)
            assert events == len(list(self.steward.audit.events(record_id)))
            return
        event(f"advance {'override' if override else 'moved'} {after.history[-1].attribute}")
        event(f"reached {to}")
        assert (to, before.version + 1) == (
            getattr(after, after.history[-1].attribute),
            after.version,
        )

    @rule(record_id=records, attribute=st.sampled_from(["state", "stage"]), data=st.data())
    def advance_along_the_graph(self, record_id: str, attribute: str, data: st.DataObject) -> None:
        record = self.steward.get(record_id)
        choices = self.steward.lifecycles.machine(attribute).targets(record)
        if not choices or self.steward.lifecycles.closed(record):
            return
        finals = GOVERNANCE.finals + BUSINESS.finals
        # closing a record ends its story, so prefer the moves that keep it going
        weighted = [c for c in choices if c not in finals] * 5 + [c for c in choices if c in finals]
        self.advance(record_id, data.draw(st.sampled_from(weighted)), None, False)

    @rule(record_id=records)
    def run_the_intake_pipeline(self, record_id: str) -> None:
        for to in ("normalized", "validated", "active"):
            if to in self.steward.lifecycles.machine("state").targets(self.steward.get(record_id)):
                self.advance(record_id, to, None, False)

    @rule(record_id=records, data=st.data())
    def regress_with_a_reason(self, record_id: str, data: st.DataObject) -> None:
        stage = self.steward.get(record_id).stage
        if stage is None or BUSINESS.rank(stage) == 0:
            return
        back = data.draw(st.sampled_from(BUSINESS.names[: BUSINESS.rank(stage)]))
        reason = data.draw(st.sampled_from(BUSINESS.reason_codes))
        self.advance(record_id, back, reason, True)

    @rule(record_id=records, title=job_titles)
    def update(self, record_id: str, title: str | None) -> None:
        before = self.steward.get(record_id)
        try:
            after = self.steward.update(record_id, {"job_title": title}, source="crm")
        except rk.RecordkitError as exc:
            event(f"update refused: {type(exc).__name__}")
            return
        # an update changes values, never the lifecycle position or its history
        assert (before.state, before.stage, before.history) == (
            after.state,
            after.stage,
            after.history,
        )

    @rule(step=days)
    def sweep(self, step: float) -> None:
        now = self.clock.advance(step)
        result = self.steward.sweep(now)
        event(f"sweep moved {min(result.count, 2)}+")
        if result.refused:
            event("sweep refused by a guard")
        for record_id, moves in result.moved.items():
            assert all(t.event.startswith("timer:") and t.at == now for t in moves)
            assert self.steward.get(record_id).history[-len(moves) :] == moves
        self.swept_at = now

    @rule(hours=st.integers(1, 10_000))
    def backwards_sweep_is_refused(self, hours: int) -> None:
        if self.swept_at is None:
            return
        try:
            self.steward.sweep(self.swept_at - dt.timedelta(hours=hours))
        except rk.TransitionError as exc:
            assert "clock went backwards" in str(exc)
        else:
            raise AssertionError("a sweep back in time was accepted")

    @rule(step=days)
    def tick(self, step: float) -> None:
        self.clock.advance(step)

    @invariant()
    def histories_are_legal_and_kept(self) -> None:
        for record_id, seen in self.seen.items():
            record = self.steward.get(record_id)
            assert seen == record.history[: len(seen)], "history was lost"
            check_history(record, self.lifecycles)
            moves = [e for e in self.steward.audit.events(record_id) if e.action == "transition"]
            assert [(t.source, t.target) for t in record.history] == [
                (e.detail["from"], e.detail["to"]) for e in moves
            ]
            self.seen[record_id] = record.history
        assert self.steward.audit.verify()


class MachineFlow(RuleBasedStateMachine):
    """The pure machine over a deal pipeline with timers: moves are values, refusals no-ops."""

    LC = rk.Lifecycle(
        DEAL_STAGES.name,
        DEAL_STAGES.states,
        DEAL_STAGES.edges,
        timers=[rk.Timer("prospecting", "closed_lost", 90, since="updated")],
        attribute="stage",
        forward_only=True,
        reason_codes=DEAL_STAGES.reason_codes,
    )

    def __init__(self) -> None:
        super().__init__()
        self.machine = Machine(self.LC, DEAL)
        self.record = deal().evolve(stage="prospecting")
        self.now = T0

    @rule(to=st.sampled_from([*LC.names, "nowhere"]), reason=reasons, override=st.booleans())
    def move(self, to: str, reason: str | None, override: bool) -> None:
        self.now += dt.timedelta(hours=1)
        before = self.record
        try:
            moved = self.machine.move(
                before, to, actor="ana", at=self.now, reason=reason, override=override
            )
        except rk.TransitionError:
            assert before == self.record
            return
        assert moved.record.history[:-1] == before.history
        if to == "closed_won":  # the guard held when the deal entered the stage
            assert before.get("contract_link")
        self.record = moved.record

    @rule(link=st.sampled_from([None, "https://docs.example.com/contract/1"]))
    def edit(self, link: str | None) -> None:
        values = {**self.record.values, "contract_link": link}
        self.record = self.record.evolve(values=values, updated_at=self.now)

    @rule(step=days)
    def sweep(self, step: float) -> None:
        self.now += dt.timedelta(days=step)
        swept = self.machine.sweep(self.record, self.now, actor="system")
        assert swept.record.history[: len(self.record.history)] == self.record.history
        self.record = swept.record

    @invariant()
    def legal(self) -> None:
        where = "prospecting"  # set directly on the record: the pipeline's initial stage
        for t in self.record.history:
            assert (where, t.source) == (t.source, where)
            if self.LC.rank(t.target) < self.LC.rank(where):
                assert (True, True) == (t.override, t.reason in self.LC.reason_codes)
            else:
                assert not t.override
            if t.target == "closed_won":
                assert "requires(contract_link)" in t.rules
            where = t.target
        assert where == self.record.stage


# A few seconds in the default run; the "thorough" profile (RECORDKIT_HYPOTHESIS) digs deeper.
_DEEP = settings().max_examples > 100
FAST = settings(
    max_examples=400 if _DEEP else 30, stateful_step_count=60 if _DEEP else 40, deadline=None
)
TestStewardFlow = FAST(StewardFlow).TestCase
TestMachineFlow = FAST(MachineFlow).TestCase
