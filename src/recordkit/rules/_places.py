"""
Place normalizers: countries to ISO 3166-1 alpha-2, subdivisions to ISO 3166-2.

Lookups go through pycountry plus alias tables for the spellings CRM data really holds
("USA", "U.K.", "Holland", "Deutschland", "Calif.", "Bavaria"). Matching ignores case,
accents and punctuation. Like every normalizer they never raise.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Final

import pycountry

from recordkit.rules._placeholders import is_placeholder
from recordkit.rules._text import ValueT, fold_key

__all__ = ["country_code", "normalize_country", "normalize_subdivision", "subdivision_code"]


COUNTRY_ALIASES: Final[Mapping[str, str]] = {
    "usa": "US", "us": "US", "u s a": "US", "united states": "US", "america": "US",
    "united states of america": "US", "the united states": "US", "estados unidos": "US",
    "uk": "GB", "u k": "GB", "great britain": "GB", "britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB", "united kingdom": "GB",
    "holland": "NL", "the netherlands": "NL", "nederland": "NL", "deutschland": "DE",
    "germany": "DE", "allemagne": "DE", "espana": "ES", "brasil": "BR", "schweiz": "CH",
    "suisse": "CH", "svizzera": "CH", "italia": "IT", "osterreich": "AT", "mexico": "MX",
    "sverige": "SE", "norge": "NO", "danmark": "DK", "suomi": "FI", "polska": "PL",
    "turkey": "TR", "turkiye": "TR", "uae": "AE", "u a e": "AE", "emirates": "AE",
    "south korea": "KR", "korea": "KR", "republic of korea": "KR", "north korea": "KP",
    "russia": "RU", "vietnam": "VN", "iran": "IR", "syria": "SY", "bolivia": "BO",
    "venezuela": "VE", "tanzania": "TZ", "laos": "LA", "moldova": "MD", "czech republic": "CZ",
    "czechia": "CZ", "ivory coast": "CI", "macedonia": "MK", "taiwan": "TW", "burma": "MM",
    "cape verde": "CV", "swaziland": "SZ", "eire": "IE", "republic of ireland": "IE",
    "prc": "CN", "people s republic of china": "CN", "mainland china": "CN",
    "hong kong": "HK", "macau": "MO", "palestine": "PS", "vatican": "VA", "kosovo": "XK",
    "the philippines": "PH", "nippon": "JP", "bharat": "IN", "zhongguo": "CN",
    "belgie": "BE", "belgique": "BE", "ceska republika": "CZ", "magyarorszag": "HU",
    "ger": "DE", "日本": "JP", "中国": "CN", "한국": "KR", "россия": "RU", "nihon": "JP",
    "eesti": "EE", "ksa": "SA",
    "hellas": "GR", "ellada": "GR", "espagne": "ES", "france metropolitaine": "FR",
}  # fmt: skip
"""
Extra spellings of countries (folded with `fold_key`) → ISO 3166-1 alpha-2.
"""

SUBDIVISION_ALIASES: Final[Mapping[str, Mapping[str, str]]] = {
    "US": {
        "ala": "AL", "ariz": "AZ", "ark": "AR", "calif": "CA", "cal": "CA", "colo": "CO",
        "conn": "CT", "del": "DE", "fla": "FL", "ga": "GA", "ill": "IL", "ind": "IN",
        "kans": "KS", "kan": "KS", "ky": "KY", "la": "LA", "mass": "MA", "md": "MD",
        "mich": "MI", "minn": "MN", "miss": "MS", "mo": "MO", "mont": "MT", "neb": "NE",
        "nebr": "NE", "nev": "NV", "n h": "NH", "n j": "NJ", "n m": "NM", "n y": "NY",
        "n c": "NC", "n d": "ND", "okla": "OK", "ore": "OR", "oreg": "OR", "pa": "PA",
        "penn": "PA", "penna": "PA", "r i": "RI", "s c": "SC", "s d": "SD", "tenn": "TN",
        "tex": "TX", "vt": "VT", "va": "VA", "wash": "WA", "w va": "WV", "wis": "WI",
        "wisc": "WI", "wyo": "WY", "d c": "DC", "washington dc": "DC",
        "washington d c": "DC", "nyc": "NY", "new york state": "NY", "socal": "CA",
    },
    "CA": {
        "que": "QC", "quebec": "QC", "ont": "ON", "b c": "BC", "alta": "AB", "sask": "SK",
        "man": "MB", "n s": "NS", "n b": "NB", "nfld": "NL", "newfoundland": "NL",
        "p e i": "PE", "pei": "PE",
    },
    "DE": {
        "bavaria": "BY", "berlin": "BE", "hesse": "HE", "lower saxony": "NI",
        "north rhine westphalia": "NW", "nrw": "NW", "rhineland palatinate": "RP",
        "saxony": "SN", "saxony anhalt": "ST", "thuringia": "TH",
        "baden wuerttemberg": "BW", "baden wurttemberg": "BW", "hamburg": "HH",
    },
    "ES": {"cataluna": "CT", "catalonia": "CT", "andalusia": "AN", "valencia": "VC",
           "comunitat valenciana": "VC", "basque country": "PV", "pais vasco": "PV",
           "balearic islands": "IB", "canary islands": "CN"},
    "AU": {"nsw": "NSW", "vic": "VIC", "qld": "QLD", "wa": "WA", "sa": "SA", "tas": "TAS",
           "act": "ACT", "nt": "NT"},
    "MX": {"cdmx": "CMX", "mexico city": "CMX", "ciudad de mexico": "CMX", "df": "CMX"},
    "GB": {"london": "LND", "greater london": "LND"},
}  # fmt: skip
"""
Extra spellings of subdivisions per country: folded spelling → the code after the dash.
"""


@functools.cache
def _country_table() -> Mapping[str, str]:
    table: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
            text = getattr(country, attr, None)
            if text:
                table.setdefault(fold_key(text), country.alpha_2)
    for alias, code in COUNTRY_ALIASES.items():
        table.setdefault(alias, code)
    return table


def country_code(value: object) -> str | None:
    """
    Return the ISO 3166-1 alpha-2 code *value* names, or ``None``.

    A placeholder (`is_placeholder`: ``n/a``, ``N.A.``, ``none``…) names no country, even
    where it spells a code: only ``NA`` written exactly so is Namibia's code, the form a
    normalized value has.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       Placeholders name no country.
    """
    if not isinstance(value, str) or len(value) > 100:
        return None
    if value in _alpha2():
        return value  # already normalized
    if is_placeholder(value):
        return None
    return _country_table().get(fold_key(value))


@functools.cache
def _alpha2() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


@functools.cache
def _subdivision_codes() -> frozenset[str]:
    return frozenset(s.code for s in pycountry.subdivisions)


def normalize_country(value: ValueT) -> ValueT | str:
    """
    Return the ISO 3166-1 alpha-2 code of a country name, code or common alias.

    Example:
        >>> normalize_country("U.S.A."), normalize_country("Deutschland")
        ('US', 'DE')

    Text naming no country comes back unchanged.

    .. versionadded:: 0.1.0
    """
    code = country_code(value)
    return value if code is None else code


@functools.cache
def _subdivision_table(country: str) -> Mapping[str, str]:
    table: dict[str, str] = {}
    found = pycountry.subdivisions.get(country_code=country) or []  # type: ignore[no-untyped-call]
    # Top-level subdivisions win a name they share with a lower-level one.
    for sub in sorted(found, key=lambda s: (s.parent_code is not None, s.code)):
        suffix = sub.code.split("-", 1)[1]
        table.setdefault(fold_key(sub.code), sub.code)
        table.setdefault(fold_key(suffix), sub.code)
        for name in _spellings(sub.name):
            table.setdefault(fold_key(name), sub.code)
    for alias, suffix in SUBDIVISION_ALIASES.get(country, {}).items():
        table.setdefault(alias, f"{country}-{suffix}")
    return table


def _spellings(name: str) -> list[str]:
    """
    The ways a subdivision's ISO name is written.

    ``Catalunya [Cataluña]`` gives both; ``Madrid, Comunidad de`` also gives ``Comunidad de
    Madrid`` and ``Madrid``.
    """
    names = [name]
    if "[" in name and name.endswith("]"):
        head, _, tail = name[:-1].partition("[")
        names = [head.strip(), tail.strip()]
    out: list[str] = []
    for n in names:
        out.append(n)
        if ", " in n:
            first, _, rest = n.partition(", ")
            out += [f"{rest} {first}", first]
    return out


_PREFIXES: Final = ("county ", "co ", "city of ", "province of ", "state of ", "greater ",
                    "provincia de ", "region ", "departement ")  # fmt: skip


def subdivision_code(value: object, *, country: object = None) -> str | None:
    """
    Return the ISO 3166-2 code (``US-NY``) *value* names within *country*, or ``None``.

    A full code (``CA-QC``) is recognised without a country; a bare name or abbreviation
    needs *country* (a code or a name). A placeholder (``n/a``) names no subdivision.

    .. versionadded:: 0.1.0
    """
    if not isinstance(value, str) or len(value) > 100 or is_placeholder(value):
        return None
    if value in _subdivision_codes():
        # Fast path for values already normalized.
        code = country_code(country) if country is not None else None
        return value if code is None or value.startswith(code + "-") else None
    key = fold_key(value)
    if not key:
        return None
    code = country_code(country) if country is not None else None
    if code is None and "-" in value:
        head = value.strip().split("-", 1)[0].upper()
        if len(head) == 2 and pycountry.countries.get(alpha_2=head):
            code = head
    if code is None:
        return None
    table = _subdivision_table(code)
    found = table.get(key)
    if found is None:
        for prefix in _PREFIXES:
            if key.startswith(prefix):
                return table.get(key[len(prefix) :])
    return found


def normalize_subdivision(value: ValueT, *, country: object = None) -> ValueT | str:
    """
    Return the ISO 3166-2 code of a state, province or region.

    Example:
        >>> normalize_subdivision("Calif.", country="US"), normalize_subdivision("Québec",
        ...     country="Canada")
        ('US-CA', 'CA-QC')

    Text naming no subdivision of *country* comes back unchanged.

    .. versionadded:: 0.1.0
    """
    code = subdivision_code(value, country=country)
    return value if code is None else code
