"""Merges, edits and unmerges in any order: undoing every merge leaves each id as edited.

The model ignores merges altogether: it only applies each edit to the id it was made to.
Whatever merges happened in between, once every merge is undone (newest first, later edits
reconciled), the store must agree with the model, a refused unmerge must change nothing,
and the audit chain must stay intact.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import recordkit as rk
from recordkit.match import MERGED
from tests.match.merge_examples import PERSON, T0, TICKET
from tests.strategies import cell_values

EDITABLE = ("name", "email", "city", "score")


def present(record: rk.Record) -> dict[str, Any]:
    return dict(record.present)


class MergeMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        ticks = itertools.count()
        counter = itertools.count()

        def clock() -> dt.datetime:
            return T0 + dt.timedelta(minutes=next(ticks))

        store = rk.MemoryStore()
        self.tickets = rk.Steward(
            TICKET, store=store, clock=clock, ids=lambda: f"t{next(counter)}"
        )
        self.persons = rk.Steward(
            PERSON,
            store=store,
            clock=clock,
            ids=lambda: f"p{next(counter)}",
            related=[self.tickets],
        )
        self.model: dict[str, dict[str, Any]] = {}
        self.refers: dict[str, str] = {}
        self.active: list[str] = []

    def live(self) -> list[str]:
        return [i for i in self.model if self.persons.get(i).state != MERGED]

    @rule(values=st.fixed_dictionaries({}, optional=cell_values))
    def capture(self, values: dict[str, Any]) -> None:
        record = self.persons.capture(values, source="crm")
        self.model[record.id] = present(record)
        ticket = self.tickets.capture({"title": "t", "person_id": record.id}, source="support")
        self.refers[ticket.id] = record.id

    @precondition(lambda self: len(self.live()) >= 2)
    @rule(data=st.data())
    def merge(self, data: st.DataObject) -> None:
        ids = data.draw(st.lists(st.sampled_from(self.live()), min_size=2, max_size=3,
                                 unique=True))
        self.active.append(self.persons.merge(ids).id)

    @precondition(lambda self: bool(self.live()))
    @rule(data=st.data(), field=st.sampled_from(EDITABLE))
    def edit(self, data: st.DataObject, field: str) -> None:
        rid = data.draw(st.sampled_from(self.live()))
        value = data.draw(st.none() | cell_values[field])
        stored = self.persons.update(rid, {field: value}, source="support").get(field)
        if stored is None:
            self.model[rid].pop(field, None)
        else:
            self.model[rid][field] = stored

    @precondition(lambda self: bool(self.active))
    @rule(reconcile=st.booleans())
    def unmerge_newest(self, reconcile: bool) -> None:
        merge_id = self.active[-1]
        if reconcile:
            self.persons.unmerge(merge_id, on_conflict="reconcile")
            self.active.pop()
            return
        before = [self.persons.get(i) for i in self.model]
        try:
            self.persons.unmerge(merge_id)
        except rk.UnmergeConflict:
            assert before == [self.persons.get(i) for i in self.model]
        else:
            self.active.pop()

    @invariant()
    def audit_chain_intact(self) -> None:
        assert self.persons.audit.verify()

    def teardown(self) -> None:
        for merge_id in reversed(self.active):
            self.persons.unmerge(merge_id, on_conflict="reconcile")
        assert self.model == {i: present(self.persons.get(i)) for i in self.model}
        assert self.refers == {t: self.tickets.get(t)["person_id"] for t in self.refers}
        super().teardown()


MergeMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=12, deadline=None
)
TestMergeMachine = MergeMachine.TestCase
