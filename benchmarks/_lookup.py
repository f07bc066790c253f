"""Point-of-entry figures for benchmarks/match.py: lookups and a screened batch import.

- In memory: an `Index` of the generated contacts, 1,000 lookups of held-out rows, the
  garbage collector left as it is (neither frozen nor paused).
- SQLite and PostgreSQL: a `PersistentIndex` built the batch way (``rebuild`` inside one
  ``store.transaction()``) in one process, then, in a process of its own after a fresh
  ``SQLStore(url)`` (a restart), 1,000 lookups of the same held-out rows.
- ``capture_many`` with a ``DuplicateCheck`` against ``capture_many`` without one, into a
  SQLite store that already holds records (each run on a fresh copy of the same database).

Every function here runs inside a worker process that ``match.py`` starts.
"""

from __future__ import annotations

import gc
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from _match_peers import CONTACT_COLUMNS, contacts_matcher, load_contacts, peak_mib

ROOT = Path(__file__).resolve().parent.parent
INDEX_NAME = "contacts"


def queries() -> int:
    """How many held-out rows are looked up (``RK_LOOKUPS``, 1,000 by default)."""
    return int(os.environ.get("RK_LOOKUPS", "1000"))


def _split(data: str) -> tuple[dict[str, list[Any]], dict[str, list[Any]], list[dict[str, Any]]]:
    """The generated contacts: every column, the indexed part, and the held-out rows."""
    cols, _ = load_contacts(data)
    n = len(cols["source_id"])
    held = queries()
    base = {k: v[: n - held] for k, v in cols.items()}
    rows = [{k: cols[k][i] for k in cols} for i in range(n - held, n)]
    return cols, base, rows


def _held_out(data: str) -> list[dict[str, Any]]:
    """Only the held-out rows (the same ones `_split` holds out), as a service gets them."""
    import pyarrow.parquet as pq

    table = pq.read_table(data, columns=CONTACT_COLUMNS)
    held = queries()
    return table.slice(table.num_rows - held, held).to_pylist()  # type: ignore[no-any-return]


@contextmanager
def _count_collections() -> Iterator[list[int]]:
    """Counts the collector's runs per generation while the block runs."""
    counts = [0, 0, 0]

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            counts[info["generation"]] += 1

    gc.callbacks.append(seen)
    try:
        yield counts
    finally:
        gc.callbacks.remove(seen)


def time_lookups(
    lookup: Callable[[dict[str, Any]], Any], rows: list[dict[str, Any]]
) -> dict[str, Any]:
    """Time ``lookup(row)`` for each row, one by one; percentiles in milliseconds.

    recordkit may not pause the collector here (``collector_pause(False)``): the figure is
    for a service that leaves the collector alone.
    """
    import recordkit as rk

    times = []
    found = 0
    with _count_collections() as collections, rk.collector_pause(False):
        for row in rows:
            t0 = time.perf_counter()
            hit = lookup(row)
            times.append(time.perf_counter() - t0)
            found += hit.is_duplicate
    ms = np.array(times) * 1000
    return {
        "p50_ms": float(np.percentile(ms, 50)),
        "p99_ms": float(np.percentile(ms, 99)),
        "max_ms": float(ms.max()),
        "first_ms": float(ms[0]),
        "found": found,
        "lookups": len(rows),
        "gc_runs": collections,
        "peak_mib": peak_mib(),
    }


def memory_lookup(data: str) -> dict[str, Any]:
    """Lookups in an in-memory `Index`, the collector left on (as a service runs)."""
    from recordkit.match import Index

    _, base, rows = _split(data)
    index = Index.build(contacts_matcher(), base, ids=base["source_id"])
    indexed = len(base["source_id"])
    del base  # a service keeps its index, not the columns it was built from
    out = time_lookups(index.lookup, rows)
    out["index_rows"] = indexed
    out["gc_frozen"] = gc.get_freeze_count() > 0
    out["gc_enabled"] = gc.isenabled()
    return out


def sql_build(url: str, data: str) -> dict[str, Any]:
    """Build the persistent index of every contact but the held-out rows, in one transaction."""
    from recordkit.match import PersistentIndex
    from recordkit.store import SQLStore

    _, base, _ = _split(data)
    store = SQLStore(url)
    try:
        t0 = time.perf_counter()
        with store.transaction():
            index = PersistentIndex(contacts_matcher(), store.index_rows(INDEX_NAME))
            rows = index.rebuild(base, ids=base["source_id"])
        seconds = time.perf_counter() - t0
    finally:
        store.close()
    return {"index_rows": rows, "seconds": seconds, "peak_mib": peak_mib()}


