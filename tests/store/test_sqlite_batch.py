"""A large first batch on SQLite builds its blind indexes after its rows, the same indexes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from recordkit.governance import FieldEncryption, LocalKeyFile
from recordkit.store import SQLStore, sqlite_engine
from recordkit.store.sql import _sqlite_batch
from recordkit.store.sql._sqlite_batch import indexes_after
from tests.store.examples import LEAD, lead


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The SQL of every statement run by engines made in the test (batches of 5 are large)."""
    monkeypatch.setattr(_sqlite_batch, "BATCH_ROWS", 5)
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        seen.append(sql)

    sa.event.listen(sa.Engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(sa.Engine, "before_cursor_execute", record)


def _store(tmp_path: Path, encrypted: bool = True) -> SQLStore:
    encryption = FieldEncryption(
        LocalKeyFile(tmp_path / "m.key", create=True), fields=["email", "born"]
    )
    return SQLStore(
        f"sqlite:///{tmp_path / 'crm.db'}",
        schemas=[LEAD],
        encryption=encryption if encrypted else None,
    )


def _indexes(store: SQLStore) -> list[tuple[str, str]]:
    engine = store.engine
    assert engine is not None
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'rk_lead' "
            "ORDER BY name"
        ).all()
    return [(name, sql) for name, sql in rows]


def _leads(first: int, count: int) -> list[Any]:
    return [
        lead(f"r{i}", name=f"N{i}", email=f"q{i}@example.com", born=None)
        for i in range(first, first + count)
    ]


def test_a_large_first_batch_drops_and_recreates_the_blind_indexes(
    tmp_path: Path, statements: list[str]
) -> None:
    """The indexes over blind-index columns are made again, the same; queries use them."""
    with _store(tmp_path) as store:
        before = _indexes(store)
        assert any("email__bidx" in str(sql) for _, sql in before)
        store.upsert_many(_leads(0, 20))
        assert before == _indexes(store)
        drops = [s for s in statements if s.startswith("DROP INDEX")]
        assert ["DROP INDEX ix_rk_lead_email__bidx"] == [s for s in drops if "email" in s]
        assert ["r7"] == [r.id for r in store.query("lead", where={"email": "q7@example.com"})]
        statements.clear()
        store.upsert_many(_leads(20, 20))  # the table holds rows: indexed row by row
        assert not [s for s in statements if s.startswith("DROP INDEX")]
        assert before == _indexes(store)
        assert ["r27"] == [r.id for r in store.query("lead", where={"email": "q27@example.com"})]
        engine = store.engine
        assert engine is not None
        with engine.connect() as conn:
            assert [("ok",)] == conn.exec_driver_sql("PRAGMA integrity_check").all()


def test_without_encryption_no_index_is_dropped(tmp_path: Path, statements: list[str]) -> None:
    """A table without blind indexes is indexed row by row, as always."""
    with _store(tmp_path, encrypted=False) as store:
        store.upsert_many(_leads(0, 20))
    assert not [s for s in statements if s.startswith("DROP INDEX")]


def _table(engine: sa.Engine) -> sa.Table:
    table = sa.Table("t", sa.MetaData(), sa.Column("a", sa.Text), sa.Column("a__bidx", sa.Text))
    sa.Index("ix_t_a__bidx", table.c.a__bidx)
    with engine.begin() as conn:
        table.metadata.create_all(conn)
        conn.exec_driver_sql("CREATE UNIQUE INDEX ux_t ON t (a__bidx, a)")
    return table


def _names(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name"
        ).all()
    return [name for (name,) in rows]


def _failing_batch(conn: sa.Connection, table: sa.Table) -> None:
    with indexes_after(conn, table, {"a__bidx"}, 10):
        conn.execute(table.insert(), [{"a": "x", "a__bidx": "1"}])
        raise RuntimeError("the batch fails")


def test_a_failing_block_leaves_every_index_and_the_transaction(
    tmp_path: Path, statements: list[str]
) -> None:
    """An error inside rolls the indexes back with the savepoint; unique ones stay as they are."""
    engine = sqlite_engine(f"sqlite:///{tmp_path / 't.db'}")
    table = _table(engine)
    with engine.begin() as conn:
        with pytest.raises(RuntimeError, match="the batch fails"):
            _failing_batch(conn, table)
        conn.execute(table.insert(), [{"a": "y", "a__bidx": "2"}])  # still usable
    assert ["ix_t_a__bidx", "ux_t"] == _names(engine)
    assert ["DROP INDEX ix_t_a__bidx"] == [s for s in statements if s.startswith("DROP")]
    with engine.connect() as conn:
        assert [("y",)] == conn.exec_driver_sql("SELECT a FROM t").all()
    engine.dispose()


def test_small_batches_and_other_columns_keep_their_indexes(
    tmp_path: Path, statements: list[str]
) -> None:
    """Below the batch size, or with no blind-index column indexed, nothing is dropped."""
    engine = sqlite_engine(f"sqlite:///{tmp_path / 't.db'}")
    table = _table(engine)
    with engine.begin() as conn:
        with indexes_after(conn, table, {"a__bidx"}, 4):
            pass
        with indexes_after(conn, table, {"b__bidx"}, 10):
            pass
        with indexes_after(conn, table, {"a__bidx"}, 10):
            conn.execute(table.insert(), [{"a": f"x{i}", "a__bidx": "1"} for i in range(10)])
        names = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name"
        ).all()
        assert [("ix_t_a__bidx",), ("ux_t",)] == names
    assert 1 == len([s for s in statements if s.startswith("DROP")])
    engine.dispose()
