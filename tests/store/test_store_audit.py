"""Writes made straight on a store leave an audit event with their values (every backend)."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest

from recordkit import ConflictError, Store
from recordkit.governance._audit_query import replay
from tests.store.examples import T0, lead
from tests.store.test_history import merge_of


def actions(store: Store) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(e.action, e.actor, e.record_ids) for e in store.audit_log().events()]


class TestStoreWritesAreAudited:
    def test_put_records_before_and_after(self, store: Store) -> None:
        """A put names the fields it changed with their old and new values."""
        store.put(lead("a", name="Ada", visits=1), expected_version=None)
        store.put(lead("a", name="Ada L", visits=1, version=2), expected_version=1)
        first, second = store.audit_log().events("a")
        assert ("store.put", "store", {"a": {"name": [None, "Ada"], "visits": [None, 1]}}) == (
            first.action,
            first.actor,
            dict(first.changes),
        )
        assert ({"a": {"name": ["Ada", "Ada L"]}}, ("name",)) == (
            dict(second.changes),
            second.fields,
        )
        assert store.audit_log().verify()

    def test_every_write_verb_leaves_one_event(self, store: Store) -> None:
        """put_many, upsert_many, delete, put_merge and put_unmerge each append one event."""
        store.put_many([lead("s", name="S"), lead("m1", name="M1"), lead("m2", name="M2")])
        later = T0 + dt.timedelta(days=1)
        store.upsert_many([lead("s", name="S2", at=later), lead("n", name="N")])
        store.put_merge(merge_of(), [(lead("m1", version=2).evolve(state="merged"), 1)])
        store.put_unmerge("g1", [(lead("m1", name="M1", version=3), 2)], at=T0, actor="bo")
        store.delete("n", expected_version=1)
        assert [
            ("store.put_many", "store", ("s", "m1", "m2")),
            ("store.upsert_many", "store", ("s", "n")),
            ("store.put_merge", "ana", ("m1",)),
            ("store.put_unmerge", "bo", ("m1",)),
            ("store.delete", "store", ("n",)),
        ] == actions(store)
        events = list(store.audit_log().events())
        assert ["S2", "N"] == [events[1].changes[i]["name"][1] for i in ("s", "n")]
        assert {"name": ["N", None]} == dict(events[4].changes["n"])
        assert ({}, {"name": "M1"}) == (replay(events, "n"), replay(events, "m1"))
        assert store.audit_log().verify()

    def test_values_are_plain_data(self, store: Store) -> None:
        """Dates, decimals and money reach the event as JSON data."""
        store.put(
            lead("a", born=dt.date(1990, 5, 1), score=decimal.Decimal("1.50")),
            expected_version=None,
        )
        (event,) = store.audit_log().events("a")
        assert {"born": [None, "1990-05-01"], "score": [None, "1.50"]} == dict(event.changes["a"])

    def test_audited_block_leaves_it_to_the_caller(self, store: Store) -> None:
        """Inside store.audited() the store appends nothing; outside it, it does again."""
        with store.audited(), store.transaction():
            store.put(lead("a", name="Ada"), expected_version=None)
            store.upsert_many([lead("b", name="Bo")])
            store.delete("a", expected_version=1)
        assert [] == actions(store)
        store.put(lead("c", name="Cy"), expected_version=None)
        assert [("store.put", "store", ("c",))] == actions(store)

    def test_audited_is_per_store(self, make_store: object) -> None:
        """A block on one store does not silence another."""
        from recordkit import MemoryStore

        other = MemoryStore()
        mine = MemoryStore()
        with other.audited():
            mine.put(lead("a"), expected_version=None)
        assert 1 == len(list(mine.audit_log().events()))

    def test_a_failed_write_leaves_no_event(self, store: Store) -> None:
        """A write refused for a stale version appends nothing."""
        store.put(lead("a"), expected_version=None)
        with pytest.raises(ConflictError):
            store.put(lead("a", version=3), expected_version=2)
        assert 1 == len(list(store.audit_log().events()))
