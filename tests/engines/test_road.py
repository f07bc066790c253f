"""
One road, every engine: the same messy contacts give the same result on each.

The reference is the in-process engine in one process; every engine (the in-process one
with workers, DuckDB) must give the same normalized values, the same issues, the same
clusters and match weights equal to 1e-9, and every row read must come out normalized or
quarantined.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pytest

from recordkit.engines import DuckDBEngine, Engine, InProcess, RoadResult
from tests.engines.data import AT, contact_rows, contact_rules, write_contacts

ENGINES: dict[str, Callable[[], Engine]] = {
    "inprocess-1": lambda: InProcess(workers=1),
    "inprocess-2": lambda: InProcess(workers=2, min_rows=0),
    "duckdb": lambda: DuckDBEngine(memory_limit="1GB"),
}


@cache
def reference() -> RoadResult:
    """The road in one process over the generated rows."""
    return InProcess(workers=1).run(contact_rows(), contact_rules(), at=AT, chunk_size=400)


def assert_same(expected: RoadResult, actual: RoadResult) -> None:
    """*actual* is *expected*: values, issues, quarantine, clusters, weights, golden records."""
    assert expected.outcome.columns == actual.outcome.columns
    assert expected.outcome.row_numbers == actual.outcome.row_numbers
    assert [repr(i) for i in expected.issues] == [repr(i) for i in actual.issues]
    assert [q.row for q in expected.outcome.quarantine] == [
        q.row for q in actual.outcome.quarantine
    ]
    assert expected.match.entity_of == actual.match.entity_of
    a, b = expected.pairs(), actual.pairs()
    assert [(x[0], x[1], x[3]) for x in a] == [(x[0], x[1], x[3]) for x in b]
    assert np.allclose([x[2] for x in a], [x[2] for x in b], rtol=0, atol=1e-9)
    assert [g.values for g in expected.golden] == [g.values for g in actual.golden]
    assert expected.merges == actual.merges
    assert actual.total == len(actual.ids) + actual.quarantined


@pytest.fixture(params=list(ENGINES))
def engine(request: pytest.FixtureRequest) -> Engine:
    """Each engine in turn."""
    return ENGINES[request.param]()


class TestEveryEngine:
    def test_rows_give_the_reference_result(self, engine: Engine) -> None:
        """Rows (mappings) give the one-process result on every engine."""
        got = engine.run(contact_rows(), contact_rules(), at=AT, chunk_size=400)
        assert_same(reference(), got)
        assert reference().quarantined > 0
        assert any(len(c) > 2 for c in got.clusters)

    def test_a_csv_file_gives_the_reference_result(self, engine: Engine, tmp_path: Path) -> None:
        """The same rows written to a CSV file give the same result on every engine."""
        path = write_contacts(tmp_path / "contacts.csv")
        assert_same(reference(), engine.run(path, contact_rules(), at=AT, chunk_size=400))

    def test_an_arrow_table_gives_the_reference_result(self, engine: Engine) -> None:
        """The same rows as an Arrow table give the same result on every engine."""
        table = pa.Table.from_pylist(contact_rows())
        assert_same(reference(), engine.run(table, contact_rules(), at=AT, chunk_size=400))

    def test_nothing_to_read_is_an_empty_result(self, engine: Engine) -> None:
        """No rows: nothing passed, nothing quarantined, no clusters."""
        got = engine.run([], contact_rules(), at=AT)
        assert (0, 0, (), ()) == (got.total, got.quarantined, got.clusters, got.golden)

    def test_rows_that_all_fail_are_all_quarantined(self, engine: Engine) -> None:
        """A batch whose every row fails comes back whole, in the quarantine."""
        rows = [{"email": "not an email", "last_name": ""} for _ in range(30)]
        got = engine.run(rows, contact_rules(), at=AT, chunk_size=7)
        assert (30, 30, ()) == (got.total, got.quarantined, got.clusters)
        assert all(q.reasons for q in got.outcome.quarantine)
