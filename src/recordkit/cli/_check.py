"""
``recordkit profile``, ``validate`` and ``clean``: a table file through the schema's rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from recordkit.cli._run import Tally, cleaned
from recordkit.cli._tables import Table, Unknown, open_table, read_schema
from recordkit.cli._ui import EXIT_CLEAN, EXIT_FOUND, Ui
from recordkit.cli._writers import RejectsFile, open_rows, shown
from recordkit.rules import RuleSet
from recordkit.schema import Schema

__all__ = ["clean", "profile", "report_tally", "validate"]


def _rows(table: Table, chunk_size: int, unreadable: list[int]) -> Iterator[dict[str, object]]:
    for chunk in table.chunks(chunk_size):
        unreadable[0] += len(chunk.unreadable)
        yield from chunk.rows


def profile(
    ui: Ui,
    path: Path,
    *,
    schema_name: str,
    unknown: Unknown,
    columns: dict[str, str | None],
    chunk_size: int,
) -> int:
    """
    Profile the file: fill rate, distinct values, invalid rate, shapes and top values.
    """
    from recordkit.quality import profile as profile_of

    schema = read_schema(schema_name)
    unreadable = [0]
    with ui.progress(f"profiling {path.name}") as wrap:
        table = open_table(path, schema, unknown=unknown, columns=columns, wrap=wrap)
        result = profile_of(_rows(table, chunk_size, unreadable), schema=schema)
    data = result.to_dict()
    data["unreadable_rows"] = unreadable[0]
    ui.json(data)
    ui.say(f"Profile of {table.describe()}: {result.rows} rows, {unreadable[0]} unreadable.")
    rows: list[tuple[object, ...]] = []
    for f in result.fields:
        top = ", ".join(f"{v:.20} ({n})" for v, n in f.top_values(3))
        rows.append((f.name, _rate(f.fill_rate), f.distinct, _rate(f.invalid_rate), top))
    ui.table("Fields", ("field", "filled", "distinct", "invalid", "top values"), rows)
    return EXIT_CLEAN


def _rate(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.1%}"


def report_tally(ui: Ui, tally: Tally, rejects: RejectsFile, what: str) -> None:
    ui.json({**tally.to_dict(), "rejects_file": str(rejects.path) if rejects.path else None})
    ui.say(
        f"{tally.rows} rows: {tally.passed} {what}, {tally.rejected} rejected "
        f"({tally.unreadable} unreadable); normalization changed {tally.changed} rows."
    )
    ui.table("Errors", ("code", "rows"), list(tally.errors.most_common(15)))
    ui.table("Warnings", ("code", "rows"), list(tally.warnings.most_common(10)))
    if rejects.path is not None and rejects.count:
        ui.say(f"Rejected rows, with their line and reasons: {rejects.path}")
    elif tally.rejected:
        ui.say("Pass --rejects FILE to keep the rejected rows with their reasons.")


def validate(
    ui: Ui,
    path: Path,
    *,
    schema_name: str,
    unknown: Unknown,
    columns: dict[str, str | None],
    rejects_path: Path | None,
    chunk_size: int,
    strict: bool,
) -> int:
    """
    Run the schema's rules over the file and say what fails; exit 1 when any row fails.
    """
    schema = read_schema(schema_name)
    rules = RuleSet.for_schema(schema)
    tally = Tally()
    with (
        RejectsFile(rejects_path, schema.field_names) as rejects,
        ui.progress(f"validating {path.name}") as wrap,
    ):
        table = open_table(path, schema, unknown=unknown, columns=columns, wrap=wrap)
        for _ in cleaned(table, rules, chunk_size=chunk_size, rejects=rejects, tally=tally):
            pass
    report_tally(ui, tally, rejects, "pass")
    found = tally.rejected or (strict and tally.warnings)
    return EXIT_FOUND if found else EXIT_CLEAN


def clean(
    ui: Ui,
    path: Path,
    *,
    out: Path,
    schema_name: str,
    unknown: Unknown,
    columns: dict[str, str | None],
    rejects_path: Path | None,
    chunk_size: int,
) -> int:
    """
    Write the normalized rows to *out* (CSV, Parquet or SQLite); exit 1 when rows were rejected.
    """
    schema = read_schema(schema_name)
    if out.suffix.lower() in (".db", ".sqlite", ".sqlite3"):
        from recordkit.cli._stored import capture_file

        return capture_file(
            ui, path, db=out, schema=schema, unknown=unknown, columns=columns,
            rejects_path=rejects_path, chunk_size=chunk_size,
        )  # fmt: skip
    rules = RuleSet.for_schema(schema)
    tally = Tally()
    writer = open_rows(out, ("line", *schema.field_names))
    try:
        with (
            RejectsFile(rejects_path, schema.field_names) as rejects,
            ui.progress(f"cleaning {path.name}") as wrap,
        ):
            table = open_table(path, schema, unknown=unknown, columns=columns, wrap=wrap)
            for passed in cleaned(
                table, rules, chunk_size=chunk_size, rejects=rejects, tally=tally
            ):
                writer.write(_dumped(schema, line, row) for line, row in passed)
    finally:
        writer.close()
    report_tally(ui, tally, rejects, "written")
    ui.say(f"Cleaned rows: {out}")
    return EXIT_FOUND if tally.rejected else EXIT_CLEAN


def _dumped(schema: Schema, line: int, row: dict[str, object]) -> dict[str, object]:
    return {"line": line, **{k: shown(schema, k, v) for k, v in row.items()}}
