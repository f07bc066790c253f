"""Where people live: cities by index, and street lines and postcodes shaped per country."""

from __future__ import annotations

import random

from .tables import COUNTRIES, STREET_NAMES, STREET_TYPES_EN, STREET_TYPES_GB, City

# Every city of every country as (country index, city); people refer to cities by position.
ALL_CITIES: tuple[tuple[int, City], ...] = tuple(
    (ci, city) for ci, country in enumerate(COUNTRIES) for city in country.cities
)
# Country index -> the positions of its cities in ALL_CITIES.
COUNTRY_CITY_INDEX: tuple[tuple[int, ...], ...] = tuple(
    tuple(i for i, (ci, _) in enumerate(ALL_CITIES) if ci == c) for c in range(len(COUNTRIES))
)
# Every (country index, region code), and the position in it of each city's region.
REGION_KEYS: tuple[tuple[int, str], ...] = tuple(
    (ci, code) for ci, c in enumerate(COUNTRIES) for code in c.regions
)
_REGION_INDEX: dict[tuple[int, str], int] = {key: k for k, key in enumerate(REGION_KEYS)}
CITY_REGION: tuple[int, ...] = tuple(_REGION_INDEX[(ci, city.region)] for ci, city in ALL_CITIES)

_CA_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"
_GB_INWARD = "ABDEFGHJLNPQRSTUWXYZ"
_NL_LETTERS = "ABCDEGHJKLMNPRTVWXZ"
_EIRCODE = "ACDEFHKNPRTVWXY0123456789"


def postcode(country: str, city: City, r: random.Random) -> str:
    """A postcode of `city` in the shape its country uses."""
    prefix = r.choice(city.postcodes)
    if country in ("US", "DE", "ES", "MX"):
        width = 5 - len(prefix)
        return f"{prefix}{r.randrange(10**width):0{width}d}"
    if country == "FR":
        return prefix
    if country == "CA":
        return f"{prefix} {r.randint(1, 9)}{r.choice(_CA_LETTERS)}{r.randint(0, 9)}"
    if country == "GB":
        return f"{prefix} {r.randint(1, 9)}{r.choice(_GB_INWARD)}{r.choice(_GB_INWARD)}"
    if country == "AU":
        return prefix + str(r.randint(0, 9))
    if country == "IN":
        return prefix + f"{r.randint(1, 99):02d}"
    if country == "BR":
        width = 8 - len(prefix)
        digits = f"{prefix}{r.randrange(10**width):0{width}d}"
        return f"{digits[:5]}-{digits[5:]}"
    if country == "JP":
        return f"{prefix}-{r.randint(1, 9999):04d}"
    if country == "NL":
        letters = r.choice(_NL_LETTERS) + r.choice(_NL_LETTERS)
        return f"{prefix}{r.randint(10, 99)} {letters}"
    if country == "IE":
        return f"{prefix} {r.choice('ACDEFHKNPRTVWXY')}" + "".join(
            r.choice(_EIRCODE) for _ in range(3)
        )
    raise ValueError(country)


def street(country: str, city: City, r: random.Random) -> str:
    """A street line in `city` written the way its country writes addresses."""
    num = int(r.paretovariate(1.1) * 8) % 9800 + 1
    if country in ("US", "CA", "AU"):
        return _street_english(country, num, r)
    if country in ("GB", "IE"):
        line = f"{num % 300 + 1} {r.choice(STREET_NAMES['british'])} {r.choice(STREET_TYPES_GB)}"
        if r.random() < 0.1:
            line = f"Flat {r.randint(1, 30)}, {line}"
        return line
    if country == "DE":
        name = r.choice(STREET_NAMES["DE"])
        kind = r.choice(("straße", "straße", "weg", "platz", "allee"))
        return f"{name}{kind} {num % 200 + 1}"
    if country == "FR":
        bis = " bis" if r.random() < 0.05 else ""
        return f"{num % 150 + 1}{bis} {r.choice(STREET_NAMES['FR'])}"
    if country == "ES":
        floor = f", {r.randint(1, 8)}º {r.choice('ABCD')}" if r.random() < 0.3 else ""
        return f"{r.choice(STREET_NAMES['ES'])}, {num % 250 + 1}{floor}"
    if country == "MX":
        return f"{r.choice(STREET_NAMES['MX'])} {num % 3000 + 1}"
    if country == "BR":
        return f"{r.choice(STREET_NAMES['BR'])}, {num % 2500 + 1}"
    if country == "NL":
        suffix = r.choice("ABC") if r.random() < 0.08 else ""
        return f"{r.choice(STREET_NAMES['NL'])} {num % 400 + 1}{suffix}"
    if country == "IN":
        return f"{num % 300 + 1}, {r.choice(STREET_NAMES['IN'])}"
    if country == "JP":
        district = r.choice(city.districts)
        return f"{r.randint(1, 9)}-{r.randint(1, 30)}-{r.randint(1, 20)} {district}"
    raise ValueError(country)


def _street_english(country: str, num: int, r: random.Random) -> str:
    """A US, Canadian or Australian street line, sometimes with a suite, unit or apartment."""
    name = r.choice(STREET_NAMES["english"])
    full, abbr = r.choice(STREET_TYPES_EN)
    street = name if name == "Broadway" else f"{name} {full if r.random() < 0.55 else abbr}"
    line = f"{num} {street}"
    roll = r.random()
    if roll < 0.08:
        line += f" Suite {r.randint(1, 30) * 10 + r.choice((0, 100, 200))}"
    elif roll < 0.14:
        line += f" Apt {r.randint(1, 20)}{r.choice('ABCD')}"
    elif roll < 0.16:
        line += f" #{r.randint(1, 400)}"
    if country == "AU" and r.random() < 0.1:
        line = f"Unit {r.randint(1, 40)}, {line}"
    return line
