"""The persistent index: the in-memory Index's answers, with its rows in a store."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recordkit import RecordkitError, SchemaError
from recordkit.match import Index, IndexMismatch, IndexRow, Matcher, PersistentIndex
from recordkit.store import MemoryStore, SQLStore, Store
from tests.match.strategies import rules_matcher, tiny_fs_matcher
from tests.strategies import people

ADA = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}
ADA_2 = {"first_name": "Ada", "last_name": "Lovelace", "email": "ADA@example.com"}
BOB = {"first_name": "Bob", "last_name": "Stone", "email": "bob@example.com"}


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
    else:
        with SQLStore(f"sqlite:///{tmp_path / 'index.db'}") as sql:
            yield sql


def _answers(index: Index | PersistentIndex, row: dict[str, Any]) -> list[tuple[str, float]]:
    return [(m.record_id, round(m.weight, 9)) for m in index.lookup(row).matches]


def _partition(entities: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for rid, entity in entities.items():
        groups.setdefault(entity, set()).add(rid)
    return {frozenset(g) for g in groups.values()}


class TestSameAnswersAsTheIndex:
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(rows=people(max_people=5, max_copies=3), data=st.data())
    def test_adding_and_removing_agree_with_the_in_memory_index(
        self, rows: list[dict[str, Any]], data: st.DataObject
    ) -> None:
        """
        Fed the same records, added and taken out in the same order, the persistent index
        gives every lookup the same matches and weights, and ends with the same entities.
        """
        fs = data.draw(st.booleans())
        matcher = tiny_fs_matcher().fit(rows) if fs else rules_matcher()
        memory = Index(matcher)
        stored = PersistentIndex(matcher, MemoryStore().index_rows("people"))
        for row in rows:
            assert _answers(memory, row) == _answers(stored, row)
            a, b = memory.add(row), stored.add(row)
            assert (a.entity_id, len(a.merges)) == (b.entity_id, len(b.merges))
        gone = data.draw(st.lists(st.sampled_from([r["id"] for r in rows]), unique=True))
        for rid in gone:
            assert len(memory.remove(rid)) == len(stored.remove(rid))
        assert memory.entities == stored.entities
        assert len(memory) == len(stored)

    def test_sql_rows_answer_as_memory_rows(self, tmp_path: Path) -> None:
        """SQLite-kept rows give the same lookups and entities as memory-kept ones."""
        matcher = rules_matcher()
        with SQLStore(f"sqlite:///{tmp_path / 'a.db'}") as sql:
            a = PersistentIndex(matcher, MemoryStore().index_rows("p"))
            b = PersistentIndex(matcher, sql.index_rows("p"))
            rows: list[dict[str, Any]] = [
                ADA,
                ADA_2,
                BOB,
                {**BOB, "email": "BOB@example.com"},
                {**ADA, "email": None},
            ]
            for i, row in enumerate(rows):
                assert _answers(a, row) == _answers(b, row)
                a.add(row, id=f"r{i}")
                b.add(row, id=f"r{i}")
            assert a.entities == b.entities
            # names alone (6 points) are under the threshold (9): r4 stands alone
            assert {frozenset({"r0", "r1"}), frozenset({"r2", "r3"}), frozenset({"r4"})} == (
                _partition(b.entities)
            )


class TestManyAtOnce:
    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(rows=people(max_people=5, max_copies=3), data=st.data())
    def test_lookup_many_and_add_many_agree_with_one_at_a_time(
        self, rows: list[dict[str, Any]], data: st.DataObject
    ) -> None:
        """
        Looking many rows up at once answers as looking each up; adding them at once ends
        with the entities of adding them one by one — in memory and in a store.
        """
        matcher = tiny_fs_matcher().fit(rows) if data.draw(st.booleans()) else rules_matcher()
        cut = data.draw(st.integers(0, len(rows)))
        first, rest = rows[:cut], rows[cut:]
        kinds: list[Callable[[], Index | PersistentIndex]] = [
            lambda: Index(matcher),
            lambda: PersistentIndex(matcher, MemoryStore().index_rows("p")),
        ]
        for make in kinds:
            one, many = make(), make()
            for row in first:
                one.add(row)
            many.add_many(first)
            assert [_answers(one, r) for r in rest] == [
                [(m.record_id, round(m.weight, 9)) for m in found.matches]
                for found in many.lookup_many(rest)
            ]
            for row in rest:
                one.add(row)
            added = many.add_many(rest)
            assert _partition(one.entities) == _partition(many.entities)
            assert [a.entity_id for a in added] == [many.entity_of(r["id"]) for r in rest]

    def test_add_many_refuses_what_add_refuses(self) -> None:
        """Ids missing, repeated or indexed already, and foreign records, are refused."""
        for index in (
            Index(rules_matcher()),
            PersistentIndex(rules_matcher(), MemoryStore().index_rows("p")),
        ):
            index.add_many([{**ADA, "id": "c1"}])
            with pytest.raises(RecordkitError, match="already"):
                index.add_many([{**BOB, "id": "c1"}])
            with pytest.raises(RecordkitError, match="no id"):
                index.add_many([BOB])
            with pytest.raises(RecordkitError, match="unique"):
                index.add_many([{**BOB, "id": "c2"}, {**BOB, "id": "c2"}])
            with pytest.raises(SchemaError):
                index.add_many([{"sku": "X", "id": "c3"}])
            with pytest.raises(RecordkitError, match="list of records"):
                index.lookup_many("c1")
            assert 1 == len(index)


class TestTransactions:
    def test_a_rollback_leaves_no_ghost(self, store: Store) -> None:
        """An add inside a transaction that rolls back leaves nothing to match against."""
        index = PersistentIndex(rules_matcher(), store.index_rows("people"))
        seen = []

        def add_then_fail() -> None:
            with store.transaction():
                index.add(ADA, id="c1")
                seen.append(index.lookup(ADA_2).is_duplicate)  # inside the transaction
                raise RuntimeError("the application's write failed")

        with pytest.raises(RuntimeError):
            add_then_fail()
        assert [True] == seen
        assert (False, 0, False) == (index.lookup(ADA_2).is_duplicate, len(index), "c1" in index)

    def test_a_removal_rolled_back_keeps_the_entity(self, store: Store) -> None:
        """Taking a record out and rolling back restores its row, keys and matches."""
        index = PersistentIndex(rules_matcher(), store.index_rows("people"))
        index.add(ADA, id="c1")
        index.add(ADA_2, id="c2")

        def remove_then_fail() -> None:
            with store.transaction():
                index.remove("c1")
                raise RuntimeError("undo")

        with pytest.raises(RuntimeError):
            remove_then_fail()
        assert ("c1", "c1", ["c1"]) == (
            index.entity_of("c1"),
            index.entity_of("c2"),
            [m.record_id for m in index.lookup(ADA).matches if m.record_id == "c1"],
        )

    def test_the_rows_outlive_the_process(self, tmp_path: Path) -> None:
        """A new process opening the same SQLite file finds the duplicate and its entity."""
        url = f"sqlite:///{tmp_path / 'kept.db'}"
        with SQLStore(url) as sql:
            index = PersistentIndex(rules_matcher(), sql.index_rows("people"))
            index.add(ADA, id="c1")
            index.add(ADA_2, id="c2")
        code = textwrap.dedent(
            f"""
            from recordkit.match import PersistentIndex
            from recordkit.store import SQLStore
            from tests.match.strategies import rules_matcher
            with SQLStore({url!r}) as sql:
                index = PersistentIndex(rules_matcher(), sql.index_rows("people"))
                best = index.lookup({ADA!r}).best
                print(len(index), best.record_id, best.entity_id)
            """
        )
        root = Path(__file__).resolve().parents[2]
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True
        )
        assert "2 c1 c1" == out.stdout.strip()


class TestErrors:
    def test_rows_built_with_other_settings_are_refused(self, store: Store) -> None:
        """An index built with other blocking is refused with the way out, then rebuilt."""
        PersistentIndex(rules_matcher(), store.index_rows("people")).add(ADA, id="c1")
        settings = rules_matcher().to_dict()
        other = Matcher.from_dict({**settings, "blocking": [["last_name"]]})
        with pytest.raises(IndexMismatch, match="rebuild"):
            PersistentIndex(other, store.index_rows("people"))
        rows = store.index_rows("people")
        rows.clear()
        rebuilt = PersistentIndex(other, rows)
        assert 2 == rebuilt.rebuild([{**ADA, "id": "c1"}, {**ADA_2, "id": "c2"}])
        assert "c1" == rebuilt.entity_of("c2")

    def test_bad_arguments_are_named(self, store: Store) -> None:
        """Wrong arguments raise recordkit errors that say what was wrong."""
        rows = store.index_rows("people")
        with pytest.raises(RecordkitError, match="Matcher"):
            PersistentIndex("m", rows)  # type: ignore[arg-type]
        with pytest.raises(RecordkitError, match="IndexRows"):
            PersistentIndex(rules_matcher(), {})  # type: ignore[arg-type]
        with pytest.raises(RecordkitError, match="fitted"):
            PersistentIndex(Matcher.from_dict(_unfitted()), rows)
        with pytest.raises(RecordkitError, match="max_block"):
            PersistentIndex(rules_matcher(), rows, max_block=0)
        index = PersistentIndex(rules_matcher(), rows)
        index.add(ADA, id="c1")
        with pytest.raises(RecordkitError, match="already"):
            index.add(ADA, id="c1")
        with pytest.raises(RecordkitError, match="not in the index"):
            index.remove("nobody")
        with pytest.raises(RecordkitError, match="needs an id"):
            index.add(ADA)
        with pytest.raises(SchemaError, match="another schema"):
            index.lookup({"sku": "X-1"})
        with pytest.raises(RecordkitError, match="IndexRow"):
            rows.put(["c9"])  # type: ignore[list-item]
        with pytest.raises(RecordkitError):
            store.index_rows("")

    def test_an_index_row_checks_its_parts(self) -> None:
        """An IndexRow refuses ids, values and keys of the wrong kind."""
        with pytest.raises(RecordkitError, match="record id"):
            IndexRow("", {}, ())
        with pytest.raises(RecordkitError, match="values"):
            IndexRow("c1", {"email": object()}, ())  # type: ignore[dict-item]
        with pytest.raises(RecordkitError, match="keys"):
            IndexRow("c1", {}, (("0", "k"),))  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["memory", "sqlite", "postgresql"])
def test_a_match_kept_again_takes_the_new_weight(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """`IndexRows.link` keeps each match both ways; a pair linked again takes the new weight,
    the other matches stay as they were."""
    if kind == "memory":
        store: Store = MemoryStore()
    elif kind == "sqlite":
        store = SQLStore(f"sqlite:///{tmp_path / 'links.db'}")
    else:
        store = SQLStore(request.getfixturevalue("postgres_url"))
    try:
        rows = store.index_rows("p")
        with store.transaction():
            rows.link([("c1", "c2", 1.5), ("c1", "c3", -2.0)])
        with store.transaction():
            rows.link([("c2", "c1", 4.25), ("c4", "c1", 0.5)])
        assert {
            "c1": {"c2": 4.25, "c3": -2.0, "c4": 0.5},
            "c2": {"c1": 4.25},
            "c3": {"c1": -2.0},
            "c4": {"c1": 0.5},
        } == rows.links(["c1", "c2", "c3", "c4"])
    finally:
        if isinstance(store, SQLStore):
            store.close()


class TestErasure:
    def test_erasing_a_record_takes_it_out_of_every_index(self, store: Store) -> None:
        """After `Store.erase`, no index holds the record's values, keys or matches."""
        a = PersistentIndex(rules_matcher(), store.index_rows("a"))
        b = PersistentIndex(rules_matcher(), store.index_rows("b"))
        for index in (a, b):
            index.add(ADA, id="c1")
            index.add(ADA_2, id="c2")
        store.erase(["c1"])
        assert ([], "c1", ["c2"]) == (  # c2 keeps the entity id it had
            list(store.index_rows("a").rows(["c1"])),
            b.entity_of("c2"),
            [m.record_id for m in b.lookup(ADA).matches],
        )
        assert {} == store.index_rows("b").links(["c1", "c2"])


def _unfitted() -> dict[str, Any]:
    data = rules_matcher().to_dict()
    data.pop("model", None)
    return data


def test_a_rebuild_keeps_the_model_it_fits_for_the_next_process() -> None:
    """
    Rebuilt from enough records, the index fits a model on them and keeps it with its
    rows: an index opened later with the shipped priors scores with the fitted model.
    """
    import recordkit as rk
    from recordkit.match._dedupe import PRIOR_FIT_AT
    from tests.match.test_dedupe_priors import _rows

    store = MemoryStore()
    prior = Matcher.for_schema(rk.bundled_schema("contact"))
    index = PersistentIndex(prior, store.index_rows("contacts"))
    assert PRIOR_FIT_AT == index.rebuild(_rows(PRIOR_FIT_AT))
    fitted = index.matcher.model
    assert fitted is not None
    assert fitted is not prior.model
    assert fitted == PersistentIndex(prior, store.index_rows("contacts")).matcher.model
