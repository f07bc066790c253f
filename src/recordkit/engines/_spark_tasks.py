"""
What runs inside Spark's Python workers: cleaning and comparing over Arrow batches.

Each function is handed to ``mapInArrow`` with what it needs bound to it: the rule set
(pickled) or the matcher (its settings and model as JSON, plain data) with the prepared
records, all as Spark broadcasts. A worker unpacks a broadcast once and keeps it, with a
memo of cleaned values, for the tasks that follow on it. What a task gives back is one
Arrow row per chunk: where the chunk sits (partition, place), its rows, and the chunk
with its results pickled, which the driver puts together in row order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Final

from recordkit._frames import frame_chunks
from recordkit.engines._read import Chunk
from recordkit.engines._ship import dumps, loads
from recordkit.match import Matcher, Prepared
from recordkit.rules import ChunkResult, CompiledRules, run_chunk
from recordkit.sources import UnreadableRow

__all__ = ["CLEANED", "CORRUPT", "Shipped", "clean_frames", "clean_shipped", "compare_pairs"]

CORRUPT: Final = "_recordkit_unreadable"
"""The column Spark's CSV reader fills with a row it cannot read."""

CLEANED: Final = "partition int, place long, rows long, chunk binary"
"""What cleaning gives back: one row per chunk."""

# One Python worker's state: broadcast id → what it holds, unpacked; the cleaning memo.
_WORKER: dict[object, Any] = {}


class Shipped:
    """
    A broadcast with a name of its own, by which a worker keeps what it holds unpacked.
    """

    def __init__(self, broadcast: Any, name: str) -> None:
        self.broadcast = broadcast
        self.name = name

    def value(self) -> Any:
        """
        What the broadcast holds, unpickled once per worker.
        """
        key = ("shipped", self.name)
        if key not in _WORKER:
            _WORKER[key] = loads(self.broadcast.value)
        return _WORKER[key]


def _partition() -> int:
    from pyspark import TaskContext

    context = TaskContext.get()
    return 0 if context is None else int(context.partitionId())


def _cleaned(
    rules: CompiledRules, chunk: Chunk, channel: str | None
) -> list[tuple[int, ChunkResult | None]]:
    """
    The results of *chunk*'s readable stretches (``None`` for an unreadable row).
    """
    memo = _WORKER.setdefault(("memo", id(rules)), {})
    results: list[tuple[int, ChunkResult | None]] = []
    for start, stop in chunk.pieces():
        if stop < 0:
            results.append((start, None))
            continue
        columns = chunk.columns
        if start or stop != chunk.length:
            columns = {n: values[start:stop] for n, values in columns.items()}
        result = run_chunk(rules, columns, stop - start, offset=chunk.offset + start,
                           memo=memo, channel=channel)  # fmt: skip
        results.append((start, result))
    return results


def _row(pa: Any, partition: int, place: int, chunk: Chunk, results: object) -> Any:
    return pa.RecordBatch.from_arrays(
        [
            pa.array([partition], pa.int32()),
            pa.array([place], pa.int64()),
            pa.array([chunk.length], pa.int64()),
            pa.array([dumps((chunk, results))], pa.binary()),
        ],
        names=["partition", "place", "rows", "chunk"],
    )


def clean_frames(
    rules: Shipped, channel: str | None, size: int, kinds: dict[str, str], batches: Iterator[Any]
) -> Iterator[Any]:
    """
    Clean one partition of a table: its Arrow batches, *size* rows at a time.

    A chunk is numbered from the partition's first row; the driver adds where the
    partition starts. A row Spark's CSV reader could not read (``CORRUPT`` set) is
    quarantined as unreadable.
    """
    import pyarrow as pa  # type: ignore[import-untyped]

    compiled: CompiledRules = rules.value()
    partition = _partition()
    done = 0
    for place, batch in enumerate(_slices(batches, size)):
        unreadable: dict[int, UnreadableRow] = {}
        if CORRUPT in batch.schema.names:
            bad = batch.column(CORRUPT).to_pylist()
            for i, raw in enumerate(bad):
                if raw is not None:
                    unreadable[i] = UnreadableRow(
                        line=0, reason="it does not have as many cells as the header",
                        raw=repr(raw)[:1000], kind="cells",
                    )  # fmt: skip
            batch = batch.drop_columns([CORRUPT])
        columns: dict[str, list[Any]] = {}
        for got, _ in frame_chunks(batch, max(batch.num_rows, 1), kinds=kinds):
            columns = got
        chunk = Chunk(columns, batch.num_rows, done, None, unreadable)
        yield _row(pa, partition, place, chunk, _cleaned(compiled, chunk, channel))
        done += batch.num_rows


def _slices(batches: Iterator[Any], size: int) -> Iterator[Any]:
    for batch in batches:
        for start in range(0, batch.num_rows, size):
            yield batch.slice(start, size)


def clean_shipped(rules: Shipped, channel: str | None, batches: Iterator[Any]) -> Iterator[Any]:
    """
    Clean chunks read on the driver and shipped pickled (rows, files read by recordkit).
    """
    import pyarrow as pa

    compiled: CompiledRules = rules.value()
    for batch in batches:
        for payload in batch.column("chunk").to_pylist():
            chunk: Chunk = loads(payload)
            yield _row(pa, 0, chunk.offset, chunk, _cleaned(compiled, chunk, channel))


def compare_pairs(shipped: Shipped, names: list[str], batches: Iterator[Any]) -> Iterator[Any]:
    """
    The levels of pairs ``(k, l, r)`` by recordkit's comparators.

    Each pair gives ``k`` and one column per comparison (``c0``, ``c1``… in the order
    of *names*).
    """
    import numpy as np
    import pyarrow as pa

    key = ("matcher", shipped.name)
    if key not in _WORKER:
        settings, light = shipped.value()
        _WORKER[key] = (Matcher.from_dict(json.loads(settings)), light)
    matcher: Matcher = _WORKER[key][0]
    prepared: Prepared = _WORKER[key][1]
    for batch in batches:
        left = batch.column("l").to_numpy().astype(np.int64)
        right = batch.column("r").to_numpy().astype(np.int64)
        levels = matcher.compare(prepared, left, right)
        arrays = [batch.column("k")]
        arrays += [pa.array(levels[name].astype(np.int8), pa.int8()) for name in names]
        yield pa.RecordBatch.from_arrays(arrays, names=["k", *(f"c{i}" for i in range(len(names)))])
