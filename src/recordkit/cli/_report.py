"""
``recordkit report``: one file profiled, cleaned and deduplicated, written as an HTML report.

The report (see `recordkit.report`) holds the profile of the file as found, what the rules
did (issues per rule, quarantine, what normalization changed), the variant spellings of
its free-text and picklist columns, the duplicate clusters with explained pairs, and the
trend over earlier runs whose JSON reports are passed with ``--history``.
"""

from __future__ import annotations

import collections
from pathlib import Path

from recordkit._steward import BatchResult, QuarantinedRow, Steward
from recordkit.cli._tables import InputError, Unknown, open_table, read_schema, writable
from recordkit.cli._ui import EXIT_CLEAN, Ui
from recordkit.match import Matcher
from recordkit.rules import Issue
from recordkit.schema import Picklist, Record, Schema, Text

__all__ = ["report"]

MAX_VARIANT_FIELDS = 6
"""Columns whose variant spellings the report clusters, when ``--variants`` is not given."""


def _variant_fields(schema: Schema, given: list[str]) -> list[str]:
    for name in given:
        if name not in schema:
            raise InputError(f"--variants {name!r}: not a field of schema {schema.name!r}")
    if given:
        return given
    keys = {name for key in schema.identity for name in key}
    plain = [
        f.name
        for f in schema.fields
        if isinstance(f.type, Text | Picklist) and not f.role and f.name not in keys
    ]
    return plain[:MAX_VARIANT_FIELDS]


def report(
    ui: Ui,
    path: Path,
    *,
    out: Path,
    json_path: Path | None,
    history: list[Path],
    variants: list[str],
    schema_name: str,
    unknown: Unknown,
    columns: dict[str, str | None],
    chunk_size: int,
) -> int:
    """
    Build the report of *path* and write it to *out* (HTML) and *json_path*.
    """
    from recordkit.quality import HealthModel, profile, variant_clusters
    from recordkit.report import Report, build_report

    schema = read_schema(schema_name)
    writable(out)
    if json_path is not None:
        writable(json_path)
    earlier = [Report.read_json(p) for p in history]
    fields = _variant_fields(schema, variants)
    values: dict[str, collections.Counter[str]] = {f: collections.Counter() for f in fields}
    rows: list[dict[str, object]] = []
    steward = Steward(schema, health=HealthModel())
    records: list[Record] = []
    quarantined: list[QuarantinedRow] = []
    issues: list[Issue] = []
    unreadable = 0
    with ui.progress(f"reading {path.name}") as wrap:
        table = open_table(path, schema, unknown=unknown, columns=columns, wrap=wrap)
        for chunk in table.chunks(chunk_size):
            unreadable += len(chunk.unreadable)
            rows.extend(chunk.rows)
            for row in chunk.rows:
                for f in fields:
                    value = row.get(f)
                    if isinstance(value, str) and value.strip():
                        values[f][value] += 1
            if chunk.rows:
                batch = steward.capture_many(chunk.rows, source=path.name)
                records.extend(batch.records)
                quarantined.extend(batch.quarantined)
                issues.extend(batch.issues)

    with ui.working("profiling, clustering and matching"):
        found = profile(rows, schema=schema)
        del rows
        clusters = {f: variant_clusters(values[f], min_count=1) for f in fields}
        duplicates = Matcher.for_schema(schema).dedupe(records) if records else None
        scores = steward.lowest_health(limit=None)
        built = build_report(
            title=f"Data quality: {path.name}",
            profile=found,
            batch=BatchResult(records, quarantined, issues),
            variants={f: [c for c in cs if len(c.members) > 1] for f, cs in clusters.items()},
            duplicates=duplicates,
            health=[s.score for s in scores],
            health_breakdowns=[dict(zip(s.names, s.points, strict=True)) for s in scores],
            history=earlier,
        )
    with ui.working("writing the report"):
        built.write_html(out)
        if json_path is not None:
            built.write_json(json_path)
    ui.json({**built.summary, "unreadable_rows": unreadable, "html": str(out),
             "json": str(json_path) if json_path else None})  # fmt: skip
    figures = f" (figures: {json_path})" if json_path else ""
    ui.say(f"Report of {table.describe()}: {out}{figures}")
    if unreadable:
        ui.say(f"{unreadable} rows could not be read; run validate --rejects to see them.")
    return EXIT_CLEAN
