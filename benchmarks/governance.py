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
- ``policy_get_ratio`` and ``policy_update_ratio``: a `Steward` over a SQLite file holding
  the bundled contacts (2,000; ``--quick``: 500), read with ``get`` and changed with
  ``update`` by a sales actor under a realistic policy (three roles; the ``pii`` fields
  masked, the birth date hidden, phone keep-last-4; sales read and update only their own
  states' records) ÷ the same calls on a steward without a policy, over the same store.
  The two variants alternate slice by slice (50 records) within each of seven rounds;
  each ratio is the median of the per-round ratios. Target: each at most 1.10.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import itertools
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import recordkit as rk
from recordkit.governance import AuditLog, RecordRule, Role
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


def contact_policy(schema: rk.Schema) -> rk.Policy:
    """A policy as a sales team would have it on the bundled contact schema."""
    return rk.Policy(
        roles=[
            Role("sales", actions=["read", "create", "update"], default="write",
                 tags={"pii": "masked", "sensitive": "none"}),
            Role("marketing", actions=["read"], default="read", tags={"pii": "none"}),
            Role("admin", actions="*", default="write"),
        ],
        rules=[RecordRule.permit(["read", "update"], roles="sales",
                                 when={"state": {"actor": "territories"}})],
        masking={"fields": {"phone": {"keep_last": 4}}, "tags": {"pii": "redact"}},
        schema=schema,
    )  # fmt: skip


def policy_ratios(options: argparse.Namespace) -> dict[str, Any]:
    """Steward get and update under a realistic policy ÷ without one, same SQLite store."""
    count = 500 if options.quick else 2_000
    schema = rk.bundled_schema("contact")
    with (ROOT / "src" / "recordkit" / "data" / "contacts.csv").open(encoding="utf-8") as f:
        rows = list(itertools.islice(csv.DictReader(f), count))
    admin = rk.Actor("root", roles={"admin"})
    with tempfile.TemporaryDirectory() as tmp, SQLStore(f"sqlite:///{tmp}/p.db") as store:
        plain = rk.Steward(schema, store=store)
        governed = rk.Steward(schema, store=store, access=contact_policy(schema))
        made = plain.capture_many(rows, source="crm", actor=admin).records
        # every state but one: a realistic territory, and a rule that does filter
        states = sorted({str(r.values["state"]) for r in made if r.values.get("state")})
        sales = rk.Actor("kim", roles={"sales"}, territories=set(states[1:]))
        ids = [r.id for r in made if r.values.get("state") in states[1:]]
        variants = {"plain": (plain, rk.Actor("kim")), "policy": (governed, sales)}
        gets: dict[str, list[float]] = {"plain": [], "policy": []}
        updates: dict[str, list[float]] = {"plain": [], "policy": []}
        # Each round times every record's get (and 200 updates) under both variants,
        # alternated slice by slice (50 records), so both see the same moments of noise.
        slices = [ids[i : i + 50] for i in range(0, len(ids), 50)]
        for n in range(7):
            spent = {"plain": 0.0, "policy": 0.0}
            wrote = {"plain": 0.0, "policy": 0.0}
            gc.collect()
            for k, part in enumerate(slices):
                order = ("plain", "policy") if (n + k) % 2 == 0 else ("policy", "plain")
                for name in order:
                    steward, actor = variants[name]
                    started = time.perf_counter()
                    for rid in part:
                        steward.get(rid, actor=actor)
                    spent[name] += time.perf_counter() - started
            for k, part in enumerate(slices[:4]):
                order = ("plain", "policy") if (n + k) % 2 == 0 else ("policy", "plain")
                for name in order:
                    steward, actor = variants[name]
                    started = time.perf_counter()
                    for rid in part:
                        steward.update(rid, {"job_title": f"Buyer {n}{name}"},
                                       source="web", actor=actor)  # fmt: skip
                    wrote[name] += time.perf_counter() - started
            for name in spent:
                gets[name].append(spent[name])
                updates[name].append(wrote[name])
    get_ratio = statistics.median(p / q for p, q in zip(gets["policy"], gets["plain"], strict=True))
    update_ratio = statistics.median(
        p / q for p, q in zip(updates["policy"], updates["plain"], strict=True)
    )
    per_get = statistics.median(gets["plain"]) / len(ids) * 1e6
    return {
        "policy_get_ratio": round(get_ratio, 3),
        "policy_update_ratio": round(update_ratio, 3),
        "plain_get_us": round(per_get, 1),
        "policy_records": len(ids),
    }


def encrypted_upsert_ratio(options: argparse.Namespace) -> dict[str, Any]:
    """A bulk upsert with three encrypted fields ÷ the same without encryption, SQLite.

    100,000 new contacts (``--quick``: 10,000) in one `SQLStore.upsert_many` into a fresh
    SQLite file, with the store's own audit event: email, phone and birth date encrypted
    (a data key per record, sealed values, blind indexes) ÷ none. The two variants
    alternate in each round (ABAB, five rounds); the ratio is the median of the per-round
    ratios. Target: at most 1.30.
    """
    from recordkit.governance import FieldEncryption, LocalKeyFile

    count = 10_000 if options.quick else 100_000
    schema = rk.bundled_schema("contact")
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    records = []
    for i in range(count):
        values: dict[str, Any] = {
            "first_name": f"Ann{i}", "last_name": f"Lee{i}", "email": f"ann{i}@example.com",
            "phone": f"+1415{i:07d}", "city": "Paris", "email_opt_in": i % 2 == 0,
            "birth_date": dt.date(1950 + i % 50, 1 + i % 12, 1 + i % 28),
        }  # fmt: skip
        provenance = {k: rk.Provenance("crm", at, str(v)) for k, v in values.items()}
        records.append(rk.Record(f"c{i:07d}", "contact", values, provenance=provenance,
                                 created_at=at, updated_at=at))  # fmt: skip
    times: dict[str, list[float]] = {"plain": [], "encrypted": []}
    with tempfile.TemporaryDirectory() as tmp:
        keys = LocalKeyFile(Path(tmp) / "master.key", create=True)
        encryption = FieldEncryption(keys, fields=["email", "phone"])  # + birth_date: sensitive
        assert len(encryption.fields_for(schema)) == 3
        for n in range(5):
            order = ("plain", "encrypted") if n % 2 == 0 else ("encrypted", "plain")
            for name in order:
                chosen = encryption if name == "encrypted" else None
                url = f"sqlite:///{tmp}/{name}{n}.db"
                with SQLStore(url, schemas=[schema], encryption=chosen) as store:
                    gc.collect()
                    started = time.perf_counter()
                    store.upsert_many(records)
                    times[name].append(time.perf_counter() - started)
            print(f"  upsert round {n + 1}: plain {times['plain'][-1]:.2f} s, "
                  f"encrypted {times['encrypted'][-1]:.2f} s")  # fmt: skip
    ratio = statistics.median(
        e / p for e, p in zip(times["encrypted"], times["plain"], strict=True)
    )
    return {
        "encrypted_upsert_ratio": round(ratio, 3),
        "plain_upsert_s": round(statistics.median(times["plain"]), 2),
        "encrypted_upsert_rows": count,
    }


FIGURES: dict[str, Figure] = {
    "verify_1m_s": verify_1m,
    "policy_ratios": policy_ratios,
    "encrypted_upsert_ratio": encrypted_upsert_ratio,
}
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
