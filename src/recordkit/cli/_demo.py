"""
``recordkit demo``: the whole story on the bundled messy contacts.

Profile the file, capture it into SQLite through a `Steward` (normalized, validated, the
bad rows quarantined), find the duplicate people, measure that against the bundled truth,
merge each cluster into a golden record, write the HTML report, and print a summary.
"""

from __future__ import annotations

import collections
import csv
import importlib.resources
import io
import tempfile
import time
from pathlib import Path

from recordkit._steward import BatchResult, Steward
from recordkit.cli._tables import InputError
from recordkit.cli._ui import EXIT_CLEAN, Ui
from recordkit.match import MERGED, Matcher, MatchResult
from recordkit.quality import HealthModel, HealthScore, Profile
from recordkit.schema import Record, Schema, bundled_schema

__all__ = ["demo"]

DEFAULT_DB = "recordkit-demo.db"


def _text(csv_path: Path | None) -> tuple[str, str]:
    if csv_path is None:
        resource = importlib.resources.files("recordkit") / "data" / "contacts.csv"
        return "contacts.csv (bundled)", resource.read_text(encoding="utf-8")
    try:
        return str(csv_path), csv_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{csv_path}: cannot be read ({exc})") from exc


def _truth() -> dict[str, str]:
    resource = importlib.resources.files("recordkit") / "data" / "contacts_truth.csv"
    rows = csv.DictReader(io.StringIO(resource.read_text(encoding="utf-8")))
    return {r["source_id"]: r["entity_id"] for r in rows}


def _database(db: Path | None) -> Path:
    if db is None:
        path = Path(tempfile.gettempdir()) / DEFAULT_DB
        for suffix in ("", "-wal", "-shm"):  # the demo's own file: start afresh
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return path
    if db.exists():
        raise InputError(f"{db} exists already; pick a new file for the demo")
    return db


def _changes(schema: Schema, records: list[Record], limit: int) -> list[tuple[str, str, str]]:
    """
    Raw values that were stored differently, at most two per field.
    """
    per_field: collections.Counter[str] = collections.Counter()
    out: list[tuple[str, str, str]] = []
    for record in records:
        for name, p in record.provenance.items():
            value = record.values.get(name)
            if p.raw is None or value is None or per_field[name] >= 2:
                continue
            stored = str(schema.field(name).type.dump(value))
            if str(p.raw) != stored:
                per_field[name] += 1
                out.append((name, str(p.raw)[:32], stored[:32]))
                if len(out) >= limit:
                    return out
    return out


def _accuracy(found: MatchResult, records: list[Record]) -> dict[str, float] | None:
    truth = _truth()
    labels = {
        r.id: truth[str(r.values.get("source_id"))]
        for r in records
        if str(r.values.get("source_id")) in truth
    }
    if not labels:
        return None
    figures = found.evaluate(labels).clusters
    return {"precision": figures.precision, "recall": figures.recall, "f1": figures.f1}


