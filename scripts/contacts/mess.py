"""The everyday mess every row gets (original or copy): names, emails and phones."""

from __future__ import annotations

import random
from collections.abc import Iterable

import numpy as np

from .draw import hits, pick
from .people import People
from .phones import (
    EXTENSIONS,
    INTL_WEIGHTS,
    INTL_WEIGHTS_DUP,
    NANP_WEIGHTS,
    NANP_WEIGHTS_DUP,
    format_phone,
)
from .rows import Rows, dotted_gmail
from .tables import BLANK, EMAIL_TAGS, NAME_GROUPS
from .text import GERMAN_TRANSLIT, fold, stray_space


def blank_out(values: list[str], rows: Iterable[int]) -> None:
    """Empty `values` at the given rows."""
    for i in rows:
        values[i] = ""


def names(
    rng: np.random.Generator, r: random.Random, rows: Rows, people: People
) -> tuple[list[str], list[str]]:
    """The first_name and last_name columns."""
    n = len(rows.person)
    first = list(rows.first)
    last = list(rows.last)
    native_roll = rng.random(n).tolist()
    for i in range(n):
        p_native = NAME_GROUPS[people.group[rows.person[i]]].p_native
        if rows.first_native[i] and rows.last_native[i] and native_roll[i] < p_native:
            first[i], last[i] = rows.first_native[i], rows.last_native[i]
    for values in (first, last):
        for i in hits(rng, n, 0.05):
            if not values[i].isascii():
                folded = values[i].translate(GERMAN_TRANSLIT) if r.random() < 0.3 else values[i]
                values[i] = fold(folded)
    _casing(rng, first, last)
    for i in hits(rng, n, 0.005):
        first[i] = r.choice(("Dr. ", "Dr ", "Prof. ")) + first[i]
    for i in hits(rng, n, 0.005):
        if first[i] and last[i]:
            first[i], last[i] = f"{first[i]} {last[i]}", ""
    for values, col in ((first, "first_name"), (last, "last_name")):
        for i in hits(rng, n, 0.025):
            if values[i]:
                values[i] = stray_space(values[i], r)
        blank_out(values, hits(rng, n, BLANK[col]))
    return first, last


def _casing(rng: np.random.Generator, first: list[str], last: list[str]) -> None:
    """Whole-record casing problems (someone typed the record in caps, or lower case)."""
    for i, c in enumerate(rng.random(len(first)).tolist()):
        if c < 0.025:
            first[i], last[i] = first[i].upper(), last[i].upper()
        elif c < 0.05:
            first[i], last[i] = first[i].lower(), last[i].lower()
        elif c < 0.07:
            first[i], last[i] = first[i].title(), last[i].title()
        elif c < 0.08:
            last[i] = last[i].upper()


def emails(rng: np.random.Generator, r: random.Random, rows: Rows) -> list[str]:
    """The email column: tags, moved gmail dots, case, a few invalid ones, whitespace."""
    n = len(rows.person)
    out = list(rows.email)
    for i in hits(rng, n, 0.02):
        local, _, domain = out[i].partition("@")
        if "+" not in local:
            out[i] = f"{local}+{r.choice(EMAIL_TAGS)}@{domain}"
    for i in hits(rng, n, 0.1):
        local, _, domain = out[i].partition("@")
        if domain == "gmail.com":
            out[i] = f"{dotted_gmail(local, r)}@{domain}"
    for i in hits(rng, n, 0.045):
        local, _, domain = out[i].partition("@")
        roll = r.random()
        if roll < 0.35:
            out[i] = out[i].upper()
        elif roll < 0.8:
            out[i] = f"{'.'.join(p.capitalize() for p in local.split('.'))}@{domain}"
        else:
            out[i] = f"{local}@{domain.upper()}"
    for i in hits(rng, n, 0.008):
        out[i] = _invalid_email(out[i], r)
    for i in hits(rng, n, 0.02):
        out[i] = stray_space(out[i], r) if r.random() < 0.7 else f"\t{out[i]}"
    blank_out(out, hits(rng, n, BLANK["email"]))
    return out


def _invalid_email(email: str, r: random.Random) -> str:
    """The address broken the way people break them (jane@@x, jane.example.com, ...)."""
    local, _, domain = email.partition("@")
    stem = domain.split(".")[0]
    return r.choice(
        (
            f"{local}@@{stem}",
            f"{local}.{domain}",
            f"{local}@{stem}",
            f"{local}@{domain},",
            f"{local} @{domain}",
            f"{local}@{stem},{domain.partition('.')[2]}",
        )
    )


def phones(rng: np.random.Generator, r: random.Random, rows: Rows) -> list[str]:
    """The phone column: each number in a drawn style, some with an extension."""
    n = len(rows.person)
    nanp = pick(rng, NANP_WEIGHTS, n)
    intl = pick(rng, INTL_WEIGHTS, n)
    nanp_odd = pick(rng, NANP_WEIGHTS_DUP, n)
    intl_odd = pick(rng, INTL_WEIGHTS_DUP, n)
    ext_roll = rng.random(n).tolist()
    blank = set(hits(rng, n, BLANK["phone"]))
    out: list[str] = []
    for i in range(n):
        if i in blank:
            out.append("")
            continue
        cc = rows.phone_cc[i]
        if rows.odd_phone_style[i]:
            style = nanp_odd[i] if cc == 1 else intl_odd[i]
        else:
            style = nanp[i] if cc == 1 else intl[i]
        text = format_phone(cc, rows.phone_nsn[i], style)
        if ext_roll[i] < (0.035 if cc == 1 else 0.015):
            ext = r.choice((r.randint(2, 899), r.randint(10, 99), r.randint(1000, 4999)))
            text += r.choice(EXTENSIONS).format(n=ext)
        out.append(text)
    return out