def sql_lookup(url: str, data: str) -> dict[str, Any]:
    """Lookups in the persistent index after a fresh open of the store (a restart)."""
    from recordkit.match import PersistentIndex
    from recordkit.store import SQLStore

    rows = _held_out(data)
    t0 = time.perf_counter()
    store = SQLStore(url)
    try:
        index = PersistentIndex(contacts_matcher(), store.index_rows(INDEX_NAME))
        opened = time.perf_counter() - t0
        out = time_lookups(index.lookup, rows)
        out["index_rows"] = len(index)
    finally:
        store.close()
    out["open_s"] = opened
    return out


# -- PostgreSQL ---------------------------------------------------------------------------


def postgres_url() -> tuple[str | None, Callable[[], None]]:
    """A database on a throwaway local server (as the tests start one), and how to stop it.

    ``RECORDKIT_BENCH_POSTGRES_URL`` names a database to use instead. Without either (no
    server binaries), ``(None, ...)``. The server runs as the ``postgres`` user when this
    runs as root (see ``tests/_postgres.py``).
    """
    explicit = os.environ.get("RECORDKIT_BENCH_POSTGRES_URL")
    if explicit:
        return explicit, lambda: None
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests._postgres import PostgresServer, find_bindir

    bindir = find_bindir()
    if bindir is None:
        print("PostgreSQL binaries not found (apt-get install postgresql): skipped")
        return None, lambda: None
    server = PostgresServer(bindir)
    try:
        server.start()
        return server.create_database(), server.stop
    except BaseException:
        server.stop()
        raise


# -- capture_many with and without a duplicate check --------------------------------------


def _copy_db(src: Path, dst: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{src}{suffix}").exists():
            shutil.copyfile(f"{src}{suffix}", f"{dst}{suffix}")


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def capture_ratio(stored: int, batch: int, rounds: int, tmp: str) -> dict[str, Any]:
    """``capture_many`` of *batch* rows with a ``DuplicateCheck`` ÷ without one.

    The rows are generated contacts as an import brings them (raw text, ~28% copies of
    people, some of them already stored). A SQLite database holding *stored* records
    (and their duplicate index, built when the first checked steward opened it) is made
    once; each run imports into a fresh copy of it. The variants alternate (plain first
    in even rounds, checked first in odd ones); the ratio is the median of the per-round
    ratios, the seconds each variant's best run.
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from scripts.contacts import generate_contacts

    import recordkit as rk
    from recordkit.match import DuplicateCheck
    from recordkit.store import SQLStore

    schema = rk.bundled_schema("contact")
    # a few generated rows are quarantined (unreadable values): seed until *stored* are in
    spare = stored // 10
    rows, _ = generate_contacts(stored + spare + batch, seed=11, dup_rate=0.28)
    base = Path(tmp) / "base.db"
    store = SQLStore(f"sqlite:///{base}")
    try:
        plain = rk.Steward(schema, store=store)
        t0 = time.perf_counter()
        taken = 0
        while (missing := stored - store.count(schema.name)) > 0 and taken < stored + spare:
            part = rows[taken : min(taken + missing, stored + spare)]
            plain.capture_many(part, source="seed")
            taken += len(part)
        seed_s = time.perf_counter() - t0
        incoming = rows[taken : taken + batch]
        t0 = time.perf_counter()
        # a checked steward over stored records builds its index when it opens
        rk.Steward(schema, store=store, matcher=DuplicateCheck(contacts_matcher()))
        index_s = time.perf_counter() - t0
        in_store = store.count(schema.name)
    finally:
        store.close()

    seconds: dict[str, list[float]] = {"plain": [], "screen": []}
    outcome: dict[str, tuple[int, int]] = {}
    ratios = []
    run = Path(tmp) / "run.db"
    for r in range(rounds):
        order = ("plain", "screen") if r % 2 == 0 else ("screen", "plain")
        took: dict[str, float] = {}
        for variant in order:
            _copy_db(base, run)
            store = SQLStore(f"sqlite:///{run}")
            try:
                check = DuplicateCheck(contacts_matcher()) if variant == "screen" else None
                steward = rk.Steward(schema, store=store, matcher=check)
                gc.collect()
                t0 = time.perf_counter()
                done = steward.capture_many(incoming, source="import")
                took[variant] = time.perf_counter() - t0
                outcome[variant] = (len(done.records), len(done.quarantined))
            finally:
                store.close()
                _remove_db(run)
            seconds[variant].append(took[variant])
        ratios.append(took["screen"] / took["plain"])
    return {
        "ratio": statistics.median(ratios),
        "ratios": ratios,
        "plain_s": min(seconds["plain"]),
        "screen_s": min(seconds["screen"]),
        "rows": batch,
        "stored": in_store,
        "seed_rows_read": taken,
        "seed_s": seed_s,
        "index_build_s": index_s,
        "stored_plain": outcome["plain"][0],
        "quarantined_plain": outcome["plain"][1],
        "stored_screen": outcome["screen"][0],
        "quarantined_screen": outcome["screen"][1],
        "rounds": rounds,
        "peak_mib": peak_mib(),
    }
