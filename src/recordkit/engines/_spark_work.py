"""
The matching steps on Spark (`PairWork`), and Spark's failures as `EngineError`.

Blocking is a Spark SQL self-join on each rule's block codes; comparing runs
recordkit's own comparators over the pairs in ``mapInArrow`` (never Spark's
``jaro_winkler_similarity`` or ``levenshtein``, which score differently), the matcher
travelling as plain data (its settings and model as JSON) and the prepared records as a
broadcast; clusters are connected components found by label propagation in Spark SQL,
round after round until no label changes.
"""

from __future__ import annotations

import functools
import json
import uuid
import warnings
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from recordkit._errors import shorten
from recordkit.engines._result import EngineError
from recordkit.engines._ship import dumps, light
from recordkit.engines._spark_tasks import Shipped, compare_pairs
from recordkit.match import Matcher, Prepared

__all__ = ["SparkWork", "arrow_of", "frame_of", "ship", "spark_error", "spark_reason"]

Ints = npt.NDArray[np.int64]
Levels = dict[str, npt.NDArray[np.int8]]

_DIED: Final = (
    "Python worker exited unexpectedly",
    "crashed",
    "Connection reset",
    "EOFException",
    "ExecutorLostFailure",
    "worker lost",
)


def spark_error(exc: BaseException) -> EngineError:
    """
    *exc*, raised by Spark or Py4J, as an `EngineError` saying what happened.
    """
    text = str(exc)
    if any(sign in text for sign in _DIED):
        return EngineError(
            "a Spark worker died while the road ran (killed, or out of memory); nothing was "
            "returned: give executors more memory (spark.executor.memory, "
            "spark.executor.pyspark.memory), use smaller Arrow batches "
            "(spark.sql.execution.arrow.maxRecordsPerBatch) or allow retries "
            "(spark.task.maxFailures)"
        )
    if type(exc).__name__ == "PythonException":
        lines = [line for line in text.strip().splitlines() if line.strip()]
        last = lines[-1] if lines else text
        return EngineError(f"recordkit failed in a Spark worker: {shorten(last, 500)}")
    return EngineError(f"Spark failed: {spark_reason(exc)}")


def spark_reason(exc: BaseException) -> str:
    """
    What Spark says went wrong, without the Java stack: its first exception's message.
    """
    lines = [line.strip(" :\t") for line in str(exc).strip().splitlines() if line.strip(" :\t")]
    for line in lines:
        head, _, rest = line.partition(": ")
        if rest and ("Exception" in head or "Error" in head):
            return shorten(rest, 300)
    return shorten(lines[0] if lines else type(exc).__name__, 300)


def ship(spark: Any, payload: bytes) -> Shipped:
    """
    *payload* broadcast to every worker, under a name of its own.
    """
    return Shipped(spark.sparkContext.broadcast(payload), uuid.uuid4().hex)


def frame_of(spark: Any, table: Any, partitions: int | None = None) -> Any:
    """
    A Spark DataFrame of an Arrow *table* (through pandas before pyspark 4).
    """
    import pyspark

    if int(pyspark.__version__.split(".")[0]) >= 4:
        frame = spark.createDataFrame(table)
    else:  # pragma: no cover - pyspark 3.5
        frame = spark.createDataFrame(table.to_pandas())
    if partitions is not None and table.num_rows:
        frame = frame.repartition(partitions)
    return frame


# PySpark checks the pandas version whenever it builds an Arrow UDF and warns about pandas 3,
# although ``mapInArrow`` hands recordkit Arrow batches and never pandas objects.
_PANDAS_VERSION_WARNING: Final = "PySpark does not yet fully support pandas"


