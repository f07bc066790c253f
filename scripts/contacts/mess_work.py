"""The mess in the work columns: company, industry, website, job title, lead source."""

from __future__ import annotations

import random

import numpy as np

from .companies import Company
from .draw import hits, regroup, variant_weights
from .mess import blank_out
from .people import People
from .rows import Rows
from .tables import (
    BLANK,
    COMPANY_PLACEHOLDERS,
    INDUSTRY_VARIANTS,
    LEAD_SOURCE_VARIANTS,
    TITLE_GROUPS,
    TITLE_PLACEHOLDERS,
)
from .text import stray_space

# The canonical spelling's share in the industry and lead_source columns.
_P_CANONICAL_INDUSTRY = 0.72
_P_CANONICAL_LEAD_SOURCE = 0.8


def company(
    rng: np.random.Generator,
    r: random.Random,
    rows: Rows,
    people: People,
    companies: list[Company],
) -> tuple[list[str], list[str], list[str]]:
    """The company, industry and website columns."""
    n = len(rows.person)
    roll = rng.random(n).tolist()
    names: list[str] = []
    website: list[str] = []
    for i in range(n):
        c = rows.company[i]
        if c < 0:
            names.append(r.choice(COMPANY_PLACEHOLDERS) if roll[i] < 0.2 else "")
            website.append("")
            continue
        variants = companies[c].variants
        if rows.company_restyle[i] or roll[i] < 0.12:
            names.append(variants[r.randrange(1, len(variants))])
        elif roll[i] > 0.995:
            names.append(r.choice(COMPANY_PLACEHOLDERS))
        else:
            names.append(variants[0])
        website.append(companies[c].domain)
    website = [_url(w, r) if w else w for w in website]
    ind_keys = np.asarray([people.industry[p] for p in rows.person], dtype=np.int64)
    tables = list(INDUSTRY_VARIANTS.values())
    weights = [variant_weights(len(t), _P_CANONICAL_INDUSTRY) for t in tables]
    industry = regroup(rng, ind_keys, tables, weights)
    for i, c in enumerate(rows.company):
        if c < 0 and roll[i] < 0.5:
            industry[i] = ""  # people without an employer mostly have no industry either
    blank_out(names, hits(rng, n, BLANK["company"]))
    blank_out(website, hits(rng, n, BLANK["website"]))
    blank_out(industry, hits(rng, n, BLANK["industry"]))
    return names, industry, website


def _url(domain: str, r: random.Random) -> str:
    """The website as people type it: with or without scheme, www, slash, in capitals."""
    u = r.random()
    if u < 0.35:
        return domain
    if u < 0.65:
        return "www." + domain
    if u < 0.75:
        return f"https://{domain}/"
    if u < 0.85:
        return f"https://www.{domain}"
    if u < 0.9:
        return f"http://{domain}"
    if u < 0.93:
        return f"HTTP://{domain.upper()}"
    if u < 0.95:
        return f"WWW.{domain.upper()}"
    return f"{domain}/"


def titles(rng: np.random.Generator, r: random.Random, rows: Rows) -> list[str]:
    """The job_title column: other spellings, case, placeholders, whitespace."""
    n = len(rows.person)
    out = list(rows.title)
    for i in hits(rng, n, 0.04):
        for group in TITLE_GROUPS:
            if out[i] in group.spellings and len(group.spellings) > 1:
                out[i] = r.choice(group.spellings)
                break
    for i in hits(rng, n, 0.035):
        out[i] = out[i].lower() if r.random() < 0.6 else out[i].upper()
    for i in hits(rng, n, 0.005):
        out[i] = r.choice(TITLE_PLACEHOLDERS)
    for i in hits(rng, n, 0.015):
        out[i] = stray_space(out[i], r)
    blank_out(out, hits(rng, n, BLANK["job_title"]))
    return out


def lead_sources(rng: np.random.Generator, rows: Rows) -> list[str]:
    """The lead_source column, written with synonyms and typos."""
    tables = list(LEAD_SOURCE_VARIANTS.values())
    weights = [variant_weights(len(t), _P_CANONICAL_LEAD_SOURCE) for t in tables]
    out = regroup(rng, np.asarray(rows.lead_source, dtype=np.int64), tables, weights)
    blank_out(out, hits(rng, len(out), BLANK["lead_source"]))
    return out
