"""
The messy contacts every engine test runs on, made by the contacts generator.

A few hundred to a few thousand generated CRM contacts (typos, nicknames, phones and dates
written every way, duplicates, bad values), plus the odd row no engine should accept.
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import cache
from pathlib import Path
from typing import Final

from scripts.contacts import COLUMNS, generate_columns

import recordkit as rk
from recordkit.rules import RuleSet

AT: Final = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
"""The time golden records are made at in the tests."""


@cache
def contact_rules() -> RuleSet:
    """The bundled contact schema's rule set."""
    return RuleSet.for_schema(rk.bundled_schema("contact"))


@cache
def _columns(rows: int, seed: int) -> dict[str, list[str]]:
    made = generate_columns(rows, seed=seed, dup_rate=0.25)
    return {name: made[name] for name in COLUMNS}


def contact_rows(rows: int = 1500, seed: int = 11) -> list[dict[str, str]]:
    """*rows* generated messy contacts as mappings (the truth column left out)."""
    columns = _columns(rows, seed)
    return [
        dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)
    ]


def write_contacts(path: Path, rows: int = 1500, seed: int = 11) -> Path:
    """Write the generated contacts to *path* as CSV and return it."""
    columns = _columns(rows, seed)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(zip(*columns.values(), strict=True))
    return path
