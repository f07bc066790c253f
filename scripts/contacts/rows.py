"""Rows: which person each row shows, and how the extra copies of a person differ."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from . import text
from .companies import Company
from .draw import IntArray, pick
from .people import People, Taken, email_local, free_mail, unique_email
from .phones import phone_spec, valid_numbers
from .places import ALL_CITIES, COUNTRY_CITY_INDEX, postcode, street
from .tables import (
    BLANKABLE,
    COUNTRIES,
    EMAIL_TAGS,
    LEAD_SOURCE_WEIGHTS,
    LEAD_SOURCES,
    NICKNAMES,
    TITLE_GROUPS,
)

# How many extra rows a duplicated person gets (1, 2 or 3).
_EXTRA_ROWS_WEIGHTS = (0.75, 0.18, 0.07)
# How many perturbations an extra row gets (1, 2 or 3), and which.
_PERTURBATION_COUNT_WEIGHTS = (0.45, 0.35, 0.2)
PERTURBATIONS: dict[str, float] = {
    "typo": 0.2,
    "nickname": 0.14,
    "swap": 0.06,
    "initial": 0.04,
    "email": 0.14,
    "phone": 0.08,
    "company": 0.12,
    "title": 0.1,
    "moved": 0.05,
    "blank": 0.07,
}
_KINDS = tuple(PERTURBATIONS)
_KIND_WEIGHTS = tuple(PERTURBATIONS.values())
# Extra rows also redraw the lead source, and flip the opt-in, this often.
_P_NEW_LEAD_SOURCE = 0.4
_P_FLIP_OPT_IN = 0.08
_SENIOR_PREFIXES = ("Senior ", "Sr. ", "Sr ")
# Titles that take "Senior" (nobody is a Senior CEO).
_SENIORABLE = re.compile(
    r"(Manager|Mgr|Engineer|Developer|Analyst|Scientist|Accountant|Consultant|Executive|"
    r"Editor|Producer|Assistant|Advis[eo]r|Buyer)$"
)


def layout(rng: np.random.Generator, n_people: int, n_dup: int) -> IntArray:
    """Person index of each row: every person once, then `n_dup` extra copies."""
    if n_dup == 0:
        return np.arange(n_people, dtype=np.int64)
    if n_people == 0:
        raise ValueError("dup_rate too high for this many rows")
    order = rng.permutation(n_people)
    extras = rng.choice(3, size=n_people, p=_EXTRA_ROWS_WEIGHTS) + 1
    total = np.cumsum(extras)
    if total[-1] < n_dup:
        raise ValueError("dup_rate too high for this many rows")
    k = int(np.searchsorted(total, n_dup)) + 1
    extras = extras[:k].copy()
    extras[-1] -= int(total[k - 1] - n_dup)
    copies = np.repeat(order[:k], extras)
    return np.concatenate([np.arange(n_people, dtype=np.int64), copies.astype(np.int64)])


def _no_blanks() -> dict[str, set[int]]:
    return defaultdict(set)


@dataclass
class Rows:
    """Row-level values (generation order) before the rendering mess is applied."""

    person: list[int]
    first: list[str]
    last: list[str]
    first_native: list[str]
    last_native: list[str]
    email: list[str]
    phone_cc: list[int]
    phone_nsn: list[str]
    odd_phone_style: list[bool]
    company: list[int]
    company_restyle: list[bool]
    title: list[str]
    city: list[int]
    street: list[str]
    postcode: list[str]
    lead_source: list[int]
    opt_in: list[bool]
    # column -> rows a perturbation left blank there
    blank: dict[str, set[int]] = field(default_factory=_no_blanks)


def title_text(group: int, variant: int, local: str) -> str:
    """A job title from its group and spelling (or the local-language title)."""
    return local if group < 0 else TITLE_GROUPS[group].spellings[variant]


def make_rows(
    rng: np.random.Generator,
    r: random.Random,
    people: People,
    companies: list[Company],
    row_person: IntArray,
    taken: Taken,
) -> Rows:
    """Row values before rendering: copies of the people, perturbed for the extra rows."""
    ps: list[int] = row_person.tolist()
    n = len(ps)
    rows = Rows(
        person=ps,
        first=[people.first[p] for p in ps],
        last=[people.last[p] for p in ps],
        first_native=[people.first_native[p] for p in ps],
        last_native=[people.last_native[p] for p in ps],
        email=[people.email[p] for p in ps],
        phone_cc=[people.phone_cc[p] for p in ps],
        phone_nsn=[people.phone_nsn[p] for p in ps],
        odd_phone_style=[False] * n,
        company=[people.company[p] for p in ps],
        company_restyle=[False] * n,
        title=[
            title_text(people.title_group[p], people.title_variant[p], people.title_local[p])
            for p in ps
        ],
        city=[people.city[p] for p in ps],
        street=[people.street[p] for p in ps],
        postcode=[people.postcode[p] for p in ps],
        lead_source=[people.lead_source[p] for p in ps],
        opt_in=[people.opt_in[p] for p in ps],
    )
    dup_rows = list(range(len(people.first), n))
    if dup_rows:
        _Perturber(rows, people, companies, taken, r).run(rng, dup_rows)
    return rows


@dataclass
class _Perturber:
    """Applies the duplicate perturbations to the extra rows."""

    rows: Rows
    people: People
    companies: list[Company]
    taken: Taken
    r: random.Random
    new_phone_rows: list[int] = field(default_factory=list)
    handlers: dict[str, Callable[[int], None]] = field(init=False)

    def __post_init__(self) -> None:
        self.handlers = {
            "typo": self.typo,
            "nickname": self.nickname,
            "swap": self.swap,
            "initial": self.initial,
            "email": self.email,
            "phone": self.phone,
            "company": self.company,
            "title": self.title,
            "moved": self.moved,
            "blank": self.blank,
        }

    def run(self, rng: np.random.Generator, dup_rows: list[int]) -> None:
        rows, r = self.rows, self.r
        counts = pick(rng, _PERTURBATION_COUNT_WEIGHTS, len(dup_rows))
        for i, k in zip(dup_rows, counts, strict=True):
            self.perturb(i, self.choose(k + 1))
            if r.random() < _P_NEW_LEAD_SOURCE:
                rows.lead_source[i] = r.choices(range(len(LEAD_SOURCES)), LEAD_SOURCE_WEIGHTS)[0]
            if r.random() < _P_FLIP_OPT_IN:
                rows.opt_in[i] = not rows.opt_in[i]
        if self.new_phone_rows:
            self.second_numbers(rng)

    def choose(self, k: int) -> list[str]:
        """`k` different perturbations, drawn by weight."""
        chosen: list[str] = []
        while len(chosen) < k:
            kind = self.r.choices(_KINDS, _KIND_WEIGHTS)[0]
            if kind not in chosen:
                chosen.append(kind)
        return chosen

    def perturb(self, i: int, kinds: list[str]) -> None:
        """Apply the perturbations `kinds` to row `i`."""
        rows = self.rows
        for kind in kinds:
            if kind == "nickname" and rows.first[i] not in NICKNAMES:
                if "typo" in kinds:
                    continue
                kind = "typo"  # fall back when the name has no nickname
            if kind in ("typo", "nickname", "initial"):
                rows.first_native[i] = rows.last_native[i] = ""
            self.handlers[kind](i)

    def typo(self, i: int) -> None:
        rows = self.rows
        if self.r.random() < 0.5 and rows.first[i]:
            rows.first[i] = text.typo(rows.first[i], self.r)
        else:
            rows.last[i] = text.typo(rows.last[i], self.r)

    def nickname(self, i: int) -> None:
        self.rows.first[i] = NICKNAMES[self.rows.first[i]]

    def swap(self, i: int) -> None:
        rows = self.rows
        rows.first[i], rows.last[i] = rows.last[i], rows.first[i]
        rows.first_native[i], rows.last_native[i] = rows.last_native[i], rows.first_native[i]

    def initial(self, i: int) -> None:
        self.rows.first[i] = self.rows.first[i][:1] + ("." if self.r.random() < 0.6 else "")

    def email(self, i: int) -> None:
        self.rows.email[i] = self.other_email(self.rows.email[i], self.rows.person[i])

    def phone(self, i: int) -> None:
        if self.r.random() < 0.5:
            self.rows.odd_phone_style[i] = True
        else:
            self.new_phone_rows.append(i)

    def company(self, i: int) -> None:
        if self.rows.company[i] >= 0:
            self.rows.company_restyle[i] = True
        else:
            self.rows.blank["company"].add(i)

    def title(self, i: int) -> None:
        self.rows.title[i] = change_title(self.rows.title[i], self.r)

    def moved(self, i: int) -> None:
        """A move to another address in the same country."""
        rows, r = self.rows, self.r
        ci = self.people.country[rows.person[i]]
        city = r.choice(COUNTRY_CITY_INDEX[ci])
        rows.city[i] = city
        rows.street[i] = street(COUNTRIES[ci].code, ALL_CITIES[city][1], r)
        rows.postcode[i] = postcode(COUNTRIES[ci].code, ALL_CITIES[city][1], r)

    def blank(self, i: int) -> None:
        self.rows.blank[self.r.choice(BLANKABLE)].add(i)

    def other_email(self, email: str, person: int) -> str:
        """The same address written differently, or another address of the same person."""
        r, people = self.r, self.people
        local, _, domain = email.partition("@")
        roll = r.random()
        if roll < 0.3:
            return email.upper() if r.random() < 0.3 else f"{local.title()}@{domain.capitalize()}"
        if roll < 0.55:
            return f"{local}+{r.choice(EMAIL_TAGS)}@{domain}"
        if roll < 0.75 and domain == "gmail.com":
            if r.random() < 0.25:
                return f"{local}@googlemail.com"
            return f"{dotted_gmail(local, r)}@{domain}"
        # a different address of the same person (work vs personal)
        year = date.fromordinal(people.birth[person]).year
        new_local = email_local(people.first[person], people.last[person], year, r)
        if people.work_email[person] or people.company[person] < 0:
            new_domain = free_mail(people.country[person], r)
        else:
            new_domain = self.companies[people.company[person]].domain
        return unique_email(new_local, new_domain, self.taken.emails)

    def second_numbers(self, rng: np.random.Generator) -> None:
        """A second number of the same person (often a mobile next to a landline)."""
        rows, r = self.rows, self.r
        countries = [self.people.country[rows.person[i]] for i in self.new_phone_rows]
        specs = [
            phone_spec(c, rows.city[i], r.random(), r)
            for c, i in zip(countries, self.new_phone_rows, strict=True)
        ]
        regions = [COUNTRIES[c].code for c in countries]
        numbers = valid_numbers(rng, specs, self.taken.phones, regions)
        for i, nsn in zip(self.new_phone_rows, numbers, strict=True):
            rows.phone_nsn[i] = nsn


def change_title(title: str, r: random.Random) -> str:
    """Another spelling of the title, a promotion (Senior / Sr.), or a new role."""
    roll = r.random()
    if roll < 0.4:
        for group in TITLE_GROUPS:
            if title in group.spellings and len(group.spellings) > 1:
                return r.choice([t for t in group.spellings if t != title])
    if roll < 0.75:
        for prefix in _SENIOR_PREFIXES:
            if title.startswith(prefix):
                return title[len(prefix) :]
        if _SENIORABLE.search(title):
            return r.choice(_SENIOR_PREFIXES) + title
    new = title
    while new == title:
        new = r.choice(r.choice(TITLE_GROUPS).spellings)
    return new


def dotted_gmail(local: str, r: random.Random) -> str:
    """Move the dots of a gmail local part around (gmail ignores them)."""
    base, _, tag = local.partition("+")
    bare = base.replace(".", "")
    if len(bare) < 3:
        return local
    for _ in range(10):
        cuts = sorted(r.sample(range(1, len(bare)), k=min(len(bare) - 1, r.choice((1, 2, 2)))))
        parts = [bare[i:j] for i, j in zip([0, *cuts], [*cuts, len(bare)], strict=True)]
        new = ".".join(parts)
        if new != base:
            return new + (f"+{tag}" if tag else "")
    return local
