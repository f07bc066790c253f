"""The public entry points: people, then rows, then the mess, then the final order."""

from __future__ import annotations

import random

import numpy as np

from . import mess, mess_address, mess_misc, mess_work
from .companies import Company
from .people import People, make_people
from .render import final_columns, records
from .rows import Rows, layout, make_rows

# Above this, a dataset runs out of people to copy (each gets at most 3 extra rows).
MAX_DUP_RATE = 0.6


def generate_columns(n_rows: int, *, seed: int = 7, dup_rate: float = 0.15) -> dict[str, list[str]]:
    """
    Generate `n_rows` messy contact rows as columns (the `COLUMNS` plus ``entity_id``).

    ``round(n_rows * dup_rate)`` rows are extra copies of people who already have a row,
    so the share of rows that duplicate an earlier row is exactly that over `n_rows`.
    The result is deterministic for a given `seed`.
    """
    if n_rows < 1:
        raise ValueError("n_rows must be at least 1")
    if not 0.0 <= dup_rate <= MAX_DUP_RATE:
        raise ValueError(f"dup_rate must be between 0 and {MAX_DUP_RATE}")
    rng = np.random.default_rng(seed)
    r = random.Random(seed)
    n_dup = round(n_rows * dup_rate)
    n_people = n_rows - n_dup

    people, companies, taken = make_people(rng, r, n_people)
    row_person = layout(rng, n_people, n_dup)
    rows = make_rows(rng, r, people, companies, row_person, taken)
    cols = _render_mess(rng, r, rows, people, companies)
    return final_columns(rng, cols, row_person, n_people)


def _render_mess(
    rng: np.random.Generator,
    r: random.Random,
    rows: Rows,
    people: People,
    companies: list[Company],
) -> dict[str, list[str]]:
    """Every column but source_id, in generation order, with the everyday mess applied."""
    cols: dict[str, list[str]] = {}
    cols["first_name"], cols["last_name"] = mess.names(rng, r, rows, people)
    cols["email"] = mess.emails(rng, r, rows)
    cols["phone"] = mess.phones(rng, r, rows)
    cols["company"], cols["industry"], cols["website"] = mess_work.company(
        rng, r, rows, people, companies
    )
    cols["job_title"] = mess_work.titles(rng, r, rows)
    cols["lead_source"] = mess_work.lead_sources(rng, rows)
    cols.update(mess_address.address(rng, r, rows, people))
    cols.update(mess_misc.misc(rng, r, rows, people))
    # the blanks duplicate perturbations asked for
    for name, blank_rows in rows.blank.items():
        mess.blank_out(cols[name], blank_rows)
    return cols


def generate_contacts(
    n_rows: int, *, seed: int = 7, dup_rate: float = 0.15
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """
    Generate `n_rows` messy contact rows and their ground truth.

    Returns ``(rows, truth)``: each row is a dict over `COLUMNS` (all strings, ``""`` for
    blank); each truth entry maps a row's ``source_id`` to its ``entity_id``. Same rows,
    in the same order, as `generate_columns` with the same arguments.
    """
    return records(generate_columns(n_rows, seed=seed, dup_rate=dup_rate))
