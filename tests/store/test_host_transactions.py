"""Joining the host application's transaction: inside it on every engine, or refused."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event
from sqlalchemy.orm import Session

import recordkit as rk
from recordkit import StoreError
from recordkit.store import SQLStore, sqlite_engine
from tests.store.examples import LEAD, lead

CONTACT = rk.bundled_schema("contact")


def plain_engine(url: str) -> sa.Engine:
    """What an application builds: the sqlite3 driver's legacy transaction control."""
    return sa.create_engine(url)


def recipe_engine(url: str) -> sa.Engine:
    """A plain engine with SQLAlchemy's documented recipe for SQLite transactions."""
    engine = sa.create_engine(url)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def no_begin_engine(url: str) -> sa.Engine:
    """Half the recipe: the driver defers nothing, but nothing emits BEGIN either."""
    engine = sa.create_engine(url)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    return engine


def tables(engine: sa.Engine) -> list[str]:
    """The tables in the database, read on a connection of its own."""
    with engine.connect() as conn:
        return sorted(sa.inspect(conn).get_table_names())


def count(engine: sa.Engine, schema: str = "lead") -> int:
    """The records of *schema* in the database, read on a connection of its own."""
    with engine.connect() as conn:
        return int(conn.exec_driver_sql(f"SELECT count(*) FROM rk_{schema}").scalar_one())


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'host.db'}"


@pytest.fixture
def made() -> Iterator[Callable[[sa.Engine], sa.Engine]]:
    """Remember engines to dispose of after the test."""
    engines: list[sa.Engine] = []

    def remember(engine: sa.Engine) -> sa.Engine:
        engines.append(engine)
        return engine

    yield remember
    for engine in engines:
        engine.dispose()


GOOD = [
    pytest.param(recipe_engine, id="sqlalchemy-recipe"),
    pytest.param(sqlite_engine, id="sqlite_engine"),
]
BAD = [
    pytest.param(plain_engine, id="plain"),
    pytest.param(no_begin_engine, id="isolation-none-without-begin"),
]


class TestPlainSQLiteEngine:
    @pytest.mark.parametrize("build", BAD)
    def test_opening_on_a_session_is_refused_before_any_table_is_made(
        self, build: Callable[[str], sa.Engine], url: str, made: Callable[[sa.Engine], sa.Engine]
    ) -> None:
        """The store's CREATE TABLE would commit on its own, so it is not run at all."""
        engine = made(build(url))
        with Session(engine) as session:
            with pytest.raises(StoreError) as caught:
                SQLStore(session, schemas=[LEAD])
            session.rollback()
        message = str(caught.value)
        assert "would survive its rollback" in message
        assert "sqlite_engine(url)" in message
        assert 'conn.exec_driver_sql("BEGIN")' in message
        assert "dbapi_connection.isolation_level = None" in message
        assert [] == tables(engine)

    @pytest.mark.parametrize("build", BAD)
    def test_a_view_on_a_session_writes_nothing(
        self, build: Callable[[str], sa.Engine], url: str, made: Callable[[sa.Engine], sa.Engine]
    ) -> None:
        """A view joined to the host's session refuses its first write; nothing is stored."""
        engine = made(build(url))
        store = SQLStore(engine, schemas=[LEAD])
        with Session(engine) as session:
            view = store.using(session)
            with pytest.raises(StoreError, match="cannot join this SQLite transaction"):
                view.put(lead("a", name="Ada"), expected_version=None)
            session.rollback()
        assert 0 == count(engine)

    def test_a_steward_on_the_host_session_writes_nothing(
        self, url: str, made: Callable[[sa.Engine], sa.Engine]
    ) -> None:
        """The issue's case: a steward joined to a plain engine's session is refused."""
        engine = made(plain_engine(url))
        store = SQLStore(engine, schemas=[CONTACT])
        with Session(engine) as session:
            steward = rk.Steward(CONTACT, store=store.using(session))
            with pytest.raises(StoreError, match="legacy transaction control"):
                steward.capture({"first_name": "Ada", "last_name": "Lovelace"}, source="app")
            session.rollback()
        assert 0 == count(engine, "contact")

    def test_a_view_on_a_connection_is_refused_at_once(
        self, url: str, made: Callable[[sa.Engine], sa.Engine]
    ) -> None:
        """A `Connection` can be checked when the view is made, before any call."""
        engine = made(plain_engine(url))
        store = SQLStore(engine, schemas=[LEAD])
        with engine.connect() as conn, pytest.raises(StoreError, match="defers BEGIN"):
            store.using(conn)

    def test_refused_even_when_the_host_wrote_first(
        self, url: str, made: Callable[[sa.Engine], sa.Engine]
    ) -> None:
        """A host INSERT opens the driver's transaction; the refusal does not depend on it."""
        engine = made(plain_engine(url))
        store = SQLStore(engine, schemas=[LEAD])
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE TABLE host_orders (id INTEGER)")
            conn.commit()
            conn.exec_driver_sql("INSERT INTO host_orders VALUES (1)")
            with pytest.raises(StoreError):
                store.using(conn)
            conn.rollback()

    def test_the_stores_own_transactions_are_atomic(
        self, url: str, made: Callable[[sa.Engine], sa.Engine]
    ) -> None:
        """On its own connections the store emits the BEGIN the driver defers."""
        engine = made(plain_engine(url))
        store = SQLStore(engine, schemas=[LEAD])

        def failing_block() -> None:
            with store.transaction():
                store.put(lead("a", name="Ada"), expected_version=None)
                with store.transaction():
                    store.put(lead("b", name="Bo"), expected_version=None)
                raise RuntimeError("the block fails after a released savepoint")

        with pytest.raises(RuntimeError):
            failing_block()
        assert [None, None] == store.get_many(["a", "b"])
        store.put(lead("c", name="Cy"), expected_version=None)
        assert 1 == count(engine)

    def test_the_host_engine_is_left_as_it_was(
        self, url: str, made: Callable[[sa.Engine], sa.Engine]
    ) -> None:
        """No listener is added and the host's own connections keep the driver's mode."""
        engine = made(plain_engine(url))
        store = SQLStore(engine, schemas=[LEAD])
        store.put(lead("a", name="Ada"), expected_version=None)
        with engine.connect() as conn:
            conn.begin()
            driver = conn.connection.dbapi_connection
            assert driver is not None
            assert (False, False, "") == (
                bool(engine.dispatch.begin),
                driver.in_transaction,
                driver.isolation_level,
            )


