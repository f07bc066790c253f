"""What only the SQL adapter has: tables, bad databases, migrations, joining host transactions."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from recordkit import ConflictError, Field, Integer, Schema, StoreError, Text
from recordkit.store import SQLStore, sqlite_engine
from tests.store.conftest import SQL_BACKENDS, MakeStore
from tests.store.examples import COMPANY, FULL, LEAD, lead, sql


@pytest.fixture(params=SQL_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class TestTables:
    def test_typed_columns(self, make_store: MakeStore) -> None:
        store = sql(make_store())
        assert store.engine is not None
        columns = {
            c["name"]: type(c["type"]).__name__.upper()
            for c in sa.inspect(store.engine).get_columns(store.table("lead").name)
        }
        wanted = {"born": "DATE", "visits": "BIGINT", "opted_in": "BOOLEAN", "name": "TEXT"}
        assert wanted == {k: columns[k] for k in wanted}
        assert {"budget", "budget__currency", "rk_provenance", "rk_version"} <= set(columns)

    def test_identity_keys_are_indexed(self, make_store: MakeStore) -> None:
        store = sql(make_store())
        assert store.engine is not None
        indexed = {
            tuple(i["column_names"])
            for i in sa.inspect(store.engine).get_indexes(store.table("lead").name)
        }
        assert {("email",), ("name", "born"), ("rk_stage",), ("rk_state",)} <= indexed

    def test_extra_blocking_keys_are_indexed(self, make_store: MakeStore) -> None:
        store = sql(make_store(indexes={"lead": [["state", "visits"]]}))
        assert store.engine is not None
        indexed = {
            tuple(i["column_names"])
            for i in sa.inspect(store.engine).get_indexes(store.table("lead").name)
        }
        assert ("state", "visits") in indexed

    @pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
    def test_duplicate_check_is_an_index_lookup(self, make_store: MakeStore) -> None:
        store = sql(make_store())
        assert store.engine is not None
        table = store.table("lead").name
        with store.engine.connect() as conn:
            plan = conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN SELECT rk_id FROM {table} WHERE email = 'a@b.co'"
            ).all()
        assert "USING INDEX" in " ".join(str(row) for row in plan)


class TestBind:
    def test_session_joins_the_callers_transaction(self, make_store: MakeStore) -> None:
        store = sql(make_store())
        assert store.engine is not None
        with Session(store.engine) as session:
            view = store.using(session)
            view.put(lead("a", name="Ada"), expected_version=None)
            view.audit_log().append(
                at=dt.datetime.now(dt.UTC),
                actor="a",
                action="create",
                schema="lead",
                record_ids=["a"],
            )
            assert ([None], "Ada") == (store.get_many(["a"]), view.get("a")["name"])
            session.rollback()
        with Session(store.engine) as session, session.begin():
            store.using(session).put(lead("b", name="Bo"), expected_version=None)
        # the rolled-back put and event are gone; the committed put left its own event
        assert ([None, "Bo"], [("store.put", ("b",))]) == (
            [r["name"] if r else None for r in store.get_many(["a", "b"])],
            [(e.action, e.record_ids) for e in store.audit_log().events()],
        )

    def test_host_statements_join_a_transaction(self, make_store: MakeStore) -> None:
        store = sql(make_store())
        table = store.table("company")
        now = dt.datetime.now(dt.UTC)
        row = {
            "rk_id": "c1",
            "rk_version": 1,
            "rk_state": "x",
            "rk_created_at": now,
            "rk_updated_at": now,
            "rk_provenance": {},
        }

        def host_work() -> None:
            with store.transaction() as conn:
                conn.execute(table.insert(), row)
                store.put(lead("a", name="Ada"), expected_version=None)
                raise RuntimeError("host failure")

        with pytest.raises(RuntimeError):
            host_work()
        assert [None, None] == store.get_many(["c1", "a"])

    def test_engine_bind(self, database_url: Callable[[str], str], backend: str) -> None:
        engine = sa.create_engine(database_url(backend))
        try:
            store = SQLStore(engine, schemas=[LEAD, COMPANY], table_prefix="eng_")
            store.put(FULL, expected_version=None)
            assert FULL == store.get(FULL.id)
        finally:
            engine.dispose()

    @pytest.mark.postgres
    def test_postgres_reads_outside_a_transaction_open_none(
        self, database_url: Callable[[str], str]
    ) -> None:
        """
        On PostgreSQL, a store made from a URL reads outside a transaction in autocommit
        (no BEGIN, no ROLLBACK: each statement is its own snapshot, as under READ COMMITTED),
        and writes inside one; the values read are the values written.
        """
        store = SQLStore(database_url("postgres"), schemas=[LEAD], table_prefix="ac_")
        assert store.engine is not None
        states: list[tuple[str, str]] = []

        @sa.event.listens_for(store.engine, "after_cursor_execute")
        def seen(conn: sa.Connection, cursor: object, statement: str, *_: object) -> None:
            status = conn.connection.driver_connection.info.transaction_status.name  # type: ignore[union-attr]
            states.append((statement.split()[0].upper(), status))

        try:
            store.put(FULL, expected_version=None)
            written = list(states)
            states.clear()
            assert FULL == store.get(FULL.id)
            read = list(states)
        finally:
            store.close()
        assert {"INTRANS"} == {status for verb, status in written if verb == "INSERT"}
        assert read
        assert {"IDLE"} == {status for _, status in read}

    @pytest.mark.postgres
    def test_postgres_pings_only_an_idle_connection(
        self, database_url: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """
        A pooled connection handed out a moment ago is used without a ping (no round trip);
        one unused for longer than IDLE_PING is pinged first, and replaced when its server
        session is gone, so the read still succeeds.
        """
        from recordkit.store.sql import _session

        store = SQLStore(database_url("postgres"), schemas=[LEAD], table_prefix="ping_")
        assert store.engine is not None
        dialect = store.engine.dialect
        pings: list[object] = []
        ping = dialect.do_ping

        def counted(dbapi_connection: Any) -> bool:
            pings.append(dbapi_connection)
            return bool(ping(dbapi_connection))

        monkeypatch.setattr(dialect, "do_ping", counted)
        try:
            store.put(FULL, expected_version=None)
            for _ in range(3):
                assert FULL == store.get(FULL.id)
            assert [] == pings
            with store.engine.connect() as conn:
                backend = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            killer = sa.create_engine(database_url("postgres"))
            with killer.connect() as conn:
                conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": backend})
                conn.commit()
            killer.dispose()
            later = time.monotonic() + 2 * _session.IDLE_PING
            monkeypatch.setattr(_session, "monotonic", lambda: later)
            assert FULL == store.get(FULL.id)
            assert 1 == len(pings)
        finally:
            store.close()

    @pytest.mark.parametrize(
        "bind",
        [
            pytest.param(42, id="number"),
            pytest.param("not a url", id="garbage-url"),
            pytest.param("nosuchdriver://x", id="unknown-driver"),
        ],
    )
    def test_garbage_bind(self, bind: object) -> None:
        with pytest.raises(StoreError):
            SQLStore(bind)  # type: ignore[arg-type]

    @pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
    def test_unregistered_schema(self, make_store: MakeStore) -> None:
        store = make_store((COMPANY,))
        with pytest.raises(StoreError, match="not registered"):
            store.put(lead("a", name="A"), expected_version=None)


class TestBadDatabase:
    def test_missing_folder(self, tmp_path: Path) -> None:
        with pytest.raises(StoreError, match="no folder"):
            SQLStore(f"sqlite:///{tmp_path / 'nope' / 'x.db'}")

    def test_missing_file_without_create(self, tmp_path: Path) -> None:
        with pytest.raises(StoreError, match="no SQLite database"):
            SQLStore(f"sqlite:///{tmp_path / 'x.db'}", create=False)
        assert not (tmp_path / "x.db").exists()

    def test_not_a_database(self, tmp_path: Path) -> None:
        (tmp_path / "x.db").write_bytes(b"this is a text file, not SQLite" * 100)
        with pytest.raises(StoreError, match="not a usable SQLite database"):
            SQLStore(f"sqlite:///{tmp_path / 'x.db'}")

    def test_read_only(self, tmp_path: Path) -> None:
        path = tmp_path / "x.db"
        SQLStore(f"sqlite:///{path}", schemas=[LEAD]).close()
        store = SQLStore(f"sqlite:///file:{path}?mode=ro&uri=true", schemas=[LEAD])
        with pytest.raises(StoreError, match="read-only"):
            store.put(lead("a", name="A"), expected_version=None)
        assert ([None], 0) == (store.get_many(["a"]), store.count("lead"))
        store.close()

    def test_locked(self, tmp_path: Path) -> None:
        path = tmp_path / "x.db"
        store = SQLStore(f"sqlite:///{path}", schemas=[LEAD], timeout=0.2)
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StoreError, match="locked"):
                store.put_many([lead("a", name="A"), lead("b", name="B")])
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert [None, None] == store.get_many(["a", "b"])
        store.close()

    @pytest.mark.parametrize(
        ("sql_text", "column"),
        [
            pytest.param("UPDATE {t} SET born = 'last tuesday'", "born", id="date-garbage"),
            pytest.param("UPDATE {t} SET visits = 'many'", "visits", id="int-holds-text"),
            pytest.param(
                "UPDATE {t} SET rk_provenance = '{{broken'", "rk_provenance", id="broken-json"
            ),
            pytest.param(
                "UPDATE {t} SET rk_provenance = '{{\"name\": 5}}'",
                "rk_provenance",
                id="json-wrong-shape",
            ),
            pytest.param(
                "UPDATE {t} SET rk_created_at = 'yesterday'", "rk_created_at", id="missing-time"
            ),
        ],
    )
    @pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
    def test_rows_edited_behind_our_back(
        self, make_store: MakeStore, sql_text: str, column: str
    ) -> None:
        store = sql(make_store())
        store.put(lead("good", name="G", visits=1, born=dt.date(2000, 1, 1)), expected_version=None)
        assert store.engine is not None
        with store.engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
            conn.exec_driver_sql(sql_text.format(t=store.table("lead").name))
        for read in (lambda: store.get("good"), lambda: store.query("lead")):
            with pytest.raises(StoreError) as info:
                read()
            assert "'good'" in str(info.value)
            assert column in str(info.value)


def v2(schema: Schema = LEAD) -> Schema:
    """*schema* one version on, with a new field and a new identity key."""
    return Schema(
        schema.name,
        [*schema.fields, Field("rating", Integer())],
        version=schema.version + 1,
        identity=[*schema.identity, ("rating",)],
        owner_field=schema.owner_field,
    )


class TestMigrations:
    def test_older_schema_is_refused_with_the_way_forward(self, make_store: MakeStore) -> None:
        make_store((LEAD,)).put(lead("a", name="A"), expected_version=None)
        with pytest.raises(StoreError) as info:
            make_store((v2(),))
        assert all(s in str(info.value) for s in ("rating", "missing", "migrate=True", "v2"))

    def test_migrate_adds_columns_and_indexes_and_keeps_data(self, make_store: MakeStore) -> None:
        make_store((LEAD,)).put(lead("a", name="A"), expected_version=None)
        store = make_store((v2(),), migrate=True)
        store.put(lead("a", name="A", version=2, rating=5), expected_version=1)
        again = make_store((v2(),))  # the migrated table now matches: no error
        assert (5, "A") == (again.get("a")["rating"], again.get("a")["name"])

    def test_migration_script_for_alembic(self, make_store: MakeStore) -> None:
        store = sql(make_store((LEAD,)))
        text = store.migration_script(v2())
        assert "op.add_column" in text
        assert "rating" in text
        assert "op.create_index" in text

    def test_newer_table_is_refused(self, make_store: MakeStore) -> None:
        make_store((v2(),))
        with pytest.raises(StoreError, match="newer"):
            make_store((LEAD,))

    def test_changed_type_needs_a_hand_written_migration(self, make_store: MakeStore) -> None:
        make_store((COMPANY,))
        changed = Schema(
            "company",
            [Field("name", Integer()), Field("domain", Text())],
            version=2,
            identity=["domain"],
        )
        with pytest.raises(StoreError, match="cannot migrate automatically"):
            make_store((changed,), migrate=True)

    def test_reregistering_another_definition(self, make_store: MakeStore) -> None:
        store = make_store((LEAD,))
        with pytest.raises(StoreError, match="different definition"):
            store.register(v2())


class TestValuesDatabasesRefuse:
    @pytest.mark.parametrize(
        "backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
    )
    def test_nul_in_text_on_postgres(self, make_store: MakeStore) -> None:
        store = make_store()
        with pytest.raises(StoreError, match="NUL"):
            store.put(lead("a", name="A\x00B"), expected_version=None)
        assert [None] == store.get_many(["a"])

    def test_integer_beyond_64_bits(self, make_store: MakeStore) -> None:
        store = make_store()
        with pytest.raises(StoreError, match="visits"):
            store.put(lead("a", visits=2**64), expected_version=None)

    def test_wrong_python_type(self, make_store: MakeStore) -> None:
        store = make_store()
        with pytest.raises(StoreError, match="born"):
            store.put(lead("a", born="1990-01-01"), expected_version=None)

    def test_lone_surrogate(self, make_store: MakeStore) -> None:
        store = make_store()
        with pytest.raises(StoreError):
            store.put(lead("a", name="\ud800"), expected_version=None)
        assert [None] == store.get_many(["a"])

    def test_conflict_inside_a_host_transaction_leaves_it_usable(
        self, make_store: MakeStore
    ) -> None:
        store = make_store()
        store.put(lead("a", name="A"), expected_version=None)
        with store.transaction():
            with pytest.raises(ConflictError):
                store.put_many([lead("a", name="again")])
            store.put(lead("b", name="B"), expected_version=None)
        assert "B" == store.get("b")["name"]


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


class TestOptionalExtra:
    def test_core_import_does_not_load_sqlalchemy(self) -> None:
        done = run_python("import sys, recordkit; print('sqlalchemy' in sys.modules)")
        assert ("False", 0) == (done.stdout.strip(), done.returncode)

    def test_install_hint_without_sqlalchemy(self) -> None:
        done = run_python("""
            import sys
            sys.modules["sqlalchemy"] = None
            import recordkit.store
            try:
                recordkit.store.SQLStore
            except ImportError as exc:
                print(exc)
        """)
        assert "pip install 'recordkit[sql]'" in done.stdout


def test_sqlite_engine_refuses_other_urls() -> None:
    with pytest.raises(StoreError):
        sqlite_engine("postgresql://x/y")


class Injected(Exception):
    pass


class TestCrashSafety:
    def test_a_failure_at_every_statement_of_a_merge_leaves_neither_half(
        self, make_store: MakeStore
    ) -> None:
        """The database itself fails at statement k of put_merge, for every k."""
        from tests.store.test_history import merge_of, merge_writes, seeded, snapshot

        def run(store: SQLStore, fail_at: int | None) -> int:
            assert store.engine is not None
            seen = 0

            def count(*_: object) -> None:
                nonlocal seen
                seen += 1
                if seen == fail_at:
                    raise Injected(f"statement {seen}")

            sa.event.listen(store.engine, "before_cursor_execute", count)
            try:
                store.put_merge(merge_of(), merge_writes())  # type: ignore[arg-type]
            finally:
                sa.event.remove(store.engine, "before_cursor_execute", count)
            return seen

        probe = sql(seeded(make_store()))
        statements = run(probe, None)
        assert statements >= 5  # three writes, the lineage and its members
        for k in range(1, statements + 1):
            store = sql(seeded(make_store(table_prefix=f"{probe.fixed.audit.name[:-5]}k{k}_")))
            before = snapshot(store)
            with pytest.raises((Injected, StoreError)):
                run(store, k)
            assert before == snapshot(store), f"statement {k}"


class TestUpsertRace:
    @pytest.mark.parametrize(
        "backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
    )
    def test_a_row_changed_meanwhile_rolls_the_upsert_back(self, make_store: MakeStore) -> None:
        """Another writer commits between the upsert's read and its write: nothing is lost."""
        store = sql(make_store())
        store.put_many([lead("a", name="A"), lead("b", name="B")])
        other = sql(make_store())
        assert store.engine is not None
        fired: list[bool] = []

        def meanwhile(_conn: object, _cursor: object, statement: str, *_: object) -> None:
            if statement.lstrip().upper().startswith("UPDATE") and not fired:
                fired.append(True)
                other.put(lead("b", name="Other", version=2), expected_version=1)

        later = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
        sa.event.listen(store.engine, "before_cursor_execute", meanwhile)
        try:
            with pytest.raises(ConflictError):
                store.upsert_many([lead("a", name="A2", at=later), lead("b", name="B2", at=later),
                                   lead("c", name="C", at=later)])  # fmt: skip
        finally:
            sa.event.remove(store.engine, "before_cursor_execute", meanwhile)
        assert ["A", "Other", None] == [
            r["name"] if r else None for r in store.get_many(["a", "b", "c"])
        ]
