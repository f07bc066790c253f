"""The mess in the address columns: street, city, state, postcode, country."""

from __future__ import annotations

import random
import re

import numpy as np

from .draw import hits, regroup
from .mess import blank_out
from .people import People
from .places import ALL_CITIES, CITY_REGION, REGION_KEYS
from .rows import Rows
from .tables import BLANK, COUNTRIES, STREET_SWAPS, Country, Region
from .text import fold, stray_space


def address(
    rng: np.random.Generator, r: random.Random, rows: Rows, people: People
) -> dict[str, list[str]]:
    """The street, city, state, postcode and country columns."""
    countries = [COUNTRIES[people.country[p]] for p in rows.person]
    return {
        "street": _streets(rng, r, rows),
        "city": _cities(rng, r, rows),
        "state": _states(rng, rows, countries),
        "postcode": _postcodes(rng, r, rows, countries),
        "country": _countries(rng, r, people, rows),
    }


def _streets(rng: np.random.Generator, r: random.Random, rows: Rows) -> list[str]:
    """Street types abbreviated or spelled out (Street/St., straße/str.), case, spaces."""
    n = len(rows.person)
    street = list(rows.street)
    for i in hits(rng, n, 0.1):
        for old, new in r.sample(STREET_SWAPS, len(STREET_SWAPS)):
            word = rf"(?<!\w){re.escape(old)}(?!\w)"
            if re.search(word, street[i]):
                street[i] = re.sub(word, new, street[i], count=1)
                break
    for i in hits(rng, n, 0.04):
        street[i] = street[i].upper() if r.random() < 0.5 else street[i].lower()
    for i in hits(rng, n, 0.02):
        street[i] = stray_space(street[i], r)
    blank_out(street, hits(rng, n, BLANK["street"]))
    return street


def _cities(rng: np.random.Generator, r: random.Random, rows: Rows) -> list[str]:
    """Cities by another name (Munich, Bombay, NYC), in other case, without diacritics."""
    n = len(rows.person)
    city: list[str] = []
    for i, u in enumerate(rng.random(n).tolist()):
        c = ALL_CITIES[rows.city[i]][1]
        if u < 0.06 and c.alts:
            city.append(r.choice(c.alts))
        elif u < 0.09:
            city.append(c.name.lower())
        elif u < 0.12:
            city.append(c.name.upper())
        elif u < 0.16 and not c.name.isascii():
            city.append(fold(c.name))
        elif u < 0.18:
            city.append(stray_space(c.name, r))
        else:
            city.append(c.name)
    blank_out(city, hits(rng, n, BLANK["city"]))
    return city


def region_forms(country: Country, region: Region) -> tuple[list[str], list[float]]:
    """Spellings of one state/province with their weights (excluding blanks)."""
    _, p_code, p_name = country.region_style
    forms = [
        region.code,
        region.name,
        region.code.lower(),
        region.name.lower() + " ",
        region.name.upper(),
        *region.alts,
    ]
    alt_w = 0.06 / len(region.alts) if region.alts else 0.0
    weights = [p_code * 0.9, p_name * 0.9, p_code * 0.03, 0.02, 0.01, *([alt_w] * len(region.alts))]
    if region.code == region.name or not p_code:
        weights[0] = weights[2] = 0.0
    return forms, weights


def _states(rng: np.random.Generator, rows: Rows, countries: list[Country]) -> list[str]:
    """States and provinces in code, full, dotted and lower-case forms, or blank."""
    keys = np.asarray([CITY_REGION[c] for c in rows.city], dtype=np.int64)
    tables: list[list[str]] = []
    weights: list[list[float]] = []
    for ci, code in REGION_KEYS:
        forms, w = region_forms(COUNTRIES[ci], COUNTRIES[ci].regions[code])
        tables.append(forms)
        weights.append(w)
    state = regroup(rng, keys, tables, weights)
    for i, u in enumerate(rng.random(len(state)).tolist()):
        if u < countries[i].region_style[0]:
            state[i] = ""
    return state


def _postcodes(
    rng: np.random.Generator, r: random.Random, rows: Rows, countries: list[Country]
) -> list[str]:
    """Postcodes without their space or hyphen, as ZIP+4, or without a leading zero."""
    postcode = list(rows.postcode)
    for i, u in enumerate(rng.random(len(postcode)).tolist()):
        if u < countries[i].p_postcode_blank:
            postcode[i] = ""
        else:
            postcode[i] = _postcode_mess(countries[i].code, postcode[i], r)
    return postcode


def _postcode_mess(code: str, pc: str, r: random.Random) -> str:
    u = r.random()
    if code == "US":
        if u < 0.08:
            pc = f"{pc}-{r.randint(1, 9999):04d}"
        if pc.startswith("0") and u > 0.7:
            pc = pc[1:]  # a spreadsheet ate the leading zero
    elif code in ("DE", "ES", "FR", "MX"):
        if pc.startswith("0") and u < 0.2:
            pc = pc[1:]
    elif code in ("CA", "GB", "NL", "IE"):
        if u < 0.15:
            pc = pc.replace(" ", "")
        elif u < 0.2:
            pc = pc.lower()
    elif code in ("BR", "JP"):
        if u < 0.15:
            pc = pc.replace("-", "")
        elif u < 0.2 and code == "JP":
            pc = "〒" + pc
    elif code == "IN" and u < 0.1:
        pc = f"{pc[:3]} {pc[3:]}"
    return pc


def _countries(rng: np.random.Generator, r: random.Random, people: People, rows: Rows) -> list[str]:
    """The country column: names, codes and local spellings (USA, U.S., Deutschland)."""
    n = len(rows.person)
    keys = np.asarray([people.country[p] for p in rows.person], dtype=np.int64)
    tables = [c.spellings for c in COUNTRIES]
    country = regroup(rng, keys, tables, [c.spelling_weights for c in COUNTRIES])
    for i in hits(rng, n, 0.01):
        country[i] = stray_space(country[i], r)
    blank_out(country, hits(rng, n, BLANK["country"]))
    return country
