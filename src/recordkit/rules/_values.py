"""
Value normalizers: picklists (with synonyms), dates, booleans and money.

Plain functions of one value, shared by the rule engine and the matcher; they never raise.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from rapidfuzz import fuzz, process

from recordkit._errors import SchemaError, shorten
from recordkit.rules._options import dayfirst_option, fuzzy_option, picklist_options
from recordkit.rules._text import ValueT, clean_text, fold_key
from recordkit.schema import Money, parse_date, parse_money

DEFAULT_FUZZY: Final = 85.0
"""
How similar (rapidfuzz ratio, 0-100) a misspelt picklist value must be to be corrected.
"""

__all__ = [
    "DEFAULT_FUZZY",
    "normalize_boolean",
    "normalize_date",
    "normalize_money",
    "normalize_picklist",
    "picklist_match",
    "picklist_table",
    "read_date",
]


def picklist_table(
    values: Iterable[str], synonyms: Mapping[str, Iterable[str]] | Iterable[object] = ()
) -> dict[str, str]:
    """
    Build the lookup `normalize_picklist` uses: folded spelling → canonical value.

    Canonical values win over synonyms that fold to the same key.

    Raises:
        SchemaError: *values* is not a list of text, or *synonyms* does not map text to
            spellings.

    .. versionadded:: 0.1.0
    """
    canon, pairs = picklist_options(values, synonyms)
    table: dict[str, str] = {}
    for canonical, spellings in pairs:
        for spelling in spellings:
            table[fold_key(spelling)] = canonical
    for value in canon:
        table[fold_key(value)] = value
    table.pop("", None)
    return table


def normalize_picklist(
    value: ValueT,
    *,
    values: Iterable[str] = (),
    synonyms: Mapping[str, Iterable[str]] | Iterable[object] = (),
    table: Mapping[str, str] | None = None,
    fuzzy: float | None = DEFAULT_FUZZY,
) -> ValueT | str:
    """
    Return the canonical picklist value *value* spells, ignoring case and punctuation.

    A spelling that matches no value or synonym exactly is matched to the closest one when
    it is at least *fuzzy* similar (rapidfuzz ratio, 0-100), so typos such as
    ``Finanace`` find ``Finance``; a tie between two values changes nothing.

    Example:
        >>> normalize_picklist("  saas ", values=["Technology"],
        ...                    synonyms={"Technology": ["SaaS", "Software"]})
        'Technology'
        >>> normalize_picklist("Technolgy", values=["Technology"])
        'Technology'

    Args:
        value: the raw value.
        values: the canonical values.
        synonyms: canonical value → other spellings.
        table: a prebuilt `picklist_table` (faster when called many times).
        fuzzy: the least similarity for a typo to be corrected (``None``: exact only).

    Text matching no value comes back unchanged.

    Raises:
        SchemaError: an option is wrong (not *value*: any value is taken).

    .. versionadded:: 0.1.0
    """
    fuzzy = fuzzy_option(fuzzy)
    if table is not None and not isinstance(table, Mapping):
        raise SchemaError(f"table must be a picklist_table mapping, got {shorten(table)}")
    lookup = picklist_table(values, synonyms) if table is None else table
    if not isinstance(value, str) or len(value) > 1000:
        return value
    try:
        found = picklist_match(fold_key(value), lookup, fuzzy)
    except (TypeError, ValueError, KeyError) as exc:  # a table not built by picklist_table
        raise SchemaError(f"table must be a picklist_table mapping ({exc})"[:300]) from None
    return value if found is None else found


def picklist_match(key: str, table: Mapping[str, str], fuzzy: float | None) -> str | None:
    """
    The canonical value for a folded *key*: exact, else the closest above *fuzzy*.
    """
    found = table.get(key)
    if found is not None or fuzzy is None or len(key) < 3:
        return found
    best = process.extract(key, list(table), scorer=fuzz.ratio, score_cutoff=fuzzy, limit=2)
    if not best:
        return None
    if len(best) == 2 and best[0][1] == best[1][1] and table[best[0][0]] != table[best[1][0]]:
        return None  # two values are equally close: do not guess
    return table[best[0][0]]


_WEEKDAY: Final = re.compile(
    r"^(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE
)
_TIME: Final = re.compile(
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[ap]m)?(?:Z|[+-]\d{2}:?\d{2})?)$",
    re.IGNORECASE,
)
_NUMERIC: Final = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})")
_COMPACT: Final = re.compile(r"(\d{4})(\d{2})(\d{2})")
_OF: Final = re.compile(r"(\d)(?:st|nd|rd|th)?\s+of\s+", re.IGNORECASE)
_SHORT_NAMED: Final = re.compile(r"(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ -](\d{2})")


def read_date(value: Any, *, dayfirst: bool | None = False) -> dt.date | None:
    """
    Read a date from the formats CRM data holds, or return ``None`` when it is not one.

    See `normalize_date` for the formats.

    .. versionadded:: 0.1.0
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or len(value) > 100:
        return None
    text = value.strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        # Fast path: already ISO 8601.
        try:
            return dt.date(int(text[:4]), int(text[5:7]), int(text[8:]))
        except ValueError:
            pass
    text = clean_text(text)
    if not text[:1].isdigit():
        text = _WEEKDAY.sub("", text)
    if ":" in text:
        text = _TIME.sub("", text).strip()
    if "of" in text.lower():
        text = _OF.sub(r"\1 ", text)
    if m := _COMPACT.fullmatch(text):
        text = f"{m[1]}-{m[2]}-{m[3]}"
    elif m := _SHORT_NAMED.fullmatch(text):
        year = int(m[3])
        century = 2000 if year <= dt.date.today().year % 100 else 1900
        text = f"{m[1]} {m[2]} {century + year}"
    if dayfirst is not None and (m := _NUMERIC.fullmatch(text)):
        first, second = int(m[1]), int(m[2])
        if first > 12 >= second or second > 12 >= first:
            dayfirst = first > 12  # only one reading is a date: the convention is moot
    try:
        return parse_date(text, dayfirst=dayfirst)
    except ValueError:
        return None