def map_in_arrow(frame: Any, task: Any, schema: Any) -> Any:
    """
    ``frame.mapInArrow(task, schema)`` without PySpark's pandas-version warning.

    The warning concerns pandas-backed UDFs; the tasks here read and write Arrow only.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_PANDAS_VERSION_WARNING, category=FutureWarning)
        return frame.mapInArrow(task, schema)


def arrow_of(frame: Any) -> Any:
    """
    A Spark DataFrame collected as an Arrow table.
    """
    import pyarrow as pa  # type: ignore[import-untyped]

    if hasattr(frame, "toArrow"):
        return frame.toArrow()
    return pa.Table.from_batches(  # pragma: no cover - pyspark 3.5
        frame._collect_as_arrow(), schema=frame.schema and None
    )


class SparkWork:
    """
    Blocking, comparing and clustering on a Spark session, for `match_road`.
    """

    def __init__(self, spark: Any, partitions: int) -> None:
        self.spark = spark
        self.partitions = partitions
        self.shipped: dict[tuple[int, int], Shipped] = {}

    def close(self) -> None:
        """
        Let go of the broadcasts made for the run.
        """
        for shipped in self.shipped.values():
            shipped.broadcast.unpersist()
        self.shipped.clear()

    def candidates(self, matcher: Matcher, prepared: Prepared) -> tuple[Ints, Ints]:
        import pyarrow as pa

        codes = {f"k{r}": rule.codes(prepared.columns) for r, rule in enumerate(matcher.blocking)}
        if not codes or not len(prepared):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        keys = frame_of(
            self.spark, pa.table({"rec": np.arange(len(prepared), dtype=np.int64), **codes})
        )
        name = f"rk_keys_{id(self)}"
        keys.createOrReplaceTempView(name)
        try:
            selects = []
            for r in range(len(codes)):
                earlier = " OR ".join(f"(a.k{e} = b.k{e} AND a.k{e} >= 0)" for e in range(r))
                exclude = f" AND NOT ({earlier})" if earlier else ""
                selects.append(
                    f"SELECT a.rec AS l, b.rec AS r FROM {name} a JOIN {name} b "
                    f"ON a.k{r} = b.k{r} AND a.rec < b.rec WHERE a.k{r} >= 0{exclude}"
                )
            pairs = arrow_of(self.spark.sql(" UNION ALL ".join(selects)))
        finally:
            self.spark.catalog.dropTempView(name)
        return (
            pairs.column("l").to_numpy().astype(np.int64),
            pairs.column("r").to_numpy().astype(np.int64),
        )

    def _broadcast(self, matcher: Matcher, prepared: Prepared) -> Shipped:
        key = (id(matcher), id(prepared))
        if key not in self.shipped:
            settings = json.dumps(matcher.to_dict(), allow_nan=False)
            payload = dumps((settings, light(prepared)))
            self.shipped[key] = ship(self.spark, payload)
        return self.shipped[key]

    def compare(self, matcher: Matcher, prepared: Prepared, left: Ints, right: Ints) -> Levels:
        import pyarrow as pa

        names = [c.name for c in matcher.comparisons]
        if not len(left):
            return matcher.compare(prepared, left, right)
        pairs = pa.table(
            {"k": np.arange(len(left), dtype=np.int64), "l": np.asarray(left, np.int64),
             "r": np.asarray(right, np.int64)}
        )  # fmt: skip
        task = functools.partial(compare_pairs, self._broadcast(matcher, prepared), names)
        out_schema = ", ".join(["k long", *(f"c{i} tinyint" for i in range(len(names)))])
        frame = frame_of(self.spark, pairs, self.partitions)
        got = arrow_of(map_in_arrow(frame, task, out_schema))
        order = got.column("k").to_numpy().astype(np.int64)
        out: Levels = {}
        for i, name in enumerate(names):
            levels = np.zeros(len(left), np.int8)
            levels[order] = got.column(f"c{i}").to_numpy()
            out[name] = levels
        return out

    def components(self, n: int, left: Ints, right: Ints) -> Ints:
        import pyarrow as pa

        labels = np.arange(n, dtype=np.int64)
        if not len(left):
            return labels
        spark = self.spark
        tag = id(self)
        edges = frame_of(spark, pa.table({"a": np.asarray(left, np.int64),
                                          "b": np.asarray(right, np.int64)}))  # fmt: skip
        edges.createOrReplaceTempView(f"rk_edges_{tag}")
        # both ways, and each node to itself: a node's next label is the least of its own
        # and its neighbours'
        both = spark.sql(
            f"SELECT a, b FROM rk_edges_{tag} UNION ALL SELECT b, a FROM rk_edges_{tag} "
            f"UNION SELECT a, a FROM rk_edges_{tag} UNION SELECT b, b FROM rk_edges_{tag}"
        ).localCheckpoint()
        both.createOrReplaceTempView(f"rk_e_{tag}")
        label = spark.sql(f"SELECT DISTINCT a AS node, a AS label FROM rk_e_{tag}")
        label = label.localCheckpoint()
        # labels only go down, so a round changed nothing when their sum stayed the same
        total = label.agg({"label": "sum"}).collect()[0][0]
        try:
            while True:
                label.createOrReplaceTempView(f"rk_lab_{tag}")
                following = spark.sql(
                    f"SELECT e.a AS node, MIN(l.label) AS label FROM rk_e_{tag} e "
                    f"JOIN rk_lab_{tag} l ON l.node = e.b GROUP BY e.a"
                ).localCheckpoint()
                now = following.agg({"label": "sum"}).collect()[0][0]
                label = following
                if now == total:
                    break
                total = now
            table = arrow_of(label)
        finally:
            for view in ("edges", "e", "lab"):
                spark.catalog.dropTempView(f"rk_{view}_{tag}")
        labels[table.column("node").to_numpy()] = table.column("label").to_numpy()
        return labels
