"""Bulk upsert through recordkit's SQLStore vs a raw SQLAlchemy Core executemany, same rows.

    python benchmarks/storage.py [--quick]

Writes benchmarks/results/storage.json and prints a table. Each round starts from a database
holding 50,000 contacts (``--quick``: 5,000) and writes 100,000 (``--quick``: 10,000), half
of them updates of stored ones with newer observations:

- recordkit: ``SQLStore.upsert_many(records)``: reads the stored rows' versions and
  provenance summaries (``rk_stamps``; the provenance JSON too for rows a summary cannot
  settle), resolves every field (source precedence, then recency), encodes the records
  (checking every value's type) and writes one ``executemany`` INSERT and one
  version-guarded ``executemany`` UPDATE (SQLAlchemy's compiled SQL and bind processors,
  rows handed to the driver as they are), all in one transaction;
- raw Core: the same column values, prepared before the clock starts, written with one
  ``executemany`` INSERT for the new rows and one ``executemany`` UPDATE by id for the
  others, in one transaction: the floor a hand-written bulk write sits on.

Figures: ``sqlite_rps``, ``sqlite_core_rps``, ``sqlite_ratio``, ``postgres_rps``,
``postgres_core_rps``, ``postgres_ratio`` (ratio = recordkit rows/s ÷ raw Core rows/s; target
>= 0.7). Variants alternate (ABAB) in rounds; each ratio is the median of the per-round
ratios, each rows-per-second figure the variant's best run. PostgreSQL runs on a throwaway
local server (Debian's ``postgresql`` binaries, as in the test suite) or on
``RECORDKIT_BENCH_POSTGRES_URL``; without either its figures are null.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

import recordkit as rk
from recordkit.store import SQLStore

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results" / "storage.json"
SCHEMA = rk.bundled_schema("contact")

FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Tim"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson"]
STATES = ["US-NY", "US-CA", "US-TX", "US-WA", "US-MA", "US-IL"]
INDUSTRIES = ["Technology", "Finance", "Healthcare", "Retail", "Energy"]


def contact(i: int, rng: random.Random, at: dt.datetime, source: str) -> rk.Record:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    values: dict[str, Any] = {
        "source_id": f"crm-{i:07d}",
        "first_name": first,
        "last_name": last,
        "email": f"{first}.{last}.{i}@example.com".lower(),
        "phone": f"+1212555{i % 10000:04d}",
        "company": f"{last} & Sons",
        "job_title": rng.choice(["CTO", "Buyer", "VP Sales", "Engineer"]),
        "industry": rng.choice(INDUSTRIES),
        "lead_source": rng.choice(["Web", "Referral", "Event"]),
        "street": f"{rng.randint(1, 999)} Main St",
        "city": "Springfield",
        "state": rng.choice(STATES),
        "postcode": f"{rng.randint(10000, 99999)}",
        "country": "US",
        "birth_date": dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 18000)),
        "email_opt_in": rng.random() < 0.5,
        "last_contacted": dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 600)),
        "owner": rng.choice(["amy", "bo", "cy"]),
    }
    raw = {k: str(v) for k, v in values.items()}
    return rk.Record(
        f"c{i:07d}",
        "contact",
        values,
        provenance={k: rk.Provenance(source, at, raw[k]) for k in values},
        owner=values["owner"],
        created_at=at,
    )


def datasets(stored: int, written: int) -> tuple[list[rk.Record], list[rk.Record]]:
    """The records a round starts with, and the batch it writes (the first half updates)."""
    rng = random.Random(7)
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    t1 = t0 + dt.timedelta(days=1)
    base = [contact(i, rng, t0, "crm") for i in range(stored)]
    first_new = written - written // 2
    updates = [contact(i, rng, t1, "crm") for i in range(written // 2)]
    new = [contact(stored + i, rng, t1, "crm") for i in range(first_new)]
    return base, updates + new


def fresh(url: str, prefix: str, base: list[rk.Record]) -> SQLStore:
    store = SQLStore(url, schemas=[SCHEMA], table_prefix=prefix)
    for start in range(0, len(base), 10_000):
        store.put_many(base[start : start + 10_000])
    return store


def run_recordkit(store: SQLStore, batch: list[rk.Record], *, pause: bool = True) -> float:
    gc.collect()
    started = time.perf_counter()
    with rk.collector_pause(pause):
        result = store.upsert_many(batch)
    seconds = time.perf_counter() - started
    assert (len(batch), 0) == (result.total, len(result.unchanged))
    return seconds


def run_core(store: SQLStore, batch: list[rk.Record], stored_ids: set[str]) -> float:
    table = store.table("contact")
    codec = store._codec("contact")
    inserts = [codec.encode(r) for r in batch if r.id not in stored_ids]
    updates = []
    for r in batch:
        if r.id in stored_ids:
            row = codec.encode(r)
            row["b_id"] = row.pop("rk_id")
            row["rk_version"] = 2
            updates.append(row)
    stmt = table.update().where(table.c.rk_id == sa.bindparam("b_id"))
    assert store.engine is not None
    gc.collect()
    started = time.perf_counter()
    with store.engine.begin() as conn:
        conn.execute(table.insert(), inserts)
        conn.execute(stmt, updates)
    return time.perf_counter() - started


def measure(url: str, label: str, stored: int, written: int, rounds: int) -> dict[str, float]:
    base, batch = datasets(stored, written)
    stored_ids = {r.id for r in base}
    best = {"rk": float("inf"), "core": float("inf"), "rk_gc_on": float("inf")}
    ratios: list[float] = []
    gc_on: list[float] = []
    for n in range(rounds):
        times: dict[str, float] = {}
        # rk_gc_on: the same upsert with recordkit's collector pause turned off
        order: list[tuple[str, Callable[[SQLStore], float]]] = [
            ("rk", lambda s: run_recordkit(s, batch)),
            ("core", lambda s: run_core(s, batch, stored_ids)),
            ("rk_gc_on", lambda s: run_recordkit(s, batch, pause=False)),
        ]
        for variant, run in order if n % 2 == 0 else order[::-1]:
            store = fresh(url, f"b{n}{variant}_", base)
            try:
                times[variant] = run(store)
            finally:
                drop(store)
                store.close()
            best[variant] = min(best[variant], times[variant])
        ratios.append(times["core"] / times["rk"])
        gc_on.append(times["core"] / times["rk_gc_on"])
        print(f"  {label} round {n + 1}: recordkit {times['rk']:.2f} s, core {times['core']:.2f} s")
    return {
        f"{label}_rps": round(written / best["rk"]),
        f"{label}_core_rps": round(written / best["core"]),
        f"{label}_ratio": round(statistics.median(ratios), 3),
        f"{label}_ratio_gc_on": round(statistics.median(gc_on), 3),
    }


def drop(store: SQLStore) -> None:
    assert store.engine is not None
    store.metadata.drop_all(store.engine)


def postgres_url() -> tuple[str | None, Callable[[], None]]:
    explicit = os.environ.get("RECORDKIT_BENCH_POSTGRES_URL")
    if explicit:
        return explicit, lambda: None
    sys.path.insert(0, str(ROOT))
    from tests._postgres import PostgresServer, find_bindir

    bindir = find_bindir()
    if bindir is None:
        print("  PostgreSQL binaries not found (apt-get install postgresql): skipped")
        return None, lambda: None
    server = PostgresServer(bindir)
    server.start()
    return server.create_database(), server.stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 rows, two rounds")
    args = parser.parse_args()
    stored, written, rounds = (5_000, 10_000, 2) if args.quick else (50_000, 100_000, 3)
    import tempfile

    figures: dict[str, Any] = {"rows": written, "updates": written // 2, "quick": args.quick}
    with tempfile.TemporaryDirectory() as tmp:
        figures.update(measure(f"sqlite:///{tmp}/bench.db", "sqlite", stored, written, rounds))
    url, stop = postgres_url()
    try:
        if url is None:
            figures.update({"postgres_rps": None, "postgres_core_rps": None,
                            "postgres_ratio": None, "postgres_ratio_gc_on": None})  # fmt: skip
        else:
            figures.update(measure(url, "postgres", stored, written, rounds))
    finally:
        stop()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\n{'figure':<20} {'value':>12}")
    for key, value in figures.items():
        print(f"{key:<20} {value!s:>12}")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
