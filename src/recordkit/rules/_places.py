"""
Place normalizers: countries to ISO 3166-1 alpha-2, subdivisions to ISO 3166-2.

Lookups go through pycountry plus alias tables for the spellings CRM data really holds
("USA", "U.K.", "Holland", "Deutschland", "Calif.", "Bavaria") and the shipped tables of
former countries and of subdivision names and codes (`recordkit.rules._place_names`).
Matching ignores case, accents and punctuation. Like every normalizer they never raise.

What is never guessed: a country that no longer exists (Czechoslovakia, East Germany) is
not read as a current one, and a name two subdivisions of one country share (Tartu, a town
and a rural municipality) is not read as either; `country_candidates` and
`subdivision_candidates` name the possibilities for a hint. A name shared by a subdivision
and one inside it (Madrid, a community and its one province) is read as the containing one.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Final

import attrs
import pycountry

from recordkit.rules._place_names import former_countries, iso_names, subdivision_extras
from recordkit.rules._placeholders import is_placeholder
from recordkit.rules._text import ValueT, fold_key

__all__ = [
    "country_candidates",
    "country_code",
    "normalize_country",
    "normalize_subdivision",
    "subdivision_candidates",
    "subdivision_code",
]


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
    "ES": {"cataluna": "CT", "catalonia": "CT", "andalusia": "AN", "comunitat valenciana": "VC",
           "basque country": "PV", "pais vasco": "PV", "balearic islands": "IB",
           "canary islands": "CN"},
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
        for attr in ("alpha_2", "alpha_3", "numeric", "name", "official_name", "common_name"):
            text = getattr(country, attr, None)
            if text:
                table.setdefault(fold_key(text), country.alpha_2)
    for alias, code in COUNTRY_ALIASES.items():
        table.setdefault(fold_key(alias), code)  # folded again: NFKD splits Hangul ("한국")
    for key, code in former_countries().renamed.items():
        table.setdefault(key, code)
    return table


def _country_key(value: object) -> str | None:
    """
    The folded key of a country value; ISO numeric codes are padded (``76`` → ``076``).
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:03d}" if 0 < value < 1000 else None
    if not isinstance(value, str) or len(value) > 100 or is_placeholder(value):
        return None
    key = fold_key(value)
    return key.zfill(3) if key.isdigit() and len(key) < 3 else key


def country_code(value: object) -> str | None:
    """
    Return the ISO 3166-1 alpha-2 code *value* names, or ``None``.

    *value* may be an alpha-2, alpha-3 or numeric code (``"840"``, ``"076"``, ``76``, the
    numeric code with its leading zeros lost), an ISO name, official or common name, an
    alias, or a former name of a country that still exists (``Burma`` → ``MM``, ``Zaire``
    → ``CD``). A country that no longer exists (``Czechoslovakia``, ``East Germany``)
    names no current one: see `country_candidates`.

    A placeholder (`is_placeholder`: ``n/a``, ``N.A.``, ``none``…) names no country, even
    where it spells a code: only ``NA`` written exactly so is Namibia's code, the form a
    normalized value has.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       Placeholders name no country; numeric codes and former names are read.
    """
    if isinstance(value, str) and value in _alpha2():
        return value  # already normalized
    key = _country_key(value)
    return None if key is None else _country_table().get(key)


def country_candidates(value: object) -> tuple[str, ...]:
    """
    Return the current countries *value* may mean: one code, several, or none.

    A value `country_code` reads gives its code; the name or code of a country that no
    longer exists gives the current countries covering its territory, for a hint
    (``Czechoslovakia`` → ``("CZ", "SK")``, ``East Germany`` → ``("DE",)``); anything
    else gives ``()``. Never raises.

    Examples:
        >>> country_candidates("Burma"), country_candidates("Czechoslovakia")
        (('MM',), ('CZ', 'SK'))

    .. versionadded:: 0.2.0
    """
    code = country_code(value)
    if code is not None:
        return (code,)
    key = _country_key(value)
    return () if key is None else former_countries().ceased.get(key, ())


@functools.cache
def _alpha2() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


@functools.cache
def _subdivision_codes() -> frozenset[str]:
    return frozenset(s.code for s in pycountry.subdivisions)


def normalize_country(value: ValueT) -> ValueT | str:
    """
    Return the ISO 3166-1 alpha-2 code of a country name, code or common alias.

    Examples:
        >>> normalize_country("U.S.A."), normalize_country("Deutschland")
        ('US', 'DE')

    Text naming no country comes back unchanged.

    .. versionadded:: 0.1.0
    """
    code = country_code(value)
    return value if code is None else code


@attrs.frozen
class _Subdivisions:
    table: Mapping[str, str]
    ambiguous: Mapping[str, tuple[str, ...]]


