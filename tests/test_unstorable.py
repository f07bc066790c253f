"""Rows the database cannot hold are quarantined with the store's reason; neighbours stay.

A rule here deliberately produces a value the database refuses (a lone surrogate, which
SQLite's driver cannot encode; a NUL byte, which PostgreSQL text cannot hold), so the
batch has to find the row by storing the chunk's records one by one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import recordkit as rk
from recordkit.rules import RuleSet
from recordkit.store import SQLStore

POISON = {"sqlite": "\ud800", "postgres": "\x00"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> Iterator[tuple[str, SQLStore]]:
    """A fresh SQL store on each backend."""
    if request.param == "sqlite":
        store = SQLStore("sqlite://")
    else:
        store = SQLStore(str(request.getfixturevalue("postgres_url")))
    try:
        yield request.param, store
    finally:
        if request.param == "postgres" and store.engine is not None:
            store.metadata.drop_all(store.engine)
        store.close()


def poisoned(kind: str) -> tuple[RuleSet, rk.Schema]:
    """Contact rules that turn the city "poison" into text the database refuses."""
    schema = rk.bundled_schema("contact")

    def poison(value: Any) -> Any:
        return f"bad{POISON[kind]}city" if value == "poison" else value

    rules = RuleSet.for_schema(schema, extend={"city": [rk.normalizer(poison, id="poison")]})
    return rules, schema


class TestUnstorableRows:
    @pytest.mark.parametrize("chunk_size", [2, 10])
    def test_only_the_row_the_database_refuses_is_quarantined(
        self, backend: tuple[str, SQLStore], chunk_size: int
    ) -> None:
        """The refused row is quarantined (kept, with the reason); every other row is stored."""
        kind, store = backend
        rules, schema = poisoned(kind)
        steward = rk.Steward(schema, store=store, rules=rules)
        rows = [{"first_name": f"P{i}", "last_name": "Q", "city": "poison" if i == 3 else "Paris"}
                for i in range(6)]  # fmt: skip
        result = steward.capture_many(rows, source="crm", chunk_size=chunk_size)
        assert (6, 5, [3]) == (
            result.total,
            len(result.records),
            [q.index for q in result.quarantined],
        )
        assert "store.refused" == result.quarantined[0].errors[0].code
        assert 5 == store.count("contact")
        kept = store.quarantined("contact")
        assert [3] == [e.index for e in kept]
        assert {"first_name": "P3", "last_name": "Q", "city": "poison"} == dict(kept[0].row)
        events = [e for e in store.audit_log().events() if e.action == "create"]
        assert sorted(r.id for r in result.records) == sorted(
            i for e in events for i in e.record_ids
        )
        assert store.audit_log().verify()

    def test_a_row_kept_whole_even_when_its_raw_text_cannot_be_stored(
        self, backend: tuple[str, SQLStore]
    ) -> None:
        """A quarantined row whose raw text the database cannot hold is kept, escaped."""
        kind, store = backend
        steward = rk.Steward(rk.bundled_schema("contact"), store=store)
        bad = {"first_name": "Ada", "last_name": "Q", "email_opt_in": f"perhaps{POISON[kind]}"}
        result = steward.capture_many([{"first_name": "Bo", "last_name": "Q"}, bad], source="crm")
        assert (1, [1]) == (len(result.records), [q.index for q in result.quarantined])
        kept = store.quarantined("contact")
        assert [1] == [e.index for e in kept]
        assert "Ada" == kept[0].row["first_name"]
        assert str(kept[0].row["email_opt_in"]).startswith("perhaps")

    def test_a_single_capture_raises_store_error(self, backend: tuple[str, SQLStore]) -> None:
        """Alone, a value the database refuses is a StoreError, and nothing is stored."""
        kind, store = backend
        rules, schema = poisoned(kind)
        steward = rk.Steward(schema, store=store, rules=rules)
        with pytest.raises(rk.StoreError) as caught:
            steward.capture({"first_name": "Ada", "last_name": "Q", "city": "poison"}, source="crm")
        assert caught.value.unstorable
        assert caught.value.__cause__ is not None
        assert 0 == store.count("contact")
        assert [] == list(store.audit_log().events())
