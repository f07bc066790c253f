"""Rendering: the final row order, the ids, the ground truth, and the CSV files."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from .draw import IntArray

COLUMNS: tuple[str, ...] = (
    "source_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "job_title",
    "industry",
    "lead_source",
    "street",
    "city",
    "state",
    "postcode",
    "country",
    "website",
    "birth_date",
    "email_opt_in",
    "last_contacted",
    "owner",
)
TRUTH_COLUMNS: tuple[str, ...] = ("source_id", "entity_id")
# Tries to swap apart adjacent rows of one person before settling for the order reached.
_SHUFFLE_ROUNDS = 50


def shuffle(rng: np.random.Generator, row_person: IntArray) -> IntArray:
    """
    A permutation of the rows such that no two rows of one person are adjacent.

    Best effort: impossible for some tiny inputs (one person with three rows).
    """
    n = len(row_person)
    perm = rng.permutation(n)
    for _ in range(_SHUFFLE_ROUNDS):
        seq = row_person[perm]
        bad = np.flatnonzero(seq[1:] == seq[:-1]) + 1
        if not bad.size:
            break
        for b in bad.tolist():
            j = int(rng.integers(n))
            perm[b], perm[j] = perm[j], perm[b]
    return perm


def final_columns(
    rng: np.random.Generator,
    cols: Mapping[str, list[str]],
    row_person: IntArray,
    n_people: int,
) -> dict[str, list[str]]:
    """
    The rows shuffled, numbered (``crm-000001``...) and paired with their person.

    Returns the `COLUMNS` plus ``entity_id`` (``E00001``...: the true person of the row).
    """
    n_rows = len(row_person)
    perm = shuffle(rng, row_person)
    id_width = max(6, len(str(n_rows)))
    entity_width = max(5, len(str(n_people)))
    out: dict[str, list[str]] = {"source_id": [f"crm-{i + 1:0{id_width}d}" for i in range(n_rows)]}
    for name in COLUMNS[1:]:
        out[name] = np.asarray(cols[name], dtype=object)[perm].tolist()
    out["entity_id"] = [f"E{p + 1:0{entity_width}d}" for p in row_person[perm].tolist()]
    return out


def records(
    cols: Mapping[str, Sequence[str]],
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The columns as row dicts over `COLUMNS`, and the truth as source_id/entity_id dicts."""
    rows = [
        dict(zip(COLUMNS, values, strict=True))
        for values in zip(*(cols[c] for c in COLUMNS), strict=True)
    ]
    truth = [
        {"source_id": s, "entity_id": e}
        for s, e in zip(cols["source_id"], cols["entity_id"], strict=True)
    ]
    return rows, truth


def write_csv(path: Path, header: Sequence[str], columns: Sequence[Sequence[str]]) -> None:
    """Write columns as a UTF-8 CSV with ``\\n`` line endings (minimal quoting)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(zip(*columns, strict=True))
