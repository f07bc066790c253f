"""
Engines and database errors: a SQLite engine with real transactions, and clear `StoreError`s.

Python's ``sqlite3`` driver does not begin transactions for reads or savepoints on its own
(SQLAlchemy's "legacy transaction mode"), so `sqlite_engine` takes over: it emits
``BEGIN IMMEDIATE`` for writing transactions (writers queue up instead of failing half-way
when they upgrade a read lock), plain ``BEGIN`` for reads, turns on write-ahead logging, and
waits up to *timeout* seconds for a lock. A database file it creates is readable by its
owner only (0600), and deleted content is zeroed (``secure_delete``). Driver errors become
`StoreError`s that say what happened: locked, read-only, missing, unreachable.

Engines built elsewhere get the same guarantee where recordkit can give it without
changing them: on a connection of the store's own, `begin_sqlite` emits the ``BEGIN`` the
driver deferred; joining the caller's transaction, `check_joinable` refuses a SQLite
connection on which that transaction is not a real one (the driver's legacy transaction
control), since recordkit's writes would then outlive the caller's rollback.
"""

from __future__ import annotations

import os
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from recordkit._errors import StoreError, shorten

__all__ = [
    "READ",
    "Duplicate",
    "Unstorable",
    "begin_sqlite",
    "check_joinable",
    "sqlite_engine",
    "translate",
]

READ: Final = "recordkit_read"
"""
Execution option marking a connection that only reads (SQLite begins it deferred).
"""


class Duplicate(StoreError):
    """
    A write hit a unique key (the caller turns it into a `ConflictError` when it can).
    """


class Unstorable(StoreError):
    """
    The database cannot hold a value it was given: the data's fault, not the database's.

    Text that is not Unicode, a NUL byte in PostgreSQL text, a number out of range.
    """

    unstorable = True


def sqlite_engine(
    url: str | sa.URL, *, timeout: float = 10.0, create: bool = True, cache_mib: int = 64
) -> sa.Engine:
    """
    A SQLAlchemy engine for a SQLite database with real transactions and savepoints.

    Examples:
        >>> engine = sqlite_engine("sqlite:///contacts.db")  # doctest: +SKIP

    Args:
        url: ``sqlite:///path/to/file.db`` (or ``sqlite://`` for a private in-memory
            database, usable from one thread).
        timeout: seconds to wait for another writer's lock before giving up.
        create: create the file when it does not exist, readable by its owner only
            (``False``: raise `StoreError`).
        cache_mib: each connection's page cache, at most this many MiB (SQLite's own
            default is 2). Pages are held as they are read, up to the limit. A batch
            writes rows all over its tables' indexes (random ids, blocking keys): with a
            small cache, one transaction reads the same pages again and again and writes
            them to the log more than once.

    Connections turn ``secure_delete`` on: deleted content is overwritten with zeros, so
    an erased value leaves no copy in the file's free pages.

    Raises:
        StoreError: not a SQLite URL, the file is missing and *create* is false (or
            cannot be created), or *timeout* or *cache_mib* is not a number in range.

    .. versionadded:: 0.1.0

    .. versionchanged:: 0.2.0
        *cache_mib*, 64 by default.

    .. versionchanged:: 0.2.0
        Files are created with mode 0600 (their ``-wal`` and ``-shm`` files too), and
        ``secure_delete`` is on.
    """
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 <= timeout < 1e6:
        raise StoreError(f"timeout is a number of seconds from 0, got {shorten(timeout)}")
    if isinstance(cache_mib, bool) or not isinstance(cache_mib, int) or not 0 < cache_mib <= 65536:
        raise StoreError(f"cache_mib is a whole number from 1 to 65536, got {shorten(cache_mib)}")
    try:
        parsed = make_url(url)
    except (sa.exc.ArgumentError, TypeError, ValueError) as exc:
        raise StoreError(f"not a database URL: {shorten(url)} ({exc})") from None
    if parsed.get_backend_name() != "sqlite":
        raise StoreError(f"sqlite_engine needs a sqlite:// URL, got {parsed.get_backend_name()!r}")
    path = parsed.database or ""
    memory = path in ("", ":memory:")
    uri = str(parsed.query.get("uri", "")).lower() == "true"
    if not memory and not uri:
        if not create and not os.path.exists(path):
            raise StoreError(f"no SQLite database at {path!r} (and create=False)")
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise StoreError(f"cannot create SQLite database {path!r}: no folder {folder!r}")
        _create_private(path)
    kwargs: dict[str, Any] = {"connect_args": {"timeout": timeout, "check_same_thread": False}}
    if memory:
        kwargs["poolclass"] = StaticPool
    engine = sa.create_engine(parsed, **kwargs)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA cache_size=-{cache_mib * 1024}")  # in KiB
            # deleted content is overwritten with zeros, so an erased value leaves no copy
            # in free pages (the write-ahead log is checkpointed after an erase)
            cursor.execute("PRAGMA secure_delete=ON")
            if not memory:
                try:
                    cursor.execute("PRAGMA journal_mode=WAL")
                    cursor.execute("PRAGMA synchronous=NORMAL")
                except Exception:  # a read-only file keeps its journal mode
                    pass
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        read = conn.get_execution_options().get(READ, False)
        conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")

    return engine


