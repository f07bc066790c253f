"""Who exists: the people behind the rows and their true attributes."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from .companies import Company, make_companies
from .draw import IntArray, norm, pick, regroup
from .phones import phone_spec, valid_numbers
from .places import ALL_CITIES, COUNTRY_CITY_INDEX, postcode, street
from .tables import (
    COUNTRIES,
    INDUSTRIES,
    LEAD_SOURCE_WEIGHTS,
    LOCAL_TITLES,
    NAME_GROUPS,
    TITLE_GROUPS,
)
from .text import slug

BIRTH_RANGE = (date(1950, 1, 1).toordinal(), date(2003, 12, 31).toordinal())
# Feminine Russian surnames end in Cyrillic small a (Иванова) / Latin a (Ivanova).
_CYRILLIC_A = "\u0430"
_P_NO_EMPLOYER = 0.08
_P_OPT_IN = 0.55
_P_LOCAL_TITLE = 0.15  # in countries with local-language titles
_P_WORK_EMAIL = 0.55  # of people with an employer
# Per country: its name groups and their weights, its cities (ALL_CITIES keys) and theirs.
_GROUP_NAMES = [[g for g, _ in c.name_mix] for c in COUNTRIES]
_GROUP_WEIGHTS = [[w for _, w in c.name_mix] for c in COUNTRIES]
_CITY_KEYS = [[str(i) for i in COUNTRY_CITY_INDEX[ci]] for ci in range(len(COUNTRIES))]
_CITY_WEIGHTS = [[city.weight for city in c.cities] for c in COUNTRIES]


@dataclass
class People:
    """Column-wise attributes of the generated people (one list entry per person)."""

    country: list[int]
    group: list[str]
    first: list[str]
    last: list[str]
    first_native: list[str]
    last_native: list[str]
    city: list[int]  # index into ALL_CITIES
    street: list[str]
    postcode: list[str]
    phone_cc: list[int]
    phone_nsn: list[str]
    email: list[str]
    work_email: list[bool]
    company: list[int]  # index into companies, -1 = none
    industry: list[int]  # the employer's industry (random for people without one)
    title_group: list[int]  # -1 = local-language title in title_local
    title_variant: list[int]
    title_local: list[str]
    lead_source: list[int]
    birth: list[int]  # proleptic ordinal
    opt_in: list[bool]


@dataclass
class Taken:
    """The email mailboxes and phone numbers already someone's (so no two people share)."""

    emails: set[str]
    phones: set[tuple[int, str]]


def make_people(
    rng: np.random.Generator, r: random.Random, n: int
) -> tuple[People, list[Company], Taken]:
    """Draw `n` people with their employers; also return the emails and phones taken."""
    country_arr = rng.choice(len(COUNTRIES), size=n, p=norm([c.weight for c in COUNTRIES]))
    country: list[int] = country_arr.tolist()
    counts: list[int] = np.bincount(country_arr, minlength=len(COUNTRIES)).tolist()
    group = regroup(rng, country_arr, _GROUP_NAMES, _GROUP_WEIGHTS)
    city = [int(c) for c in regroup(rng, country_arr, _CITY_KEYS, _CITY_WEIGHTS)]
    companies, pools = make_companies(rng, r, counts)
    company = _employers(rng, country_arr, pools)
    first, last, first_native, last_native = _names(group, r)

    birth: list[int] = rng.integers(BIRTH_RANGE[0], BIRTH_RANGE[1], size=n).tolist()
    opt_in: list[bool] = (rng.random(n) < _P_OPT_IN).tolist()
    lead_source = pick(rng, LEAD_SOURCE_WEIGHTS, n)
    industry = [companies[c].industry if c >= 0 else r.randrange(len(INDUSTRIES)) for c in company]
    title_group, title_variant, title_local = _titles(country, industry, r)
    codes = [COUNTRIES[c].code for c in country]
    street_ = [street(codes[i], ALL_CITIES[city[i]][1], r) for i in range(n)]
    postcode_ = [postcode(codes[i], ALL_CITIES[city[i]][1], r) for i in range(n)]

    # Phones: a landline of the city or a mobile of the country; valid and unique.
    taken = Taken(emails=set(), phones=set())
    mobile_roll = rng.random(n).tolist()
    specs = [phone_spec(country[i], city[i], mobile_roll[i], r) for i in range(n)]
    phone_nsn = valid_numbers(rng, specs, taken.phones, codes)

    people = People(
        country=country,
        group=group,
        first=first,
        last=last,
        first_native=first_native,
        last_native=last_native,
        city=city,
        street=street_,
        postcode=postcode_,
        phone_cc=[s[0] for s in specs],
        phone_nsn=phone_nsn,
        email=[],
        work_email=[],
        company=company,
        industry=industry,
        title_group=title_group,
        title_variant=title_variant,
        title_local=title_local,
        lead_source=lead_source,
        birth=birth,
        opt_in=opt_in,
    )
    _emails(rng, r, people, companies, taken.emails)
    return people, companies, taken


