"""
`InProcess`: the batch road in this Python, its per-row steps on every core.

Cleaning (normalize, validate) and comparing are the steps whose cost grows with the rows
and the pairs; they run in a pool of worker processes (started with ``spawn``, so it is
safe whatever threads the caller runs), a chunk of rows or pairs per task. The rule set
travels to each worker once, pickled, when the worker starts; the prepared records for
comparing travel once per worker too, through a file. Everything that needs the whole run
(uniqueness across chunks, the quarantine, blocking, the model, clusters, golden records)
happens here, in row order, so the result is the one a single process gives.
"""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
import os
import tempfile
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from recordkit._errors import shorten
from recordkit._gc import collector_paused
from recordkit.engines._assemble import Assembly
from recordkit.engines._matching import Group, match_road, merge_plans
from recordkit.engines._read import Chunk, read_chunks
from recordkit.engines._result import EngineError, RoadResult, check_run, finish
from recordkit.engines._ship import dump_light, dumps, load_light, loads
from recordkit.match import Matcher, MergePlan, MergePolicy, Prepared
from recordkit.rules import ChunkResult, CompiledRules, run_chunk
from recordkit.schema import Schema

__all__ = ["InProcess", "components"]

Ints = npt.NDArray[np.int64]
Levels = dict[str, npt.NDArray[np.int8]]

MIN_PAIRS: Final = 200_000
"""
Pairs from which comparing goes to the worker processes (below, it stays here).
"""
_PAIRS_PER_TASK: Final = 500_000
MIN_GROUPS: Final = 1000
"""
Clusters to merge from which planning the merges goes to the worker processes.
"""
_GROUPS_PER_TASK: Final = 2000

# One worker's state: the rule set and its memo, the prepared records it compares.
_WORKER: dict[str, Any] = {}


def _start_worker(rules: bytes, channel: str | None) -> None:
    _WORKER["rules"] = loads(rules)
    _WORKER["channel"] = channel
    _WORKER["memo"] = {}


def _clean(columns: dict[str, list[Any]], length: int, offset: int) -> ChunkResult:
    rules: CompiledRules = _WORKER["rules"]
    return run_chunk(rules, columns, length, offset=offset, memo=_WORKER["memo"],
                     channel=_WORKER["channel"])  # fmt: skip


def _compare(path: str, left: Ints, right: Ints) -> Levels:
    if _WORKER.get("path") != path:
        with open(path, "rb") as f:
            _WORKER["prepared"], _WORKER["matcher"] = load_light(f)
        _WORKER["path"] = path
    matcher: Matcher = _WORKER["matcher"]
    return matcher.compare(_WORKER["prepared"], left, right)


def _merge(
    columns: dict[str, list[Any]],
    ids: list[str],
    groups: list[Group],
    at: dt.datetime,
    policy: bytes,
) -> bytes:
    rules: CompiledRules = _WORKER["rules"]
    with collector_paused():
        plans = list(merge_plans(rules.schema, columns, ids, groups, at=at, policy=loads(policy)))
        # merge plans hold read-only mappings, which only this library's pickles carry
        return dumps(plans)


def components(n: int, left: Ints, right: Ints) -> Ints:
    """
    The connected component of each of *n* records over edges ``(left[k], right[k])``.

    A component is labelled by its smallest record position.
    """
    labels = np.arange(n, dtype=np.int64)
    while len(left):
        low = np.minimum(labels[left], labels[right])
        new = labels.copy()
        np.minimum.at(new, left, low)
        np.minimum.at(new, right, low)
        while not np.array_equal(jumped := new[new], new):
            new = jumped
        if np.array_equal(new, labels):
            break
        labels = new
    return labels


