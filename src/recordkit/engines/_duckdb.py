"""
`DuckDBEngine`: the batch road over DuckDB relations (the ``duckdb`` extra).

The input is a DuckDB relation (a CSV or Parquet file, an Arrow table, a table of the
engine's database), read as Arrow record batches a chunk at a time through recordkit's
own rule code; the cleaned rows, the prepared columns and the result are held in this
process, as the in-process engine holds them. Blocking is a SQL self-join on
each rule's block codes; comparing runs recordkit's own comparators over batches of the
candidate pairs (never DuckDB's string similarity functions, which score differently);
clusters are connected components found in SQL by label propagation. DuckDB spills to
``temp_directory`` past ``memory_limit``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
from collections.abc import Iterator
from types import ModuleType
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from recordkit._errors import shorten
from recordkit._frames import frame_chunks, frame_kind
from recordkit._gc import collector_paused
from recordkit._suggest import close_matches
from recordkit.engines._assemble import Assembly
from recordkit.engines._matching import match_road
from recordkit.engines._read import Chunk, read_chunks
from recordkit.engines._result import EngineError, RoadResult, check_run, finish
from recordkit.match import Matcher, MergePolicy, Prepared
from recordkit.rules import RuleSet, run_chunk
from recordkit.schema import Schema

__all__ = ["DuckDBEngine"]

Ints = npt.NDArray[np.int64]
Levels = dict[str, npt.NDArray[np.int8]]

_PAIRS_PER_BATCH: Final = 1_000_000
_FILES: Final = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".parquet": "parquet"}


def _duckdb() -> ModuleType:
    try:
        return importlib.import_module("duckdb")
    except ImportError:
        raise EngineError(
            "DuckDBEngine needs duckdb, which is not installed: pip install 'recordkit[duckdb]'"
        ) from None


def _text(value: object, what: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str) or not value or "\x00" in value:
        raise EngineError(f"{what} must be a path or None, got {shorten(value)}")
    return value


class DuckDBEngine:
    """
    The batch road over DuckDB: for one big machine, a DuckDB database, files DuckDB reads.

    Gives what `InProcess` gives (the same normalized values, issues, pairs, weights and
    clusters): rules and comparators are recordkit's own, DuckDB does the reading, the
    joins and the clustering.

    Examples:
        >>> import datetime as dt
        >>> import recordkit as rk
        >>> from recordkit.engines import DuckDBEngine
        >>> rules = rk.RuleSet.for_schema(rk.bundled_schema("contact"))
        >>> ada = {"first_name": "Ada", "last_name": "Lovelace", "email": "ADA@example.com"}
        >>> result = DuckDBEngine().run([ada, dict(ada)], rules,
        ...                             at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        >>> result.total, [len(c) for c in result.clusters]
        (2, [2])

    Args:
        database: a DuckDB database file (``None``: in memory); its tables are sources
            through `connection` (``engine.connection.table("contacts")``).
        memory_limit: the most memory DuckDB uses before spilling to disk (``"4GB"``;
            ``None``: DuckDB's default, 80% of the machine's).
        temp_directory: where DuckDB spills (``None``: DuckDB's default, beside the
            database or ``.tmp``).
        threads: DuckDB's threads (``None``: one per core).

    Raises:
        EngineError: duckdb is not installed (the ``duckdb`` extra), an option is not
            what it should be, or DuckDB refuses a setting.

    .. versionadded:: 0.2.0
    """

    name: str = "duckdb"

    def __init__(
        self,
        *,
        database: str | os.PathLike[str] | None = None,
        memory_limit: str | None = None,
        temp_directory: str | os.PathLike[str] | None = None,
        threads: int | None = None,
    ) -> None:
        duckdb = _duckdb()
        self._duckdb = duckdb
        path = _text(database, "database")
        if memory_limit is not None and (not isinstance(memory_limit, str) or not memory_limit):
            raise EngineError(
                f"memory_limit must be text such as '4GB', got {shorten(memory_limit)}"
            )
        spill = _text(temp_directory, "temp_directory")
        if threads is not None and (
            isinstance(threads, bool) or not isinstance(threads, int) or threads < 1
        ):
            raise EngineError(
                f"threads must be a whole number of at least 1, got {shorten(threads)}"
            )
        try:
            self.connection: Any = duckdb.connect(path or ":memory:")
            if memory_limit is not None:
                self.connection.execute("SET memory_limit = ?", [memory_limit])
            if spill is not None:
                self.connection.execute("SET temp_directory = ?", [spill])
            if threads is not None:
                self.connection.execute(f"SET threads = {threads}")
            self.connection.execute("SET preserve_insertion_order = true")
        except duckdb.Error as exc:
            raise EngineError(
                f"DuckDB refused the engine's settings: {shorten(str(exc), 300)}"
            ) from None
        self.database = path
        self.memory_limit = memory_limit
        self.temp_directory = spill

    def __repr__(self) -> str:
        return f"DuckDBEngine(database={self.database!r}, memory_limit={self.memory_limit!r})"

    def run(
        self,
        source: object,
        rules: RuleSet,
        *,
        matcher: Matcher | None = None,
        policy: MergePolicy | None = None,
        at: dt.datetime | None = None,
        chunk_size: int = 10_000,
        channel: str | None = None,
    ) -> RoadResult:
        """
        Clean, validate, match and merge *source* over DuckDB: the whole batch road.

        Args:
            source: a CSV (``.csv``, ``.tsv``, ``.txt``) or Parquet file path, a DuckDB
                relation of this engine's `connection`, an Arrow table or record-batch
                reader, a pandas or polars DataFrame, or rows (mappings).
            rules: the rule set (a `recordkit.rules.RuleSet`).
            matcher: how to match (default: the schema's); fitted on the run's rows when
                it has no fitted model, as `Matcher.dedupe` does.
            policy: how clusters merge into golden records (default: the schema's).
            at: the time golden records are made at (default: now).
            chunk_size: rows per Arrow batch.
            channel: the source the rows come from (picks each field's ``on_invalid``).

        Raises:
            EngineError: a file is malformed or cannot be read, a file has a column the
                schema does not know, or DuckDB fails.
            RecordkitError: an argument is wrong.

        .. versionadded:: 0.2.0
        """
        rules, matcher, when = check_run(rules, matcher, policy, at, chunk_size, channel)
        duckdb = self._duckdb
        try:
            with collector_paused():
                assembly = Assembly(rules)
                memo: dict[str, Any] = {}
                for chunk in self._chunks(source, chunk_size, rules.schema):
                    result = run_chunk(rules, chunk.columns, chunk.length, offset=chunk.offset,
                                       memo=memo, channel=channel)  # fmt: skip
                    assembly.add(chunk, 0, result)
                outcome = assembly.outcome()
                ids = [str(n) for n in outcome.row_numbers]
                match = match_road(
                    _SqlWork(self.connection.cursor()), matcher, outcome.columns, ids
                )
                return finish(self.name, rules, outcome, match, policy, when)
        except duckdb.Error as exc:
            raise EngineError(f"DuckDB failed: {shorten(str(exc), 500)}") from None

    # -- reading --------------------------------------------------------------------------

    def _relation(self, source: object, schema: Schema) -> Any:
        duckdb = self._duckdb
        con = self.connection.cursor()  # its own connection to the database: no result of
        # the caller's left open on `connection` is in its way
        if isinstance(source, duckdb.DuckDBPyRelation):
            return source
        if isinstance(source, str | os.PathLike):
            path = os.fspath(source)
            kind = _FILES.get(os.path.splitext(str(path))[1].lower())
            if kind is None:
                raise EngineError(
                    f"cannot tell the kind of file {shorten(path, 200)}: name it .csv, .tsv, "
                    ".txt or .parquet"
                )
            if not os.path.isfile(path):
                raise EngineError(f"no such file: {shorten(path, 200)}")
            try:
                if kind == "parquet":
                    relation = con.read_parquet(str(path))
                else:
                    relation = con.read_csv(str(path), header=True, all_varchar=True)
                _check_columns(relation.columns, schema, str(path))
                return relation
            except duckdb.Error as exc:
                raise EngineError(
                    f"cannot read {shorten(path, 200)} as {kind}: {shorten(str(exc), 300)}"
                ) from None
        return None

    def _chunks(self, source: object, size: int, schema: Schema) -> Iterator[Chunk]:
        kinds = {f.name: f.type.kind for f in schema.fields}
        relation = self._relation(source, schema)
        if relation is None:  # a table or rows: read as the in-process engine reads them
            if frame_kind(source) is not None:
                relation = self.connection.cursor().from_arrow(_arrow(source))
            else:
                yield from read_chunks(source, size, schema)
                return
        reader = relation.to_arrow_reader(size)
        offset = 0
        for batch in reader:
            if not batch.num_rows:
                continue
            for columns, length in frame_chunks(batch, size, kinds=kinds):
                yield Chunk(columns, length, offset)
                offset += length


def _arrow(table: object) -> object:
    """
    A pandas or polars DataFrame as an Arrow table (an Arrow table as it is).
    """
    kind = frame_kind(table)
    if kind == "pandas":
        import pyarrow  # type: ignore[import-untyped]

        return pyarrow.Table.from_pandas(table, preserve_index=False)
    if kind == "polars":
        return table.to_arrow()  # type: ignore[attr-defined]
    return table


def _check_columns(columns: list[str], schema: Schema, where: str) -> None:
    for name in columns:
        if name not in schema.field_names:
            hint = close_matches(name, schema.field_names)
            maybe = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise EngineError(
                f"{shorten(where, 200)} has a column the schema {schema.name!r} does not know: "
                f"{shorten(name)}{maybe}"
            )


class _SqlWork:
    """
    Blocking and clustering in SQL, comparing over batches of pairs (`PairWork`).
    """

    def __init__(self, connection: Any) -> None:
        self.con = connection

    def candidates(self, matcher: Matcher, prepared: Prepared) -> tuple[Ints, Ints]:
        import pyarrow

        codes = {f"k{r}": rule.codes(prepared.columns) for r, rule in enumerate(matcher.blocking)}
        if not codes:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        keys = pyarrow.table({"rec": np.arange(len(prepared), dtype=np.int64), **codes})
        self.con.register("rk_keys", keys)
        try:
            selects = []
            for r in range(len(codes)):
                earlier = " OR ".join(f"(a.k{e} = b.k{e} AND a.k{e} >= 0)" for e in range(r))
                exclude = f" AND NOT ({earlier})" if earlier else ""
                selects.append(
                    f"SELECT a.rec AS l, b.rec AS r FROM rk_keys a JOIN rk_keys b "
                    f"ON a.k{r} = b.k{r} AND a.rec < b.rec WHERE a.k{r} >= 0{exclude}"
                )
            self.con.execute(
                "CREATE OR REPLACE TEMP TABLE rk_pairs AS " + " UNION ALL ".join(selects)
            )
        finally:
            self.con.unregister("rk_keys")
        lefts, rights = [], []
        reader = self.con.sql("SELECT l, r FROM rk_pairs ORDER BY l, r").to_arrow_reader(
            _PAIRS_PER_BATCH
        )
        for batch in reader:
            lefts.append(batch.column(0).to_numpy().astype(np.int64))
            rights.append(batch.column(1).to_numpy().astype(np.int64))
        self.con.execute("DROP TABLE rk_pairs")
        if not lefts:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(lefts), np.concatenate(rights)

    def compare(self, matcher: Matcher, prepared: Prepared, left: Ints, right: Ints) -> Levels:
        out: Levels = {c.name: np.zeros(len(left), np.int8) for c in matcher.comparisons}
        for s in range(0, len(left), _PAIRS_PER_BATCH):
            got = matcher.compare(
                prepared, left[s : s + _PAIRS_PER_BATCH], right[s : s + _PAIRS_PER_BATCH]
            )
            for name, levels in got.items():
                out[name][s : s + len(levels)] = levels
        return out

    def components(self, n: int, left: Ints, right: Ints) -> Ints:
        import pyarrow

        labels = np.arange(n, dtype=np.int64)
        if not len(left):
            return labels
        con = self.con
        con.register("rk_edges", pyarrow.table({"a": left, "b": right}))
        try:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE rk_e AS "
                "SELECT a, b FROM rk_edges UNION ALL SELECT b, a FROM rk_edges"
            )
        finally:
            con.unregister("rk_edges")
        con.execute(
            "CREATE OR REPLACE TEMP TABLE rk_lab AS SELECT DISTINCT a AS node, a AS label FROM rk_e"
        )
        while True:  # each round, a node takes the smallest label among its neighbours
            con.execute(
                "CREATE OR REPLACE TEMP TABLE rk_next AS "
                "SELECT l.node, LEAST(l.label, MIN(n.label)) AS label FROM rk_lab l "
                "JOIN rk_e e ON e.a = l.node JOIN rk_lab n ON n.node = e.b "
                "GROUP BY l.node, l.label"
            )
            changed = con.execute(
                "SELECT COUNT(*) FROM rk_next x JOIN rk_lab l USING (node) WHERE x.label < l.label"
            ).fetchone()[0]
            con.execute("CREATE OR REPLACE TEMP TABLE rk_lab AS SELECT * FROM rk_next")
            if not changed:
                break
        table = con.sql("SELECT node, label FROM rk_lab").to_arrow_table()
        labels[table.column("node").to_numpy()] = table.column("label").to_numpy()
        for name in ("rk_e", "rk_lab", "rk_next"):
            con.execute(f"DROP TABLE IF EXISTS {name}")
        return labels
