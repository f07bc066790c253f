"""
One statement over many rows: SQLAlchemy's SQL and type processing, not its per-row upkeep.

``Connection.execute(statement, rows)`` rebuilds every row twice before the driver sees it
(once by bind name, once more to apply the bind processors), which costs a bulk write about
as much as encoding the records. `executemany` compiles the statement once for the
dialect, applies the same bind processors SQLAlchemy would (JSON, and on SQLite dates,
times, booleans and exact decimals) to the rows recordkit has just built, and hands them to
the driver's ``executemany`` through ``exec_driver_sql``: the same SQL and the same
parameters, inside the same transaction, with the same events and error wrapping. A
statement whose binds are not exactly the rows' keys (escaped names, defaults, expanding
parameters), or a connection that renames schemas (``schema_translate_map``), takes
SQLAlchemy's own road.

The fast road reads attributes of SQLAlchemy's compiled statement that are not public API
(`INTERNALS`). The first statement compiled by each compiler class is checked for them;
if one is missing or shaped otherwise (a SQLAlchemy release that changed them), every
statement of that class takes ``Connection.execute`` instead: slower, but the same rows,
and no warning. ``tests/store/test_sqlalchemy_internals.py`` checks each of them against
the installed SQLAlchemy, so an upgrade that changes them fails there, by name, and the
SQLAlchemy requirement in ``pyproject.toml`` has an upper bound for the same reason.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from operator import itemgetter
from typing import Any, Final, TypeGuard

import sqlalchemy as sa
from sqlalchemy.sql.compiler import SQLCompiler

__all__ = ["INTERNALS", "executemany", "missing_internals"]

INTERNALS: Final[Mapping[str, tuple[type, ...]]] = {
    "binds": (Mapping,),
    "escaped_bind_names": (Mapping,),
    "literal_execute_params": (Collection,),
    "post_compile_params": (Collection,),
    "positional": (bool,),
    "positiontup": (Sequence, type(None)),
    "string": (str,),
}
"""
The compiled statement's attributes `executemany` reads, and the types it expects of them:

- ``binds``: bind name → `BindParameter`, each bind the SQL holds;
- ``escaped_bind_names``: names SQLAlchemy rewrote in the SQL (the rows' keys would miss);
- ``literal_execute_params``, ``post_compile_params``: binds rendered at execution time;
- ``positional``: whether the driver takes tuples (its paramstyle is ``qmark``, ``format``
  or ``numeric``) rather than dicts;
- ``positiontup``: the bind names in the order of the placeholders in the SQL;
- ``string``: the SQL.
"""

_ABSENT: Final = object()

_checked: dict[type, bool] = {}
"""
Compiler class → whether it has every internal in `INTERNALS`, as expected (first use).
"""


def missing_internals(compiled: object) -> list[str]:
    """
    The `INTERNALS` *compiled* lacks or holds in another shape than expected (none: usable).
    """
    missing = [] if isinstance(compiled, SQLCompiler) else ["SQLCompiler"]
    missing.extend(
        name
        for name, shape in INTERNALS.items()
        if not isinstance(getattr(compiled, name, _ABSENT), shape)
    )
    return missing


def _usable(compiled: object) -> TypeGuard[SQLCompiler]:
    kind = type(compiled)
    usable = _checked.get(kind)
    if usable is None:
        usable = _checked[kind] = not missing_internals(compiled)
    return usable


def executemany(
    conn: sa.Connection, statement: sa.Insert | sa.Update, rows: Sequence[dict[str, Any]]
) -> sa.CursorResult[Any]:
    """
    Execute *statement* once per row of *rows* (all with the same keys), in one driver call.

    The rows are the caller's to give away: on named-parameter drivers they are processed
    in place.
    """
    dialect = conn.dialect
    keys = list(rows[0])
    compiled = statement.compile(dialect=dialect, column_keys=keys)
    if (
        not _usable(compiled)
        or conn.get_execution_options().get("schema_translate_map")
        or compiled.escaped_bind_names
        or compiled.literal_execute_params
        or compiled.post_compile_params
        or compiled.binds.keys() != set(keys)
    ):
        return conn.execute(statement, rows)
    processors: list[tuple[str, Callable[[Any], Any]]] = []
    for name, bind in compiled.binds.items():
        found = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if found is not None:
            processors.append((name, found))
    if compiled.positional:
        order = list(compiled.positiontup or ())
        if set(order) != compiled.binds.keys():
            return conn.execute(statement, rows)  # placeholders we cannot place
        by_name = dict(processors)
        at = [(i, by_name[k]) for i, k in enumerate(order) if k in by_name]
        get = itemgetter(*order)
        positional: list[tuple[Any, ...]] = []
        for row in rows:
            values = list(get(row)) if len(order) > 1 else [row[order[0]]]
            for i, process in at:
                values[i] = process(values[i])
            positional.append(tuple(values))
        return conn.exec_driver_sql(compiled.string, positional)
    for row in rows:
        for name, process in processors:
            row[name] = process(row[name])
    return conn.exec_driver_sql(compiled.string, rows)
