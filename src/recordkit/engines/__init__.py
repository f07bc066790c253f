"""
Engines: the whole batch road, run in-process on every core or over DuckDB.

The road: read → normalize → validate → block → compare → score → cluster → golden records.

Every engine takes the same rule set and matcher and gives the same `RoadResult`: the same
normalized values, issues, pairs, weights and clusters. `InProcess` is the default;
`DuckDBEngine` (the ``duckdb`` extra) runs the road over DuckDB relations, for one big
machine and the files and tables DuckDB reads; `SparkEngine` (the ``spark`` extra) runs it on Apache
Spark, for a cluster. An engine is any object with `Engine`'s ``run``.
"""

from recordkit.engines._columns import Columns, chunks
from recordkit.engines._duckdb import DuckDBEngine
from recordkit.engines._inprocess import InProcess
from recordkit.engines._result import Engine, EngineError, RoadResult
from recordkit.engines._spark import SparkEngine

__all__ = [
    "Columns",
    "DuckDBEngine",
    "Engine",
    "EngineError",
    "InProcess",
    "RoadResult",
    "SparkEngine",
    "chunks",
]
