"""Lineage, consent, quarantine, audit and transactions: the contract on every backend."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from recordkit import ConflictError, NotFound, StoreError
from recordkit.store import ConsentEntry, Lineage, QuarantineEntry, Store
from tests.store.examples import T0, lead


def merge_of(
    survivor: str = "s", merged: tuple[str, ...] = ("m1", "m2"), id: str = "g1"
) -> Lineage:
    return Lineage(
        id=id,
        schema="lead",
        survivor_id=survivor,
        merged_ids=merged,
        at=T0,
        actor="ana",
        detail={"sources": {"name": "m1"}, "score": 0.97, "snapshots": [{"id": "m1", "v": 1}]},
    )


def seeded(store: Store) -> Store:
    store.put_many([lead("s", name="Ada"), lead("m1", name="Ada L"), lead("m2", name="A. L.")])
    return store


def merge_writes() -> list[tuple[object, int | None]]:
    return [
        (lead("s", name="Ada Lovelace", version=2), 1),
        (lead("m1", name="Ada L", version=2).evolve(state="merged"), 1),
        (lead("m2", name="A. L.", version=2).evolve(state="merged"), 1),
    ]


def snapshot(store: Store) -> tuple[object, ...]:
    """Everything a merge touches, to compare before and after a failure."""
    records = store.get_many(["s", "m1", "m2"])
    log = store.audit_log()
    return (records, store.lineage("s"), len(list(log.events())))


class TestLineage:
    def test_merge_and_unmerge(self, store: Store) -> None:
        seeded(store)
        store.put_merge(merge_of(), merge_writes())  # type: ignore[arg-type]
        assert (["merged", "merged"], [merge_of()], merge_of()) == (
            [r.state for r in store.get_many(["m1", "m2"]) if r],
            store.lineage("m2"),
            store.get_lineage("g1"),
        )
        restored = [(lead(i, name=n, version=3), 2) for i, n in [("m1", "Ada L"), ("m2", "A. L.")]]
        later = T0 + dt.timedelta(hours=1)
        undone = store.put_unmerge("g1", restored, at=later, actor="bo")
        assert ((later, "bo"), ["captured", "captured"], undone) == (
            (undone.undone_at, undone.undone_by),
            [r.state for r in store.get_many(["m1", "m2"]) if r],
            store.get_lineage("g1"),
        )
        with pytest.raises(StoreError):
            store.put_unmerge("g1", [], at=later, actor="bo")

    def test_lineage_ids_are_unique(self, store: Store) -> None:
        seeded(store)
        store.put_merge(merge_of(), [])
        with pytest.raises(StoreError):
            store.put_merge(merge_of(), [])

    def test_unknown_lineage(self, store: Store) -> None:
        with pytest.raises(NotFound):
            store.get_lineage("nope")
        with pytest.raises(NotFound):
            store.put_unmerge("nope", [], at=T0, actor="a")
        assert [] == store.lineage("nobody")

    @pytest.mark.parametrize("stale", [0, 1, 2], ids=["survivor", "first-merged", "last-merged"])
    def test_a_stale_write_leaves_neither_half(self, store: Store, stale: int) -> None:
        seeded(store)
        before = snapshot(store)
        writes = merge_writes()
        record, _ = writes[stale]
        writes[stale] = (record, 5)
        with pytest.raises(ConflictError):
            store.put_merge(merge_of(), writes)  # type: ignore[arg-type]
        assert before == snapshot(store)

    @pytest.mark.parametrize(
        "garbage",
        [None, "writes", [("r", 1)], [(lead("s"), "1")]],
        ids=["none", "string", "not-a-record", "bad-version"],
    )
    def test_garbage_writes(self, store: Store, garbage: object) -> None:
        with pytest.raises(StoreError):
            store.put_merge(merge_of(), garbage)  # type: ignore[arg-type]


STEPS: list[Callable[[Store], object]] = [
    lambda s: s.put(lead("s", name="Ada Lovelace", version=2), expected_version=1),
    lambda s: s.put(lead("m1", version=2).evolve(state="merged"), expected_version=1),
    lambda s: s.put(lead("m2", version=2).evolve(state="merged"), expected_version=1),
    lambda s: s.put_merge(merge_of(), []),
    lambda s: s.audit_log().append(
        at=T0, actor="ana", action="merge", schema="lead", record_ids=["s", "m1", "m2"]
    ),
]


class Boom(Exception):
    pass


def steps_then_boom(store: Store, count: int) -> None:
    with store.transaction():
        for step in STEPS[:count]:
            step(store)
        raise Boom


class TestTransactions:
    @pytest.mark.parametrize("fail_after", range(len(STEPS) + 1))
    def test_an_exception_at_any_step_of_a_merge_leaves_nothing(
        self, store: Store, fail_after: int
    ) -> None:
        """Survivor, merged records, lineage and audit event commit together or not at all."""
        seeded(store)
        before = snapshot(store)
        with pytest.raises(Boom):
            steps_then_boom(store, fail_after)
        assert before == snapshot(store)

    def test_all_steps_commit_together(self, store: Store) -> None:
        seeded(store)
        with store.transaction():
            for step in STEPS:
                step(store)
        assert ("Ada Lovelace", 1, ["store.put_many", "store.put", "merge"]) == (
            store.get("s")["name"],
            len(store.lineage("m1")),
            [e.action for e in store.audit_log().events("m2")],
        )

    def test_inner_failure_rolls_back_only_the_inner_block(self, store: Store) -> None:
        seeded(store)
        with store.transaction():
            store.put(lead("s", name="Outer", version=2), expected_version=1)
            with pytest.raises(ConflictError):
                store.put_many([lead("new", name="N"), lead("m1", name="dup")])
            store.put(lead("n2", name="After"), expected_version=None)
        assert ["Outer", None, "After"] == [
            r["name"] if r else None for r in store.get_many(["s", "new", "n2"])
        ]

    def test_audit_chain_verifies(self, store: Store) -> None:
        log = store.audit_log()
        plus2 = dt.timezone(dt.timedelta(hours=2))
        for i in range(3):
            log.append(
                at=dt.datetime(2026, 1, 1, 12, tzinfo=plus2),
                actor="a",
                action="update",
                schema="lead",
                record_ids=[f"r{i}", "all"],
                fields=["b", "a"],
                detail={"n": i, "when": T0, "nested": {"x": [1, 2.5, None]}},
            )
        events = list(log.events())
        assert ([1, 2, 3], True, ["r1"], ("a", "b")) == (
            [e.seq for e in events],
            bool(log.verify()),
            [i for e in log.events("r1") for i in e.record_ids if i != "all"],
            events[0].fields,
        )


class TestConsentAndQuarantine:
    def test_consent_history(self, store: Store) -> None:
        entries = [
            ConsentEntry("a", "email", True, T0, "web_form", "ana", {"text": "Yes, mail me"}),
            ConsentEntry("a", "email", False, T0 + dt.timedelta(days=3), "call", "bo"),
            ConsentEntry("b", "sms", True, T0, "web_form", "ana"),
        ]
        for e in entries:
            store.put_consent(e)
        assert (entries[:2], entries[2:], []) == (
            store.consents("a"),
            store.consents("b"),
            store.consents("zz"),
        )

    def test_quarantine_keeps_rows_until_released(self, store: Store) -> None:
        rows = [
            QuarantineEntry(
                "q1",
                "lead",
                T0,
                "csv",
                {"born": "31/02/1990", "n": 1.5},
                [("born", "no such day")],
                batch="b1",
                index=4,
            ),
            QuarantineEntry(
                "q2", "lead", T0, "csv", {"email": "\x00?"}, [("email", "bad")], batch="b2", index=9
            ),
        ]
        store.put_quarantine(rows)
        with pytest.raises(StoreError):
            store.put_quarantine([rows[0]])
        assert (rows, [rows[1]]) == (
            store.quarantined("lead"),
            store.quarantined("lead", batch="b2"),
        )
        assert (1, [rows[1]]) == (store.release_quarantine(["q1", "zz"]), store.quarantined("lead"))
