"""The health scores a store keeps: written in transactions, ranked, erased with records."""

from __future__ import annotations

import datetime as dt

import pytest

from recordkit import Store, StoreError
from recordkit.governance import RecordPredicate
from recordkit.quality import HealthScore
from recordkit.store import Review
from tests.store.conftest import MakeStore
from tests.store.examples import T0, lead


def score(record_id: str, value: int, *, at: dt.datetime = T0) -> HealthScore:
    """A score of *value* points, all from one dimension, with a detail to round-trip."""
    return HealthScore(
        record_id,
        value,
        "m1",
        at,
        ("completeness", "consent"),
        (1, 1),
        (1.0, 0.0),
        (value / 100, None),
        (value, 0),
        ({"missing_required": ["email"]}, {}),
    )


def stored(make_store: MakeStore, n: int = 5) -> Store:
    store = make_store()
    owners = ["kim", "lee"]
    store.put_many([lead(f"l{i}", name=f"N{i}").evolve(owner=owners[i % 2]) for i in range(n)])
    return store


class TestHealthRows:
    def test_put_then_read_gives_the_score_back(self, make_store: MakeStore) -> None:
        """A kept score reads back equal, detail and missing measure included."""
        store = stored(make_store)
        store.put_health("lead", [score("l1", 70)])
        assert {"l1": score("l1", 70)} == store.health("lead", ["l1", "l2", "nope"])

    def test_put_replaces_the_kept_score(self, make_store: MakeStore) -> None:
        """A second score of a record replaces the first."""
        store = stored(make_store)
        store.put_health("lead", [score("l1", 70)])
        store.put_health("lead", [score("l1", 40)])
        assert 40 == store.health("lead", ["l1"])["l1"].score

    def test_a_rolled_back_transaction_keeps_the_old_score(self, make_store: MakeStore) -> None:
        """A score written in a transaction that fails is not kept; the old one stays."""
        store = stored(make_store)
        store.put_health("lead", [score("l1", 70)])

        def fail() -> None:
            with store.transaction():
                store.put_health("lead", [score("l1", 10)])
                raise RuntimeError("abort")

        with pytest.raises(RuntimeError):
            fail()
        assert 70 == store.health("lead", ["l1"])["l1"].score

    def test_ranked_lowest_first_below_and_by_owner(self, make_store: MakeStore) -> None:
        """Ranking sorts by score then id, filters by score and by record condition."""
        store = stored(make_store)
        store.put_health("lead", [score(f"l{i}", v) for i, v in enumerate([90, 20, 55, 20, 75])])
        ranked = [s.record_id for s in store.health_ranked("lead", limit=None)]
        assert ["l1", "l3", "l2", "l4", "l0"] == ranked
        assert ["l1", "l3", "l2"] == [s.record_id for s in store.health_ranked("lead", below=60)]
        kims = store.health_ranked("lead", where=RecordPredicate("owner", "eq", "kim"), limit=2)
        assert ["l2", "l4"] == [s.record_id for s in kims]
        assert ["l1"] == [s.record_id for s in store.health_ranked("lead", where={"name": "N1"})]

    def test_iterate_gives_every_score_in_batches(self, make_store: MakeStore) -> None:
        """Batches of at most batch_size, by record id, cover every score."""
        store = stored(make_store)
        store.put_health("lead", [score(f"l{i}", 10 * i) for i in range(5)])
        batches = list(store.iterate_health("lead", batch_size=2))
        assert [2, 2, 1] == [len(b) for b in batches]
        assert [f"l{i}" for i in range(5)] == [s.record_id for b in batches for s in b]

    def test_erase_and_delete_remove_the_score(self, make_store: MakeStore) -> None:
        """Erasure reaches the health table; so does a delete."""
        store = stored(make_store)
        store.put_health("lead", [score("l1", 70), score("l2", 70)])
        store.erase(["l1"])
        store.delete("l2", expected_version=1)
        assert {} == store.health("lead", ["l1", "l2"])

    def test_open_duplicates_counts_open_reviews_both_ways(self, make_store: MakeStore) -> None:
        """Each open review counts for both records it names; decided ones do not."""
        store = stored(make_store)

        def review(rid: str, a: str, b: str, status: str = "open") -> Review:
            decided = None if status == "open" else T0
            return Review(rid, "lead", a, b, 0.9, 5.0, {}, T0, status=status, decided_at=decided)

        store.put_reviews(
            [
                review("r1", "l1", "l2"),
                review("r2", "l1", "l3"),
                review("r3", "l2", "l4", "rejected"),
            ]
        )
        assert {"l1": 2, "l2": 1, "l3": 1} == store.open_duplicates(
            "lead", ["l1", "l2", "l3", "l4"]
        )

    @pytest.mark.parametrize(
        "call",
        [
            pytest.param(lambda s: s.put_health("lead", ["x"]), id="not-a-score"),
            pytest.param(lambda s: s.put_health("lead", "x"), id="not-a-list"),
            pytest.param(lambda s: s.health_ranked("lead", below=-1), id="below"),
            pytest.param(lambda s: s.health_ranked("lead", limit=True), id="limit"),
            pytest.param(lambda s: s.iterate_health("lead", batch_size=0), id="batch"),
        ],
    )
    def test_bad_arguments_are_store_errors(self, make_store: MakeStore, call: object) -> None:
        """Each bad argument is a StoreError, before anything is read or written."""
        store = stored(make_store)
        with pytest.raises(StoreError):
            call(store)  # type: ignore[operator]