def _count(value: object, what: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise EngineError(f"{what} must be a whole number of at least {minimum}, "
                          f"got {shorten(value)}")  # fmt: skip
    return value


class InProcess:
    """
    The batch road in this Python process, with the per-row steps on every core.

    Cleaning runs chunk by chunk in worker processes, comparing runs on chunks of pairs
    there too; the result is the one a single process gives (same normalized values,
    issues, pairs, weights and clusters). Small runs stay in this process: starting
    workers costs more than they save.

    Examples:
        >>> import datetime as dt
        >>> import recordkit as rk
        >>> from recordkit.engines import InProcess
        >>> rules = rk.RuleSet.for_schema(rk.bundled_schema("contact"))
        >>> ada = {"first_name": "Ada", "last_name": "Lovelace", "email": "ADA@example.com"}
        >>> result = InProcess(workers=1).run([ada, dict(ada), {"email": "nope"}], rules,
        ...                                   at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        >>> result.total, result.quarantined, [len(c) for c in result.clusters]
        (3, 1, [2])

    Args:
        workers: worker processes (``None``: one per core; ``1``: none, all in this
            process).
        min_rows: the fewest rows for which workers are started.

    Raises:
        EngineError: *workers* or *min_rows* is not a whole number (at least 1 and 0).

    .. versionadded:: 0.2.0
    """

    name: str = "inprocess"

    def __init__(self, *, workers: int | None = None, min_rows: int = 50_000) -> None:
        self.workers = (os.cpu_count() or 1) if workers is None else _count(workers, "workers", 1)
        self.min_rows = _count(min_rows, "min_rows", 0)

    def __repr__(self) -> str:
        return f"InProcess(workers={self.workers}, min_rows={self.min_rows})"

    def run(
        self,
        source: object,
        rules: CompiledRules,
        *,
        matcher: Matcher | None = None,
        policy: MergePolicy | None = None,
        at: dt.datetime | None = None,
        chunk_size: int = 10_000,
        channel: str | None = None,
    ) -> RoadResult:
        """
        Clean, validate, match and merge *source*: the whole batch road.

        Args:
            source: rows (mappings), a delimited file (a path, an open file, a
                `recordkit.sources.CsvSource`), a pandas or polars DataFrame or an Arrow
                table.
            rules: the rule set (a `recordkit.rules.RuleSet`).
            matcher: how to match (default: the schema's, `Matcher.for_schema`); without
                a fitted model it is fitted on the run's rows, as `Matcher.dedupe` does.
            policy: how clusters merge into golden records (default: the schema's).
            at: the time golden records are made at (default: now).
            chunk_size: rows per chunk.
            channel: the source the rows come from (picks each field's ``on_invalid``).

        Raises:
            EngineError: a worker process died (killed, out of memory).
            RecordkitError: an argument is wrong, or the source cannot be read.

        .. versionadded:: 0.2.0
        """
        rules, matcher, when = check_run(rules, matcher, policy, at, chunk_size, channel)
        with collector_paused(), _Pool(self.workers, rules, channel) as pool:
            assembly = Assembly(rules)
            chunks = read_chunks(source, chunk_size, rules.schema)
            ahead = _buffer(chunks, self.min_rows)
            if self.workers > 1 and len(ahead) and sum(c.length for c in ahead) >= self.min_rows:
                pool.start()
            pool.clean(ahead, chunks, assembly)
            outcome = assembly.outcome()
            match = match_road(pool, matcher, outcome.columns,
                               [str(n) for n in outcome.row_numbers])  # fmt: skip
            return finish(self.name, rules, outcome, match, policy, when, pool)


def _buffer(chunks: Iterator[Chunk], rows: int) -> list[Chunk]:
    """
    Chunks read ahead until they hold *rows* rows or the source ends.
    """
    out: list[Chunk] = []
    held = 0
    while held < rows or not out:
        chunk = next(chunks, None)
        if chunk is None:
            break
        out.append(chunk)
        held += chunk.length
    return out


class _Pool:
    """
    The worker processes of one run (none until started), and the work they do.
    """

    def __init__(self, workers: int, rules: CompiledRules, channel: str | None) -> None:
        self.workers = workers
        self.rules = rules
        self.channel = channel
        self.executor: ProcessPoolExecutor | None = None
        self.folder: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> _Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
        if self.folder is not None:
            self.folder.cleanup()

    def start(self) -> None:
        self.executor = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(dumps(self.rules), self.channel),
        )

    def _result(self, future: Future[Any]) -> Any:
        try:
            return future.result()
        except BrokenProcessPool:
            raise EngineError(
                "a worker process died while the in-process engine ran (killed, or out of "
                "memory); nothing was returned: run again with fewer workers or smaller "
                "chunks (chunk_size)"
            ) from None

    # -- cleaning -------------------------------------------------------------------------

    def clean(self, ahead: list[Chunk], rest: Iterator[Chunk], assembly: Assembly) -> None:
        """
        Clean every chunk (those read *ahead*, then the *rest*) into *assembly*, in order.

        A file's unreadable rows split a chunk: the rules run over the readable stretches
        between them, and each unreadable row is quarantined in its turn.
        """

        def chunks() -> Iterator[Chunk]:
            yield from ahead
            ahead.clear()  # let the chunks go once handed on
            yield from rest

        memo: dict[str, Any] = {}
        pending: deque[tuple[Chunk, int, Future[ChunkResult] | None]] = deque()
        window = 2 * self.workers
        for chunk in chunks():
            for start, stop in chunk.pieces():
                if stop < 0:
                    pending.append((chunk, start, None))
                elif self.executor is None:
                    result = run_chunk(self.rules, _slice(chunk, start, stop), stop - start,
                                       offset=chunk.offset + start, memo=memo,
                                       channel=self.channel)  # fmt: skip
                    assembly.add(chunk, start, result)
                else:
                    task = self.executor.submit(
                        _clean, _slice(chunk, start, stop), stop - start, chunk.offset + start
                    )
                    pending.append((chunk, start, task))
                while len(pending) > window or (pending and pending[0][2] is None):
                    self._take(pending.popleft(), assembly)
        while pending:
            self._take(pending.popleft(), assembly)

    def _take(
        self, item: tuple[Chunk, int, Future[ChunkResult] | None], assembly: Assembly
    ) -> None:
        chunk, start, future = item
        if future is None:
            assembly.add_unreadable(chunk.offset + start, chunk.unreadable[start])
        else:
            assembly.add(chunk, start, self._result(future))

    # -- matching (PairWork) --------------------------------------------------------------

    def candidates(self, matcher: Matcher, prepared: Prepared) -> tuple[Ints, Ints]:
        left, right, _ = matcher.candidates(prepared)
        return left, right

    def compare(self, matcher: Matcher, prepared: Prepared, left: Ints, right: Ints) -> Levels:
        if self.executor is None or len(left) < MIN_PAIRS:
            return matcher.compare(prepared, left, right)
        path = self._shipped(matcher, prepared)
        parts = max(2 * self.workers, -(-len(left) // _PAIRS_PER_TASK))
        size = -(-len(left) // parts)
        futures = [
            self.executor.submit(_compare, path, left[s : s + size], right[s : s + size])
            for s in range(0, len(left), size)
        ]
        out: Levels = {c.name: np.zeros(len(left), np.int8) for c in matcher.comparisons}
        for s, future in zip(range(0, len(left), size), futures, strict=True):
            got: Levels = self._result(future)
            for name, levels in got.items():
                out[name][s : s + len(levels)] = levels
        return out

    def _shipped(self, matcher: Matcher, prepared: Prepared) -> str:
        """
        A file holding *matcher* and *prepared* (only what comparing reads) for workers.
        """
        if self.folder is None:
            self.folder = tempfile.TemporaryDirectory(prefix="recordkit-")
        path = Path(self.folder.name) / f"prepared-{id(prepared)}-{id(matcher)}.pickle"
        if not path.exists():
            # comparing reads the features and, to compare each distinct pair of values
            # once, the factored columns: the pairs made so far stay behind
            with open(path, "wb") as f:
                dump_light(prepared, matcher, f)
        return str(path)

    def components(self, n: int, left: Ints, right: Ints) -> Ints:
        return components(n, left, right)

    # -- golden records (MergeWork) -------------------------------------------------------

    def plans(
        self,
        schema: Schema,
        columns: Mapping[str, Sequence[object]],
        ids: Sequence[str],
        groups: Sequence[Group],
        *,
        at: dt.datetime,
        policy: MergePolicy,
    ) -> Iterator[MergePlan]:
        """
        The merge plan of each of *groups*, in order: most planned by the workers.

        Each task gets the rows of its clusters only; the plans start at once, so the
        caller makes the lone records meanwhile. This process plans the first share.
        """
        if self.executor is None or len(groups) < MIN_GROUPS:
            return merge_plans(schema, columns, ids, groups, at=at, policy=policy)
        held = [(n, columns[n]) for n in schema.field_names if columns.get(n) is not None]
        position = {rid: i for i, rid in enumerate(ids)}
        shipped = dumps(policy)
        # this process plans a share itself: a plan costs a worker about half as much
        # again to pickle as to make, and this process is no busier than the workers
        # (the lone records and the workers' plans to read)
        here = len(groups) // (self.workers + 2)
        parts = max(2 * self.workers, -(-(len(groups) - here) // _GROUPS_PER_TASK))
        size = -(-(len(groups) - here) // parts)
        futures: list[Future[bytes]] = []
        for s in range(here, len(groups), size):
            part = list(groups[s : s + size])
            rows = [position[rid] for _, rids in part for rid in rids]
            sub = {n: [column[i] for i in rows] for n, column in held}
            futures.append(self.executor.submit(
                _merge, sub, [ids[i] for i in rows], part, at, shipped))  # fmt: skip
        mine = merge_plans(schema, columns, ids, groups[:here], at=at, policy=policy)
        return itertools.chain(mine, self._plans_of(futures))

    def _plans_of(self, futures: list[Future[bytes]]) -> Iterator[MergePlan]:
        for future in futures:
            yield from loads(self._result(future))


def _slice(chunk: Chunk, start: int, stop: int) -> dict[str, list[Any]]:
    if start == 0 and stop == chunk.length:
        return chunk.columns
    return {n: column[start:stop] for n, column in chunk.columns.items()}
