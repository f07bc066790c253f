"""The SQLAlchemy internals the bulk write reads are there, shaped and meaning what it expects.

`recordkit.store.sql._bulk.executemany` hands rows to the driver itself, and to do so it
reads attributes of SQLAlchemy's compiled statement that are not public API. A SQLAlchemy
release that renames, removes or re-means one of them must fail here, naming the internal
and the version, instead of letting a bulk write put values in the wrong columns. Compiling
needs no server, so each internal is checked on both dialects; the write itself is then
compared with ``Connection.execute`` on a real database.
"""

from __future__ import annotations

import re
import tomllib
import warnings
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import pytest
import sqlalchemy as sa
from packaging.requirements import Requirement
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler

from recordkit.store.sql import _bulk
from recordkit.store.sql._bulk import INTERNALS, executemany, missing_internals
from tests.store.conftest import SQL_BACKENDS
from tests.store.examples import FULL, lead, sql

CHECKED_HERE = {
    "binds",
    "escaped_bind_names",
    "literal_execute_params",
    "post_compile_params",
    "positional",
    "positiontup",
    "string",
}
"""The internals this module checks, one test each: every one `_bulk` reads must be here."""

DIALECTS = [
    pytest.param(sqlite.dialect(), id="sqlite"),
    pytest.param(postgresql.psycopg.dialect(), id="postgresql"),  # type: ignore[no-untyped-call]
]

TABLE = sa.Table(
    "probe",
    sa.MetaData(),
    sa.Column("id", sa.String(20), primary_key=True),
    sa.Column("version", sa.Integer),
    sa.Column("doc", sa.JSON),
    sa.Column("odd name", sa.String(20)),
)
KEYS = ["id", "version", "doc"]
GUARD = sa.and_(TABLE.c.id == sa.bindparam("b_id"), TABLE.c.version == sa.bindparam("b_version"))


def broken(internal: str, problem: str) -> str:
    """The failure message: which internal, which SQLAlchemy, what to do."""
    return (
        f"SQLAlchemy {sa.__version__}: the compiled statement's {internal!r} {problem}. "
        "recordkit's bulk write (recordkit.store.sql._bulk) reads it to hand rows to the "
        "driver: adapt the fast path to this version before widening the SQLAlchemy bound "
        "in pyproject.toml"
    )


def compiled(statement: Any, dialect: Dialect, keys: Sequence[str] = ()) -> SQLCompiler:
    """*statement* compiled as `executemany` compiles it (checked to be an SQLCompiler)."""
    result = statement.compile(dialect=dialect, column_keys=list(keys) or None)
    assert isinstance(result, SQLCompiler), broken("class", f"is {type(result).__name__}")
    return result


def attribute(statement: SQLCompiler, name: str, shape: type | tuple[type, ...]) -> Any:
    """The internal *name* of *statement*, failing by name when it is missing or misshapen."""
    assert hasattr(statement, name), broken(name, "is missing")
    value = getattr(statement, name)
    assert isinstance(value, shape), broken(name, f"is a {type(value).__name__}")
    return value


