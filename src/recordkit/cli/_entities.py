"""
``recordkit dedupe`` and ``merge``: the people a file holds more than once.

``dedupe`` cleans the file (streamed), clusters the clean rows with the schema's default
matcher and writes each row's entity id; ``merge`` captures the file into a store, finds
the duplicates among the stored records and merges each cluster into one golden record
with the schema's survivorship rules (every merge can be undone: ``Steward.unmerge``).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path

from recordkit._steward import Steward
from recordkit.cli._check import report_tally
from recordkit.cli._run import Tally, cleaned, reasons
from recordkit.cli._stored import capture_file, open_store
from recordkit.cli._tables import InputError, Reject, Unknown, open_table, read_schema
from recordkit.cli._ui import EXIT_CLEAN, EXIT_FOUND, Ui
from recordkit.cli._writers import RejectsFile, open_rows, shown
from recordkit.match import MERGED, Matcher, MatchResult
from recordkit.rules import RuleSet
from recordkit.schema import Schema

__all__ = ["dedupe", "merge", "read_truth"]


def read_truth(path: Path) -> dict[str, str]:
    """
    A truth file: CSV whose first column is the row id and second the true entity label.

    Raises:
        InputError: the file cannot be read or has fewer than two columns.
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"truth file {path}: cannot be read ({exc})") from exc
    if not rows or len(rows[0]) < 2:
        raise InputError(f"truth file {path}: needs a header and two columns (id, entity)")
    return {r[0]: r[1] for r in rows[1:] if len(r) >= 2 and r[0] and r[1]}


def _ids(
    schema: Schema, id_column: str | None, rows: list[dict[str, object]], lines: list[int]
) -> list[str]:
    column = id_column
    if column is None:
        column = next((c for c in ("id", "source_id") if c in schema), None)
    if column is not None:
        ids = [str(r.get(column) or "") for r in rows]
        if all(ids) and len(set(ids)) == len(ids):
            return ids
        if id_column is not None:
            raise InputError(f"--id {id_column}: not filled and unique in every clean row")
    return [f"line-{n}" for n in lines]


def _evaluate(ui: Ui, result: MatchResult, truth: Mapping[str, str]) -> dict[str, float]:
    known = set(result.entity_of)
    figures = result.evaluate({k: v for k, v in truth.items() if k in known}).clusters
    out = {"precision": figures.precision, "recall": figures.recall, "f1": figures.f1}
    ui.say(
        f"Against the truth: precision {out['precision']:.3f}, recall {out['recall']:.3f}, "
        f"F1 {out['f1']:.3f} (pairs of labelled rows)."
    )
    return out


def dedupe(
    ui: Ui,
    path: Path,
    *,
    schema_name: str,
    unknown: Unknown,
    columns: dict[str, str | None],
    out: Path | None,
    rejects_path: Path | None,
    id_column: str | None,
    truth_path: Path | None,
    chunk_size: int,
) -> int:
    """
    Cluster the clean rows of the file; exit 1 when duplicates were found.
    """
    schema = read_schema(schema_name)
    truth = read_truth(truth_path) if truth_path is not None else None
    rules = RuleSet.for_schema(schema)
    tally = Tally()
    rows: list[dict[str, object]] = []
    lines: list[int] = []
    with (
        RejectsFile(rejects_path, schema.field_names) as rejects,
        ui.progress(f"cleaning {path.name}") as wrap,
    ):
        table = open_table(path, schema, unknown=unknown, columns=columns, wrap=wrap)
        for passed in cleaned(table, rules, chunk_size=chunk_size, rejects=rejects, tally=tally):
            for line, row in passed:
                lines.append(line)
                rows.append(row)
    ids = _ids(schema, id_column, rows, lines)
    with ui.working(f"matching {len(rows)} rows"):
        result = Matcher.for_schema(schema).dedupe(rows, ids=ids)
    groups = [c for c in result.clusters if len(c) > 1]
    extra = sum(len(c) - 1 for c in groups)
    figures: dict[str, object] = {
        "rows": tally.rows, "clean_rows": len(rows), "rejected": tally.rejected,
        "clusters": len(result.clusters), "duplicate_clusters": len(groups),
        "duplicate_rows": extra,
    }  # fmt: skip
    if truth is not None:
        figures.update(_evaluate(ui, result, truth))
    if out is not None:
        _write_entities(out, schema, result, ids, rows)
        figures["file"] = str(out)
    ui.json(figures)
    report_tally(ui, tally, rejects, "clean") if ui.text else None
    ui.say(
        f"{len(groups)} entities appear more than once ({extra} extra rows) "
        f"among {len(rows)} clean rows."
    )
    by_id = dict(zip(ids, rows, strict=True))
    shown_rows: list[tuple[object, ...]] = []
    for cluster in sorted(groups, key=len, reverse=True)[:5]:
        for rid in cluster.record_ids:
            row = by_id[rid]
            shown_rows.append((cluster.entity_id, rid, *(_cell(schema, row, f) for f in _FACE)))
    ui.table("Largest duplicate clusters", ("entity", "row", *_FACE), shown_rows)
    if out is not None:
        ui.say(f"Entity ids per row: {out}")
    return EXIT_FOUND if groups else EXIT_CLEAN


