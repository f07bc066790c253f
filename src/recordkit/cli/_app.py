"""
The ``recordkit`` command: its subcommands, options and help, on Typer.

Each subcommand parses its options here and calls one function that does the work and
returns the exit status: 0 when the work found nothing wrong, 1 when it found issues
(rejected rows, duplicates, open reviews), 2 when the command was used wrongly or its
input could not be read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from recordkit.cli._tables import InputError, Unknown
from recordkit.cli._ui import Format, Ui

__all__ = ["app"]

app = typer.Typer(
    name="recordkit",
    help=(
        "Govern customer records: profile, validate, clean, deduplicate and merge CSV or "
        "Parquet files, and look after a SQLite store.\n\n"
        "Exit status: 0 nothing wrong found, 1 issues found (rejected rows, duplicates, "
        "open reviews), 2 usage or input error."
    ),
    epilog=(
        "Examples:\n\n"
        "  recordkit profile contacts.csv\n\n"
        "  recordkit validate contacts.csv --schema lead.yaml --rejects rejects.csv\n\n"
        "  recordkit clean contacts.csv --out clean.parquet\n\n"
        "  recordkit dedupe contacts.csv --out entities.csv\n\n"
        "  recordkit merge contacts.csv --out crm.db\n\n"
        "  recordkit report contacts.csv --out report.html"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state: dict[str, Ui] = {}


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("recordkit")
        except PackageNotFoundError:  # pragma: no cover - run from a source tree
            found = "unknown"
        typer.echo(f"recordkit {found}")
        raise typer.Exit(0)


@app.callback()
def _main(
    output: Annotated[
        Literal["text", "json"],
        typer.Option("--format", "-f", help="Result as text tables or one JSON object."),
    ] = "text",
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bars or notes on stderr.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    fmt: Format = output
    _state["ui"] = Ui(format=fmt, quiet=quiet)


FormatOpt = Annotated[
    Literal["text", "json"] | None,
    typer.Option("--format", "-f", help="Result as text tables or one JSON object."),
]
QuietOpt = Annotated[
    bool | None, typer.Option("--quiet", "-q", help="No progress bars or notes on stderr.")
]


def _ui(output: Literal["text", "json"] | None = None, quiet: bool | None = None) -> Ui:
    """
    The shared `Ui`, with the command's own --format/--quiet (given after it) applied.
    """
    ui = _state.get("ui") or Ui()
    if output is not None:
        ui.format = output
    if quiet is not None:
        ui.quiet = quiet
    return ui


Input = Annotated[
    Path,
    typer.Argument(help="A CSV file (any encoding, delimiter detected) or a Parquet file."),
]
SchemaOpt = Annotated[
    str,
    typer.Option(
        "--schema",
        "-s",
        metavar="NAME|FILE",
        help="A bundled schema (contact, company, deal) or a YAML file.",
    ),
]
UnknownOpt = Annotated[
    Unknown,
    typer.Option(help="Columns the schema does not have: refuse the file, ignore or keep."),
]
ColumnOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--column",
        "-c",
        metavar="HEADER=FIELD",
        help="Rename a column to a field: HEADER=FIELD (HEADER= drops it). Repeatable.",
    ),
]
RejectsOpt = Annotated[
    Path | None,
    typer.Option(help="Write rows that could not be read or failed the rules here (CSV)."),
]
ChunkOpt = Annotated[int, typer.Option(min=1, help="Rows read and checked at a time.")]


def _columns(given: list[str] | None) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for item in given or ():
        header, sep, field = item.partition("=")
        if not sep or not header:
            raise InputError(f"--column {item!r}: write HEADER=FIELD (or HEADER= to drop it)")
        out[header] = field or None
    return out


@app.command()
def profile(
    path: Input,
    schema: SchemaOpt = "contact",
    unknown: UnknownOpt = "error",
    column: ColumnOpt = None,
    chunk_size: ChunkOpt = 100_000,
    output: FormatOpt = None,
    quiet: QuietOpt = None,
) -> int:
    """
    Profile a file: per field fill rate, distinct values, invalid rate and top values.

    Example: [bold]recordkit profile contacts.csv --format json[/bold]
    """
    from recordkit.cli._check import profile as run

    return run(
        _ui(output, quiet),
        path,
        schema_name=schema,
        unknown=unknown,
        columns=_columns(column),
        chunk_size=chunk_size,
    )


@app.command()
def validate(
    path: Input,
    schema: SchemaOpt = "contact",
    unknown: UnknownOpt = "error",
    column: ColumnOpt = None,
    rejects: RejectsOpt = None,
    strict: Annotated[bool, typer.Option(help="Warnings count as issues too.")] = False,
    chunk_size: ChunkOpt = 10_000,
    output: FormatOpt = None,
    quiet: QuietOpt = None,
) -> int:
    """
    Check a file against a schema's rules; exit 1 when any row fails.

    Example: [bold]recordkit validate contacts.csv --rejects rejects.csv[/bold]
    """
    from recordkit.cli._check import validate as run

    return run(
        _ui(output, quiet),
        path,
        schema_name=schema,
        unknown=unknown,
        columns=_columns(column),
        rejects_path=rejects,
        chunk_size=chunk_size,
        strict=strict,
    )


OutOpt = Annotated[
    Path, typer.Option("--out", "-o", help="Where to write: .csv, .parquet or a SQLite .db.")
]


@app.command()
def clean(
    path: Input,
    out: OutOpt,
    schema: SchemaOpt = "contact",
    unknown: UnknownOpt = "error",
    column: ColumnOpt = None,
    rejects: RejectsOpt = None,
    chunk_size: ChunkOpt = 10_000,
    output: FormatOpt = None,
    quiet: QuietOpt = None,
) -> int:
    """
    Normalize a file's rows and write the clean ones; rejected rows go to --rejects.

    Example: [bold]recordkit clean contacts.csv --out clean.csv --rejects rejects.csv[/bold]
    """
    from recordkit.cli._check import clean as run

    return run(
        _ui(output, quiet),
        path,
        out=out,
        schema_name=schema,
        unknown=unknown,
        columns=_columns(column),
        rejects_path=rejects,
        chunk_size=chunk_size,
    )


@app.command()
def dedupe(
    path: Input,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write each row's entity id (CSV/Parquet).")
    ] = None,
    schema: SchemaOpt = "contact",
    unknown: UnknownOpt = "error",
    column: ColumnOpt = None,
    rejects: RejectsOpt = None,
    id: Annotated[
        str | None, typer.Option("--id", help="The column naming rows (default: id/source_id).")
    ] = None,
    truth: Annotated[
        Path | None,
        typer.Option(help="CSV of row id, true entity: report precision and recall."),
    ] = None,
    chunk_size: ChunkOpt = 10_000,
    output: FormatOpt = None,
    quiet: QuietOpt = None,
) -> int:
    """
    Find the entities a file holds more than once; exit 1 when there are duplicates.

    Example: [bold]recordkit dedupe contacts.csv --out entities.csv --truth truth.csv[/bold]
    """
    from recordkit.cli._entities import dedupe as run

    return run(
        _ui(output, quiet),
        path,
        schema_name=schema,
        unknown=unknown,
        columns=_columns(column),
        out=out,
        rejects_path=rejects,
        id_column=id,
        truth_path=truth,
        chunk_size=chunk_size,
    )


@app.command()
def merge(
    path: Input,
    out: OutOpt,
    schema: SchemaOpt = "contact",
    unknown: UnknownOpt = "error",
    column: ColumnOpt = None,
    rejects: RejectsOpt = None,
    chunk_size: ChunkOpt = 10_000,
    output: FormatOpt = None,
    quiet: QuietOpt = None,
) -> int:
    """
    Merge each duplicate cluster into one golden record (survivorship per field).

    With a SQLite --out the records, merges and lineage are kept there, so every merge can be
    undone; with CSV or Parquet only the golden records are written.

    Example: [bold]recordkit merge contacts.csv --out crm.db[/bold]
    """
    from recordkit.cli._entities import merge as run

    return run(
        _ui(output, quiet),
        path,
        schema_name=schema,
        unknown=unknown,
        columns=_columns(column),
        out=out,
        rejects_path=rejects,
        chunk_size=chunk_size,
    )


@app.command()
def report(
    path: Input,
    out: Annotated[Path, typer.Option("--out", "-o", help="The HTML report to write.")],
    json: Annotated[
        Path | None, typer.Option("--json", help="Also write the figures as JSON here.")
    ] = None,
    history: Annotated[
        list[Path] | None,
        typer.Option(help="An earlier run's JSON report, for the trend. Repeatable."),
    ] = None,
    variants: Annotated[
        list[str] | None,
        typer.Option(help="Cluster the spellings of this field (default: free text). Repeatable."),
    ] = None,
    schema: SchemaOpt = "contact",
    unknown: UnknownOpt = "error",
    column: ColumnOpt = None,
    chunk_size: ChunkOpt = 10_000,
    output: FormatOpt = None,
    quiet: QuietOpt = None,
) -> int:
    """
    Write a self-contained HTML report (and JSON figures) of a file's quality.

    The page has charts and opens with no network: fill rates, issues per rule, variant
    spellings, duplicate clusters with explained pairs, and the trend over --history runs.

    Example: [bold]recordkit report contacts.csv -o report.html --json report.json[/bold]
    """
    from recordkit.cli._report import report as run

    return run(
        _ui(output, quiet),
        path,
        out=out,
        json_path=json,
        history=history or [],
        variants=variants or [],
        schema_name=schema,
        unknown=unknown,
        columns=_columns(column),
        chunk_size=chunk_size,
    )


Database = Annotated[Path, typer.Argument(help="The SQLite file of a recordkit store.")]


@app.command()
def review(
    db: Database,
    schema: SchemaOpt = "contact",
    accept: Annotated[
        list[str] | None, typer.Option(help="Accept this review (merge the pair). Repeatable.")
    ] = None,
    reject: Annotated[
        list[str] | None, typer.Option(help="Reject this review (keep apart). Repeatable.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many.")] = 50,
    output: FormatOpt = None,
    quiet: QuietOpt = None,
) -> int:
    """
    List the open duplicate reviews of a store; accept or reject them.

    Example: [bold]recordkit review crm.db --accept 3f2a…[/bold]
    """
    from recordkit.cli._stored import review as run

    return run(
        _ui(output, quiet),
        db,
        schema_name=schema,
        accept=accept or [],
        reject=reject or [],
        limit=limit,
    )


@app.command()
def export(
    db: Database,
    out: OutOpt,
    schema: SchemaOpt = "contact",
    quarantine: Annotated[
        bool, typer.Option(help="Export the quarantined rows (to fix and import again).")
    ] = False,
    output: FormatOpt = None,
    quiet: QuietOpt = None,
) -> int:
    """
    Write a store's records, or its quarantined rows, to CSV or Parquet.

    Example: [bold]recordkit export crm.db --quarantine --out to-fix.csv[/bold]
    """
    from recordkit.cli._stored import export as run

    return run(_ui(output, quiet), db, schema_name=schema, out=out, quarantine=quarantine)


@app.command()
def erase(
    db: Database,
    subject: Annotated[
        str, typer.Argument(help="A record id, or FIELD=VALUE (e.g. email=ada@example.org).")
    ],
    reason: Annotated[str, typer.Option(help="Why (the request this answers).")],
    schema: SchemaOpt = "contact",
    output: FormatOpt = None,
    quiet: QuietOpt = None,
) -> int:
    """
    Erase a person's data from every place the store keeps it, leaving the audit chain valid.

    Example: [bold]recordkit erase crm.db email=ada@example.org --reason "GDPR art. 17"[/bold]
    """
    from recordkit.cli._stored import erase as run

    return run(_ui(output, quiet), db, schema_name=schema, subject=subject, reason=reason)


@app.command()
def demo(
    db: Annotated[
        Path | None,
        typer.Option(help="SQLite file to create (default: in the temp folder, replaced)."),
    ] = None,
    csv: Annotated[
        Path | None, typer.Option(help="Contacts CSV to load (default: the bundled one).")
    ] = None,
    report: Annotated[
        Path | None, typer.Option(help="Where to write the HTML report (default: beside the db).")
    ] = None,
    output: FormatOpt = None,
    quiet: QuietOpt = None,
) -> int:
    """
    The whole story on the bundled messy contacts: profile, clean, dedupe, merge, report.
    """
    from recordkit.cli._demo import demo as run

    return run(_ui(output, quiet), db=db, csv_path=csv, report=report)
