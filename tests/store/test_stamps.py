"""The provenance summary (``rk_stamps``): kept in step, checked, migrated, rebuilt."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recordkit import ConflictError, MemoryStore, Provenance, Record, StoreError
from recordkit._resolve import Resolver, iso
from recordkit.store import SQLStore
from recordkit.store.sql._stamps import Summaries
from tests.store.conftest import SQL_BACKENDS, MakeStore
from tests.store.examples import LEAD, T0, lead, sql
from tests.store.strategies import mixed_upsert_batches, upsert_batches

shared_store = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
LATER = T0 + dt.timedelta(days=1)
AT = iso(T0)


@pytest.fixture(params=SQL_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def execute(store: SQLStore, statement: str, **params: Any) -> list[Any]:
    """Run *statement* ({t} is the lead table) behind the store's back."""
    assert store.engine is not None
    with store.engine.begin() as conn:
        result = conn.execute(sa.text(statement.format(t=store.table("lead").name)), params)
        return list(result.all()) if result.returns_rows else []


def summary(provenance: dict[str, list[Any]]) -> str:
    """The summary of provenance JSON, worked out independently of the store."""
    groups: dict[tuple[str, str], list[str]] = {}
    for name, (source, at, _raw) in provenance.items():
        groups.setdefault((source, at), []).append(name)
    return json.dumps([[s, a, n] for (s, a), n in groups.items()], separators=(",", ":"))


def stamps_agree(store: SQLStore) -> list[str]:
    """The ids of rows whose stamps are missing or differ from their provenance."""
    rows = execute(store, "SELECT rk_id, CAST(rk_provenance AS TEXT), rk_stamps FROM {t}")
    return [i for i, prov, stamps in rows if stamps != summary(json.loads(prov))]


def fresh_ids(batches: list[list[Record]]) -> tuple[list[list[Record]], list[str]]:
    prefix = uuid.uuid4().hex[:8]
    renamed = [[r.evolve(id=f"{prefix}-{r.id}") for r in b] for b in batches]
    return renamed, sorted({r.id for b in renamed for r in b})


class TestKeptInStep:
    @shared_store
    @given(
        batches=st.one_of(upsert_batches(), mixed_upsert_batches()),
        precedence=st.permutations(["crm", "web", "billing"]),
    )
    def test_every_write_keeps_the_summary_of_the_provenance(
        self, store: Any, batches: list[list[Record]], precedence: list[str]
    ) -> None:
        """Whatever upserts do (fast or field by field), each row's stamps sum up its provenance."""
        batches, ids = fresh_ids(batches)
        reference = MemoryStore(schemas=[LEAD])
        for batch in batches:
            expected = reference.upsert_many(batch, precedence=precedence)
            assert expected == store.upsert_many(batch, precedence=precedence)
        assert ([], reference.get_many(ids)) == (stamps_agree(sql(store)), store.get_many(ids))

    def test_put_writes_the_summary(self, store: Any) -> None:
        record = lead("a", name="Ada", visits=3).evolve(
            provenance={
                "name": Provenance("web", LATER, "ada"),
                "visits": Provenance("crm", T0, "3"),
            }
        )
        store.put(record, expected_version=None)
        (stamps,) = execute(sql(store), "SELECT rk_stamps FROM {t}")[0]
        assert [["web", iso(LATER), ["name"]], ["crm", AT, ["visits"]]] == json.loads(stamps)


class TestRebuilt:
    @shared_store
    @given(
        batches=st.one_of(upsert_batches(), mixed_upsert_batches()),
        precedence=st.permutations(["crm", "web", "billing"]),
    )
    def test_rows_without_stamps_resolve_the_same(
        self, store: Any, batches: list[list[Record]], precedence: list[str]
    ) -> None:
        """With every summary cleared before each batch, upserts still resolve like memory."""
        batches, ids = fresh_ids(batches)
        reference = MemoryStore(schemas=[LEAD])
        for batch in batches:
            execute(sql(store), "UPDATE {t} SET rk_stamps = NULL")
            expected = reference.upsert_many(batch, precedence=precedence)
            assert expected == store.upsert_many(batch, precedence=precedence)
        assert reference.get_many(ids) == store.get_many(ids)

    def test_an_upsert_writes_the_missing_summary_back(self, store: Any) -> None:
        store.put_many([lead("a", name="A", visits=1), lead("b", name="B")])
        execute(sql(store), "UPDATE {t} SET rk_stamps = NULL")
        assert lead("a", name="A", visits=1) == store.get("a")  # NULL is no error
        store.upsert_many([lead("a", name="A2", at=LATER)])
        rows = dict(execute(sql(store), "SELECT rk_id, rk_stamps FROM {t}"))
        assert (None, [], "A2", 1) == (
            rows["b"],
            [i for i in stamps_agree(sql(store)) if i != "b"],
            store.get("a")["name"],
            store.get("a")["visits"],
        )