@pytest.mark.parametrize("dialect", DIALECTS)
class TestCompiledStatement:
    def test_an_insert_compiles_to_an_sql_compiler(self, dialect: Dialect) -> None:
        """The fast path reads SQLCompiler attributes: the statement must be one."""
        compiled(TABLE.insert(), dialect, KEYS)

    def test_binds_maps_each_bind_name_to_its_parameter(self, dialect: Dialect) -> None:
        """``binds`` holds one BindParameter per bind: the columns given, and a guard's own."""
        insert = attribute(compiled(TABLE.insert(), dialect, KEYS), "binds", Mapping)
        update = attribute(
            compiled(TABLE.update().where(GUARD), dialect, ["b_id", "b_version", "doc"]),
            "binds",
            Mapping,
        )
        assert (set(KEYS), {"b_id", "b_version", "doc"}) == (
            set(insert),
            set(update),
        ), broken("binds", f"holds {sorted(insert)} and {sorted(update)}")
        assert all(isinstance(b, sa.BindParameter) for b in insert.values()), broken(
            "binds", "holds something else than BindParameter objects"
        )

    def test_escaped_bind_names_name_the_binds_the_sql_renames(self, dialect: Dialect) -> None:
        """A column name that cannot be a bind name is escaped, and says so: the rows' keys miss."""
        plain = attribute(compiled(TABLE.insert(), dialect, KEYS), "escaped_bind_names", Mapping)
        odd = attribute(
            compiled(TABLE.insert(), dialect, ["id", "odd name"]), "escaped_bind_names", Mapping
        )
        assert ({}, ["odd name"]) == (dict(plain), list(odd)), broken(
            "escaped_bind_names", f"is {dict(plain)} for plain names, {dict(odd)} for 'odd name'"
        )

    def test_post_compile_params_hold_expanding_binds(self, dialect: Dialect) -> None:
        """An expanding IN is rendered at execution: ``post_compile_params`` names it."""
        expanding = sa.select(TABLE.c.id).where(TABLE.c.id.in_(sa.bindparam("ids", expanding=True)))
        plain = attribute(
            compiled(TABLE.insert(), dialect, KEYS), "post_compile_params", Collection
        )
        found = attribute(compiled(expanding, dialect), "post_compile_params", Collection)
        assert ([], ["ids"]) == (list(plain), [b.key for b in found]), broken(
            "post_compile_params", f"is {plain!r} for an INSERT, {found!r} for an expanding IN"
        )

    def test_literal_execute_params_hold_literal_binds(self, dialect: Dialect) -> None:
        """A bind rendered as a literal at execution is listed in ``literal_execute_params``."""
        literal = sa.select(TABLE.c.id).where(
            TABLE.c.version == sa.bindparam("v", 1, literal_execute=True)
        )
        plain = attribute(
            compiled(TABLE.insert(), dialect, KEYS), "literal_execute_params", Collection
        )
        found = attribute(compiled(literal, dialect), "literal_execute_params", Collection)
        assert ([], ["v"]) == (list(plain), [b.key for b in found]), broken(
            "literal_execute_params", f"is {plain!r} for an INSERT, {found!r} for a literal"
        )

    def test_positional_says_whether_the_driver_takes_tuples(self, dialect: Dialect) -> None:
        """``positional`` follows the driver's paramstyle: tuples for qmark, dicts for pyformat."""
        positional = attribute(compiled(TABLE.insert(), dialect, KEYS), "positional", bool)
        expected = dialect.paramstyle in ("qmark", "format", "numeric", "numeric_dollar")
        assert expected == positional, broken(
            "positional", f"is {positional} for paramstyle {dialect.paramstyle!r}"
        )

    def test_positiontup_lists_the_binds_in_placeholder_order(self, dialect: Dialect) -> None:
        """The names in the order of the SQL's placeholders, whatever order the keys came in."""
        keys = ["b_version", "doc", "b_id"]
        statement = compiled(TABLE.update().where(GUARD), dialect, keys)
        order = attribute(statement, "positiontup", (Sequence, type(None)))
        if not statement.positional:
            return  # named parameters: the fast path does not read the order
        named: Dialect = cast(Any, type(dialect))(paramstyle="named")
        expected = re.findall(r":(\w+)", compiled(TABLE.update().where(GUARD), named, keys).string)
        assert ["doc", "b_id", "b_version"] == expected  # the named form: a control
        assert expected == list(order or ()), broken(
            "positiontup", f"is {order!r}, the placeholders are {expected}"
        )

    def test_string_is_the_sql(self, dialect: Dialect) -> None:
        """``string`` is the SQL text the driver gets."""
        statement = compiled(TABLE.insert(), dialect, KEYS)
        text = attribute(statement, "string", str)
        assert str(statement) == text, broken("string", f"is {text!r}, not {str(statement)!r}")
        assert text.startswith("INSERT INTO probe"), broken("string", f"is {text!r}")

    def test_json_has_a_bind_processor(self, dialect: Dialect) -> None:
        """The fast path applies each type's processor itself; JSON must have one to apply."""
        process = sa.JSON().dialect_impl(dialect).bind_processor(dialect)
        assert callable(process), broken("JSON bind processor", f"is {process!r}")

    def test_the_runtime_check_finds_nothing_missing(self, dialect: Dialect) -> None:
        """On this SQLAlchemy the fast path is taken: its own check passes."""
        missing = missing_internals(compiled(TABLE.insert(), dialect, KEYS))
        assert [] == missing, broken(", ".join(missing), "is missing or shaped otherwise")


def test_every_internal_the_fast_path_reads_is_checked_here() -> None:
    """A new internal in `_bulk.INTERNALS` needs a test of its own in this module."""
    assert CHECKED_HERE == set(INTERNALS)