def demo(ui: Ui, *, db: Path | None, csv_path: Path | None, report: Path | None) -> int:
    """
    Run the story and print what happened; return 0.
    """
    from recordkit.quality import profile
    from recordkit.store import SQLStore

    path = _database(db)
    name, text = _text(csv_path)
    schema = bundled_schema("contact")
    rows = list(csv.DictReader(io.StringIO(text)))
    ui.say(f"[bold]1. Read[/bold] {len(rows)} rows from {name}.")
    before = profile(rows, schema=schema)
    ui.say(
        f"[bold]2. Profile[/bold] as found: completeness {before.completeness:.1%}, "
        f"rows with no error {before.validity:.1%}."
    )
    with SQLStore(f"sqlite:///{path}") as store:
        steward = Steward(schema, store=store, health=HealthModel())
        started = time.perf_counter()
        result = steward.capture_many(rows, source="crm_export")
        _captured(ui, schema, result, time.perf_counter() - started)
        started = time.perf_counter()
        found = Matcher.for_schema(schema).dedupe(result.records)
        groups = [c for c in found.clusters if len(c) > 1]
        extra = sum(len(c) - 1 for c in groups)
        accuracy = _accuracy(found, result.records)
        ui.say(
            f"[bold]4. Dedupe[/bold]: {len(groups)} people appear more than once ({extra} "
            f"extra records), found in {time.perf_counter() - started:.1f} s."
        )
        if accuracy is not None:
            ui.say(
                f"   Against the bundled truth: precision {accuracy['precision']:.3f}, "
                f"recall {accuracy['recall']:.3f}, F1 {accuracy['f1']:.3f}."
            )
        for cluster in groups:
            steward.merge(list(cluster.record_ids))
        golden = [r for r in steward.query() if r.state != MERGED]
        ui.say(
            f"[bold]5. Merge[/bold]: each cluster became one golden record (survivorship per "
            f"field, undoable): {len(golden)} golden records."
        )
        scores = steward.lowest_health(limit=None)
        _health(ui, scores)
        audit = store.audit_log()
        events = len(list(audit.events()))
        ui.say(
            f"   Audit trail: {events} events, chain intact: {audit.verify().ok}; "
            f"quarantined rows kept for review: {len(store.quarantined('contact'))}."
        )
        page = _report(
            ui, schema, before, result, found, scores, report or path.with_suffix(".html")
        )
    ui.json(
        {"rows": len(rows), "stored": len(result.records),
         "quarantined": len(result.quarantined), "duplicate_clusters": len(groups),
         "golden_records": len(golden), "accuracy": accuracy, "database": str(path),
         "report": str(page) if page else None, "audit_events": events}
    )  # fmt: skip
    ui.say(f"SQLite database: {path.resolve()}")
    if page is not None:
        ui.say(f"HTML report: {page.resolve()}")
    return EXIT_CLEAN


def _health(ui: Ui, scores: list[HealthScore]) -> None:
    if not scores:
        return
    mean = sum(s.score for s in scores) / len(scores)
    low = sum(1 for s in scores if s.score < 60)
    ui.say(
        f"[bold]6. Health[/bold]: golden records score {mean:.0f}/100 on average; "
        f"{low} score under 60 (Steward.lowest_health)."
    )
    worst = scores[:3]
    ui.table(
        "Least healthy records",
        ("record", "score", *worst[0].names),
        [(s.record_id[:12], s.score, *s.points) for s in worst],
    )


def _captured(ui: Ui, schema: Schema, result: BatchResult, seconds: float) -> None:
    ui.say(
        f"[bold]3. Clean[/bold]: stored {len(result.records)} records, quarantined "
        f"{len(result.quarantined)} rows, in {seconds:.1f} s (Steward.capture_many)."
    )
    reasons = collections.Counter(
        f"{e.field or '<record>'}: {e.code}" for q in result.quarantined for e in q.errors
    )
    ui.table("Top quarantine reasons", ("reason", "rows"), list(reasons.most_common(5)))
    ui.table(
        "What normalization changed (raw → stored, from provenance)",
        ("field", "raw", "stored"),
        list(_changes(schema, result.records, 10)),
    )


def _report(
    ui: Ui,
    schema: Schema,
    before: Profile,
    result: BatchResult,
    found: MatchResult,
    scores: list[HealthScore],
    page: Path,
) -> Path | None:
    from recordkit.quality import profile
    from recordkit.report import build_report

    after = profile([r.values for r in result.records], schema=schema)
    as_found = build_report(title="as found", profile=before)
    built = build_report(
        title="recordkit demo: bundled messy contacts",
        profile=after,
        batch=result,
        duplicates=found,
        health=[s.score for s in scores],
        health_breakdowns=[dict(zip(s.names, s.points, strict=True)) for s in scores],
        history=[as_found],
    )
    try:
        built.write_html(page)
    except ImportError as exc:
        ui.note(f"(no HTML report: {exc})")
        return None
    return page
