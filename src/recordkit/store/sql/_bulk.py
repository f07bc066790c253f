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
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

import sqlalchemy as sa

__all__ = ["executemany"]


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
    assert isinstance(compiled, sa.sql.compiler.SQLCompiler)
    if (
        conn.get_execution_options().get("schema_translate_map")
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
