"""
Tables of other libraries, in and out: pandas and polars DataFrames, Arrow tables.

Reading: a pandas or polars ``DataFrame``, or a pyarrow ``Table``, ``RecordBatch`` or
``RecordBatchReader``, read as chunks of columns (`frame_chunks`) or as whole columns
(`frame_columns`), a column at a time with each library's own conversion to Python
values (never a dictionary per row). A missing cell (``None``, NaN, ``pd.NA``, ``NaT``,
null) becomes ``None``, exactly as a blank cell; given the kind of each column's field,
numbers reach a text field as their text (an integral float, which pandas makes of a
whole-number column with gaps, without its ``.0``) and a whole-number field as an ``int``.

Writing: `to_frame` builds a table of any of the three from columns of Python values. The
libraries are imported when used; a missing one raises a `RecordkitError` naming the extra
that installs it. Nothing here imports pandas, polars or pyarrow at import time.
"""

from __future__ import annotations

import datetime as dt
import decimal
import importlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final, Protocol

from recordkit._errors import RecordkitError, shorten

if TYPE_CHECKING:
    import pandas  # type: ignore[import-untyped]
    import polars
    import pyarrow  # type: ignore[import-untyped]

__all__ = [
    "LIBRARIES",
    "arrow_table",
    "check_part",
    "frame_chunks",
    "frame_columns",
    "frame_kind",
    "frame_names",
    "issue_columns",
    "library",
    "pandas_frame",
    "polars_frame",
    "rows_columns",
]

LIBRARIES: Final = ("pandas", "polars", "arrow")
"""
The table libraries a result converts to, by the name of the extra that installs each.
"""
_PACKAGES: Final = {"pandas": "pandas", "polars": "polars", "arrow": "pyarrow"}
_TEXT_KINDS: Final = frozenset(
    {"text", "email", "phone", "picklist", "url", "country", "subdivision", "reference"}
)
_WHOLE_KINDS: Final = frozenset({"integer", "boolean"})
_PLAIN: Final = (str, bool, int, float, decimal.Decimal, dt.date, dt.time, dt.timedelta, bytes)


def library(name: str, what: str) -> ModuleType:
    """
    Import the table library of extra *name* for *what*, or say how to install it.

    Raises:
        RecordkitError: the library is not installed (naming the extra).
    """
    package = _PACKAGES[name]
    try:
        return importlib.import_module(package)
    except ImportError:
        raise RecordkitError(
            f"{what} needs {package}, which is not installed: pip install 'recordkit[{name}]'"
        ) from None


# -- reading ------------------------------------------------------------------------------


def frame_kind(value: object) -> str | None:
    """
    ``"pandas"``, ``"polars"`` or ``"arrow"`` for a table of those; ``None`` otherwise.

    Raises:
        RecordkitError: *value* is another object of those libraries, one that is not a
            table (a Series, a LazyFrame, an Array), saying what to pass instead.
    """
    kind = type(value)
    module = kind.__module__.partition(".")[0]
    if module not in ("pandas", "polars", "pyarrow"):
        return None
    name = kind.__name__
    if module == "pandas" and name == "DataFrame":
        return "pandas"
    if module == "polars" and name == "DataFrame":
        return "polars"
    if module == "pyarrow" and name in ("Table", "RecordBatch", "RecordBatchReader"):
        return "arrow"
    advice = {
        "LazyFrame": "collect it first (frame.collect())",
        "Series": "make it a table first (series.to_frame())",
    }.get(name, "pass a DataFrame, an Arrow Table, RecordBatch or RecordBatchReader")
    raise RecordkitError(f"a {module} {name} is not a table of rows: {advice}")


def frame_names(frame: Any) -> list[str]:
    """
    The column names of a table (see `frame_kind`), as text.

    Raises:
        RecordkitError: two columns have the same name.
    """
    kind = frame_kind(frame)
    raw = list(frame.columns) if kind in ("pandas", "polars") else list(frame.schema.names)
    names = [n if isinstance(n, str) else str(n) for n in raw]
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise RecordkitError(f"the table has two columns named {shorten(twice)}")
    return names