GARBAGE = [
    pytest.param("not json", id="not-json"),
    pytest.param('{"crm": 1}', id="not-a-list"),
    pytest.param('[["crm"]]', id="short-group"),
    pytest.param(f'[[1, "{AT}", ["name"]]]', id="source-not-text"),
    pytest.param('[["crm", "yesterday", ["name"]]]', id="time-garbage"),
    pytest.param('[["crm", "2026-01-01T00:00:00", ["name"]]]', id="time-not-utc-text"),
    pytest.param(f'[["crm", "{AT}", []]]', id="no-fields"),
    pytest.param(f'[["crm", "{AT}", ["name", "name"]]]', id="field-twice"),
    pytest.param(f'[["crm", "{AT}", [["name"]]]]', id="field-not-text"),
    pytest.param("\u00e9" * 10_000, id="long-unicode"),
]


class TestGarbage:
    @pytest.mark.parametrize("text", GARBAGE)
    def test_unreadable_stamps_are_a_store_error(self, store: Any, text: str) -> None:
        store.put(lead("a", name="A"), expected_version=None)
        execute(sql(store), "UPDATE {t} SET rk_stamps = :s", s=text)
        acts: list[Callable[[], object]] = [
            lambda: store.get("a"),
            lambda: store.upsert_many([lead("a", name="B", at=LATER)]),
        ]
        for act in acts:
            with pytest.raises(StoreError) as info:
                act()
            assert (True, True) == ("'a'" in str(info.value), "rk_stamps" in str(info.value))
        assert "A" == _name_behind_our_back(sql(store))

    @pytest.mark.parametrize(
        ("column", "value", "stamped_by"),
        [
            pytest.param(
                "rk_provenance",
                json.dumps({"name": ["manual", AT, "A"]}),
                "crm",
                id="provenance-edited-alone",
            ),
            pytest.param(
                "rk_stamps", json.dumps([["web", AT, ["name"]]]), "web", id="stamps-edited-alone"
            ),
        ],
    )
    def test_stamps_that_disagree_with_the_provenance(
        self, store: Any, column: str, value: str, stamped_by: str
    ) -> None:
        """A read refuses the row; so does an upsert that has to read the provenance."""
        store.put(lead("a", name="A"), expected_version=None)
        execute(sql(store), f"UPDATE {{t}} SET {column} = :v", v=value)
        again = lead("a", name="A", at=T0, source=stamped_by)  # the stamped observation: a tie
        acts: list[Callable[[], object]] = [
            lambda: store.get("a"),
            lambda: store.upsert_many([again]),
        ]
        for act in acts:
            with pytest.raises(StoreError, match="rk_stamps") as info:
                act()
            assert "'a'" in str(info.value)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_version_that_is_not_a_number_is_a_store_error(store: Any) -> None:
    """SQLite keeps whatever it is given; the upsert names the record and the column."""
    store.put(lead("a", name="A"), expected_version=None)
    execute(sql(store), "UPDATE {t} SET rk_version = 'two'")
    with pytest.raises(StoreError) as info:
        store.upsert_many([lead("a", name="B", at=LATER)])
    assert (True, True) == ("'a'" in str(info.value), "rk_version" in str(info.value))


def _name_behind_our_back(store: SQLStore) -> str:
    ((name,),) = execute(store, "SELECT name FROM {t}")
    return str(name)


class TestMigration:
    def old_layout(self, make_store: MakeStore) -> SQLStore:
        """A lead table as recordkit built it before rk_stamps, holding two records."""
        store = sql(make_store((LEAD,)))
        store.put_many([lead("a", name="A", visits=1), lead("b", name="B")])
        execute(store, "ALTER TABLE {t} DROP COLUMN rk_stamps")
        meta = store.fixed.schemas
        assert store.engine is not None
        with store.engine.begin() as conn:
            conn.execute(meta.update().values(fingerprint="built by recordkit before stamps"))
        return store

    def test_the_old_layout_is_refused_with_the_way_forward(self, make_store: MakeStore) -> None:
        self.old_layout(make_store)
        with pytest.raises(StoreError) as info:
            make_store((LEAD,))
        assert all(s in str(info.value) for s in ("rk_stamps", "is missing", "migrate=True"))

    def test_migrating_keeps_the_records_and_upserts_rebuild_the_stamps(
        self, make_store: MakeStore
    ) -> None:
        self.old_layout(make_store)
        store = sql(make_store((LEAD,), migrate=True))
        before = [lead("a", name="A", visits=1), lead("b", name="B")]
        assert before == store.get_many(["a", "b"])
        reference = MemoryStore(schemas=[LEAD])
        reference.put_many(before)
        batch = [lead("a", name="A2", at=LATER), lead("b", name="old", at=T0 - dt.timedelta(1))]
        assert reference.upsert_many(batch) == store.upsert_many(batch)
        stamps = dict(execute(store, "SELECT rk_id, rk_stamps FROM {t}"))
        assert (reference.get_many(["a", "b"]), None, ["b"]) == (
            store.get_many(["a", "b"]),
            stamps["b"],  # unchanged rows are not rewritten: still NULL, still readable
            stamps_agree(store),
        )
        again = sql(make_store((LEAD,)))  # the migrated table matches: no error
        assert "rk_stamps" not in again.migration_script(LEAD)