def normalize_date(value: ValueT, *, dayfirst: bool | None = False) -> ValueT | str:
    """
    Return a date as ISO 8601 text (``1985-03-07``) from the formats CRM data holds.

    Reads ISO dates, numeric dates (``03/07/1985``: month first unless *dayfirst*; with
    ``dayfirst=None`` ambiguous ones are left alone; ``13.01.1991`` can only be day first,
    whatever the convention), named months (``March 7, 1985``,
    ``7th of March 1985``, ``Thu, 7 Mar 1985``, ``7-Mar-85``), compact ``19850307`` and
    date-times (the time is dropped). `datetime.date` values become their ISO text. Text
    that is not a date comes back unchanged.

    Raises:
        SchemaError: *dayfirst* is not true, false or null.

    .. versionadded:: 0.1.0
    """
    found = read_date(value, dayfirst=dayfirst_option(dayfirst))
    return value if found is None else found.isoformat()


_TRUE: Final = frozenset({"true", "t", "yes", "y", "1", "on", "x", "checked", "si", "oui", "ja"})
_FALSE: Final = frozenset({"false", "f", "no", "n", "0", "off", "unchecked", "non", "nein"})


def normalize_boolean(value: ValueT) -> ValueT | bool:
    """
    Return ``True`` or ``False`` from the usual spellings of yes and no.

    Reads ``yes/no``, ``y/n``, ``true/false``, ``1/0``, ``on/off``, ``x``, ``checked``,
    ``oui/non``, ``ja/nein`` in any case. Anything else comes back unchanged.

    .. versionadded:: 0.1.0
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if not isinstance(value, str) or len(value) > 20:
        return value
    token = fold_key(value)
    if token in _TRUE:
        return True
    if token in _FALSE:
        return False
    return value


def normalize_money(value: ValueT, *, currency: str | None = None) -> ValueT | Money:
    """
    Return a `Money` from text like ``$1,200.50`` or ``1200.50 EUR``.

    With a default *currency*, a bare amount (``1200.50``) takes it. Anything else comes
    back unchanged.

    Raises:
        SchemaError: *currency* is not text.

    .. versionadded:: 0.1.0
    """
    if currency is not None and not isinstance(currency, str):
        raise SchemaError(f"currency must be an ISO 4217 code, got {shorten(currency)}")
    if isinstance(value, Money):
        return value
    if isinstance(value, int | decimal.Decimal) and not isinstance(value, bool) and currency:
        try:
            return Money(decimal.Decimal(value), currency)
        except (ValueError, TypeError, ArithmeticError):
            return value
    if not isinstance(value, str) or len(value) > 100:
        return value
    try:
        return parse_money(clean_text(value), default_currency=currency)
    except (ValueError, TypeError, ArithmeticError):
        return value
