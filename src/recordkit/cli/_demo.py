"""
``recordkit demo``: the bundled messy contacts, captured into SQLite, summarised.
"""

from __future__ import annotations

import collections
import csv
import importlib.resources
import io
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from recordkit._errors import RecordkitError
from recordkit._steward import BatchResult, Steward
from recordkit.schema import Record, Schema, bundled_schema

__all__ = ["demo"]

DEFAULT_DB = "recordkit-demo.db"


def _rows(csv_path: Path | None) -> tuple[str, list[dict[str, str]]]:
    if csv_path is None:
        resource = importlib.resources.files("recordkit") / "data" / "contacts.csv"
        name, text = "contacts.csv (bundled)", resource.read_text(encoding="utf-8")
    else:
        name, text = str(csv_path), csv_path.read_text(encoding="utf-8")
    return name, list(csv.DictReader(io.StringIO(text)))


def _database(db: Path | None) -> Path:
    if db is None:
        path = Path(tempfile.gettempdir()) / DEFAULT_DB
        for suffix in ("", "-wal", "-shm"):  # the demo's own file: start afresh
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return path
    if db.exists():
        raise RecordkitError(f"{db} exists already; pick a new file for the demo")
    return db


def _shown(schema: Schema, name: str, value: Any) -> str:
    dumped = schema.field(name).type.dump(value) if name in schema else value
    return str(dumped)


def _changes(schema: Schema, records: Iterable[Record], limit: int) -> list[str]:
    """
    Examples of raw values that were stored differently, one or two per field.
    """
    per_field: dict[str, int] = collections.Counter()
    out: list[str] = []
    for record in records:
        for name, p in record.provenance.items():
            value = record.values.get(name)
            if p.raw is None or value is None or per_field[name] >= 2:
                continue
            stored = _shown(schema, name, value)
            if str(p.raw) != stored:
                per_field[name] += 1
                out.append(f"  {name:<14} {str(p.raw)[:32]!r:<36} → {stored[:32]!r}")
                if len(out) >= limit:
                    return out
    return out


def _duplicates(schema: Schema, records: list[Record], out: TextIO) -> None:
    try:
        from recordkit.match import Matcher
    except ImportError:
        out.write("Duplicates: matching is not available in this build.\n")
        return
    started = time.perf_counter()
    result = Matcher.for_schema(schema).dedupe(records)
    groups = [c for c in result.clusters if len(c) > 1]
    extra = sum(len(c) - 1 for c in groups)
    seconds = time.perf_counter() - started
    out.write(
        f"Duplicates: {len(groups)} people appear more than once "
        f"({extra} extra records), found in {seconds:.1f} s:\n"
    )
    by_id = {r.id: r for r in records}
    for cluster in groups[:3]:
        out.write(f"  entity {cluster.entity_id}:\n")
        for rid in cluster.record_ids:
            r = by_id[rid]
            who = " ".join(str(r.get(f, "")) for f in ("first_name", "last_name"))
            out.write(f"    {who:<24} {str(r.get('email', ''))[:34]:<36} {r.get('phone', '')}\n")


def _summary(schema: Schema, result: BatchResult, out: TextIO) -> None:
    stored = result.records
    out.write(f"Stored {len(stored)} records; quarantined {len(result.quarantined)} rows.\n")
    reasons = collections.Counter(
        f"{e.field or '<record>'}: {e.message}" for q in result.quarantined for e in q.errors
    )
    if reasons:
        out.write("Top quarantine reasons:\n")
        for reason, count in reasons.most_common(5):
            short = reason if len(reason) <= 80 else f"{reason[:79]}…"
            out.write(f"  {count:>4}x {short}\n")
    out.write("Fill rate per field (stored records):\n")
    for f in schema.fields:
        filled = sum(1 for r in stored if r.values.get(f.name) is not None)
        share = filled / len(stored) if stored else 0.0
        out.write(f"  {f.name:<16} {share:6.1%} {'█' * round(share * 30)}\n")
    changes = _changes(schema, stored, 12)
    if changes:
        out.write("What coercion and normalization changed (raw → stored, from provenance):\n")
        out.write("".join(f"{line}\n" for line in changes))


def demo(*, db: Path | None, csv_path: Path | None, out: TextIO) -> int:
    """
    Capture the contacts CSV into a SQLite file and print what happened; return 0.
    """
    try:
        from recordkit.store import SQLStore
    except ImportError as exc:
        out.write(f"{exc}\n")
        return 1
    try:
        path = _database(db)
        name, rows = _rows(csv_path)
        schema = bundled_schema("contact")
        out.write(f"Read {len(rows)} rows from {name}.\n")
        with SQLStore(f"sqlite:///{path}") as store:
            steward = Steward(schema, store=store)
            started = time.perf_counter()
            result = steward.capture_many(rows, source="crm_export")
            seconds = time.perf_counter() - started
            out.write(f"Captured in {seconds:.1f} s through Steward.capture_many.\n")
            _summary(schema, result, out)
            _duplicates(schema, result.records, out)
            segment = store.count("contact", where={"state": "US-NY", "phone": None})
            events = len(list(store.audit_log().events()))
            out.write(
                f"Segment query: {segment} contacts in US-NY with no phone.\n"
                f"Quarantined rows kept for review: {len(store.quarantined('contact'))}.\n"
                f"Audit trail: {events} event{'s' if events != 1 else ''}, "
                f"chain intact: {store.audit_log().verify().ok}.\n"
                f"SQLite database: {path.resolve()} (table {store.table('contact').name}).\n"
            )
    except (RecordkitError, OSError) as exc:
        out.write(f"recordkit demo: {exc}\n")
        return 1
    return 0