def test_the_runtime_check_names_what_is_missing() -> None:
    """Something that is no compiled statement lacks every internal."""
    assert ["SQLCompiler", *INTERNALS] == missing_internals(object())


def test_the_sqlalchemy_requirement_has_an_upper_bound_this_version_meets() -> None:
    """Every extra asks for the same SQLAlchemy range, bounded above, and this one is in it."""
    pyproject = Path(__file__).parents[2] / "pyproject.toml"
    extras = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    found = {
        name: Requirement(line).specifier
        for name, lines in extras.items()
        for line in lines
        if Requirement(line).name.lower() == "sqlalchemy"
    }
    ranges = {str(spec) for spec in found.values()}
    assert {"sql", "postgres", "dev"} <= set(found)
    assert 1 == len(ranges), f"the extras ask for different SQLAlchemy ranges: {found}"
    spec = next(iter(found.values()))
    assert any(s.operator in ("<", "<=") for s in spec), f"no upper bound in {spec}"
    assert spec.contains(sa.__version__), f"SQLAlchemy {sa.__version__} is outside {spec}"


@pytest.fixture(params=SQL_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@contextmanager
def driver_calls(engine: sa.Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every (SQL, parameters) the driver is handed on *engine* inside the block."""
    calls: list[tuple[str, Any]] = []

    def seen(_c: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        calls.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        yield calls
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)


def comparable(parameters: Any) -> Any:
    """Driver parameters with psycopg's Json wrappers (no equality of their own) unwrapped."""
    if isinstance(parameters, list | tuple):
        return type(parameters)(comparable(p) for p in parameters)
    if isinstance(parameters, dict):
        return {k: comparable(v) for k, v in parameters.items()}
    return getattr(parameters, "obj", parameters)


class TestTheWrite:
    def rows(self, store: Any) -> list[dict[str, Any]]:
        codec = sql(store)._codec("lead")
        other = lead("other-2", name="Grace Hopper", visits=3, opted_in=True)
        return [codec.encode(FULL), codec.encode(other)]

    def through(
        self, store: Any, write: Callable[[sa.Connection, Any, list[dict[str, Any]]], Any]
    ) -> list[tuple[str, Any]]:
        """What the driver gets when *write* inserts the rows and updates them (rolled back)."""
        engine = sql(store).engine
        assert engine is not None
        table = sql(store).table("lead")
        guard = sa.and_(
            table.c.rk_id == sa.bindparam("b_id"),
            table.c.rk_version == sa.bindparam("b_version"),
        )
        updates = [
            {"b_id": r["rk_id"], "b_version": 1, "rk_version": 2, "name": "x"}
            for r in self.rows(store)
        ]
        with driver_calls(engine) as seen, engine.connect() as conn:
            write(conn, table.insert(), self.rows(store))
            write(conn, table.update().where(guard), updates)
            conn.rollback()
        writes = [(text, p) for text, p in seen if not text.startswith("BEGIN")]
        return [(text, comparable(parameters)) for text, parameters in writes]

    def test_the_driver_gets_what_connection_execute_would_send(self, store: Any) -> None:
        """The same SQL and the same processed parameters, for every column type recordkit uses."""
        expected = self.through(store, lambda conn, stmt, rows: conn.execute(stmt, rows))
        actual = self.through(store, executemany)
        assert len(expected) == len(actual) == 2
        assert expected == actual

    def test_a_missing_internal_takes_connection_execute_quietly(
        self, store: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without an internal, the write is SQLAlchemy's own: same rows, no warning."""
        monkeypatch.setattr(_bulk, "INTERNALS", {**INTERNALS, "no_such_internal": (str,)})
        monkeypatch.setattr(_bulk, "_checked", {})
        engine = sql(store).engine
        assert engine is not None
        executed: list[object] = []

        def execute(_conn: Any, statement: object, *_: Any) -> None:
            executed.append(statement)

        table = sql(store).table("lead")
        sa.event.listen(engine, "before_execute", execute)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                with engine.begin() as conn:
                    executemany(conn, table.insert(), self.rows(store))
        finally:
            sa.event.remove(engine, "before_execute", execute)
        assert 1 == len(executed)  # Connection.execute, once, for all rows
        assert [FULL] == [sql(store).get(FULL.id)]
