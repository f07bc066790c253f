"""
Commands over a SQLite store: capture a file into it, review, export and erase.

Every write goes through a `Steward` over the store, so it takes the one commit path:
the same rules, the access check, one transaction and an audit event per change.
"""

from __future__ import annotations

import collections
import contextlib
from collections.abc import Iterator
from pathlib import Path

from recordkit._errors import RecordkitError
from recordkit._steward import Steward
from recordkit.cli._run import reasons
from recordkit.cli._tables import InputError, Reject, Unknown, open_table, read_schema, writable
from recordkit.cli._ui import EXIT_CLEAN, EXIT_FOUND, Ui
from recordkit.cli._writers import RejectsFile, open_rows, shown
from recordkit.schema import Schema
from recordkit.store import Review

__all__ = ["capture_file", "erase", "export", "open_store", "review"]


@contextlib.contextmanager
def open_store(db: Path, schema: Schema, *, create: bool) -> Iterator[Steward]:
    """
    A `Steward` for *schema* over the SQLite file *db* (which must exist unless *create*).

    Raises:
        InputError: the file is missing (and not to be created), or the ``sql`` extra is not
            installed.
    """
    try:
        from recordkit.store import SQLStore
    except ImportError as exc:  # pragma: no cover - the cli extra pulls SQLAlchemy in
        raise InputError(
            "SQLite stores need the 'sql' extra: pip install 'recordkit[sql]'"
        ) from exc
    if create:
        writable(db)
    elif not db.is_file():
        raise InputError(f"{db}: no such SQLite file")
    with SQLStore(f"sqlite:///{db}") as store:
        yield Steward(schema, store=store)


def capture_file(
    ui: Ui,
    path: Path,
    *,
    db: Path,
    schema: Schema,
    unknown: Unknown,
    columns: dict[str, str | None],
    rejects_path: Path | None,
    chunk_size: int,
    show: bool = True,
) -> int:
    """
    Capture the file's rows into the store *db*, chunk by chunk; exit 1 when rows were held.

    With *show* false, the figures are left to the caller (a step of a larger command).
    """
    stored = 0
    codes: collections.Counter[str] = collections.Counter()
    with (
        RejectsFile(rejects_path, schema.field_names) as rejects,
        open_store(db, schema, create=True) as steward,
        ui.progress(f"capturing {path.name}") as wrap,
    ):
        table = open_table(path, schema, unknown=unknown, columns=columns, wrap=wrap)
        for chunk in table.chunks(chunk_size):
            rejects.add(chunk.unreadable)
            if chunk.unreadable:
                codes["row.unreadable"] += len(chunk.unreadable)
            if not chunk.rows:
                continue
            result = steward.capture_many(chunk.rows, source=path.name, chunk_size=chunk_size)
            stored += len(result.records)
            for q in result.quarantined:
                codes.update(e.code for e in q.errors)
            rejects.add(
                Reject(chunk.lines[q.index], reasons(q.errors), dict(q.row))
                for q in result.quarantined
            )
    if not show:
        return EXIT_FOUND if rejects.count else EXIT_CLEAN
    ui.json(
        {"stored": stored, "rejected": rejects.count, "unreadable": rejects.unreadable,
         "errors_by_code": dict(codes.most_common()), "database": str(db)}
    )  # fmt: skip
    ui.say(f"Stored {stored} records in {db}; {rejects.count} rows rejected.")
    ui.table("Rejected rows by reason", ("code", "rows"), list(codes.most_common(15)))
    return EXIT_FOUND if rejects.count else EXIT_CLEAN


def review(
    ui: Ui,
    db: Path,
    *,
    schema_name: str,
    accept: list[str],
    reject: list[str],
    limit: int,
) -> int:
    """
    List the open duplicate reviews; accept (merge) or reject the ones named.
    """
    schema = read_schema(schema_name)
    with open_store(db, schema, create=False) as steward:
        for review_id in accept:
            steward.accept(review_id)
            ui.note(f"accepted {review_id}: the records are merged")
        for review_id in reject:
            steward.reject(review_id)
            ui.note(f"rejected {review_id}: the records stay apart")
        reviews = steward.reviews(limit=limit)
    ui.json([_review(r) for r in reviews])
    ui.say(f"{len(reviews)} open review{'s' if len(reviews) != 1 else ''}.")
    ui.table(
        "Open reviews",
        ("id", "record", "other", "probability", "since"),
        [
            (r.id, r.record_id, r.other_id, f"{r.probability:.3f}", r.at.isoformat(" ", "seconds"))
            for r in reviews
        ],
    )
    return EXIT_FOUND if reviews else EXIT_CLEAN


def _review(r: Review) -> dict[str, object]:
    return {
        "id": r.id, "record_id": r.record_id, "other_id": r.other_id,
        "probability": r.probability, "weight": r.weight, "at": r.at.isoformat(),
        "status": r.status,
    }  # fmt: skip


def export(
    ui: Ui,
    db: Path,
    *,
    schema_name: str,
    out: Path,
    quarantine: bool,
) -> int:
    """
    Write the stored records (or the quarantined rows) to CSV or Parquet.
    """
    schema = read_schema(schema_name)
    with open_store(db, schema, create=False) as steward:
        if quarantine:
            entries = steward.quarantined()
            names = sorted({k for e in entries for k in e.row})
            writer = open_rows(out, ("batch", "reasons", *names))
            try:
                writer.write(
                    {
                        "batch": e.batch,
                        "reasons": "; ".join(f"{field}: {why}" for field, why in e.reasons),
                        **dict(e.row),
                    }
                    for e in entries
                )
            finally:
                writer.close()
            count = len(entries)
        else:
            records = steward.query()
            writer = open_rows(out, ("id", *schema.field_names))
            try:
                writer.write(
                    {"id": r.id, **{k: shown(schema, k, v) for k, v in r.values.items()}}
                    for r in records
                )
            finally:
                writer.close()
            count = len(records)
    what = "quarantined rows" if quarantine else "records"
    ui.json({"exported": count, "what": what, "file": str(out)})
    ui.say(f"Exported {count} {what} to {out}.")
    return EXIT_CLEAN


def erase(
    ui: Ui,
    db: Path,
    *,
    schema_name: str,
    subject: str,
    reason: str,
) -> int:
    """
    Erase a person's data everywhere the store holds it; *subject* is an id or ``field=value``.
    """
    schema = read_schema(schema_name)
    who: str | dict[str, object] = subject
    if "=" in subject:
        field, _, value = subject.partition("=")
        if field not in schema:
            raise InputError(f"subject {subject!r}: {field!r} is not a field of {schema.name!r}")
        who = {field: value}
    with open_store(db, schema, create=False) as steward:
        try:
            receipt = steward.erase(who, reason=reason)
        except RecordkitError as exc:
            raise InputError(f"cannot erase {subject!r}: {exc}") from exc
    data = receipt.to_dict()
    ui.json(data)
    ui.say(f"Erased {subject!r}: " + ", ".join(f"{k}={v}" for k, v in data.items()))
    return EXIT_CLEAN