def frame_chunks(
    frame: Any, size: int, *, kinds: Mapping[str, str] | None = None
) -> Iterator[tuple[dict[str, list[object]], int]]:
    """
    A table as chunks of *size* rows: ``(column → Python values, rows)`` pairs.

    *kinds* maps a column to the kind of the field it fills (``"phone"``, ``"integer"``),
    which decides how numbers are given (see the module's docstring).

    Raises:
        RecordkitError: *frame* is not a table, or two columns share a name.
    """
    kind = frame_kind(frame)
    if kind is None:
        raise RecordkitError(f"expected a DataFrame or an Arrow table, got {shorten(frame)}")
    names = frame_names(frame)
    kinds = kinds or {}
    if kind == "pandas":
        return _pandas_chunks(frame, names, size, kinds)
    if kind == "polars":
        return _polars_chunks(frame, names, size, kinds)
    return _arrow_chunks(frame, names, size, kinds)


def frame_columns(frame: Any, names: Iterable[str]) -> dict[str, list[object]]:
    """
    The columns *names* (those the table has) of a whole table, as lists of Python values.

    Raises:
        RecordkitError: *frame* is not a table, or two columns share a name.
    """
    wanted = set(names)
    out: dict[str, list[object]] = {n: [] for n in frame_names(frame) if n in wanted}
    for columns, _ in frame_chunks(frame, 1_000_000):
        for name in out:
            out[name].extend(columns[name])
    return out


def _pandas_chunks(
    frame: Any, names: list[str], size: int, kinds: Mapping[str, str]
) -> Iterator[tuple[dict[str, list[object]], int]]:
    total = len(frame)
    for start in range(0, max(total, 1), size):
        part = frame.iloc[start : start + size]
        missing = part.isna().to_numpy()
        columns: dict[str, list[object]] = {}
        for i, name in enumerate(names):
            values: list[object] = part.iloc[:, i].tolist()
            for row in missing[:, i].nonzero()[0].tolist():
                values[row] = None
            columns[name] = _given(values, kinds.get(name))
        yield columns, len(part)


def _polars_chunks(
    frame: Any, names: list[str], size: int, kinds: Mapping[str, str]
) -> Iterator[tuple[dict[str, list[object]], int]]:
    if frame.height == 0:
        yield {n: [] for n in names}, 0
        return
    for part in frame.iter_slices(n_rows=size):
        columns: dict[str, list[object]] = {}
        for name, series in zip(names, part.get_columns(), strict=True):
            if series.dtype.is_float():
                series = series.fill_nan(None)
            columns[name] = _given(series.to_list(), kinds.get(name))
        yield columns, part.height


def _arrow_chunks(
    frame: Any, names: list[str], size: int, kinds: Mapping[str, str]
) -> Iterator[tuple[dict[str, list[object]], int]]:
    pa = library("arrow", "reading an Arrow table")
    batches: Iterable[Any]
    if type(frame).__name__ == "RecordBatch":
        batches = [frame]
    elif type(frame).__name__ == "Table":
        batches = frame.to_batches()
    else:
        batches = frame  # a RecordBatchReader yields its batches
    empty = True
    held: list[Any] = []
    rows = 0
    for batch in batches:
        held.append(batch)
        rows += batch.num_rows
        while rows >= size:
            table = pa.Table.from_batches(held, schema=batch.schema)
            yield _arrow_columns(table.slice(0, size), names, kinds), size
            empty = False
            rest = table.slice(size)
            held, rows = rest.to_batches(), rest.num_rows
    if rows or empty:
        schema = held[0].schema if held else frame.schema
        table = pa.Table.from_batches(held, schema=schema)
        yield _arrow_columns(table, names, kinds), table.num_rows


def _arrow_columns(
    table: Any, names: list[str], kinds: Mapping[str, str]
) -> dict[str, list[object]]:
    pa = library("arrow", "reading an Arrow table")
    columns: dict[str, list[object]] = {}
    for name, column in zip(names, table.columns, strict=True):
        kind = column.type
        if pa.types.is_timestamp(kind) and kind.unit == "ns":
            column = column.cast(pa.timestamp("us", tz=kind.tz), safe=False)
        values: list[object] = column.to_pylist()
        if pa.types.is_floating(kind):
            values = [None if v != v else v for v in values]  # NaN is a blank cell
        columns[name] = _given(values, kinds.get(name))
    return columns


def _given(values: list[object], kind: str | None) -> list[object]:
    """
    *values* as a field of *kind* takes them: numbers as text, or integral floats as ints.
    """
    if kind in _TEXT_KINDS:
        return [_as_text(v) for v in values]
    if kind in _WHOLE_KINDS:
        return [int(v) if type(v) is float and v.is_integer() else v for v in values]
    return values


def _as_text(value: object) -> object:
    kind = type(value)
    if kind is int or kind is decimal.Decimal:
        return str(value)
    if kind is float:
        number: float = value  # type: ignore[assignment]
        return str(int(number)) if number.is_integer() else repr(number)
    return value


