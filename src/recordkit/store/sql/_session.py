"""
`Database`: how a SQL store reaches its database, and the transactions it runs in.

A store is bound to an `Engine` (it opens its own connections and commits) or to the
caller's `Connection`/`Session` (it joins their transaction and never commits). Each thread
has its own current transaction, so blocks nest within a thread and threads never share a
connection.

On SQLite, every transaction is a real one or none is run: the store's own connections
emit the ``BEGIN`` a plain engine's driver defers (`begin_sqlite`), and the caller's
transaction is joined only if SQLite is in it too (`check_joinable`), so recordkit's writes
never outlive the caller's rollback.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from time import monotonic
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from recordkit._errors import StoreError, shorten
from recordkit.store._base import run_all
from recordkit.store.sql._engine import (
    READ,
    begin_sqlite,
    check_joinable,
    sqlite_engine,
    translate,
)

__all__ = ["IDLE_PING", "Database", "engine_for", "ping_when_idle"]

IDLE_PING: Final = 1.0
"""
A pooled connection unused for longer than this (seconds) is checked before it is used.
"""

_USED = "recordkit_used"


def engine_for(url: str | sa.URL, *, timeout: float, create: bool) -> sa.Engine:
    """
    An engine for *url*: `sqlite_engine` for SQLite, SQLAlchemy's default otherwise.
    """
    try:
        parsed = sa.engine.make_url(url)
    except (sa.exc.ArgumentError, TypeError, ValueError) as exc:
        raise StoreError(f"not a database URL: {shorten(url)} ({exc})") from None
    if parsed.get_backend_name() == "sqlite":
        return sqlite_engine(parsed, timeout=timeout, create=create)
    try:
        engine = sa.create_engine(parsed)
    except (sa.exc.SQLAlchemyError, ImportError) as exc:
        raise StoreError(f"cannot use database URL {parsed!r}: {exc}") from None
    ping_when_idle(engine)
    return engine


def ping_when_idle(engine: sa.Engine, idle: float = IDLE_PING) -> None:
    """
    Check a pooled connection before handing it out, if unused for more than *idle* seconds.

    SQLAlchemy's ``pool_pre_ping`` checks every checkout: one more round trip before each
    read, which a quick read (a duplicate lookup) pays again and again. A connection handed
    out less than *idle* seconds ago answered then; one unused for longer (the server may
    have restarted or dropped it) is pinged, and a dead one is replaced, with every
    connection pooled before it, before the caller sees it. A new connection is not pinged.
    """
    dialect = engine.dialect

    def connected(_dbapi_connection: Any, record: Any) -> None:
        record.info[_USED] = monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        now = monotonic()
        last = record.info.get(_USED)
        record.info[_USED] = now
        if last is not None and now - last <= idle:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            if dialect.is_disconnect(exc, dbapi_connection, None):
                # the pool replaces this connection and every one pooled before it
                raise sa.exc.InvalidatePoolError(str(exc)) from exc
            raise

    event.listen(engine, "connect", connected)
    event.listen(engine, "checkout", checkout)


class Database:
    """
    A bind (engine, or the caller's connection or session) and the current transaction.

    Args:
        engine: the engine to open connections from, or ``None``.
        external: the caller's `Connection` or `Session` to join, or ``None``.
        owns_engine: dispose the engine on `close`.
    """

    def __init__(
        self,
        *,
        engine: sa.Engine | None = None,
        external: sa.Connection | Session | None = None,
        owns_engine: bool = False,
    ) -> None:
        self.engine = engine
        self.external = external
        self._owns_engine = owns_engine
        self._local = threading.local()
        self._reads = engine
        if engine is not None:
            self.dialect = str(engine.dialect.name)
            if owns_engine and self.dialect == "postgresql":
                # a read outside a transaction is one statement or a few, each of which
                # sees its own snapshot under READ COMMITTED anyway: in autocommit, the
                # driver sends no BEGIN and the pool no ROLLBACK (two round trips fewer)
                self._reads = engine.execution_options(isolation_level="AUTOCOMMIT")
        elif isinstance(external, Session):
            self.dialect = str(external.get_bind().dialect.name)
        elif external is not None:
            self.dialect = str(external.dialect.name)
        else:
            raise StoreError("a SQL store needs an engine, a connection or a session")

    def joined(self, bind: sa.Connection | Session) -> Database:
        """
        The same database reached through the caller's *bind*.

        Raises:
            StoreError: *bind* is a SQLite `Connection` whose transactions are not real
                ones (see `check_joinable`); a `Session` is checked when first used.
        """
        if isinstance(bind, sa.Connection):
            try:
                check_joinable(bind)
            except sa.exc.SQLAlchemyError as exc:
                raise translate(exc, "joining the transaction") from exc
        return Database(external=bind)

    def close(self) -> None:
        """
        Release the connection pool, if this database created the engine.
        """
        if self._owns_engine and self.engine is not None:
            self.engine.dispose()

    def _current(self) -> sa.Connection | None:
        conn: sa.Connection | None = getattr(self._local, "conn", None)
        return conn

    def _external_connection(self) -> sa.Connection:
        if isinstance(self.external, Session):
            return self.external.connection()
        assert self.external is not None
        return self.external

    @contextmanager
    def transaction(self) -> Iterator[sa.Connection]:
        """
        A transaction (at the top level on an engine) or a savepoint (nested, or joined).

        Database failures, the COMMIT's included, become `StoreError` with the driver's
        exception as ``__cause__``. A connection whose COMMIT failed is discarded (its
        state is unknown), so the store stays usable.
        """
        try:
            with self._transaction() as conn:
                yield conn
        except (sa.exc.SQLAlchemyError, UnicodeError, OverflowError) as exc:
            raise translate(exc, "writing") from exc

    @contextmanager
    def _transaction(self) -> Iterator[sa.Connection]:
        current = self._current()
        if current is None and self.engine is not None:
            conn = self.engine.connect()
            self._local.conn = conn
            after: list[Callable[[], object]] = []
            self._local.after = after
            try:
                outer = conn.begin()
                try:
                    begin_sqlite(conn, read=False)
                    yield conn
                except BaseException:
                    _quietly(outer.rollback, conn)
                    raise
                try:
                    outer.commit()
                except BaseException:
                    # A failed COMMIT leaves the session in an unknown state (SQLite may
                    # keep the transaction open): the connection is not handed back.
                    conn.invalidate()
                    raise
            finally:
                self._local.conn = None
                self._local.after = None
                conn.close()
            run_all(after)
            return
        top = current is None
        conn = self._external_connection() if current is None else current
        if top:
            if not conn.in_transaction():
                conn.begin()  # what the savepoint would begin anyway, checked first
            check_joinable(conn)
        savepoint = conn.begin_nested()
        if top:
            self._local.conn = conn
        try:
            try:
                yield conn
            except BaseException:
                if savepoint.is_active:
                    _quietly(savepoint.rollback, conn)
                raise
            savepoint.commit()
        finally:
            if top:
                self._local.conn = None

    def on_commit(self, callback: Callable[[], object]) -> None:
        """
        Run *callback* when the transaction in progress commits (at once outside one).

        In this store's own transaction: after its COMMIT. Joined to the caller's
        `Session`: after the session commits (``after_commit``); joined to a `Connection`:
        when it commits. A rollback drops the callbacks.
        """
        after: list[Callable[[], object]] | None = getattr(self._local, "after", None)
        if after is not None:
            after.append(callback)
            return
        if self.external is None:
            callback()
            return
        target: sa.Connection | Session = self.external
        if isinstance(target, Session):
            if not target.in_transaction():
                callback()
                return
        elif not target.in_transaction():
            callback()
            return
        _waiting(target).append(callback)

    @contextmanager
    def unit(self, what: str) -> Iterator[sa.Connection]:
        """
        One atomic piece of work; database failures become `StoreError`s about *what*.
        """
        try:
            with self._transaction() as conn:
                yield conn
        except (sa.exc.SQLAlchemyError, UnicodeError, OverflowError) as exc:
            raise translate(exc, what) from exc

    @contextmanager
    def reader(self, what: str) -> Iterator[sa.Connection]:
        """
        A connection to read with: the current transaction's, or a fresh read-only one.
        """
        try:
            current = self._current()
            if current is not None:
                yield current
            elif self._reads is not None:
                with self._reads.connect() as conn:
                    conn.execution_options(**{READ: True})
                    if self.dialect == "sqlite":  # one snapshot for the whole read
                        conn.begin()
                        begin_sqlite(conn, read=True)
                    yield conn
            else:
                yield self._external_connection()
        except (sa.exc.SQLAlchemyError, UnicodeError, OverflowError) as exc:
            raise translate(exc, what) from exc


def _quietly(rollback: Callable[[], None], conn: sa.Connection) -> None:
    """
    Roll back; if even that fails (the connection is lost), discard the connection.

    The error that caused the rollback is the one the caller needs to see.
    """
    try:
        with warnings.catch_warnings():
            # after a failed RELEASE SAVEPOINT, SQLAlchemy has already let go of the
            # savepoint and warns that rolling it back does nothing: that is expected here
            warnings.simplefilter("ignore", sa.exc.SAWarning)
            rollback()
    except sa.exc.SQLAlchemyError:
        conn.invalidate()


_WAITING = "recordkit_on_commit"


def _waiting(target: sa.Connection | Session) -> list[Callable[[], object]]:
    """
    The callbacks waiting for *target*'s commit; listeners are set up on first use.
    """
    waiting: list[Callable[[], object]] | None = target.info.get(_WAITING)
    if waiting is not None:
        return waiting
    waiting = target.info[_WAITING] = []

    def committed(*_: object) -> None:
        ready = list(waiting)
        waiting.clear()
        run_all(ready)

    def dropped(*_: object) -> None:
        waiting.clear()

    if isinstance(target, Session):
        event.listen(target, "after_commit", committed)
        event.listen(target, "after_rollback", dropped)
    else:
        event.listen(target, "commit", committed)
        event.listen(target, "rollback", dropped)
    return waiting
