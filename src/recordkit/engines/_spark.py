"""
`SparkEngine`: the batch road on Apache Spark (the ``spark`` extra), for a cluster.

Rows are cleaned where they lie: a CSV or Parquet file or a Spark DataFrame is read by
Spark and each partition's Arrow batches go through recordkit's own rules in
``mapInArrow``, the rule set shipped once to every worker as a broadcast. Rows held by
this Python (mappings, a pandas, polars or Arrow table) go to Spark first. What needs the
whole run in row order (uniqueness across rows, the quarantine, the model, golden
records) is done on the driver from the cleaned chunks; blocking, comparing and
clustering run on Spark (see `recordkit.engines._spark_work`).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from types import ModuleType
from typing import Any, Final

import attrs
import numpy as np

from recordkit._errors import shorten
from recordkit._frames import frame_kind
from recordkit._gc import collector_paused
from recordkit._suggest import close_matches
from recordkit.engines._assemble import Assembly
from recordkit.engines._matching import match_road
from recordkit.engines._read import Chunk, read_chunks
from recordkit.engines._result import EngineError, RoadResult, check_run, finish
from recordkit.engines._ship import dumps, loads
from recordkit.engines._spark_tasks import (
    CLEANED,
    CORRUPT,
    Shipped,
    clean_frames,
    clean_shipped,
)
from recordkit.engines._spark_work import (
    SparkWork,
    arrow_of,
    frame_of,
    map_in_arrow,
    ship,
    spark_error,
    spark_reason,
)
from recordkit.match import Matcher, MergePolicy
from recordkit.rules import ChunkResult, RuleSet
from recordkit.schema import Schema

__all__ = ["SparkEngine"]

_FILES: Final = {".csv": ",", ".tsv": "\t", ".txt": ",", ".parquet": None}
_INSTALL: Final = (
    "SparkEngine needs pyspark, which is not installed: pip install 'recordkit[spark]'"
)


def _pyspark() -> ModuleType:
    try:
        importlib.import_module("pyarrow")
        return importlib.import_module("pyspark.sql")
    except ImportError:
        raise EngineError(_INSTALL) from None


def _errors() -> tuple[type[BaseException], ...]:
    from py4j.protocol import Py4JError  # type: ignore[import-untyped]
    from pyspark.errors import PySparkException

    found: tuple[type[BaseException], ...] = (PySparkException, Py4JError)
    return found


def java_found() -> str | None:
    """
    The ``java`` Spark will start: ``$JAVA_HOME/bin/java``, else the one on ``PATH``.
    """
    home = os.environ.get("JAVA_HOME")
    if home:
        path = os.path.join(home, "bin", "java")
        return path if os.access(path, os.X_OK) else None
    return shutil.which("java")


def _session(sql: ModuleType, master: str | None, config: Mapping[str, str]) -> Any:
    active = sql.SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    if java_found() is None:
        raise EngineError(
            "SparkEngine starts Spark, which needs Java 17 or later, and none was found "
            "(JAVA_HOME is not set and there is no java on PATH): install it (Debian and "
            "Ubuntu: apt-get install openjdk-17-jre-headless) or set JAVA_HOME"
        )
    builder = sql.SparkSession.builder.master(master or "local[*]").appName("recordkit")
    settings = {"spark.sql.session.timeZone": "UTC", **config}
    for key, value in settings.items():
        builder = builder.config(key, value)
    failures: tuple[type[BaseException], ...] = (RuntimeError, OSError, *_errors())
    try:
        session = builder.getOrCreate()
    except failures as exc:
        raise EngineError(f"cannot start Spark: {spark_reason(exc)}") from None
    # the Python workers run this Python, which has recordkit, unless told otherwise
    session.sparkContext.pythonExec = settings.get(
        "spark.pyspark.python", os.environ.get("PYSPARK_PYTHON") or sys.executable
    )
    return session


class SparkEngine:
    """
    The batch road on Apache Spark: for data that lives on a cluster.

    Gives what `InProcess` gives (the same normalized values, issues, pairs, weights and
    clusters): rules and comparators are recordkit's own, run in ``mapInArrow`` over the
    partitions; Spark reads the data, joins on the blocking keys and finds the clusters.
    The rule set travels to the workers once, as a broadcast; the matcher as plain data
    (its settings and model as JSON), so a model trained anywhere scores the same here.

    Examples:
        >>> from recordkit.engines import SparkEngine  # doctest: +SKIP
        >>> engine = SparkEngine(master="local[2]")  # doctest: +SKIP
        >>> result = engine.run("contacts.parquet", rules)  # doctest: +SKIP

    Args:
        spark: the Spark session to run on (``None``: the active one, or a new one).
        master: the master a new session connects to (``"local[*]"``,
            ``"spark://host:7077"``); given, a new session is made even when one is
            active. ``None``: the active session, else ``"local[*]"``.
        partitions: partitions for the pairs compared and for rows given in this Python
            (``None``: the session's default parallelism). Files and Spark DataFrames
            keep their own partitions.
        config: Spark settings for a new session (``{"spark.executor.memory": "4g"}``).

    Raises:
        EngineError: pyspark is not installed (the ``spark`` extra), Java is missing, an
            option is not what it should be, or Spark does not start.

    .. versionadded:: 0.2.0
    """

    name: str = "spark"

    def __init__(
        self,
        *,
        spark: object | None = None,
        master: str | None = None,
        partitions: int | None = None,
        config: Mapping[str, str] | None = None,
    ) -> None:
        sql = _pyspark()
        if master is not None and (not isinstance(master, str) or not master.strip()):
            raise EngineError(f"master must be a Spark master URL or None, got {shorten(master)}")
        if partitions is not None and (
            isinstance(partitions, bool) or not isinstance(partitions, int) or partitions < 1
        ):
            raise EngineError(
                f"partitions must be a whole number of at least 1, got {shorten(partitions)}"
            )
        if config is not None and (
            not isinstance(config, Mapping)
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in config.items())
        ):
            raise EngineError(f"config must map setting names to text, got {shorten(config)}")
        if spark is not None:
            if not isinstance(spark, sql.SparkSession):
                raise EngineError(f"spark must be a SparkSession or None, got {shorten(spark)}")
            if master is not None or config:
                raise EngineError("give either spark or master/config, not both")
            self.spark: Any = spark
        else:
            self.spark = _session(sql, master, dict(config or {}))
        self.partitions = partitions

    def __repr__(self) -> str:
        return f"SparkEngine(master={self.spark.sparkContext.master!r})"

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
        Clean, validate, match and merge *source* on Spark: the whole batch road.

        Args:
            source: a CSV (``.csv``, ``.tsv``, ``.txt``) or Parquet file path (or a
                folder of Parquet files) that every executor can read, a Spark DataFrame,
                an Arrow table, a pandas or polars DataFrame, or rows (mappings).
            rules: the rule set (a `recordkit.rules.RuleSet`).
            matcher: how to match (default: the schema's); fitted on the run's rows when
                it has no fitted model, as `Matcher.dedupe` does.
            policy: how clusters merge into golden records (default: the schema's).
            at: the time golden records are made at (default: now).
            chunk_size: rows per chunk the rules run over in a worker.
            channel: the source the rows come from (picks each field's ``on_invalid``).

        Raises:
            EngineError: a file is malformed or cannot be read, the data has a column the
                schema does not know, a worker died, or Spark fails.
            RecordkitError: an argument is wrong.

        .. versionadded:: 0.2.0
        """
        rules, matcher, when = check_run(rules, matcher, policy, at, chunk_size, channel)
        work = SparkWork(self.spark, self._partitions())
        shipped = None
        try:
            with collector_paused():
                shipped = ship(self.spark, dumps(rules))
                cleaned = self._cleaned(source, rules, shipped, chunk_size, channel)
                assembly = Assembly(rules)
                for chunk, results in cleaned:
                    for start, result in results:
                        if result is None:
                            assembly.add_unreadable(chunk.offset + start, chunk.unreadable[start])
                        else:
                            assembly.add(chunk, start, result)
                outcome = assembly.outcome()
                ids = [str(n) for n in outcome.row_numbers]
                match = match_road(work, matcher, outcome.columns, ids)
                return finish(self.name, rules, outcome, match, policy, when)
        except _errors() as exc:
            raise spark_error(exc) from None
        finally:
            work.close()
            if shipped is not None:
                shipped.broadcast.unpersist()

    def _partitions(self) -> int:
        return self.partitions or max(1, int(self.spark.sparkContext.defaultParallelism))

    # -- reading and cleaning -------------------------------------------------------------

    def _cleaned(
        self, source: object, rules: RuleSet, shipped: Shipped, size: int, channel: str | None
    ) -> Iterator[tuple[Chunk, list[tuple[int, ChunkResult | None]]]]:
        """
        Every chunk with its results, in row order, numbered run-wide.
        """
        frame = self._frame(source, rules.schema)
        if frame is not None:
            kinds = {f.name: f.type.kind for f in rules.schema.fields}
            task = functools.partial(clean_frames, shipped, channel, size, kinds)
        else:
            chunks = [dumps(chunk) for chunk in read_chunks(source, size, rules.schema)]
            if not chunks:
                return iter(())
            frame = self.spark.createDataFrame(
                self.spark.sparkContext.parallelize(
                    [(c,) for c in chunks], min(len(chunks), self._partitions())
                ),
                "chunk binary",
            )
            task = functools.partial(clean_shipped, shipped, channel)
        table = arrow_of(map_in_arrow(frame, task, CLEANED))
        return _in_order(table)

    def _frame(self, source: object, schema: Schema) -> Any:
        """
        *source* as a Spark DataFrame, or ``None`` for rows read on the driver.
        """
        sql = _pyspark()
        if isinstance(source, sql.DataFrame):
            return source
        if isinstance(source, str | os.PathLike):
            return self._file(os.fspath(source), schema)
        if frame_kind(source) is not None:
            table = _arrow(source)
            if not table.num_rows:
                return None
            return frame_of(self.spark, table)
        return None

    def _file(self, path: str, schema: Schema) -> Any:
        extension = os.path.splitext(path)[1].lower()
        if extension not in _FILES:
            raise EngineError(
                f"cannot tell the kind of file {shorten(path, 200)}: name it .csv, .tsv, "
                ".txt or .parquet"
            )
        if not os.path.exists(path):
            raise EngineError(f"no such file: {shorten(path, 200)}")
        read = self.spark.read
        try:
            if extension == ".parquet":
                frame = read.parquet(path)
                frame.schema  # noqa: B018 - reads the footers now, so a broken file fails here
                _check_columns(frame.columns, schema, path)
                return frame
            options = {"header": True, "sep": _FILES[extension], "quote": '"', "escape": '"',
                       "multiLine": True, "encoding": "UTF-8"}  # fmt: skip
            names = read.options(**options).csv(path).columns
            _check_columns(names, schema, path)
            from pyspark.sql.types import StringType, StructField, StructType

            fields = [StructField(n, StringType()) for n in names]
            layout = StructType([*fields, StructField(CORRUPT, StringType())])
            return read.options(**options, mode="PERMISSIVE", columnNameOfCorruptRecord=CORRUPT
                                ).schema(layout).csv(path)  # fmt: skip
        except _errors() as exc:
            kind = "parquet" if extension == ".parquet" else "csv"
            raise EngineError(
                f"cannot read {shorten(path, 200)} as {kind}: {spark_reason(exc)}"
            ) from None


def _in_order(table: Any) -> Iterator[tuple[Chunk, list[tuple[int, ChunkResult | None]]]]:
    """
    The cleaned chunks of *table* in row order, their rows numbered from the first.
    """
    partition = table.column("partition").to_numpy()
    place = table.column("place").to_numpy()
    rows = table.column("rows").to_numpy()
    order = np.lexsort((place, partition))
    # where each partition starts: the rows of the partitions before it
    starts: dict[int, int] = {}
    total = 0
    for i in order.tolist():
        starts.setdefault(int(partition[i]), total)
        total += int(rows[i])
    payloads = table.column("chunk")
    for i in order.tolist():
        shift = starts[int(partition[i])]
        chunk, results = loads(payloads[i].as_py())
        if shift:
            chunk = attrs.evolve(chunk, offset=chunk.offset + shift)
            results = [(start, _moved(result, shift)) for start, result in results]
        yield chunk, results


def _moved(result: ChunkResult | None, shift: int) -> ChunkResult | None:
    if result is None:
        return None
    return attrs.evolve(result, located=[(row + shift, issue) for row, issue in result.located])


def _arrow(table: object) -> Any:
    """
    A pandas or polars DataFrame as an Arrow table (an Arrow table as it is).
    """
    import pyarrow as pa  # type: ignore[import-untyped]

    kind = frame_kind(table)
    if kind == "pandas":
        return pa.Table.from_pandas(table, preserve_index=False)
    if kind == "polars":
        return table.to_arrow()  # type: ignore[attr-defined]
    if isinstance(table, pa.RecordBatchReader):
        return table.read_all()
    if isinstance(table, pa.RecordBatch):
        return pa.Table.from_batches([table])
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
