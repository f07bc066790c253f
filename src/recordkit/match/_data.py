"""
Data in: columns, rows or `Record` values, turned into prepared columns and features.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from recordkit._errors import RecordkitError, SchemaError, shorten
from recordkit._frames import frame_chunks, frame_columns, frame_kind, frame_names
from recordkit._suggest import close_matches
from recordkit.match._check import items
from recordkit.match._factored import Factored, Gathered, Objects
from recordkit.match._prepare import Prep, prepare_factored
from recordkit.match.comparison import Comparator, Comparison
from recordkit.schema import Record

__all__ = ["Prepared", "read_data"]


def read_data(
    data: object,
    columns: Sequence[str],
    *,
    ids: Sequence[str] | None = None,
    schema: str | None = None,
    default_ids: str = "",
) -> tuple[dict[str, list[Any]], list[str]]:
    """
    The needed *columns* and the record ids of *data*.

    *data* is a mapping of column name → values, a sequence of mappings (rows) or
    `Record` values, or a table (a pandas or polars DataFrame, an Arrow table), read as
    its columns, a missing cell as ``None``; a table without a needed column is blank
    there, as rows without the key are, unless it has a column of a close name (a typo,
    refused). Ids come from *ids*, then records' ids or an
    ``id`` column, else from positions (``f"{default_ids}{i}"``).

    Raises:
        SchemaError: a needed column is absent from column data (or from a table that
            has a column of a close name), or a record is of another schema than *schema*.
        RecordkitError: the data is not one of those shapes, or ids are not unique text.
    """
    out: dict[str, list[Any]]
    found_ids: list[str] | None = None
    if frame_kind(data) is not None:
        data = _table_columns(data, columns)
    if isinstance(data, Mapping):
        n = None
        for name in columns:
            if name not in data:
                raise SchemaError(
                    f"the data has no column {name!r}",
                    suggestions=close_matches(name, [str(k) for k in data]),
                )
        out = {}
        for name in columns:
            col = data[name]
            if isinstance(col, str | bytes) or not isinstance(col, Iterable):
                raise RecordkitError(f"column {name!r} must be a sequence of values")
            out[name] = col if type(col) is list else list(col)  # only read, never changed
            if n is None:
                n = len(out[name])
            elif len(out[name]) != n:
                raise RecordkitError(f"column {name!r} has {len(out[name])} values, not {n}")
        if "id" in data and ids is None:
            found_ids = [str(x) for x in items(data["id"], "the id column")]
        length = n or 0
    elif isinstance(data, Iterable) and not isinstance(data, str | bytes):
        rows = list(data)
        out = {name: [] for name in columns}
        record_ids: list[str] = []
        for i, row in enumerate(rows):
            if isinstance(row, Record):
                if schema is not None and row.schema != schema:
                    raise SchemaError(
                        f"record {shorten(row.id)} is a {row.schema!r}; this matcher was "
                        f"built for {schema!r} records"
                    )
                values: Mapping[str, Any] = row.values
                record_ids.append(row.id)
            elif isinstance(row, Mapping):
                values = row
                if "id" in row:
                    record_ids.append(str(row["id"]))
            else:
                raise RecordkitError(
                    f"row {i}: expected a mapping or a Record, got {type(row).__name__}"
                )
            for name in columns:
                out[name].append(values.get(name))
        if len(record_ids) == len(rows):
            found_ids = record_ids
        length = len(rows)
    else:
        raise RecordkitError(
            f"matching takes columns (a mapping) or rows (a sequence), got {type(data).__name__}"
        )
    if ids is not None:
        found_ids = [str(x) for x in items(ids, "ids")]
        if len(found_ids) != length:
            raise RecordkitError(f"{len(found_ids)} ids given for {length} records")
    if found_ids is None:
        found_ids = [f"{default_ids}{i}" for i in range(length)]
    if len(set(found_ids)) != len(found_ids):
        raise RecordkitError("record ids must be unique within the data")
    return out, found_ids


def _table_columns(table: object, columns: Sequence[str]) -> dict[str, list[object]]:
    """
    The needed *columns* of a table (blank where it has none), and its ``id`` column.

    Raises:
        SchemaError: a needed column is absent and the table has one of a close name.
    """
    names = frame_names(table)
    for name in columns:
        near = () if name in names else close_matches(name, names)
        if near:
            raise SchemaError(f"the table has no column {name!r}", suggestions=near)
    out = frame_columns(table, (*columns, "id"))
    length = len(next(iter(out.values()))) if out else _rows(table)
    for name in columns:
        out.setdefault(name, [None] * length)
    return out


def _rows(table: Any) -> int:
    """
    The number of rows of a table none of whose columns is needed.
    """
    return sum(length for _, length in frame_chunks(table, 1_000_000))


_FEW_ROWS: Final = 16
"""
Up to this many rows already prepared, features are made value by value (`of_prepared`).
"""
_PLAIN: Final = Prep()
"""
How a column no `Prep` names is prepared (as text).
"""


def _features(
    comparators: Sequence[Comparator], make: Callable[[Comparator], dict[str, npt.NDArray[Any]]]
) -> tuple[dict[str, npt.NDArray[Any]], dict[str, tuple[str, ...]]]:
    """
    Every comparator's features (made by *make*, each key once) and each one's keys.
    """
    features: dict[str, npt.NDArray[Any]] = {}
    keys: dict[str, tuple[str, ...]] = {}
    for c in comparators:
        made = make(c)
        keys[c.name] = tuple(made)
        for key, arr in made.items():
            features.setdefault(key, arr)
    return features, keys


@attrs.frozen(eq=False)
class Prepared:
    """
    A dataset ready to match: ids, prepared columns and every comparison's features.

    ``source`` is 0/1 per row when two datasets are being linked.

    .. versionadded:: 0.1.0
    """

    ids: list[str]
    columns: dict[str, Objects]
    features: dict[str, npt.NDArray[Any]]
    keys: dict[str, tuple[str, ...]]
    source: npt.NDArray[np.int8] | None = None
    memo: dict[str, Any] = attrs.field(factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def build(
        cls,
        raw: Mapping[str, Sequence[Any]],
        ids: list[str],
        prep: Mapping[str, Prep],
        comparators: Sequence[Comparator],
        source: npt.NDArray[np.int8] | None = None,
    ) -> Prepared:
        """
        Prepare every column once, then compute each comparator's features.
        """
        factored = {
            name: prepare_factored(values, prep.get(name, _PLAIN)) for name, values in raw.items()
        }
        columns = {name: f.values() for name, f in factored.items()}
        # the built-in comparisons work once per distinct value
        features, keys = _features(
            comparators,
            lambda c: c.features(factored) if isinstance(c, Comparison) else c.features(columns),
        )
        return cls(ids, columns, features, keys, source, memo={"factored": factored})

    @classmethod
    def build_one(
        cls,
        raw: Mapping[str, Sequence[object]],
        ids: list[str],
        prep: Mapping[str, Prep],
        comparators: Sequence[Comparator],
    ) -> Prepared:
        """
        `build` for one record: each value prepared and each feature made on its own.

        The same arrays `build` makes for one row, without its work per column (a
        point-of-entry lookup prepares one record at a time).
        """
        values = {n: [prep.get(n, _PLAIN).function()(cells[0])] for n, cells in raw.items()}
        return cls._of_values(values, ids, comparators)

    @classmethod
    def _of_values(
        cls,
        values: Mapping[str, list[Any]],
        ids: list[str],
        comparators: Sequence[Comparator],
    ) -> Prepared:
        """
        A few rows of prepared *values*, each feature made value by value.
        """
        columns: dict[str, Objects] = {}
        for name, cells in values.items():
            column = np.empty(len(cells), dtype=object)
            for i, value in enumerate(cells):
                column[i] = value
            columns[name] = column
        features, keys = _features(
            comparators,
            lambda c: c._features_of(values) if isinstance(c, Comparison) else c.features(columns),
        )
        return cls(ids, columns, features, keys)

    @classmethod
    def of_prepared(
        cls,
        columns: Mapping[str, Sequence[object]],
        ids: list[str],
        comparators: Sequence[Comparator],
    ) -> Prepared:
        """
        Rows prepared already (a persistent index's stored values): features only.

        A few rows (a lookup's candidates) get each feature value by value.
        """
        if 0 < len(ids) <= _FEW_ROWS:
            return cls._of_values({k: list(v) for k, v in columns.items()}, ids, comparators)
        factored = {name: Factored.of(values) for name, values in columns.items()}
        prepared = {name: f.values() for name, f in factored.items()}
        features, keys = _features(
            comparators,
            lambda c: c.features(factored) if isinstance(c, Comparison) else c.features(prepared),
        )
        return cls(ids, prepared, features, keys)

    def gather(self, keys: Iterable[str], rows: npt.NDArray[np.int64]) -> Gathered:
        """
        The features *keys* at *rows* (one entry per pair side).
        """
        wanted = set(keys)
        return Gathered({k: v for k, v in self.features.items() if k in wanted}, rows)