@functools.cache
def _subdivisions(country: str) -> _Subdivisions:
    """
    One country's lookup: folded code or name → code, and the names that stay ambiguous.
    """
    found = pycountry.subdivisions.get(country_code=country) or []  # type: ignore[no-untyped-call]
    parents: dict[str, str | None] = {sub.code: sub.parent_code for sub in found}
    table: dict[str, str] = {}
    for sub in found:  # a code always names its own subdivision
        table.setdefault(fold_key(sub.code), sub.code)
        table.setdefault(fold_key(sub.code.split("-", 1)[1]), sub.code)
    named: dict[str, set[str]] = {}
    for sub in found:
        for name in iso_names(sub.name):
            named.setdefault(fold_key(name), set()).add(sub.code)
    ambiguous: dict[str, tuple[str, ...]] = {}
    for key, codes in named.items():
        if key in table:
            continue
        broadest = _containing(codes, parents)
        if broadest is None:
            ambiguous[key] = tuple(sorted(codes))
        else:
            table[key] = broadest
    extras = subdivision_extras(country)
    aliases = {
        fold_key(a): f"{country}-{suffix}"
        for a, suffix in SUBDIVISION_ALIASES.get(country, {}).items()
    }
    for source in (aliases, extras.names, extras.former):
        for key, code in source.items():
            if key not in ambiguous:
                table.setdefault(key, code)
    for key, successors in extras.split.items():
        if key not in table:
            ambiguous.setdefault(key, successors)
    return _Subdivisions(table=table, ambiguous=ambiguous)


def _containing(codes: set[str], parents: Mapping[str, str | None]) -> str | None:
    """
    The one of *codes* that contains all the others, or ``None`` when none does.
    """
    for code in codes:
        if all(other == code or code in _ancestors(other, parents) for other in codes):
            return code
    return None


def _ancestors(code: str, parents: Mapping[str, str | None]) -> list[str]:
    out: list[str] = []
    parent = parents.get(code)
    while parent is not None and parent not in out:
        out.append(parent)
        parent = parents.get(parent)
    return out


_PREFIXES: Final = ("county ", "co ", "city of ", "province of ", "state of ", "greater ",
                    "provincia de ", "region ", "departement ")  # fmt: skip


def subdivision_code(value: object, *, country: object = None) -> str | None:
    """
    Return the ISO 3166-2 code (``US-NY``) *value* names within *country*, or ``None``.

    A full code (``CA-QC``) is recognised without a country; a bare name or abbreviation
    needs *country* (a code or a name). Codes, ISO names, English and native names and
    withdrawn codes are read (``Bayern`` and ``Bavaria`` → ``DE-BY``, ``CA-PQ`` →
    ``CA-QC``, ``Orissa`` → ``IN-OD``). A name two subdivisions share, and a withdrawn
    code whose area is now in several, name none: see `subdivision_candidates`. A
    placeholder (``n/a``) names no subdivision.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       Native and former names and withdrawn codes are read; shared names are not.
    """
    found = _subdivision_lookup(value, country)
    return found if isinstance(found, str) else None


def subdivision_candidates(value: object, *, country: object = None) -> tuple[str, ...]:
    """
    Return the subdivisions of *country* that *value* may mean: one code, several, or none.

    A value `subdivision_code` reads gives its code; a name two subdivisions share, or a
    withdrawn code whose area is now in several, gives all of them, for a hint
    (``Cheshire`` in ``GB`` → ``("GB-CHE", "GB-CHW")``); anything else gives ``()``.
    Never raises.

    Examples:
        >>> subdivision_candidates("Tartu", country="EE")
        ('EE-793', 'EE-796')

    .. versionadded:: 0.2.0
    """
    found = _subdivision_lookup(value, country)
    if isinstance(found, str):
        return (found,)
    return () if found is None else found


def _subdivision_lookup(value: object, country: object) -> str | tuple[str, ...] | None:
    """
    The code *value* names in *country*, the candidates when it is ambiguous, or ``None``.
    """
    if not isinstance(value, str) or len(value) > 100 or is_placeholder(value):
        return None
    code = country_code(country) if country is not None else None
    if value in _subdivision_codes():
        # Fast path for values already normalized.
        return value if code is None or value.startswith(code + "-") else None
    key = fold_key(value)
    if not key:
        return None
    if code is None and "-" in value:
        head = value.strip().split("-", 1)[0].upper()
        if len(head) == 2 and pycountry.countries.get(alpha_2=head):
            code = head
    if code is None:
        return None
    lookup = _subdivisions(code)
    for candidate in (key, *(key[len(p) :] for p in _PREFIXES if key.startswith(p))):
        found = lookup.table.get(candidate) or lookup.ambiguous.get(candidate)
        if found is not None:
            return found
    return None


def normalize_subdivision(value: ValueT, *, country: object = None) -> ValueT | str:
    """
    Return the ISO 3166-2 code of a state, province or region.

    Examples:
        >>> normalize_subdivision("Calif.", country="US"), normalize_subdivision("Québec",
        ...     country="Canada")
        ('US-CA', 'CA-QC')

    Text naming no subdivision of *country* comes back unchanged.

    .. versionadded:: 0.1.0
    """
    code = subdivision_code(value, country=country)
    return value if code is None else code