RECIPE: Final = """\
build the engine with recordkit.store.sqlite_engine(url), or apply SQLAlchemy's recipe for
SQLite transactions to it before its first connection:

    @sqlalchemy.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # the driver no longer defers BEGIN

    @sqlalchemy.event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")  # SQLAlchemy emits it when a transaction begins

(on Python 3.12 or later, create_engine(url, connect_args={"autocommit": False}) does too)"""
"""
How to give a SQLite engine real transactions, for the errors that need one.
"""


def _sqlite_driver(conn: sa.Connection) -> Any:
    """
    The ``sqlite3`` connection under *conn*, or ``None``.

    ``None`` for another database, or for a SQLite driver that does not say whether a
    transaction is open (``in_transaction``): pysqlite and pysqlcipher do.
    """
    if conn.dialect.name != "sqlite":
        return None
    driver = conn.connection.dbapi_connection
    if not isinstance(getattr(driver, "in_transaction", None), bool):
        return None
    return driver


def begin_sqlite(conn: sa.Connection, *, read: bool) -> None:
    """
    Make the transaction SQLAlchemy has just begun on *conn* a real SQLite transaction.

    For the store's own connections. An engine that emits ``BEGIN`` itself (`sqlite_engine`,
    SQLAlchemy's recipe) or runs the driver with ``autocommit=False`` is already in one,
    and nothing is done; on a plain engine the driver defers ``BEGIN`` to the first
    ``INSERT``/``UPDATE``/``DELETE`` (so ``CREATE TABLE`` and savepoints would commit on
    their own), and this emits it: ``BEGIN IMMEDIATE`` for writers, ``BEGIN`` for readers.

    Raises:
        StoreError: the driver runs with ``autocommit=True``, where commit and rollback do
            nothing.
    """
    driver = _sqlite_driver(conn)
    if driver is None or driver.in_transaction:
        return
    if getattr(driver, "autocommit", None) is True:
        raise StoreError(
            "the SQLite engine's connections run with autocommit=True: COMMIT and ROLLBACK "
            f"do nothing, so a transaction cannot be undone; {RECIPE}"
        )
    conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")


