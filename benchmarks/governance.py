"""Governance: the audit trail's verification, and more figures as they are added.

    python benchmarks/governance.py [--quick]

Writes benchmarks/results/governance.json (a flat object of named figures) and prints a
table. Each figure is one function in `FIGURES`, given the options and returning its named
values; the medians of its rounds are reported, and figures with several variants alternate
them (ABAB) between rounds.

- ``verify_1m_s``: seconds `SQLAuditLog.verify` takes over 1,000,000 events in a SQLite
  store (``--quick``: 100,000; the figure keeps its name and ``verify_events`` says how
  many). The events are a valid chain built with recordkit's own hash functions and
  bulk-inserted (appending them one by one would take far longer than verifying them);
  each holds a small detail and one changed value. Target: under 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from recordkit.governance import AuditLog
from recordkit.store import SQLStore

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results" / "governance.json"

Figure = Callable[[argparse.Namespace], dict[str, Any]]


def build_chain(store: SQLStore, count: int) -> None:
    """Insert *count* chained events straight into the store's audit table."""
    table = store.fixed.audit
    head = store.fixed.audit_head
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    prev = "0" * 64
    rows: list[dict[str, Any]] = []
    assert store.engine is not None
    with store.engine.begin() as conn:
        for seq in range(1, count + 1):
            at = t0 + dt.timedelta(seconds=seq)
            record_id = f"c{seq % 50_000:07d}"
            detail = {"source": "web", "request": f"q{seq}"}
            changes = {record_id: {"email": [None, f"p{seq}@example.com"]}}
            payload = AuditLog._payload_text(detail, changes)
            digest = AuditLog._payload_digest(payload)
            ids, fields = [record_id], ["email"]
            event_hash = AuditLog._header_hash(
                seq, at.isoformat(), "import", "update", "contact",
                json.dumps(ids), json.dumps(fields), digest, prev,
            )  # fmt: skip
            rows.append(
                {
                    "seq": seq, "at": at, "actor": "import", "action": "update",
                    "schema": "contact", "record_ids": ids, "fields": fields, "detail": {},
                    "prev_hash": prev, "hash": event_hash, "payload": payload,
                    "payload_digest": digest, "redacted": False,
                }
            )  # fmt: skip
            prev = event_hash
            if len(rows) == 50_000:
                conn.execute(table.insert(), rows)
                rows = []
        if rows:
            conn.execute(table.insert(), rows)
        conn.execute(head.update().where(head.c.id == 1).values(seq=count, hash=prev))


def verify_1m(options: argparse.Namespace) -> dict[str, Any]:
    """Seconds to verify 1,000,000 events (100,000 with --quick) in a SQLite store."""
    count = 100_000 if options.quick else 1_000_000
    rounds = 3
    times: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, SQLStore(f"sqlite:///{tmp}/audit.db") as store:
        started = time.perf_counter()
        build_chain(store, count)
        print(f"  built {count:,} events in {time.perf_counter() - started:.1f} s")
        log = store.audit_log()
        for n in range(rounds):
            gc.collect()
            started = time.perf_counter()
            report = log.verify()
            times.append(time.perf_counter() - started)
            assert report.ok, report
            assert count == report.checked, report
            print(f"  verify round {n + 1}: {times[-1]:.2f} s")
    return {"verify_1m_s": round(statistics.median(times), 2), "verify_events": count}


FIGURES: dict[str, Figure] = {"verify_1m_s": verify_1m}
"""
Each figure's function; add a figure by adding one here.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller data, for a smoke run")
    options = parser.parse_args()
    figures: dict[str, Any] = {"quick": options.quick}
    for name, figure in FIGURES.items():
        print(f"{name}:")
        figures.update(figure(options))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\n{'figure':<20} {'value':>12}")
    for key, value in figures.items():
        print(f"{key:<20} {value!s:>12}")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
