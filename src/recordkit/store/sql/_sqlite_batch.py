"""
A large batch on SQLite: a page cache sized for it, and blind indexes built after its rows.

Both apply to batches of at least `BATCH_ROWS` records, on SQLite only; other databases,
and smaller batches, write as they always do.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterator
from typing import Final

import sqlalchemy as sa

__all__ = ["BATCH_ROWS", "indexes_after", "page_cache"]

BATCH_ROWS: Final = 10_000
"""
Batches of at least this many records get a page cache sized for them, and a table empty
before them gets its blind indexes built after their rows (SQLite).
"""
_CACHE_MAX_KIB: Final = 256 * 1024


@contextlib.contextmanager
def page_cache(conn: sa.Connection, rows: int) -> Iterator[None]:
    """
    On SQLite, a page cache sized for a batch of *rows* while it is written, then as before.

    A batch inserts into every index of its table, and keys that come in no order (emails,
    and the blind indexes of encrypted fields, random by design) touch pages all over each
    index: with SQLite's default cache (2 MB) a large batch keeps reading them again and
    writing them back. Half a KiB per record (at most 256 MiB) keeps its indexes' pages.
    """
    if conn.dialect.name != "sqlite" or rows < BATCH_ROWS:
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    page = conn.exec_driver_sql("PRAGMA page_size").scalar()
    wanted = min(_CACHE_MAX_KIB, rows // 2)
    if not isinstance(before, int) or not isinstance(page, int):
        yield
        return
    held = -before if before < 0 else before * page // 1024
    if held >= wanted:
        yield
        return
    conn.exec_driver_sql(f"PRAGMA cache_size = -{int(wanted)}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


@contextlib.contextmanager
def indexes_after(
    conn: sa.Connection, table: sa.Table, columns: Collection[str], rows: int
) -> Iterator[None]:
    """
    On SQLite, the indexes on *columns* of the empty *table* built after the block's *rows*.

    A blind index is a keyed hash, so its keys come in no order whatever order the records
    do: inserted row by row, each one lands at a random place in its index (pages split
    all over it), which for 100,000 new contacts with two indexed encrypted fields cost
    about a second more than building the indexes afterwards. For a batch of at least
    `BATCH_ROWS` rows into an empty table, the table's plain (not unique) indexes over any
    of *columns* are dropped and created again after the block with the SQL they were
    created with (read from ``sqlite_master``), in a savepoint: SQLite then sorts their
    keys and writes each index in order, in full pages. If the block fails, the savepoint
    is rolled back, indexes included; readers on other connections see the table with its
    indexes throughout (the change is part of the writing transaction, so it is made only
    inside a transaction the driver has begun).
    """
    preparer = conn.dialect.identifier_preparer
    if (
        conn.dialect.name != "sqlite"
        or rows < BATCH_ROWS
        or not columns
        or table.schema is not None
        or conn.get_execution_options().get("schema_translate_map")
        or getattr(conn.connection.dbapi_connection, "in_transaction", None) is not True
        or conn.exec_driver_sql(f"SELECT 1 FROM {preparer.quote(table.name)} LIMIT 1").first()
    ):
        yield
        return
    chosen: list[tuple[str, str]] = []
    created: dict[str, object] = dict(
        conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?",
            (table.name,),
        ).all()
    )
    for _, name, unique, origin, *_ in conn.exec_driver_sql(
        f"PRAGMA index_list({preparer.quote(table.name)})"
    ).all():
        sql = created.get(name)
        if unique or origin != "c" or not isinstance(sql, str):
            continue  # only indexes made by CREATE INDEX, not unique: those keep no rule
        info = conn.exec_driver_sql(f"PRAGMA index_info({preparer.quote(name)})").all()
        if any(column in columns for _, _, column in info):
            chosen.append((name, sql))
    if not chosen:
        yield
        return
    with conn.begin_nested():
        for name, _ in chosen:
            conn.exec_driver_sql(f"DROP INDEX {preparer.quote(name)}")
        yield
        for _, sql in chosen:
            conn.exec_driver_sql(sql)
