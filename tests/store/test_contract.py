"""The store contract: every test here runs against memory, SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recordkit import ConflictError, Money, NotFound, Record, SchemaError, StoreError
from recordkit.store import Predicate, Store
from tests.store.examples import FULL, LEAD, T0, lead
from tests.store.strategies import lead_records, upsert_batches

# One store per test function, shared by the examples (ids are made unique per example).
shared_store = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


class TestRecords:
    def test_round_trip_every_type(self, store: Store) -> None:
        store.put(FULL, expected_version=None)
        assert FULL == store.get(FULL.id)

    @shared_store
    @given(record=lead_records())
    def test_round_trip_is_exact(self, store: Store, record: Record) -> None:
        """Whatever typed values a record holds come back equal, shell and provenance too."""
        store.put(record, expected_version=None) if _absent(store, record) else None
        current = store.get(record.id)
        replaced = record.evolve(version=current.version + 1)
        store.put(replaced, expected_version=current.version)
        assert replaced == store.get(record.id)

    def test_create_twice_conflicts(self, store: Store) -> None:
        store.put(lead("a", name="Ada"), expected_version=None)
        with pytest.raises(ConflictError) as info:
            store.put(lead("a", name="Eve"), expected_version=None)
        assert (1, "Ada") == (info.value.actual, store.get("a")["name"])

    def test_stale_write_overwrites_nothing(self, store: Store) -> None:
        store.put(lead("a", name="Ada"), expected_version=None)
        store.put(lead("a", name="Bea", version=2), expected_version=1)
        with pytest.raises(ConflictError) as info:
            store.put(lead("a", name="Cy", version=2), expected_version=1)
        assert (2, 1, "Bea") == (info.value.actual, info.value.expected, store.get("a")["name"])

    def test_update_of_missing_record_conflicts(self, store: Store) -> None:
        with pytest.raises(ConflictError) as info:
            store.put(lead("nope", name="Ada", version=4), expected_version=3)
        assert info.value.actual is None

    def test_get_missing_is_not_found(self, store: Store) -> None:
        with pytest.raises(NotFound):
            store.get("missing")

    @pytest.mark.parametrize("bad", [None, 5, b"id", ("a",)], ids=["none", "int", "bytes", "tuple"])
    def test_get_garbage_id_is_not_found(self, store: Store, bad: object) -> None:
        with pytest.raises(NotFound):
            store.get(bad)  # type: ignore[arg-type]

    def test_get_many_keeps_order(self, store: Store) -> None:
        store.put_many([lead("a", name="A"), lead("b", name="B")])
        found = store.get_many(["b", "zz", "a", "b"])
        assert ["b", None, "a", "b"] == [r.id if r else None for r in found]

    @pytest.mark.parametrize("bad", [None, "abc", 5], ids=["none", "string", "number"])
    def test_get_many_garbage(self, store: Store, bad: object) -> None:
        with pytest.raises(StoreError):
            store.get_many(bad)  # type: ignore[arg-type]

    def test_put_many_is_all_or_nothing(self, store: Store) -> None:
        store.put(lead("b", name="B"), expected_version=None)
        with pytest.raises(ConflictError) as info:
            store.put_many([lead("a", name="A"), lead("b", name="B2"), lead("c", name="C")])
        assert ("b", [None, "B", None]) == (
            info.value.record_id,
            [r["name"] if r else None for r in store.get_many(["a", "b", "c"])],
        )

    def test_put_many_refuses_repeated_ids(self, store: Store) -> None:
        with pytest.raises(ConflictError):
            store.put_many([lead("a", name="A"), lead("a", name="A2")])
        assert [None] == store.get_many(["a"])

    def test_put_refuses_what_is_not_a_record(self, store: Store) -> None:
        with pytest.raises(StoreError):
            store.put({"id": "a"}, expected_version=None)  # type: ignore[arg-type]

    def test_delete_checks_the_version(self, store: Store) -> None:
        store.put(lead("a", name="A"), expected_version=None)
        with pytest.raises(ConflictError):
            store.delete("a", expected_version=7)
        store.delete("a", expected_version=1)
        assert [None] == store.get_many(["a"])


def _absent(store: Store, record: Record) -> bool:
    return store.get_many([record.id]) == [None]


SEGMENT = [
    lead("l1", stage="mql", state="US-NY", name="A", visits=3, born=dt.date(1980, 1, 1)),
    lead("l2", stage="mql", state="US-NY", name="B", phone="+12125550100", visits=10),
    lead("l3", stage="mql", state="US-CA", name="C", visits=7),
    lead("l4", stage="sql", state="US-NY", name="D", visits=1),
    lead(
        "l5",
        stage="mql",
        state="US-NY",
        name="E",
        score=decimal.Decimal("9.50"),
        budget=Money(decimal.Decimal("100.00"), "USD"),
        opted_in=True,
    ),
]


class TestQuery:
    @pytest.fixture
    def segment_store(self, store: Store) -> Store:
        store.put_many(SEGMENT)
        return store

    @pytest.mark.parametrize(
        ("where", "stage", "expected"),
        [
            pytest.param({"state": "US-NY", "phone": None}, "mql", ["l1", "l5"], id="segment"),
            pytest.param({}, None, ["l1", "l2", "l3", "l4", "l5"], id="everything"),
            pytest.param({"state": ["US-CA", "US-NY"]}, "sql", ["l4"], id="in-and-stage"),
            pytest.param([Predicate.ge("visits", 7)], None, ["l2", "l3"], id="ge"),
            pytest.param([Predicate.lt("visits", "7")], None, ["l1", "l4"], id="raw-coerced"),
            pytest.param(
                [Predicate.ne("visits", 3)], None, ["l2", "l3", "l4"], id="ne-skips-empty"
            ),
            pytest.param([Predicate.present("phone")], None, ["l2"], id="present"),
            pytest.param({"born": "1980-01-01"}, None, ["l1"], id="date-text"),
            pytest.param({"score": decimal.Decimal("9.5")}, None, ["l5"], id="decimal-equal"),
            pytest.param([Predicate.gt("score", 9)], None, ["l5"], id="decimal-order"),
            pytest.param(
                {"budget": Money(decimal.Decimal("100"), "USD")}, None, ["l5"], id="money"
            ),
            pytest.param({"budget": Money(decimal.Decimal("100"), "EUR")}, None, [], id="currency"),
            pytest.param({"opted_in": True}, None, ["l5"], id="boolean"),
            pytest.param([Predicate.isin("name", [])], None, [], id="in-nothing"),
        ],
    )
    def test_segments(
        self, segment_store: Store, where: object, stage: str | None, expected: list[str]
    ) -> None:
        found = segment_store.query("lead", where=where, stage=stage)  # type: ignore[arg-type]
        count = segment_store.count("lead", where=where, stage=stage)  # type: ignore[arg-type]
        assert (expected, len(expected)) == ([r.id for r in found], count)

    def test_limit(self, segment_store: Store) -> None:
        assert ["l1", "l2"] == [r.id for r in segment_store.query("lead", limit=2)]

    def test_state_filter(self, segment_store: Store) -> None:
        assert 5 == segment_store.count("lead", state="captured")

    def test_batches_cover_everything_once(self, segment_store: Store) -> None:
        batches = list(segment_store.iterate("lead", batch_size=2))
        assert ([2, 2, 1], ["l1", "l2", "l3", "l4", "l5"]) == (
            [len(b) for b in batches],
            [r.id for b in batches for r in b],
        )

    def test_unknown_field_names_the_closest(self, segment_store: Store) -> None:
        with pytest.raises(SchemaError) as info:
            segment_store.query("lead", where={"phnoe": None})
        assert "phone" in info.value.suggestions

    @pytest.mark.parametrize(
        "where",
        [
            pytest.param("state", id="string"),
            pytest.param([("state", "US-NY")], id="tuples"),
            pytest.param([Predicate.lt("visits", "many")], id="uncoercible"),
            pytest.param([Predicate.lt("born", None)], id="no-value"),
        ],
    )
    def test_garbage_where_is_a_store_error(self, segment_store: Store, where: object) -> None:
        with pytest.raises(StoreError):
            segment_store.query("lead", where=where)  # type: ignore[arg-type]

    def test_bad_batch_size(self, segment_store: Store) -> None:
        with pytest.raises(StoreError):
            list(segment_store.iterate("lead", batch_size=0))


LATER = T0 + dt.timedelta(days=1)
EARLIER = T0 - dt.timedelta(days=1)


class TestUpsert:
    @pytest.mark.parametrize(
        ("incoming", "precedence", "expected_name", "outcome"),
        [
            pytest.param(lead("a", name="New", at=LATER), (), "New", "updated", id="newer-wins"),
            pytest.param(
                lead("a", name="Old", at=EARLIER), (), "Stored", "unchanged", id="older-loses"
            ),
            pytest.param(lead("a", name="Tie", at=T0), (), "Tie", "updated", id="tie-incoming"),
            pytest.param(
                lead("a", name="Web", at=LATER, source="web"),
                ("crm", "web"),
                "Stored",
                "unchanged",
                id="lower-source-loses-even-if-newer",
            ),
            pytest.param(
                lead("a", name="Sf", at=EARLIER, source="sf"),
                ("sf", "crm"),
                "Sf",
                "updated",
                id="higher-source-wins-even-if-older",
            ),
            pytest.param(
                lead("a", name="X", at=LATER, source="unknown"),
                ("crm",),
                "Stored",
                "unchanged",
                id="unlisted-ranks-lowest",
            ),
        ],
    )
    def test_resolution(
        self,
        store: Store,
        incoming: Record,
        precedence: tuple[str, ...],
        expected_name: str,
        outcome: str,
    ) -> None:
        store.put(lead("a", name="Stored", visits=5), expected_version=None)
        result = store.upsert_many([incoming], precedence=precedence)
        stored = store.get("a")
        version = 2 if outcome == "updated" else 1
        assert (expected_name, 5, version, ("a",)) == (
            stored["name"],
            stored["visits"],
            stored.version,
            getattr(result, outcome),
        )

    def test_per_field(self, store: Store) -> None:
        stored = lead("a", name="Ada", visits=1).evolve(
            provenance={
                "name": lead("x", name="", source="sf").provenance["name"],
                "visits": lead("x", visits=1, at=LATER).provenance["visits"],
            }
        )
        store.put(stored, expected_version=None)
        incoming = lead("a", name="Eve", visits=2, email="e@x.io", at=T0, source="crm")
        store.upsert_many([incoming, lead("b", name="B")], precedence=["sf", "crm"])
        got = store.get("a")
        assert ("Ada", 1, "e@x.io", "crm", 2, "B") == (
            got["name"],
            got["visits"],
            got["email"],
            got.provenance["email"].source,
            got.version,
            store.get("b")["name"],
        )

    def test_clearing_and_owner(self, store: Store) -> None:
        store.put(lead("a", name="Ada", owner="amy", phone="1"), expected_version=None)
        store.upsert_many([lead("a", phone=None, owner="bob", at=LATER)])
        got = store.get("a")
        assert (None, True, "bob", "bob") == (
            got["phone"],
            "phone" in got.values,
            got.owner,
            got["owner"],
        )

    def test_matches_memory(self, store: Store) -> None:
        """The same upserts give the same records in every backend."""
        from recordkit import MemoryStore

        reference = MemoryStore()
        batches = [
            [lead(f"r{i}", name=f"n{i}", visits=i) for i in range(30)],
            [
                lead(f"r{i}", name=f"m{i}", at=LATER if i % 2 else EARLIER, source="web")
                for i in range(15, 45)
            ],
            [
                lead(f"r{i}", visits=None, score=decimal.Decimal(i), at=LATER, source="crm")
                for i in range(0, 45, 3)
            ],
        ]
        for batch in batches:
            expected = reference.upsert_many(batch, precedence=["crm"])
            assert expected == store.upsert_many(batch, precedence=["crm"])
        assert [r for b in reference.scan("lead") for r in b] == [
            r for b in store.scan("lead") for r in b
        ]

    def test_repeated_id_in_one_batch_is_refused(self, store: Store) -> None:
        with pytest.raises(StoreError):
            store.upsert_many([lead("a", name="A"), lead("a", name="B")])


class TestUpsertProperties:
    @shared_store
    @given(batches=upsert_batches(), precedence=st.permutations(["crm", "web", "billing"]))
    def test_every_backend_resolves_like_memory(
        self, store: Store, batches: list[list[Record]], precedence: list[str]
    ) -> None:
        """Same batches, same precedence: same outcome and same records as the memory store."""
        from recordkit import MemoryStore

        batches, ids = fresh_ids(batches)
        reference = MemoryStore(schemas=[LEAD])
        for batch in batches:
            expected = reference.upsert_many(batch, precedence=precedence)
            assert expected == store.upsert_many(batch, precedence=precedence)
        assert reference.get_many(ids) == store.get_many(ids)

    @shared_store
    @given(batches=upsert_batches())
    def test_upserting_twice_changes_nothing_more(
        self, store: Store, batches: list[list[Record]]
    ) -> None:
        batches, ids = fresh_ids(batches)
        for batch in batches:
            store.upsert_many(batch)
        before = store.get_many(ids)
        again = store.upsert_many(batches[-1])
        assert ((), (), before) == (again.created, again.updated, store.get_many(ids))


def fresh_ids(batches: list[list[Record]]) -> tuple[list[list[Record]], list[str]]:
    """The batches with ids no earlier example used (the store is shared between examples)."""
    prefix = uuid.uuid4().hex[:8]
    renamed = [[r.evolve(id=f"{prefix}-{r.id}") for r in b] for b in batches]
    return renamed, [f"{prefix}-{i}" for i in "abcd"]
