"""The generator's reference tables, read once from the data files in ``data/``.

Every list in the data files is ordered: the generator draws by position, so reordering
an entry (or adding one in the middle) changes the output for every seed.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
# Separates the items of a multi-valued cell in the CSV tables.
_CELL_SEP = "|"


@dataclass(frozen=True)
class Region:
    """A state, province, county or prefecture."""

    code: str
    name: str
    alts: tuple[str, ...] = ()


@dataclass(frozen=True)
class City:
    """A city people live in."""

    name: str
    region: str  # key into the country's regions
    postcodes: tuple[str, ...]  # postcode prefixes (completed with random characters)
    phones: tuple[str, ...]  # "prefix:length" national-number specs for landlines
    alts: tuple[str, ...] = ()  # other spellings of the city name
    weight: float = 1.0
    districts: tuple[str, ...] = ()  # used for Japanese street addresses


@dataclass(frozen=True)
class Country:
    """A country people live in, with the habits of its data."""

    code: str
    weight: float
    calling_code: int
    regions: dict[str, Region]
    cities: tuple[City, ...]
    mobiles: tuple[str, ...]  # "prefix:length" specs for mobile numbers
    p_mobile: float
    region_style: tuple[float, float, float]  # P(blank), P(code form), P(name form)
    name_mix: tuple[tuple[str, float], ...]
    suffixes: tuple[tuple[str, float], ...]  # company legal forms
    tld: str
    free_mail: tuple[str, ...]
    spellings: tuple[str, ...]  # how the country column writes it, most common first
    spelling_weights: tuple[float, ...]
    p_postcode_blank: float = 0.07


@dataclass(frozen=True)
class NameGroup:
    """A pool of first and last names that go together."""

    first: tuple[str, ...]
    last: tuple[str, ...]
    native_first: dict[str, str] = field(default_factory=dict)
    native_last: dict[str, str] = field(default_factory=dict)
    p_native: float = 0.0  # share of rows written in native script
    p_compound: float = 0.0  # share of people with two surnames
    compound_sep: str = " "
    feminine: frozenset[str] = frozenset()  # first names that take a feminine surname


@dataclass(frozen=True)
class TitleGroup:
    """Equivalent spellings of one job title; ``industries`` None = fits any industry."""

    spellings: tuple[str, ...]
    industries: tuple[str, ...] | None


def _json(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _strs(values: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


def _cell(text: str) -> tuple[str, ...]:
    return tuple(text.split(_CELL_SEP)) if text else ()


def _weighted(mapping: Any) -> tuple[tuple[str, float], ...]:
    return tuple((str(k), float(v)) for k, v in mapping.items())


def _str_dict(mapping: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in mapping.items()}


def _strs_dict(mapping: Any) -> dict[str, tuple[str, ...]]:
    return {str(k): _strs(v) for k, v in mapping.items()}


def _load_countries() -> tuple[Country, ...]:
    regions: dict[str, dict[str, Region]] = {}
    for row in _csv("regions.csv"):
        region = Region(row["code"], row["name"], _cell(row["other_spellings"]))
        regions.setdefault(row["country"], {})[region.code] = region
    cities: dict[str, list[City]] = {}
    for row in _csv("cities.csv"):
        city = City(
            name=row["name"],
            region=row["region"],
            postcodes=_cell(row["postcode_prefixes"]),
            phones=_cell(row["landlines"]),
            alts=_cell(row["other_spellings"]),
            weight=float(row["weight"]),
            districts=_cell(row["districts"]),
        )
        cities.setdefault(row["country"], []).append(city)
    countries = []
    for c in _json("countries.json"):
        style = c["region_style"]
        spellings = _weighted(c["spellings"])
        countries.append(
            Country(
                code=str(c["code"]),
                weight=float(c["weight"]),
                calling_code=int(c["calling_code"]),
                regions=regions[c["code"]],
                cities=tuple(cities[c["code"]]),
                mobiles=_strs(c["mobiles"]),
                p_mobile=float(c["p_mobile"]),
                region_style=(float(style["blank"]), float(style["code"]), float(style["name"])),
                name_mix=_weighted(c["name_mix"]),
                suffixes=_weighted(c["legal_forms"]),
                tld=str(c["tld"]),
                free_mail=_strs(c["free_mail"]),
                spellings=tuple(s for s, _ in spellings),
                spelling_weights=tuple(w for _, w in spellings),
                p_postcode_blank=float(c["p_postcode_blank"]),
            )
        )
    return tuple(countries)


def _load_name_groups() -> dict[str, NameGroup]:
    groups: dict[str, NameGroup] = {}
    for name, g in _json("names.json").items():
        native_first = _str_dict(g.get("native_first", {}))
        native_last = _str_dict(g.get("native_last", {}))
        groups[str(name)] = NameGroup(
            first=_strs(g["first"]) if "first" in g else tuple(native_first),
            last=_strs(g["last"]) if "last" in g else tuple(native_last),
            native_first=native_first,
            native_last=native_last,
            p_native=float(g.get("p_native", 0.0)),
            p_compound=float(g.get("p_compound", 0.0)),
            compound_sep=str(g.get("compound_sep", " ")),
            feminine=frozenset(_strs(g.get("feminine", ()))),
        )
    return groups


# -- places ----------------------------------------------------------------------------------

COUNTRIES: tuple[Country, ...] = _load_countries()
#: ISO country code -> spellings used in the ``country`` column (the most common first).
COUNTRY_VARIANTS: dict[str, tuple[str, ...]] = {c.code: c.spellings for c in COUNTRIES}

# -- names -----------------------------------------------------------------------------------

NAME_GROUPS: dict[str, NameGroup] = _load_name_groups()
#: Formal first name -> the nickname duplicates may use instead. Several formal names share
#: a nickname (Alexander/Alexandra -> Alex, Samuel/Samantha -> Sam), so the inverse is
#: one-to-many.
NICKNAMES: dict[str, str] = {row["formal"]: row["nickname"] for row in _csv("nicknames.csv")}

# -- companies and titles ----------------------------------------------------------------------

_companies = _json("companies.json")
_industries: dict[str, Any] = _companies["industries"]
#: Canonical industry -> the spellings rows use (most common first; the canonical one
#: about 72% of the time, typos least often).
INDUSTRY_VARIANTS: dict[str, tuple[str, ...]] = {
    str(k): _strs(v["spellings"]) for k, v in _industries.items()
}
INDUSTRIES: tuple[str, ...] = tuple(INDUSTRY_VARIANTS)
INDUSTRY_WEIGHTS: tuple[float, ...] = tuple(float(v["weight"]) for v in _industries.values())
COMPANY_CORES: dict[str, tuple[str, ...]] = {
    str(k): _strs(v.get("company_cores", ())) for k, v in _industries.items()
}
# Industries whose employers are institutions (a university, a city council, a charity).
INSTITUTION_PATTERNS: dict[str, tuple[str, ...]] = {
    str(k): _strs(v["institutions"]) for k, v in _industries.items() if "institutions" in v
}
INSTITUTION_TLDS: dict[tuple[str, str], str] = {
    (str(k), str(cc)): str(tld)
    for k, v in _industries.items()
    for cc, tld in v.get("institution_tlds", {}).items()
}
COMPANY_PREFIXES: tuple[str, ...] = _strs(_companies["name_prefixes"])
# Legal form -> its spellings (the canonical one first).
SUFFIX_FORMS: dict[str, tuple[str, ...]] = _strs_dict(_companies["legal_forms"])

_titles = _json("titles.json")
TITLE_GROUPS: tuple[TitleGroup, ...] = tuple(
    TitleGroup(_strs(g["spellings"]), _strs(g["industries"]) if "industries" in g else None)
    for g in _titles["groups"]
)
# Country -> job titles in the local language.
LOCAL_TITLES: dict[str, tuple[str, ...]] = _strs_dict(_titles["local"])

# -- streets ---------------------------------------------------------------------------------

_streets = _json("streets.json")
STREET_TYPES_EN: tuple[tuple[str, str], ...] = tuple(
    (str(full), str(abbr)) for full, abbr in _streets["english_types"]
)
STREET_TYPES_GB: tuple[str, ...] = _strs(_streets["british_types"])
# "english" (US, CA, AU), "british" (GB, IE), or the ISO code.
STREET_NAMES: dict[str, tuple[str, ...]] = _strs_dict(_streets["names"])
# Abbreviation swaps applied as row-level mess (whole words only).
STREET_SWAPS: tuple[tuple[str, str], ...] = tuple(
    (str(old), str(new)) for old, new in _streets["abbreviations"]
)

# -- CRM fields ------------------------------------------------------------------------------

_crm = _json("crm.json")
#: Canonical lead source -> the spellings rows use (most common first).
LEAD_SOURCE_VARIANTS: dict[str, tuple[str, ...]] = {
    str(k): _strs(v["spellings"]) for k, v in _crm["lead_sources"].items()
}
LEAD_SOURCES: tuple[str, ...] = tuple(LEAD_SOURCE_VARIANTS)
LEAD_SOURCE_WEIGHTS: tuple[float, ...] = tuple(
    float(v["weight"]) for v in _crm["lead_sources"].values()
)
OWNERS: tuple[str, ...] = _strs(_crm["owners"])
OPT_IN_TRUE: tuple[str, ...] = _strs(_crm["opt_in"]["true"])
OPT_IN_FALSE: tuple[str, ...] = _strs(_crm["opt_in"]["false"])
OPT_IN_WEIGHTS: tuple[float, ...] = tuple(float(w) for w in _crm["opt_in"]["weights"])

# -- mess ------------------------------------------------------------------------------------

_mess = _json("mess.json")
# Blank rates per column (row level, before duplicate perturbations blank more); state and
# postcode blanks are per country (Country.region_style, Country.p_postcode_blank).
BLANK: dict[str, float] = {str(k): float(v) for k, v in _mess["blank"].items()}
# Columns the "blank" duplicate perturbation may empty.
BLANKABLE: tuple[str, ...] = _strs(_mess["blankable"])
COMPANY_PLACEHOLDERS: tuple[str, ...] = _strs(_mess["placeholders"]["company"])
TITLE_PLACEHOLDERS: tuple[str, ...] = _strs(_mess["placeholders"]["job_title"])
EMAIL_TAGS: tuple[str, ...] = _strs(_mess["email_tags"])
# Letter -> the keys next to it (typos hit a neighbouring key).
KEY_NEIGHBOURS: dict[str, str] = _str_dict(_mess["key_neighbours"])
