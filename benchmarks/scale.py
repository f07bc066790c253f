"""Scale benchmark: the whole batch road on every core, on DuckDB, and a peer pipeline.

    python benchmarks/scale.py            # 1,000,000 generated messy contacts
    python benchmarks/scale.py --quick    # 20,000 rows
    python benchmarks/scale.py --rows 200000 --variants inprocess,inprocess_single_core

The road: a CSV of generated messy contacts in → clean (normalize, validate) → dedupe →
golden records → SQLite out. It runs, on the same file, with

- ``inprocess``: `recordkit.engines.InProcess()` (a worker process per core);
- ``inprocess_single_core``: `InProcess(workers=1)`;
- ``duckdb``: `recordkit.engines.DuckDBEngine()`;
- ``spark``: `recordkit.engines.SparkEngine(master="local[2]")`, the JVM's start counted;
- ``peer``: pandas ``read_csv``, the same phonenumbers / email-validator calls applied per
  row (``apply``), Splink on DuckDB (as ``benchmarks/match.py`` configures it) and pandas
  ``to_sql`` of the clustered rows.

Every variant runs in a process of its own, the variants alternated round by round, and
the figure is the median. ``engines_agree`` is 1 when the engines gave the same clusters.
``uncached_clean_rps``: rows per second of `run_batch` with its memo off, one process.

    python benchmarks/scale.py --only duckdb-10m  # 10,000,000 rows, DuckDB only

runs the same road with ``duckdb`` alone on 10,000,000 generated contacts (``--rows`` to
change it; with ``--quick``, 100,000), once, and adds ``duckdb_10m_s`` and
``duckdb_10m_peak_mib`` (the peak resident memory of the process that ran it) to the kept
results, with ``duckdb_10m_finished`` (0 when the run was killed, for instance by the
kernel when memory ran out: its seconds are then null and its peak memory is where it
stopped). The CSV is generated a million rows at a time (seeds 7, 8, ...; each part has its
own duplicates, and its source ids carry the part's number, so they stay unique). Expect
the file to take about 2 GB on disk, and the run the better part of an hour.

Writes benchmarks/results/scale.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

VARIANTS = ("inprocess", "inprocess_single_core", "duckdb", "spark", "peer")
SPARK_CONFIG = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.driver.memory": "6g",
    "spark.driver.maxResultSize": "4g",
}


def make_csv(path: Path, rows: int) -> None:
    """Write *rows* generated messy contacts (no truth column) to *path*."""
    import csv

    from scripts.contacts import COLUMNS, generate_columns

    made = generate_columns(rows, seed=7, dup_rate=0.15)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(zip(*(made[c] for c in COLUMNS), strict=True))


def make_big_csv(path: Path, rows: int, part: int = 1_000_000) -> None:
    """Write *rows* generated messy contacts to *path*, *part* rows (one seed) at a time."""
    import csv

    from scripts.contacts import COLUMNS, generate_columns

    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        for n, start in enumerate(range(0, rows, part)):
            made = generate_columns(min(part, rows - start), seed=7 + n, dup_rate=0.15)
            made["source_id"] = [f"p{n}-{sid}" for sid in made["source_id"]]
            writer.writerows(zip(*(made[c] for c in COLUMNS), strict=True))
            print(f"  generated {min(start + part, rows):,} rows", flush=True)


def _write_golden(result: Any, out: Path) -> None:
    import pandas as pd  # type: ignore[import-untyped]

    frame = pd.DataFrame([{"entity_id": g.id, **g.values} for g in result.golden])
    with sqlite3.connect(out) as con:
        frame.astype(str).to_sql("golden", con, index=False, if_exists="replace")


def run_engine(variant: str, csv_path: str, out: str) -> dict[str, Any]:
    """The road with one engine; seconds and a digest of the clusters."""
    import pandas  # noqa: F401  # the writer's library, imported before the clock as the peer's

    import recordkit as rk
    from recordkit.engines import DuckDBEngine, InProcess, SparkEngine

    rules = rk.RuleSet.for_schema(rk.bundled_schema("contact"))
    start = time.perf_counter()  # an engine's start-up (Spark's JVM) is part of its time
    makers: dict[str, Callable[[], Any]] = {
        "inprocess": lambda: InProcess(),
        "inprocess_single_core": lambda: InProcess(workers=1),
        "duckdb": lambda: DuckDBEngine(),
        "spark": lambda: SparkEngine(master="local[2]", config=SPARK_CONFIG),
    }
    engine = makers[variant]()
    result = engine.run(csv_path, rules)
    _write_golden(result, Path(out))
    seconds = time.perf_counter() - start
    if variant == "spark":
        engine.spark.stop()
    clusters = sorted(tuple(c.record_ids) for c in result.clusters if len(c) > 1)
    digest = hashlib.sha256(json.dumps(clusters).encode()).hexdigest()
    return {"seconds": seconds, "clusters": digest, "rows": result.total}


def run_peer(csv_path: str, out: str) -> dict[str, Any]:
    """The peer pipeline: pandas, per-row library calls, Splink on DuckDB, to_sql."""
    import email_validator
    import pandas as pd
    import phonenumbers
    from _match_peers import (  # type: ignore[import-not-found]
        SPLINK_CONTACTS_THRESHOLD,
        splink_contacts_linker,
    )

    def phone(value: object) -> object:
        if not isinstance(value, str):
            return None
        try:
            number = phonenumbers.parse(value, "US")
        except phonenumbers.NumberParseException:
            return None
        if not phonenumbers.is_valid_number(number):
            return None
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def email(value: object) -> object:
        if not isinstance(value, str):
            return None
        try:
            return email_validator.validate_email(value, check_deliverability=False).normalized
        except email_validator.EmailNotValidError:
            return None

    start = time.perf_counter()
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    frame["phone"] = frame["phone"].apply(phone)
    frame["email"] = frame["email"].apply(email)
    frame = frame.drop_duplicates("source_id")
    with tempfile.TemporaryDirectory() as tmp:
        parquet = str(Path(tmp) / "clean.parquet")
        frame.assign(entity_id="").to_parquet(parquet, index=False)
        linker = splink_contacts_linker(parquet)
        pred = linker.inference.predict(threshold_match_probability=0.2)
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            pred, threshold_match_probability=SPLINK_CONTACTS_THRESHOLD
        ).as_pandas_dataframe()
    with sqlite3.connect(out) as con:
        clusters.astype(str).to_sql("golden", con, index=False, if_exists="replace")
    return {"seconds": time.perf_counter() - start, "rows": len(frame)}


def uncached_clean_rps(csv_path: str) -> float:
    """Rows per second of run_batch with its memo off, in this process."""
    import recordkit as rk
    from recordkit.rules import run_batch

    rules = rk.RuleSet.for_schema(rk.bundled_schema("contact"))
    start = time.perf_counter()
    outcome = run_batch(rules, csv_path, cache=False)
    return outcome.total / (time.perf_counter() - start)


def _child(variant: str, csv_path: str, out: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", variant, csv_path, out],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _print_some(seconds: dict[str, list[float]], digests: dict[str, Any]) -> None:
    """Medians of a run of some variants (no results file), and the cores ratio if it ran."""
    median = {v: statistics.median(s) for v, s in seconds.items()}
    for v, m in median.items():
        print(f"{v:<24}{m:>10.2f}  ({', '.join(f'{x:.2f}' for x in seconds[v])})")
    if {"inprocess", "inprocess_single_core"} <= median.keys():
        ratio = median["inprocess"] / median["inprocess_single_core"]
        print(f"cores_vs_single_core {ratio:.3f}")
    print(f"engines agree: {int(len(set(digests.values())) == 1)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="20,000 rows instead of 1,000,000")
    ap.add_argument("--rows", type=int, default=None, help="rows to generate (overrides)")
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument(
        "--variants",
        default=",".join(VARIANTS),
        help="comma-separated variants to run; with fewer than all, the medians are printed "
        "and results/scale.json is left as it is",
    )
    ap.add_argument("--csv", default=None, help="an existing contacts CSV instead of a new one")
    ap.add_argument(
        "--only",
        choices=["duckdb-10m"],
        help="run only DuckDB on 10,000,000 rows, adding its figures to the kept results",
    )
    ap.add_argument("--child", nargs=3, metavar=("VARIANT", "CSV", "OUT"))
    args = ap.parse_args()
    if args.child:
        variant, csv_path, out = args.child
        if variant == "peer":
            print(json.dumps(run_peer(csv_path, out)))
        elif variant == "uncached":
            print(json.dumps({"rps": uncached_clean_rps(csv_path)}))
        else:
            print(json.dumps(run_engine(variant, csv_path, out)))
        return
    if args.only == "duckdb-10m":
        duckdb_big(args.rows or (100_000 if args.quick else 10_000_000), args.csv)
        return
    rows = args.rows or (20_000 if args.quick else 1_000_000)
    rounds = args.rounds or (1 if args.quick else 3)
    variants = tuple(v for v in VARIANTS if v in args.variants.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = args.csv or str(Path(tmp) / "contacts.csv")
        if args.csv is None:
            make_csv(Path(csv_path), rows)
        seconds: dict[str, list[float]] = {v: [] for v in variants}
        digests: dict[str, Any] = {}
        for r in range(rounds):
            order = variants if r % 2 == 0 else tuple(reversed(variants))
            for variant in order:
                got = _child(variant, csv_path, str(Path(tmp) / f"{variant}.sqlite"))
                seconds[variant].append(got["seconds"])
                print(f"round {r + 1} {variant}: {got['seconds']:.2f} s", flush=True)
                if "clusters" in got:
                    digests[variant] = got["clusters"]
        if variants != VARIANTS:
            _print_some(seconds, digests)
            return
        rps = _child("uncached", csv_path, "")["rps"]
    median = {v: statistics.median(s) for v, s in seconds.items()}
    key = _key(rows)
    figures: dict[str, Any] = {
        "rows": rows,
        "rounds": rounds,
        f"inprocess_{key}_s": round(median["inprocess"], 3),
        f"inprocess_{key}_single_core_s": round(median["inprocess_single_core"], 3),
        f"duckdb_{key}_s": round(median["duckdb"], 3),
        f"spark_{key}_s": round(median["spark"], 3),
        f"peer_{key}_s": round(median["peer"], 3),
        "inprocess_vs_peer": round(median["inprocess"] / median["peer"], 3),
        "cores_vs_single_core": round(median["inprocess"] / median["inprocess_single_core"], 3),
        "spark_vs_inprocess": round(median["spark"] / median["inprocess"], 3),
        "engines_agree": int(len(set(digests.values())) == 1),
        "uncached_clean_rps": round(rps, 1),
    }
    print(f"{'road':<24}{'seconds':>10}{'÷ peer':>10}")
    for v in VARIANTS:
        print(f"{v:<24}{median[v]:>10.2f}{median[v] / median['peer']:>10.2f}")
    print(f"engines agree: {figures['engines_agree']}; uncached clean: {rps:,.0f} rows/s")
    results = HERE / "results" / "scale.json"
    results.parent.mkdir(exist_ok=True)
    kept = json.loads(results.read_text()) if results.exists() else {}
    big = {k: v for k, v in kept.items() if k.startswith("duckdb_10m")}  # from --only
    results.write_text(json.dumps({**big, **figures}, indent=2, sort_keys=True) + "\n")


def _key(rows: int) -> str:
    """``1m``, ``10m`` for whole millions, else the number of rows."""
    return f"{rows // 1_000_000}m" if rows >= 1_000_000 and rows % 1_000_000 == 0 else str(rows)


def duckdb_big(rows: int, csv_path: str | None) -> None:
    """The road with DuckDB alone on *rows* contacts, once: seconds and peak memory kept."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(csv_path) if csv_path else Path(tmp) / "contacts.csv"
        if csv_path is None:
            make_big_csv(path, rows)
        started = time.perf_counter()
        try:
            got: dict[str, Any] | None = _child(
                "duckdb", str(path), str(Path(tmp) / "duckdb.sqlite")
            )
        except subprocess.CalledProcessError as exc:
            # a run that does not finish (killed by the kernel when memory runs out) is a
            # figure too: how long it lasted and how much memory it held, kept as such
            got = None
            how = (
                f"killed by signal {-exc.returncode}"
                if exc.returncode < 0
                else f"exit status {exc.returncode}"
            )
            print(f"the DuckDB run did not finish ({how}) after "
                  f"{time.perf_counter() - started:.0f} s", file=sys.stderr)  # fmt: skip
    # the largest resident set of any child waited for: the one run above (kilobytes)
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    key = _key(rows)
    figures = {
        f"duckdb_{key}_s": None if got is None else round(got["seconds"], 3),
        f"duckdb_{key}_peak_mib": round(peak_mib, 1),
        f"duckdb_{key}_rows": None if got is None else got["rows"],
        f"duckdb_{key}_finished": int(got is not None),
    }
    for name, value in figures.items():
        print(f"{name:<24}{value!s:>14}")
    results = HERE / "results" / "scale.json"
    kept = json.loads(results.read_text()) if results.exists() else {}
    results.write_text(json.dumps({**kept, **figures}, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