_FACE = ("first_name", "last_name", "email", "phone")


def _cell(schema: Schema, row: Mapping[str, object], name: str) -> str:
    return (shown(schema, name, row.get(name)) or "")[:32]


def _write_entities(
    out: Path, schema: Schema, result: MatchResult, ids: list[str], rows: list[dict[str, object]]
) -> None:
    entity = result.entity_of
    size = {c.entity_id: len(c) for c in result.clusters}
    writer = open_rows(out, ("id", "entity_id", "cluster_size", *schema.field_names))
    try:
        writer.write(
            {
                "id": rid,
                "entity_id": entity[rid],
                "cluster_size": size[entity[rid]],
                **{k: shown(schema, k, v) for k, v in row.items()},
            }
            for rid, row in zip(ids, rows, strict=True)
        )
    finally:
        writer.close()


def merge(
    ui: Ui,
    path: Path,
    *,
    schema_name: str,
    unknown: Unknown,
    columns: dict[str, str | None],
    out: Path,
    rejects_path: Path | None,
    chunk_size: int,
) -> int:
    """
    Capture the file, merge each duplicate cluster into a golden record, write the golden ones.

    With a SQLite *out* (``.db``) the store is that file (with lineage, so each merge can be
    undone); otherwise the store lives in memory and the golden records go to CSV/Parquet.
    """
    schema = read_schema(schema_name)
    in_db = out.suffix.lower() in (".db", ".sqlite", ".sqlite3")
    db = out if in_db else None
    if db is not None:
        status = capture_file(
            ui, path, db=db, schema=schema, unknown=unknown, columns=columns,
            rejects_path=rejects_path, chunk_size=chunk_size, show=False,
        )  # fmt: skip
        with open_store(db, schema, create=False) as steward:
            return _merge_stored(ui, steward, schema, out, status, in_db=True)
    steward = Steward(schema)
    table = open_table(path, schema, unknown=unknown, columns=columns)
    rejected = 0
    with RejectsFile(rejects_path, schema.field_names) as rejects:
        for chunk in table.chunks(chunk_size):
            rejects.add(chunk.unreadable)
            if chunk.rows:
                result = steward.capture_many(chunk.rows, source=path.name)
                rejects.add(
                    Reject(chunk.lines[q.index], reasons(q.errors), dict(q.row))
                    for q in result.quarantined
                )
        rejected = rejects.count
    return _merge_stored(
        ui, steward, schema, out, EXIT_FOUND if rejected else EXIT_CLEAN, in_db=False
    )


def _merge_stored(
    ui: Ui, steward: object, schema: Schema, out: Path, status: int, *, in_db: bool
) -> int:
    from recordkit._steward import Steward

    assert isinstance(steward, Steward)
    with ui.working("finding duplicates"):
        found = Matcher.for_schema(schema).dedupe(steward.query())
    groups = [c for c in found.clusters if len(c) > 1]
    merged = 0
    with ui.working(f"merging {len(groups)} clusters"):
        for cluster in groups:
            steward.merge(list(cluster.record_ids))
            merged += len(cluster) - 1
    golden = [r for r in steward.query() if r.state != MERGED]
    if not in_db:
        writer = open_rows(out, ("id", *schema.field_names))
        try:
            writer.write(
                {"id": r.id, **{k: shown(schema, k, v) for k, v in r.values.items()}}
                for r in golden
            )
        finally:
            writer.close()
    ui.json(
        {
            "clusters_merged": len(groups),
            "records_merged_away": merged,
            "golden_records": len(golden),
            "file": str(out),
        }
    )
    ui.say(
        f"Merged {len(groups)} duplicate clusters ({merged} records merged away): "
        f"{len(golden)} golden records in {out}."
    )
    return status
