"""Employers: per-country pools of companies and institutions, with domains and spellings."""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .draw import pick
from .tables import (
    COMPANY_CORES,
    COMPANY_PREFIXES,
    COUNTRIES,
    INDUSTRIES,
    INDUSTRY_WEIGHTS,
    INSTITUTION_PATTERNS,
    INSTITUTION_TLDS,
    NAME_GROUPS,
    SUFFIX_FORMS,
    Country,
)
from .text import GERMAN_TRANSLIT, fold

# A country's pool has one company per this many people (plus a few), at most _MAX_POOL.
_PEOPLE_PER_COMPANY = 7
_MAX_POOL = 20_000
# Tries to find a name not yet used in the country before giving up on one pool slot.
_NAME_ATTEMPTS = 20


@dataclass(frozen=True)
class Company:
    """One employer."""

    country: int
    base: str  # name without legal form
    suffix: str  # key into SUFFIX_FORMS, or "" for institutions
    industry: int
    domain: str
    variants: tuple[str, ...]  # row spellings, canonical first


def company_variants(base: str, suffix: str) -> tuple[str, ...]:
    """Spellings of one company: canonical first, then formatting variants."""
    if not suffix:
        forms = [base, base.upper(), base.lower(), f"The {base}"]
        if base.startswith("City of "):
            forms.append(f"{base[8:]}, City of")
    else:
        s = SUFFIX_FORMS[suffix]
        forms = [f"{base} {s[0]}"]
        forms += [f"{base} {alt}" for alt in s[1:]]
        forms += [f"{base}, {s[-1] if len(s) > 1 else s[0]}", base]
        forms += [
            f"{base.upper()} {s[0].upper()}",
            f"{base.upper()}, {s[1] if len(s) > 1 else s[0]}",
        ]
        forms.append(f"{base.lower()} {s[0].lower()}")
    if "&" in base:
        forms.append(forms[0].replace("&", "and"))
    return tuple(dict.fromkeys(forms))


def make_companies(
    rng: np.random.Generator, r: random.Random, counts: Sequence[int]
) -> tuple[list[Company], list[list[int]]]:
    """
    Per-country pools of companies sized to the number of people in each country.

    Returns every company, and per country the indices of its companies.
    """
    companies: list[Company] = []
    pools: list[list[int]] = []
    used_domains: set[str] = set()
    for ci, country in enumerate(COUNTRIES):
        size = min(_MAX_POOL, counts[ci] // _PEOPLE_PER_COMPANY + 6)
        names: set[str] = set()
        pool: list[int] = []
        for ind in pick(rng, INDUSTRY_WEIGHTS, size):
            named = _new_name(country, INDUSTRIES[ind], names, r)
            if named is None:
                continue  # name space exhausted for this industry; pool stays smaller
            base, suffix = named
            names.add(base)
            domain = _domain(base, INDUSTRIES[ind], country, used_domains, r)
            pool.append(len(companies))
            companies.append(Company(ci, base, suffix, ind, domain, company_variants(base, suffix)))
        pools.append(pool)
    return companies, pools


def _new_name(
    country: Country, industry: str, taken: set[str], r: random.Random
) -> tuple[str, str] | None:
    """A (name, legal form) not in `taken`, or None after _NAME_ATTEMPTS tries."""
    cities, last_names = _name_parts(country.code)
    legal_forms, legal_weights = zip(*country.suffixes, strict=True)
    for _attempt in range(_NAME_ATTEMPTS):
        if industry in INSTITUTION_PATTERNS:
            pattern = r.choice(INSTITUTION_PATTERNS[industry])
            base = pattern.format(city=r.choice(cities), prefix=r.choice(COMPANY_PREFIXES))
            suffix = ""
        else:
            roll = r.random()
            if roll < 0.6:
                base = f"{r.choice(COMPANY_PREFIXES)} {r.choice(COMPANY_CORES[industry])}"
            elif roll < 0.8:
                base = f"{r.choice(last_names)} & {r.choice(last_names)}"
            else:
                base = f"{r.choice(COMPANY_PREFIXES)}{r.choice(('', ' Group', ' Global'))}"
            suffix = r.choices(legal_forms, legal_weights)[0]
        if base not in taken:
            return base, suffix
    return None


@functools.cache
def _name_parts(code: str) -> tuple[list[str], list[str]]:
    """A country's city names, and the surnames partnerships take ("Smith & Jones")."""
    country = next(c for c in COUNTRIES if c.code == code)
    cities = [city.name for city in country.cities]
    main_group = country.name_mix[0][0]
    return cities, [n for n in NAME_GROUPS[main_group].last if " " not in n]


def _domain(base: str, industry: str, country: Country, used: set[str], r: random.Random) -> str:
    """The company's web domain (unique: numbered when taken); added to `used`."""
    words = fold(base.replace("&", "and").translate(GERMAN_TRANSLIT)).lower().split()
    stem = "-".join(words) if r.random() < 0.2 else "".join(words)
    stem = re.sub(r"[^a-z0-9-]", "", stem)
    tld = INSTITUTION_TLDS.get((industry, country.code), country.tld)
    domain = stem + tld
    n = 2
    while domain in used:
        domain = f"{stem}{n}{tld}"
        n += 1
    used.add(domain)
    return domain