class TestEngineWithRealTransactions:
    @pytest.mark.parametrize("build", GOOD)
    def test_tables_made_in_a_rolled_back_session_are_gone(
        self, build: Callable[[str], sa.Engine], url: str, made: Callable[[sa.Engine], sa.Engine]
    ) -> None:
        """The store's DDL joins the host's transaction and rolls back with it."""
        engine = made(build(url))
        with Session(engine) as session:
            store = SQLStore(session, schemas=[LEAD])
            store.put(lead("a", name="Ada"), expected_version=None)
            assert "Ada" == store.get("a")["name"]
            session.rollback()
        assert [] == tables(engine)

    @pytest.mark.parametrize("build", GOOD)
    def test_a_steward_write_is_undone_by_the_hosts_rollback(
        self, build: Callable[[str], sa.Engine], url: str, made: Callable[[sa.Engine], sa.Engine]
    ) -> None:
        """Records and audit events written through a steward go with the host's rollback."""
        engine = made(build(url))
        store = SQLStore(engine, schemas=[CONTACT])
        with Session(engine) as session:
            steward = rk.Steward(CONTACT, store=store.using(session))
            steward.capture({"first_name": "Ada", "last_name": "Lovelace"}, source="app")
            session.rollback()
        assert (0, []) == (count(engine, "contact"), list(store.audit_log().events()))
        with Session(engine) as session, session.begin():
            steward = rk.Steward(CONTACT, store=store.using(session))
            steward.capture({"first_name": "Grace", "last_name": "Hopper"}, source="app")
        assert 1 == count(engine, "contact")

    @pytest.mark.parametrize("build", GOOD)
    def test_a_host_savepoint_undoes_only_its_part(
        self, build: Callable[[str], sa.Engine], url: str, made: Callable[[sa.Engine], sa.Engine]
    ) -> None:
        """Writes in a host savepoint roll back with it; the outer transaction keeps the rest."""
        engine = made(build(url))
        store = SQLStore(engine, schemas=[LEAD])
        with Session(engine) as session:
            view = store.using(session)
            view.put(lead("a", name="Ada"), expected_version=None)
            nested = session.begin_nested()
            view.put(lead("b", name="Bo"), expected_version=None)
            nested.rollback()
            view.put(lead("c", name="Cy"), expected_version=None)
            session.commit()
        assert ["Ada", None, "Cy"] == [
            r["name"] if r else None for r in store.get_many(["a", "b", "c"])
        ]

    @pytest.mark.parametrize("build", GOOD)
    def test_a_savepoint_opened_first_is_still_inside(
        self, build: Callable[[str], sa.Engine], url: str, made: Callable[[sa.Engine], sa.Engine]
    ) -> None:
        """A store write in a savepoint released before the host's rollback is undone too."""
        engine = made(build(url))
        store = SQLStore(engine, schemas=[LEAD])
        with engine.connect() as conn:
            view = store.using(conn)
            with conn.begin_nested():
                view.put(lead("a", name="Ada"), expected_version=None)
            conn.rollback()
        assert 0 == count(engine)

    @given(decisions=st.lists(st.booleans(), min_size=1, max_size=5))
    @settings(max_examples=15, deadline=None)
    def test_what_is_stored_is_what_the_host_committed(
        self, decisions: list[bool], tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        """Over any run of host transactions, exactly the committed ones leave records."""
        folder = tmp_path_factory.mktemp("host")
        engine = recipe_engine(f"sqlite:///{folder / 'host.db'}")
        try:
            store = SQLStore(engine, schemas=[LEAD])
            ids = (f"r{n}" for n in itertools.count())
            kept = []
            for commit in decisions:
                record_id = next(ids)
                with engine.connect() as conn:
                    store.using(conn).put(lead(record_id, name="X"), expected_version=None)
                    if commit:
                        conn.commit()
                        kept.append(record_id)
                    else:
                        conn.rollback()
            assert kept == sorted(r.id for page in store.iterate("lead") for r in page)
        finally:
            engine.dispose()


@pytest.mark.postgres
class TestPostgreSQL:
    def test_a_plain_engine_joins_and_rolls_back(self, postgres_url: str) -> None:
        """PostgreSQL needs nothing: the store's tables and writes roll back with the host."""
        engine = sa.create_engine(postgres_url)
        try:
            with Session(engine) as session:
                store = SQLStore(session, schemas=[LEAD], table_prefix="hosttx_")
                store.put(lead("a", name="Ada"), expected_version=None)
                nested = session.begin_nested()
                store.put(lead("b", name="Bo"), expected_version=None)
                nested.rollback()
                assert ["Ada", None] == [
                    r["name"] if r else None for r in store.get_many(["a", "b"])
                ]
                session.rollback()
            assert [] == [t for t in tables(engine) if t.startswith("hosttx_")]
        finally:
            engine.dispose()


class TestSqliteEngineSettings:
    @pytest.mark.parametrize("mib", [1, 64, 300])
    def test_each_connection_gets_the_page_cache_asked_for(self, tmp_path: Path, mib: int) -> None:
        """``cache_mib`` sets every pooled connection's page cache, in KiB as SQLite counts."""
        engine = sqlite_engine(f"sqlite:///{tmp_path / 'c.db'}", cache_mib=mib)
        try:
            a, b = engine.raw_connection(), engine.raw_connection()  # two pooled connections
            try:
                sizes = [c.cursor().execute("PRAGMA cache_size").fetchone()[0] for c in (a, b)]
            finally:
                a.close()
                b.close()
        finally:
            engine.dispose()
        assert [-mib * 1024] * 2 == sizes

    def test_a_store_opened_by_url_has_the_default_cache(self, tmp_path: Path) -> None:
        """A store opened with a URL builds its engine with 64 MiB of page cache."""
        with SQLStore(f"sqlite:///{tmp_path / 'd.db'}") as store:
            assert store.engine is not None
            with store.engine.connect() as conn:
                assert -64 * 1024 == conn.exec_driver_sql("PRAGMA cache_size").scalar()

    @pytest.mark.parametrize(
        ("name", "value"),
        [("cache_mib", 0), ("cache_mib", 1.5), ("cache_mib", True), ("cache_mib", 70000),
         ("timeout", -1), ("timeout", "10"), ("timeout", False)],
    )  # fmt: skip
    def test_bad_settings_are_refused_by_name(self, tmp_path: Path, name: str, value: Any) -> None:
        """A cache size or timeout of the wrong kind is a StoreError naming it, before any file."""
        path = tmp_path / "e.db"
        with pytest.raises(StoreError, match=name):
            sqlite_engine(f"sqlite:///{path}", **{name: value})
        assert not path.exists()
