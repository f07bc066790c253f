"""Merge and unmerge through the facade, against an update on the same steward.

    python benchmarks/merge.py [--quick]

Writes benchmarks/results/merge.json and prints a table. Each operation runs on bundled
``contact`` records, in a memory store that also holds ``deal`` records referring to them
(so every merge looks for references to re-point, and re-points one deal per merged-away
contact). Figures:

- ``update_ms`` / ``merge_ms`` / ``unmerge_ms``: median milliseconds per operation;
- ``merge_to_update``: merge time / update time, measured alternately (ABAB...);
- ``unmerge_to_merge``: unmerge time / merge time;
- ``merge_scaling_10x``: merge time with 10x the deals in the store / merge time with 1x
  (1.0 means the reference search does not grow with the store).
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import time
from pathlib import Path

import recordkit as rk

RESULTS = Path(__file__).parent / "results" / "merge.json"


def world(pairs: int, deals_per_contact: int) -> tuple[rk.Steward, list[tuple[str, str]]]:
    """Duplicate contact pairs, each contact referred to by *deals_per_contact* deals."""
    counter = itertools.count()
    store = rk.MemoryStore()
    deals = rk.Steward(rk.bundled_schema("deal"), store=store, ids=lambda: f"d{next(counter)}")
    contacts = rk.Steward(
        rk.bundled_schema("contact"),
        store=store,
        ids=lambda: f"c{next(counter)}",
        related=[deals],
    )
    rows = []
    for i in range(pairs):
        base = {"first_name": f"Ada{i}", "last_name": "Lovelace", "city": "London"}
        rows.append({**base, "email": f"ada{i}@example.com"})
        rows.append({**base, "phone": f"+1 415 555 {i % 10_000:04d}", "job_title": "Analyst"})
    made = contacts.capture_many(rows, source="crm").records
    deals.capture_many(
        [
            {"name": f"deal {j}", "contact_id": c.id}
            for c in made
            for j in range(deals_per_contact)
        ],
        source="crm",
    )
    ids = [r.id for r in made]
    return contacts, list(zip(ids[::2], ids[1::2], strict=True))


def timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return (time.perf_counter() - start) * 1000


def run(quick: bool) -> dict[str, float]:
    ops = 60 if quick else 300
    contacts, pairs = world(ops, 1)
    update_ms: list[float] = []
    merge_ms: list[float] = []
    unmerge_ms: list[float] = []
    merges = []
    for i, (a, b) in enumerate(pairs):  # ABAB: an update, then a merge, alternately
        update_ms.append(timed(lambda a=a, i=i: contacts.update(a, {"city": f"City{i}"},
                                                                source="web")))
        merge_ms.append(timed(lambda a=a, b=b: merges.append(contacts.merge([a, b]))))
    for merge in reversed(merges):
        unmerge_ms.append(timed(lambda m=merge: contacts.unmerge(m.id)))

    small, small_pairs = world(ops // 2, 1)
    large, large_pairs = world(ops // 2, 10)
    at_1x: list[float] = []
    at_10x: list[float] = []
    for (a, b), (c, d) in zip(small_pairs, large_pairs, strict=True):
        at_1x.append(timed(lambda a=a, b=b: small.merge([a, b])))
        at_10x.append(timed(lambda c=c, d=d: large.merge([c, d])))

    med = statistics.median
    return {
        "operations": ops,
        "update_ms": round(med(update_ms), 3),
        "merge_ms": round(med(merge_ms), 3),
        "unmerge_ms": round(med(unmerge_ms), 3),
        "merge_to_update": round(med(merge_ms) / med(update_ms), 2),
        "unmerge_to_merge": round(med(unmerge_ms) / med(merge_ms), 2),
        "merge_scaling_10x": round(med(at_10x) / med(at_1x), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small, fast run")
    figures = run(parser.parse_args().quick)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