# -- writing ------------------------------------------------------------------------------


class IssueLike(Protocol):
    """
    What a table of issues reads of an issue (`recordkit.rules.Issue` has it all).
    """

    @property
    def row(self) -> int | None: ...
    @property
    def field(self) -> str | None: ...
    @property
    def rule(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def severity(self) -> object: ...
    @property
    def message(self) -> str: ...
    @property
    def value(self) -> object: ...
    @property
    def hint(self) -> str: ...


ISSUE_COLUMNS: Final = ("row", "field", "code", "severity", "message", "value", "hint", "rule")


def issue_columns(issues: Iterable[IssueLike]) -> dict[str, list[object]]:
    """
    One row per issue: row, field, code, severity, message, value (as text), hint, rule.
    """
    out: dict[str, list[object]] = {n: [] for n in ISSUE_COLUMNS}
    for issue in issues:
        out["row"].append(issue.row)
        out["field"].append(issue.field)
        out["code"].append(issue.code)
        out["severity"].append(str(issue.severity))
        out["message"].append(issue.message)
        out["value"].append(None if issue.value is None else _text(issue.value))
        out["hint"].append(issue.hint or None)
        out["rule"].append(issue.rule)
    return out


def rows_columns(
    rows: Sequence[Mapping[str, object]], leading: Mapping[str, list[object]]
) -> dict[str, list[object]]:
    """
    The *leading* columns, then one column per key of *rows*, in the order first seen.
    """
    out = {name: list(values) for name, values in leading.items()}
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(k for k in row if k not in out))
    for name in names:
        out[name] = [row.get(name) for row in rows]
    return out


def check_part(part: object, parts: Sequence[str]) -> str:
    """
    *part* when it is one of *parts*, else a `RecordkitError` naming them.
    """
    if not isinstance(part, str) or part not in parts:
        raise RecordkitError(f"part must be one of {', '.join(parts)}, got {shorten(part)}")
    return part


def pandas_frame(columns: Mapping[str, Sequence[object]], what: str) -> pandas.DataFrame:
    """
    A pandas DataFrame of *columns*; whole numbers and booleans with gaps are nullable.

    Raises:
        RecordkitError: pandas is not installed (naming the extra).
    """
    pd = library("pandas", what)
    data = {n: _pandas_column(pd, v) for n, v in columns.items()}
    return pd.DataFrame(data, columns=list(columns))


def polars_frame(columns: Mapping[str, Sequence[object]], what: str) -> polars.DataFrame:
    """
    A polars DataFrame of *columns*; a column of values polars cannot type is text.

    Raises:
        RecordkitError: polars is not installed (naming the extra).
    """
    pl = library("polars", what)
    frame: polars.DataFrame = pl.DataFrame([_polars_column(pl, n, v) for n, v in columns.items()])
    return frame


def arrow_table(columns: Mapping[str, Sequence[object]], what: str) -> pyarrow.Table:
    """
    An Arrow table of *columns*; a column of values Arrow cannot type is text.

    Raises:
        RecordkitError: pyarrow is not installed (naming the extra).
    """
    pa = library("arrow", what)
    arrays = [_arrow_column(pa, v) for v in columns.values()]
    return pa.Table.from_arrays(arrays, names=list(columns))


def _pandas_column(pd: Any, values: Sequence[object]) -> Any:
    present = [v for v in values if v is not None]
    if len(present) != len(values) and present:
        kinds = {type(v) for v in present}
        if kinds == {int} and all(-(2**63) <= v < 2**63 for v in present):  # type: ignore[operator]
            return pd.array(list(values), dtype="Int64")
        if kinds == {bool}:
            return pd.array(list(values), dtype="boolean")
    return list(values)


def _plain(values: Sequence[object]) -> list[object]:
    return [v if v is None or isinstance(v, _PLAIN) else _text(v) for v in values]


def _polars_column(pl: Any, name: str, values: Sequence[object]) -> Any:
    plain = _plain(values)
    try:
        return pl.Series(name, plain, strict=True)
    except Exception:  # mixed or out-of-range values: the column as text
        return pl.Series(name, [None if v is None else _text(v) for v in plain], dtype=pl.String)


def _arrow_column(pa: Any, values: Sequence[object]) -> Any:
    plain = _plain(values)
    try:
        return pa.array(plain)
    except Exception:  # mixed or out-of-range values: the column as text
        return pa.array([None if v is None else _text(v) for v in plain], type=pa.string())


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return str(value)
    except Exception:  # a hostile __str__ must not lose the row
        return shorten(value, 1_000)