def _employers(
    rng: np.random.Generator, country_arr: IntArray, pools: list[list[int]]
) -> list[int]:
    """Each person's employer: a long-tailed choice within the country's pool, or -1."""
    n = len(country_arr)
    company_arr = np.full(n, -1, dtype=np.int64)
    for ci, pool in enumerate(pools):
        idx = np.flatnonzero(country_arr == ci)
        if idx.size and pool:
            weights = norm(1.0 / (np.arange(len(pool), dtype=np.float64) + 10.0))
            company_arr[idx] = np.asarray(pool)[rng.choice(len(pool), size=idx.size, p=weights)]
    company_arr[rng.random(n) < _P_NO_EMPLOYER] = -1
    company: list[int] = company_arr.tolist()
    return company


def _names(
    groups: Sequence[str], r: random.Random
) -> tuple[list[str], list[str], list[str], list[str]]:
    """First and last names (Latin script), and native-script ones where the group has them."""
    first: list[str] = []
    last: list[str] = []
    first_native: list[str] = []
    last_native: list[str] = []
    for g in groups:
        grp = NAME_GROUPS[g]
        fn = r.choice(grp.first)
        ln = r.choice(grp.last)
        if grp.p_compound and r.random() < grp.p_compound:
            other = r.choice(grp.last)
            if other != ln and " " not in other:
                ln = f"{ln}{grp.compound_sep}{other}"
        fn_native = grp.native_first.get(fn, "")
        ln_native = grp.native_last.get(ln, "")
        if fn in grp.feminine:
            ln += "a"
            ln_native += _CYRILLIC_A if ln_native else ""
        both = bool(fn_native and ln_native)
        first.append(fn)
        last.append(ln)
        first_native.append(fn_native if both else "")
        last_native.append(ln_native if both else "")
    return first, last, first_native, last_native


def _titles(
    country: Sequence[int], industry: Sequence[int], r: random.Random
) -> tuple[list[int], list[int], list[str]]:
    """Job titles that fit the industry; some people in DE/FR/ES/MX/BR/NL have local ones."""
    fitting = [
        [k for k, g in enumerate(TITLE_GROUPS) if g.industries is None or ind in g.industries]
        for ind in INDUSTRIES
    ]
    title_group: list[int] = []
    title_variant: list[int] = []
    title_local: list[str] = []
    for ci, ind in zip(country, industry, strict=True):
        code = COUNTRIES[ci].code
        if code in LOCAL_TITLES and r.random() < _P_LOCAL_TITLE:
            title_group.append(-1)
            title_variant.append(0)
            title_local.append(r.choice(LOCAL_TITLES[code]))
            continue
        tg = r.choice(fitting[ind])
        title_group.append(tg)
        spellings = TITLE_GROUPS[tg].spellings
        title_variant.append(0 if r.random() < 0.8 else r.randrange(len(spellings)))
        title_local.append("")
    return title_group, title_variant, title_local


def _emails(
    rng: np.random.Generator,
    r: random.Random,
    people: People,
    companies: list[Company],
    used: set[str],
) -> None:
    """Fill in each person's email: at the employer's domain or a free-mail one; unique."""
    work_roll = rng.random(len(people.first)).tolist()
    for i, roll in enumerate(work_roll):
        year = date.fromordinal(people.birth[i]).year
        local = email_local(people.first[i], people.last[i], year, r)
        work = people.company[i] >= 0 and roll < _P_WORK_EMAIL
        domain = companies[people.company[i]].domain if work else free_mail(people.country[i], r)
        people.email.append(unique_email(local, domain, used))
        people.work_email.append(work)


def email_local(first: str, last: str, birth_year: int, r: random.Random) -> str:
    """The part of an address before the @, made from the name (jane.doe, jdoe, ...)."""
    f = slug(first) or "contact"
    s = slug(last) or "x"
    roll = r.random()
    if roll < 0.38:
        return f"{f}.{s}"
    if roll < 0.5:
        return f + s
    if roll < 0.66:
        return f[0] + s
    if roll < 0.71:
        return f"{f}_{s}"
    if roll < 0.77:
        return f"{f}.{s}{birth_year % 100:02d}"
    if roll < 0.82:
        return f"{f}{s}{r.randint(1, 99)}"
    if roll < 0.86:
        return f"{s}.{f}"
    if roll < 0.9:
        return f + s[0]
    return f"{f[0]}.{s}"


def mailbox(local: str, domain: str) -> str:
    """The mailbox an address reaches: gmail ignores dots in the local part."""
    if domain in ("gmail.com", "googlemail.com"):
        return local.replace(".", "") + "@gmail.com"
    return f"{local}@{domain}"


def unique_email(local: str, domain: str, used: set[str]) -> str:
    """``local@domain``, numbered (jane.doe2@...) if that mailbox is already taken."""
    candidate = local
    n = 2
    while mailbox(candidate, domain) in used:
        candidate = f"{local}{n}"
        n += 1
    used.add(mailbox(candidate, domain))
    return f"{candidate}@{domain}"


def free_mail(country: int, r: random.Random) -> str:
    """A free-mail domain of the country (gmail.com half the time)."""
    domains = COUNTRIES[country].free_mail
    # gmail.com (listed first everywhere) is as common as all the others together
    return domains[0] if r.random() < 0.5 else r.choice(domains[1:])