def check_joinable(conn: sa.Connection) -> None:
    """
    Refuse to join the caller's transaction on *conn* if SQLite would run outside it.

    With Python's ``sqlite3`` driver in its default (legacy) transaction control,
    SQLAlchemy's ``begin`` emits nothing: the driver begins a transaction at the first
    ``INSERT``/``UPDATE``/``DELETE`` only, so a savepoint or ``CREATE TABLE`` issued first
    commits on its own, and the caller's rollback would not undo recordkit's writes.
    Accepted: a connection with ``autocommit=False`` (Python 3.12 or later), or one whose
    engine (or connection) has a ``begin`` listener, as SQLAlchemy's recipe installs, and
    which is in a transaction once SQLAlchemy has begun one. The check reads attributes
    only; it changes nothing. Other databases are always accepted.

    Raises:
        StoreError: saying what is wrong and how to configure the engine.
    """
    driver = _sqlite_driver(conn)
    if driver is None:
        return
    autocommit = getattr(driver, "autocommit", None)  # Python 3.12 or later
    if autocommit is True:
        problem = "its connections run with autocommit=True, where ROLLBACK does nothing"
    elif autocommit is False:
        return  # the driver keeps a transaction open at all times (PEP 249)
    elif not conn.dispatch.begin:
        problem = (
            "nothing emits BEGIN: its connections have isolation_level=None and the engine "
            "has no 'begin' listener"
            if driver.isolation_level is None
            else "the sqlite3 driver's legacy transaction control defers BEGIN to the first "
            "INSERT, UPDATE or DELETE, so savepoints and CREATE TABLE commit on their own"
        )
    elif conn.in_transaction() and not driver.in_transaction:
        problem = "SQLite has no transaction open although SQLAlchemy has begun one"
    else:
        return
    raise StoreError(
        "cannot join this SQLite transaction: recordkit's writes would not be part of it "
        f"and would survive its rollback; {problem}. To join it, {RECIPE}"
    )


def _create_private(path: str) -> None:
    """
    Create an empty database file at *path* readable by its owner only (0600).

    SQLite creates the ``-wal`` and ``-shm`` files with the database file's permissions,
    so they are private too. A file that exists already is left as it is.
    """
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise StoreError(f"cannot create SQLite database {path!r}: {exc.strerror}") from None
    os.close(fd)


def translate(exc: BaseException, what: str) -> StoreError:
    """
    A `StoreError` explaining a database failure during *what*.
    """
    orig = getattr(exc, "orig", None) or exc
    text = " ".join(str(orig).split())
    low = text.lower()
    if isinstance(exc, sa.exc.IntegrityError):
        if "unique" in low or "duplicate" in low:
            return Duplicate(f"{what}: a unique key is taken ({shorten(text, 200)})")
        return StoreError(f"{what}: a constraint of the database refused it ({shorten(text, 200)})")
    if isinstance(exc, UnicodeError) or isinstance(orig, UnicodeError):
        return Unstorable(
            f"{what}: text that is not valid Unicode cannot be stored ({shorten(str(orig), 120)})"
        )
    if isinstance(exc, OverflowError) or isinstance(orig, OverflowError):
        return Unstorable(f"{what}: a number is too large for the database ({shorten(text, 120)})")
    if isinstance(exc, sa.exc.DataError):
        return Unstorable(f"{what}: the database cannot hold a value ({shorten(text, 200)})")
    if "database is locked" in low or "database table is locked" in low:
        return StoreError(
            f"{what}: the database is locked by another connection for longer than the "
            "timeout; nothing was written"
        )
    if "readonly database" in low or "read-only" in low or "read only" in low:
        return StoreError(f"{what}: the database is read-only; nothing was written")
    if "unable to open database" in low:
        return StoreError(f"{what}: cannot open the database file ({shorten(text, 200)})")
    if "file is not a database" in low or "malformed" in low:
        return StoreError(f"{what}: the file is not a usable SQLite database ({text[:200]})")
    if "no such table" in low or ("does not exist" in low and "relation" in low):
        return StoreError(
            f"{what}: a recordkit table is missing ({shorten(text, 200)}); "
            "open the store with create=True or run store.migrate()"
        )
    if isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError) and (
        "connect" in low or "connection" in low
    ):
        return StoreError(f"{what}: cannot reach the database ({shorten(text, 300)})")
    return StoreError(f"{what}: the database refused: {shorten(text, 300)}")
