"""The mess in the remaining columns: dates, email opt-in, record owner."""

from __future__ import annotations

import random
from datetime import date

import numpy as np

from .draw import hits, pick
from .mess import blank_out
from .people import People
from .rows import Rows
from .tables import BLANK, COUNTRIES, OPT_IN_FALSE, OPT_IN_TRUE, OPT_IN_WEIGHTS, OWNERS

_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
# ISO, 03/07/1985, 7 Mar 1985, 1985/03/07, March 7, 1985, 07.03.1985 (DE/NL), 3/7/1985
_DATE_WEIGHTS_BIRTH = (0.5, 0.18, 0.08, 0.07, 0.07, 0.05, 0.05)
_DATE_WEIGHTS_CONTACT = (0.6, 0.14, 0.06, 0.06, 0.06, 0.04, 0.04)
_CONTACT_RANGE = (date(2019, 1, 1).toordinal(), date(2025, 9, 30).toordinal())
# Countries whose people write dates as 07.03.1985.
_DOTTED_DATES = frozenset({"DE", "NL"})


def format_date(ordinal: int, style: int, country: str) -> str:
    """Write a date in one of the styles (dotted only in DE and NL; ISO there instead)."""
    d = date.fromordinal(ordinal)
    if style == 5 and country not in _DOTTED_DATES:
        style = 0
    if style == 0:
        return d.isoformat()
    if style == 1:
        return f"{d.month:02d}/{d.day:02d}/{d.year}"
    if style == 2:
        return f"{d.day} {_MONTHS[d.month - 1][:3]} {d.year}"
    if style == 3:
        return f"{d.year}/{d.month:02d}/{d.day:02d}"
    if style == 4:
        return f"{_MONTHS[d.month - 1]} {d.day}, {d.year}"
    if style == 5:
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    return f"{d.month}/{d.day}/{d.year}"


def misc(
    rng: np.random.Generator, r: random.Random, rows: Rows, people: People
) -> dict[str, list[str]]:
    """The birth_date, email_opt_in, last_contacted and owner columns."""
    n = len(rows.person)
    codes = [COUNTRIES[people.country[p]].code for p in rows.person]
    styles = pick(rng, _DATE_WEIGHTS_BIRTH, n)
    birth = [
        format_date(people.birth[p], s, c)
        for p, s, c in zip(rows.person, styles, codes, strict=True)
    ]
    blank_out(birth, hits(rng, n, BLANK["birth_date"]))

    contacted_days = rng.integers(_CONTACT_RANGE[0], _CONTACT_RANGE[1], size=n).tolist()
    styles = pick(rng, _DATE_WEIGHTS_CONTACT, n)
    contacted = [
        format_date(d, s, c) for d, s, c in zip(contacted_days, styles, codes, strict=True)
    ]
    blank_out(contacted, hits(rng, n, BLANK["last_contacted"]))

    styles = pick(rng, OPT_IN_WEIGHTS, n)
    opt_in = [
        (OPT_IN_TRUE if v else OPT_IN_FALSE)[s] for v, s in zip(rows.opt_in, styles, strict=True)
    ]
    blank_out(opt_in, hits(rng, n, BLANK["email_opt_in"]))
    return {
        "birth_date": birth,
        "email_opt_in": opt_in,
        "last_contacted": contacted,
        "owner": _owners(rng, r, n),
    }


def _owners(rng: np.random.Generator, r: random.Random, n: int) -> list[str]:
    """The CRM user who owns each record, now and then written another way."""
    owner = [OWNERS[k] for k in pick(rng, [1.0 / (k + 3) for k in range(len(OWNERS))], n)]
    for i in hits(rng, n, 0.12):
        given, family = owner[i].split(" ", 1)
        owner[i] = r.choice(
            (
                f"{given[0]}. {family}",
                f"{given[0]}{family}".lower(),
                owner[i].lower(),
                owner[i].upper(),
                f"{family}, {given}",
            )
        )
    blank_out(owner, hits(rng, n, BLANK["owner"]))
    return owner
