"""Lifecycle moves and sweeps against the facade's own write road, on one MemoryStore.

    python benchmarks/lifecycle.py [--quick]

Writes benchmarks/results/lifecycle.json and prints a table. Figures:

- ``advance_vs_update``: time of N ``advance`` calls (a stage move, guards and history)
  / time of N ``update`` calls (one field), same records: what a move costs next to a write;
- ``activate_vs_update``: the same for entering ``active`` (runs the rule set as a guard);
- ``idle_sweep_vs_scan``: a ``sweep(now)`` that finds nothing due / a plain scan of the
  store: what checking every record's timers costs;
- ``busy_sweep_vs_update``: a sweep that moves every record (active → stale) / N updates;
- ``sweep_moves_per_s``: moves per second of the busy sweep.

N is 2,000 records (``--quick``: 300). Variants alternate (ABAB...) in rounds on fresh
stewards; each ratio is the median of the per-round ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import recordkit as rk

RESULTS = Path(__file__).parent / "results" / "lifecycle.json"
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
ANA = rk.Actor("ana")


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


def fresh(n: int, *, state: str = "captured") -> tuple[rk.Steward, list[str], Clock]:
    clock = Clock()
    s = rk.Steward(rk.bundled_schema("contact"), clock=clock)
    rows = [
        {"first_name": f"Ada{i}", "last_name": "Lovelace", "email": f"a{i}@x.io"} for i in range(n)
    ]
    ids = [r.id for r in s.capture_many(rows, source="bench").records]
    path = {"captured": [], "validated": ["normalized", "validated"]}.get(
        state, ["normalized", "validated", "active"]
    )
    for record_id in ids:
        for to in path:
            s.advance(record_id, to, actor=ANA)
    return s, ids, clock


def timed(fn: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def updates(s: rk.Steward, ids: list[str]) -> None:
    for record_id in ids:
        s.update(record_id, {"job_title": "CTO"}, source="crm")


def advances(s: rk.Steward, ids: list[str], to: str) -> None:
    for record_id in ids:
        s.advance(record_id, to, actor=ANA)


def one_round(n: int) -> dict[str, float]:
    """One round of every variant, each pair back to back on fresh stewards."""
    out: dict[str, float] = {}
    s, ids, _ = fresh(n)
    t_update = timed(lambda: updates(s, ids))
    out["advance_vs_update"] = timed(lambda: advances(s, ids, "lead")) / t_update

    s2, ids2, _ = fresh(n, state="validated")
    t_update = timed(lambda: updates(s2, ids2))
    out["activate_vs_update"] = timed(lambda: advances(s2, ids2, "active")) / t_update

    s3, ids3, clock = fresh(n, state="active")
    t_scan = timed(lambda: [len(b) for b in s3.store.scan("contact")])
    out["idle_sweep_vs_scan"] = timed(lambda: s3.sweep(T0 + dt.timedelta(days=1))) / t_scan
    clock.now = T0 + dt.timedelta(days=2)
    t_update = timed(lambda: updates(s3, ids3))
    result: list[rk.SweepResult] = []
    t_busy = timed(lambda: result.append(s3.sweep(T0 + dt.timedelta(days=200))))
    assert result[0].count == n, result[0].by_target()
    out["busy_sweep_vs_update"] = t_busy / t_update
    out["sweep_moves_per_s"] = n / t_busy
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 300 if args.quick else 2_000
    rounds = 3 if args.quick else 5
    # rounds alternate with recordkit's collector pause on and off (collector_pause(False))
    runs: dict[str, list[dict[str, float]]] = {"": [], "_gc_on": []}
    for _ in range(rounds):
        for suffix, pause in (("", True), ("_gc_on", False)):
            with rk.collector_pause(pause):
                runs[suffix].append(one_round(n))
    figures: dict[str, float | int] = {"records": n, "rounds": rounds}
    for suffix, done in runs.items():
        for name in done[0]:
            values = [r[name] for r in done]
            if name.endswith("_per_s"):
                figures[name + suffix] = round(max(values))
            else:
                figures[name + suffix] = round(statistics.median(values), 3)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    width = max(len(k) for k in figures)
    for name, value in figures.items():
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