class TestSummaries:
    def test_one_observation_is_one_group(self) -> None:
        summaries = Summaries("t")
        text = summaries.single("crm", AT, ("name", "visits"))
        assert (text, summaries.parse(text, "a").fields) == (
            f'[["crm","{AT}",["name","visits"]]]',
            frozenset({"name", "visits"}),
        )

    def test_groups_keep_the_provenance_order(self) -> None:
        text, groups = Summaries("t").text(
            {"a": ["crm", AT, 1], "b": ["web", AT, 2], "c": ["crm", AT, None]}
        )
        assert (json.loads(text), groups) == (
            [["crm", AT, ["a", "c"]], ["web", AT, ["b"]]],
            (("crm", AT), ("web", AT)),
        )

    @pytest.mark.parametrize(
        ("stamps", "agrees"),
        [
            pytest.param([["crm", AT, ["a", "c"]], ["web", AT, ["b"]]], True, id="as-written"),
            pytest.param([["web", AT, ["b"]], ["crm", AT, ["c", "a"]]], True, id="other-order"),
            pytest.param([["crm", AT, ["a"]], ["web", AT, ["b", "c"]]], False, id="field-moved"),
            pytest.param([["crm", AT, ["a", "c"]]], False, id="field-missing"),
            pytest.param([["crm", AT, ["a", "b", "c"]]], False, id="one-group-for-two"),
        ],
    )
    def test_check_compares_what_each_field_says(self, stamps: Any, agrees: bool) -> None:
        provenance: dict[str, list[Any]] = {
            "a": ["crm", AT, 1],
            "b": ["web", AT, 2],
            "c": ["crm", AT, None],
        }
        summaries = Summaries("t")
        try:
            summaries.check(json.dumps(stamps), provenance, "r1")
        except StoreError as exc:
            assert (False, True) == (agrees, "'r1'" in str(exc))
        else:
            assert agrees

    def test_text_is_ascii_whatever_the_source_says(self) -> None:
        text = Summaries("t").single("cr\x00m\ud800é", AT, ("name",))
        assert (True, "cr\x00m\ud800é") == (text.isascii(), json.loads(text)[0][0])


TIMES = st.sampled_from([AT, iso(LATER)])
SOURCES = st.sampled_from(["crm", "web", "billing"])


class TestResolverBeats:
    @given(
        precedence=st.permutations(["crm", "web", "billing"]).map(lambda p: p[:2]),
        mine=st.tuples(SOURCES, TIMES, st.sampled_from(["x", "y"])),
        theirs=st.tuples(SOURCES, TIMES, st.sampled_from(["x", "y"])),
    )
    @settings(max_examples=60)
    def test_agrees_with_field_by_field_resolution(
        self, precedence: list[str], mine: tuple[str, str, str], theirs: tuple[str, str, str]
    ) -> None:
        """A group decision is the decision for each of its fields (None: the raws decide)."""
        resolver = Resolver(precedence)
        at = dt.datetime.fromisoformat(mine[1])
        record = Record("a", "lead", {"name": mine[2]},
                        provenance={"name": Provenance(mine[0], at, mine[2])},
                        created_at=at)  # fmt: skip
        won = resolver.winners(record, {"name": list(theirs)}) == ["name"]
        decided = resolver.beats(mine[0], mine[1], theirs[0], theirs[1])
        assert won == (decided if decided is not None else mine[2] != theirs[2])


class TestSecondRead:
    @pytest.mark.parametrize(
        "backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
    )
    def test_a_row_changed_before_its_provenance_is_read_rolls_the_upsert_back(
        self, make_store: MakeStore
    ) -> None:
        """Another writer commits between the read of the stamps and that of the provenance."""
        store = sql(make_store())
        store.put_many([lead("a", name="A"), lead("b", name="B")])
        other = sql(make_store())
        assert store.engine is not None
        fired: list[bool] = []

        def meanwhile(_conn: object, _cursor: object, statement: str, *_: object) -> None:
            if "rk_provenance" in statement and "SELECT" in statement.upper() and not fired:
                fired.append(True)
                newer = lead("a", name="Other", version=2, at=LATER + dt.timedelta(days=1))
                other.put(newer, expected_version=1)  # its stamps are not the ones read

        # "a" is the stored observation again (a tie: its provenance must be read); "b" wins.
        batch = [lead("a", name="A2"), lead("b", name="B2", at=LATER)]
        sa.event.listen(store.engine, "before_cursor_execute", meanwhile)
        try:
            with pytest.raises(ConflictError) as info:
                store.upsert_many(batch)
        finally:
            sa.event.remove(store.engine, "before_cursor_execute", meanwhile)
        assert ([True], "'a'", ["Other", "B"]) == (
            fired,
            str(info.value).split()[1],
            [r["name"] if r else None for r in store.get_many(["a", "b"])],
        )
