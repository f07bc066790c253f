"""Data quality measures: profiling 1,000,000 rows (vs ydata-profiling), variant clusters.

    python benchmarks/quality.py [--quick] [--rounds N] [--ydata-python PATH]

Writes benchmarks/results/quality.json (a flat object) and prints a table. Figures:

- ``profile_1m_s``: seconds for `recordkit.quality.profile` over 1,000,000 generated
  contact rows x 20 fields (the 18 columns of ``scripts/contacts`` without its ids, plus
  an integer and a decimal column), target < 10 s;
- ``profile_1m_s_ydata``: seconds for ydata-profiling's minimal report description
  (``ProfileReport(frame, minimal=True).get_description()``) on the same data, in the
  same run; ``ydata_ratio`` is that over ``profile_1m_s`` (recordkit faster when > 1);
- ``variants_100k_s``: seconds to cluster 100,000 distinct values (street lines of the
  same data) through three keyers: fingerprint, 2-gram fingerprint and Metaphone,
  target < 10 s; ``variants_knn_100k_s``: the same values through nearest neighbours
  (Levenshtein radius 1, blocks of 6 characters);
- ``health_rps``: health scores recomputed per second by ``Steward.rescore`` after a weight
  change, over 1,000,000 stored records and their kept scores in a `MemoryStore` (each
  batch of 10,000 through the commit path), target >= 100,000; ``health_score_rps``: the
  same records scored from scratch by `HealthModel.score` (the rate a write path adds).

Rounds alternate recordkit and ydata-profiling (ABAB...), so both run under the same load;
each figure is the median over the rounds. ydata-profiling runs in this interpreter when
it imports here; otherwise give ``--ydata-python``, an interpreter that has it (its NumPy
pin may not suit this environment), or set ``RECORDKIT_BENCH_YDATA_PYTHON`` to it (``make
bench`` makes one in ``.venv-ydata``): the frame is handed over as a pickle, and only the


"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.contacts.generate import generate_columns

from recordkit import Email, Field, Provenance, Record, Schema, Steward, Text
from recordkit.quality import (
    HealthInputs,
    HealthModel,
    NearestNeighbours,
    fingerprint_key,
    metaphone_key,
    ngram_key,
    profile,
    variant_clusters,
)

RESULTS = Path(__file__).parent / "results" / "quality.json"

YDATA_CHILD = """
import pickle, sys, time
from ydata_profiling import ProfileReport
frame = pickle.load(open(sys.argv[1], "rb"))
start = time.perf_counter()
ProfileReport(frame, minimal=True, progress_bar=False).get_description()
print(time.perf_counter() - start)
"""


def make_columns(rows: int) -> dict[str, list[Any]]:
    """The 18 generated contact columns (ids dropped) plus employees and annual revenue."""
    cols: dict[str, list[Any]] = generate_columns(rows)
    cols.pop("source_id")
    cols.pop("entity_id")
    rng = np.random.default_rng(11)
    employees = rng.lognormal(3.5, 1.5, rows).astype(np.int64)
    revenue = np.round(rng.lognormal(14, 2, rows), 2)
    blank = rng.random(rows) < 0.2
    cols["employees"] = [None if b else int(v) for v, b in zip(employees, blank, strict=True)]
    cols["annual_revenue"] = [None if b else float(v) for v, b in zip(revenue, blank, strict=True)]
    return cols


def time_recordkit(cols: dict[str, list[Any]]) -> float:
    start = time.perf_counter()
    profile(cols)
    return time.perf_counter() - start


def ydata_runner(cols: dict[str, list[Any]], python: str | None) -> Any:
    """A function timing ydata-profiling on *cols*, or ``None`` when it cannot run."""
    pandas = importlib.import_module("pandas")
    frame = pandas.DataFrame(cols)
    try:
        report_class = importlib.import_module("ydata_profiling").ProfileReport
    except ImportError:
        report_class = None
    if report_class is not None and python is None:

        def run_here() -> float:
            start = time.perf_counter()
            report_class(frame, minimal=True, progress_bar=False).get_description()
            return time.perf_counter() - start

        return run_here
    if python is None:
        return None
    handle = tempfile.NamedTemporaryFile(suffix=".pkl", delete=False)  # noqa: SIM115
    with handle:
        pickle.dump(frame, handle)

    def run_there() -> float:
        out = subprocess.run(
            [python, "-c", YDATA_CHILD, handle.name], check=True, capture_output=True, text=True
        )
        return float(out.stdout.strip().splitlines()[-1])

    return run_there


def time_variants(values: list[str]) -> tuple[float, float, int]:
    start = time.perf_counter()
    found = 0
    for method in (fingerprint_key, ngram_key, metaphone_key):
        found += len(variant_clusters(values, method=method))
    keyers = time.perf_counter() - start
    start = time.perf_counter()
    variant_clusters(values, method=NearestNeighbours())
    return keyers, time.perf_counter() - start, found


HEALTH_SCHEMA = Schema(
    "person",
    [
        Field("name", Text(), required=True),
        Field("email", Email(), tags={"recommended"}),
        Field("city", Text(), tags={"recommended"}),
    ],
)


def time_health(cols: dict[str, list[Any]], n: int) -> tuple[float, float]:
    """Seconds to score *n* records from scratch, and to rescore their kept scores."""
    import datetime as dt

    steward = Steward(HEALTH_SCHEMA, health=HealthModel())
    store = steward.store
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    names, emails, cities = cols["first_name"], cols["email"], cols["city"]
    records = []
    for i in range(n):
        values = {"name": names[i] or "x", "email": emails[i], "city": cities[i]}
        values = {k: v for k, v in values.items() if v}
        prov = {k: Provenance("crm", at, v) for k, v in values.items()}
        records.append(Record(f"r{i:07d}", "person", values, provenance=prov, created_at=at))
    store.put_many(records)
    model = HealthModel()
    start = time.perf_counter()
    for i in range(0, n, 100_000):
        part = records[i : i + 100_000]
        k = len(part)
        inputs = HealthInputs(HEALTH_SCHEMA, part, [()] * k, [0] * k, [{}] * k, at)
        store.put_health("person", model.score(inputs))
    scored = time.perf_counter() - start
    start = time.perf_counter()
    done = steward.rescore(HealthModel(weights={"validity": 45}))
    rescored = time.perf_counter() - start
    assert done == n, (done, n)
    return scored, rescored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 rows, 20,000 values")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--ydata-python",
        default=os.environ.get("RECORDKIT_BENCH_YDATA_PYTHON") or None,
        help="an interpreter with ydata-profiling installed "
        "(default: $RECORDKIT_BENCH_YDATA_PYTHON, which make bench sets)",
    )
    args = parser.parse_args()
    rows = 100_000 if args.quick else 1_000_000
    n_values = 20_000 if args.quick else 100_000

    cols = make_columns(rows)
    distinct = list(dict.fromkeys(v for v in cols["street"] if v))
    values = distinct[:n_values]
    ydata = ydata_runner(cols, args.ydata_python)

    time_recordkit({k: v[:1000] for k, v in cols.items()})  # warm-up
    ours: list[float] = []
    theirs: list[float] = []
    keyers: list[float] = []
    knn: list[float] = []
    for _ in range(args.rounds):
        ours.append(time_recordkit(cols))
        if ydata is not None:
            theirs.append(ydata())
        k, n, _ = time_variants(values)
        keyers.append(k)
        knn.append(n)

    health_n = 100_000 if args.quick else 1_000_000
    health_cols = cols if rows >= health_n else make_columns(health_n)
    scored_s, rescored_s = time_health(health_cols, health_n)

    results: dict[str, Any] = {
        "rows": rows,
        "fields": len(cols),
        "profile_1m_s": round(statistics.median(ours), 3),
        "profile_1m_s_ydata": round(statistics.median(theirs), 3) if theirs else None,
        "ydata_ratio": (
            round(statistics.median(theirs) / statistics.median(ours), 2) if theirs else None
        ),
        "variants_100k_s": round(statistics.median(keyers), 3),
        "variants_knn_100k_s": round(statistics.median(knn), 3),
        "distinct_values": len(values),
        "health_rps": round(health_n / rescored_s),
        "health_score_rps": round(health_n / scored_s),
        "health_records": health_n,
        "rounds": args.rounds,
        "quick": args.quick,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(
        f"quality benchmark ({rows:,} rows x {len(cols)} fields, {len(values):,} distinct "
        f"values, {args.rounds} rounds)"
    )
    width = max(map(len, results))
    for key, value in results.items():
        print(f"  {key:<{width}}  {value}")
    print(
        "  per round: recordkit",
        [round(x, 2) for x in ours],
        "ydata",
        [round(x, 2) for x in theirs],
    )
    print(
        "  targets: profile_1m_s < 10, variants_100k_s < 10, ydata_ratio > 1, health_rps >= 100000"
    )
    if ydata is None:
        print("  ydata-profiling did not run: install it here or pass --ydata-python")


if __name__ == "__main__":
    main()
