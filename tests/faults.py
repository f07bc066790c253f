"""Fault injection for SQL stores: a chosen statement, a COMMIT, or the disk fails, for real.

`Faults` listens on a `SQLStore`'s engine. While it counts (`Faults.count`) it numbers every
statement the store sends (``before_cursor_execute``: reads, writes, ``BEGIN``, savepoints)
and every COMMIT (the ``commit`` event). `Faults.inject` then makes one `Point` fail:

- statement n: on SQLite the driver raises ``sqlite3.OperationalError("disk I/O error")``
  instead of running it (SQLAlchemy wraps it as it wraps any driver error); on PostgreSQL
  the server runs a function raising ``disk_full`` instead, so it aborts the transaction as
  it would for a real failure.
- COMMIT k: just before it, an orphan row goes into a table whose foreign key is checked at
  commit (``DEFERRABLE INITIALLY DEFERRED``), so the database itself refuses the COMMIT (on
  SQLite the transaction then stays open, as after any failed COMMIT).
- disk full (SQLite): the file is compacted (``VACUUM``) and ``PRAGMA max_page_count`` caps
  every connection at its size, so the first statement that needs a new page fails with
  ``SQLITE_FULL``.

`committed` reads what the database holds over a connection of its own; `snapshot` reads
what the store reports (records of every schema, lineage, quarantine, audit events).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import NullPool

import recordkit as rk
from recordkit.store import Lineage, QuarantineEntry, SQLStore

__all__ = [
    "COMMIT",
    "DISK_FULL",
    "Faults",
    "Point",
    "Snapshot",
    "Tally",
    "caused_by",
    "chain",
    "committed",
    "restore",
    "rows_diff",
    "snapshot",
]

STATEMENT, COMMIT, DISK = "statement", "COMMIT", "disk full"
MARK = "injected fault"


@attrs.frozen
class Point:
    """
    Where a fault strikes: statement *n* of *of*, COMMIT *n* of *of*, or a full disk.
    """

    kind: str
    n: int = 0
    of: int = 0
    label: str = ""

    def __str__(self) -> str:
        if self.kind == DISK:
            return DISK
        text = f"{self.kind} {self.n}/{self.of}"
        return f"{text} {self.label}" if self.label else text


DISK_FULL = Point(DISK)


@attrs.frozen
class Tally:
    """
    What one run sent: a short label per statement, in order, and how many COMMITs.
    """

    statements: tuple[str, ...]
    commits: int

    def points(self, *, limit: int, disk: bool = False) -> list[Point]:
        """
        Every statement (evenly sampled down to *limit*, always the first and the last),
        every COMMIT, and a full disk when *disk*.
        """
        total = len(self.statements)
        if total <= limit:
            chosen = list(range(1, total + 1))
        else:
            chosen = sorted({1 + round(i * (total - 1) / (limit - 1)) for i in range(limit)})
        out = [Point(STATEMENT, n, total, self.statements[n - 1]) for n in chosen]
        out += [Point(COMMIT, k, self.commits) for k in range(1, self.commits + 1)]
        if disk:
            out.append(DISK_FULL)
        return out


class Faults:
    """
    Counts a `SQLStore`'s statements and COMMITs, and makes one of them fail.

    Example::

        faults = Faults(store)
        with faults.count() as tally:
            steward.capture(row, source="web")
        with faults.inject(Point("statement", 3)):
            steward.capture(row, source="web")  # raises; faults.fired says where
    """

    def __init__(self, store: SQLStore) -> None:
        if store.engine is None:
            raise ValueError("fault injection needs a store bound to an engine")
        self.store = store
        self.engine: sa.Engine = store.engine
        self.dialect = store.dialect
        self.prefix = store.fixed.audit.name[: -len("audit")]
        self._child = f"{self.prefix}fault_child"
        self._raiser = f"{self.prefix}fault"
        self._active = False
        self._statements: list[str] = []
        self._commits = 0
        self._target: Point | None = None
        self._pages: int | None = None
        self._uncapped = 0  # SQLite's own max_page_count, put back after a full disk
        self.fired: Point | None = None
        """Where the armed fault struck (``None``: not yet, or it never did)."""
        self.errors: list[BaseException] = []
        """The database error the fault caused, as the driver and as SQLAlchemy raised it."""
        self._install()
        event.listen(self.engine, "before_cursor_execute", self._on_statement)
        event.listen(self.engine, "commit", self._on_commit)
        event.listen(self.engine, "handle_error", self._on_error)
        event.listen(self.engine, "checkout", self._on_checkout)

    def close(self) -> None:
        """
        Stop listening (the store keeps working as if never watched).
        """
        event.remove(self.engine, "before_cursor_execute", self._on_statement)
        event.remove(self.engine, "commit", self._on_commit)
        event.remove(self.engine, "handle_error", self._on_error)
        event.remove(self.engine, "checkout", self._on_checkout)

    # -- what the database needs ----------------------------------------------------------

    def _install(self) -> None:
        parent = f"{self.prefix}fault_parent"
        if self.dialect == "sqlite":
            statements = [
                f"CREATE TABLE IF NOT EXISTS {parent} (id INTEGER PRIMARY KEY)",
                f"CREATE TABLE IF NOT EXISTS {self._child} (parent INTEGER "
                f"REFERENCES {parent} (id) DEFERRABLE INITIALLY DEFERRED)",
            ]
        else:
            statements = [
                f"CREATE TABLE IF NOT EXISTS {parent} (id integer PRIMARY KEY)",
                f"CREATE TABLE IF NOT EXISTS {self._child} (parent integer "
                f"REFERENCES {parent} (id) DEFERRABLE INITIALLY DEFERRED)",
                f"CREATE OR REPLACE FUNCTION {self._raiser}() RETURNS void LANGUAGE plpgsql "
                f"AS $$ BEGIN RAISE EXCEPTION '{MARK}: could not extend file: No space left "
                "on device' USING ERRCODE = 'disk_full'; END $$",
            ]
        with self.engine.begin() as conn:  # before listening: not counted
            for statement in statements:
                conn.exec_driver_sql(statement)

    # -- counting and injecting -----------------------------------------------------------

    @contextmanager
    def count(self) -> Iterator[list[Tally]]:
        """
        Count what the block sends; the list holds its `Tally` once the block ends.
        """
        out: list[Tally] = []
        self._start(None)
        try:
            yield out
        finally:
            self._active = False
        out.append(Tally(tuple(self._statements), self._commits))

    @contextmanager
    def inject(self, point: Point) -> Iterator[Faults]:
        """
        Make *point* fail inside the block; `fired` says whether it did.
        """
        if point.kind == DISK:
            self._fill_disk()
        self._start(point)
        try:
            yield self
        finally:
            self._active = False
            self._target = None
            self._pages = None

    def _start(self, target: Point | None) -> None:
        self._statements = []
        self._commits = 0
        self._target = target
        self.fired = None
        self.errors = []
        self._active = True

    def _label(self, statement: str) -> str:
        words = statement.replace(self.prefix, "").split()
        return " ".join(words[:3]) if words[:1] != ["SELECT"] else "SELECT"

    def _on_statement(
        self,
        conn: sa.Connection,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        if not self._active:
            return
        self._statements.append(self._label(statement))
        target = self._target
        if target is None or target.kind != STATEMENT or self.fired is not None:
            return
        if len(self._statements) == target.n:
            self.fired = attrs.evolve(target, label=self._statements[-1])
            if self.dialect == "sqlite":
                raise sqlite3.OperationalError("disk I/O error")
            # The server fails the statement: the transaction is aborted there, as for real.
            cursor.execute(f"SELECT {self._raiser}()")
            raise AssertionError(f"{self._raiser}() did not raise")  # pragma: no cover

    def _on_commit(self, conn: sa.Connection) -> None:
        if not self._active:
            return
        self._commits += 1
        target = self._target
        if target is None or target.kind != COMMIT or self.fired is not None:
            return
        if self._commits == target.n:
            self.fired = target
            # An orphan row under a deferred foreign key: the database refuses the COMMIT.
            raw = conn.connection.dbapi_connection
            assert raw is not None
            cursor = raw.cursor()
            try:
                cursor.execute(f"INSERT INTO {self._child} (parent) VALUES (-1)")
            finally:
                cursor.close()

    def _on_error(self, context: sa.engine.ExceptionContext) -> None:
        if not self._active or self.errors:
            return
        original = context.original_exception
        target = self._target
        if target is not None and target.kind == DISK and self.fired is None:
            self.fired = target if "database or disk is full" in str(original) else None
        if self.fired is not None:
            self.errors = [original]
            if context.sqlalchemy_exception is not None:
                self.errors.append(context.sqlalchemy_exception)

    # -- a full disk ----------------------------------------------------------------------

    def _fill_disk(self) -> None:
        if self.dialect != "sqlite":
            raise ValueError("a full disk is simulated on SQLite only")
        raw = self.engine.raw_connection()
        try:
            driver = raw.driver_connection
            assert driver is not None
            driver.execute("VACUUM")  # no free pages left inside the file
            self._pages = int(driver.execute("PRAGMA page_count").fetchone()[0])
            self._uncapped = self._uncapped or int(
                driver.execute("PRAGMA max_page_count").fetchone()[0]
            )
        finally:
            raw.close()

    def _on_checkout(self, dbapi_connection: Any, record: Any, proxy: Any) -> None:
        if self.dialect != "sqlite" or not self._uncapped:
            return  # the disk was never filled
        pages = self._pages if self._pages is not None and self._active else self._uncapped
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA max_page_count = {pages}")
        finally:
            cursor.close()


def chain(error: BaseException) -> list[BaseException]:
    """
    *error* and what led to it, explicitly (``__cause__``) or not (``__context__``).
    """
    out = [error]
    while True:
        last = out[-1]
        before = last.__cause__ or last.__context__
        if before is None or any(before is e for e in out):
            return out
        out.append(before)


def caused_by(error: BaseException, causes: Sequence[BaseException]) -> bool:
    """
    Whether one of *causes* is *error*'s ``__cause__``, or further down that chain.
    """
    seen: set[int] = set()
    current = error.__cause__
    while current is not None and id(current) not in seen:
        if any(current is c for c in causes):
            return True
        seen.add(id(current))
        current = current.__cause__
    return False


@contextmanager
def _own_connection(store: SQLStore) -> Iterator[sa.Connection]:
    """
    A connection of its own to the store's database (not from the store's pool).
    """
    assert store.engine is not None
    engine = sa.create_engine(store.engine.url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


Rows = dict[str, list[tuple[Any, ...]]]


def _tables(store: SQLStore) -> list[tuple[str, sa.Table]]:
    """
    The store's tables in dependency order, each with its name without the table prefix.
    """
    prefix = store.fixed.audit.name[: -len("audit")]
    return [(t.name[len(prefix) :], t) for t in store.metadata.sorted_tables]


def committed(store: SQLStore) -> Rows:
    """
    Every row of every table of the store, as committed (read over a connection of its own).

    Tables are named without the store's prefix, so two stores' contents compare.
    """
    out: Rows = {}
    with _own_connection(store) as conn:
        for name, table in _tables(store):
            order = list(table.primary_key.columns) or list(table.columns)
            out[name] = [tuple(r) for r in conn.execute(sa.select(table).order_by(*order))]
    return out


def rows_diff(before: Rows, after: Rows) -> str:
    """
    Which tables differ between two `committed` readings, in a few words ("" when none).
    """
    out = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name, []), after.get(name, [])
        if old != new:
            changed = len(set(map(repr, old)) - set(map(repr, new)))
            out.append(f"{name} {len(old)}->{len(new)} rows ({changed} changed or gone)")
    return ", ".join(out)


def restore(store: SQLStore, rows: Rows) -> None:
    """
    Make the store's tables hold exactly *rows* (as `committed` read them, maybe elsewhere).
    """
    tables = _tables(store)
    assert store.engine is not None
    with store.engine.begin() as conn:
        for _, table in reversed(tables):
            conn.execute(table.delete())
        for name, table in tables:
            if rows.get(name):
                keys = table.columns.keys()
                conn.execute(table.insert(), [dict(zip(keys, r, strict=True)) for r in rows[name]])


@attrs.frozen
class Snapshot:
    """
    What a store reports: records by schema and id, lineage by id, quarantine, audit events.
    """

    records: dict[str, dict[str, rk.Record]]
    lineage: dict[str, Lineage]
    quarantine: dict[str, list[QuarantineEntry]]
    audit: list[rk.AuditEvent]

    def diff(self, other: Snapshot) -> str:
        """
        What changed from this snapshot to *other*, in a few words ("" when nothing did).
        """
        parts: list[str] = []
        for schema in sorted(set(self.records) | set(other.records)):
            mine, theirs = self.records.get(schema, {}), other.records.get(schema, {})
            added = sorted(set(theirs) - set(mine))
            dropped = sorted(set(mine) - set(theirs))
            changed = sorted(i for i in set(mine) & set(theirs) if mine[i] != theirs[i])
            for what, ids in (("added", added), ("removed", dropped), ("changed", changed)):
                if ids:
                    parts.append(f"{schema} {what}: {', '.join(ids)}")
        if self.lineage != other.lineage:
            parts.append(f"lineage {sorted(self.lineage)} -> {sorted(other.lineage)}")
        if self.quarantine != other.quarantine:
            count = {k: len(v) for k, v in self.quarantine.items()}
            then = {k: len(v) for k, v in other.quarantine.items()}
            parts.append(f"quarantine {count} -> {then}")
        if self.audit != other.audit:
            common = sum(1 for _ in zip(self.audit, other.audit, strict=False))
            same = next(
                (i for i, (a, b) in enumerate(zip(self.audit, other.audit, strict=False))
                 if a != b),
                common,
            )  # fmt: skip
            extra = [e.action for e in other.audit[same:]]
            parts.append(f"audit {len(self.audit)} -> {len(other.audit)} events (new: {extra})")
        return "; ".join(parts)


def snapshot(store: rk.Store, schemas: Sequence[str]) -> Snapshot:
    """
    The store's records of *schemas*, their lineage, quarantine and the audit events.
    """
    records = {s: {r.id: r for batch in store.iterate(s) for r in batch} for s in schemas}
    lineage = {
        g.id: g for recs in records.values() for rid in sorted(recs) for g in store.lineage(rid)
    }
    quarantine = {s: store.quarantined(s) for s in schemas}
    return Snapshot(records, lineage, quarantine, list(store.audit_log().events()))
