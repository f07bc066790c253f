"""
Value normalizers: picklists (with synonyms), dates, booleans and money.

Plain functions of one value, shared by the rule engine and the matcher; they never raise.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping
from typing import Any, Final

from rapidfuzz import fuzz, process

from recordkit._errors import SchemaError, ValidationError, shorten
from recordkit.rules._options import dayfirst_option, fuzzy_option, picklist_options
from recordkit.rules._placeholders import is_placeholder
from recordkit.rules._text import ValueT, clean_text, fold_key
from recordkit.schema import Boolean, Date, Money, parse_money

DEFAULT_FUZZY: Final = 85.0
"""
How similar (rapidfuzz ratio, 0-100) a misspelt picklist value must be to be corrected.
"""

__all__ = [
    "DEFAULT_FUZZY",
    "boolean_reader",
    "normalize_boolean",
    "normalize_date",
    "normalize_money",
    "normalize_picklist",
    "picklist_match",
    "picklist_table",
    "read_boolean",
    "read_date",
    "read_order",
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

    Examples:
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
        # A placeholder may name a value exactly ("Unknown"), never by a typo's closeness.
        found = picklist_match(fold_key(value), lookup, None if is_placeholder(value) else fuzzy)
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


_DATES: Final[dict[str | None, Date]] = {
    "mdy": Date(order="mdy"), "dmy": Date(order="dmy"), "ymd": Date(order="ymd"),
    None: Date(dayfirst=None),
}  # fmt: skip


def read_order(dayfirst: object, order: object) -> str | None:
    """
    *order* checked (``mdy``, ``dmy``, ``ymd``), else the order *dayfirst* names.
    """
    if order is not None:
        if isinstance(order, str) and order in _DATES:
            return order  # a reading order already
        return Date(order=order).reading_order  # checked (a SchemaError names it)
    return {True: "dmy", False: "mdy", None: None}[dayfirst_option(dayfirst)]


def read_date(
    value: object, *, dayfirst: bool | None = False, order: str | None = None
) -> dt.date | None:
    """
    Read a date strictly, as a `Date` field in that order would, or return ``None``.

    See `normalize_date` for what is read.

    Raises:
        SchemaError: *dayfirst* or *order* is not one of theirs.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``order``, and strict under it.
    """
    reader = _DATES[read_order(dayfirst, order)]
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or len(value) > 100:
        return None
    try:
        found = reader.coerce(value)
    except ValidationError:
        return None
    return found if isinstance(found, dt.date) else None


def normalize_date(
    value: ValueT, *, dayfirst: bool | None = False, order: str | None = None
) -> ValueT | str:
    """
    Return a date as ISO 8601 text (``1985-03-07``), read strictly in one order.

    Reads ISO dates and date-times, RFC 2822 (``Thu, 07 Mar 1985 10:00:00 +0000``), named
    months (``March 7, 1985``, ``7th of March 1985``, ``7-Mar-85``), compact ``19850307``
    and numeric dates in *order*: ``"mdy"`` (month-first), ``"dmy"`` (day-first) or
    ``"ymd"`` (year-first); without *order*, *dayfirst* says it (``False`` month-first,
    ``True`` day-first, ``None`` only numeric dates with one reading). A numeric date valid
    only in another order, a partial date (``March 2024``, ``Q1 2024``) and anything else
    that is not a date come back unchanged, for the field to flag.

    Examples:
        >>> normalize_date("03/07/1985"), normalize_date("31/12/2023")
        ('1985-03-07', '31/12/2023')

    Raises:
        SchemaError: *dayfirst* or *order* is not one of theirs.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``order``; strict under it; RFC 2822.
    """
    found = read_date(value, dayfirst=dayfirst, order=order)
    return value if found is None else found.isoformat()


_BOOLEAN: Final = Boolean()


def boolean_reader(true_words: object, false_words: object) -> Boolean:
    """
    The `Boolean` type reading these words (``None``: the default words), checked.
    """
    if true_words is None and false_words is None:
        return _BOOLEAN
    return Boolean(true_words=true_words, false_words=false_words)


def read_boolean(value: Any, reader: Boolean) -> Any:
    """
    ``True``/``False`` for *value* as *reader* reads it, else *value* unchanged.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if not isinstance(value, str) or len(value) > 40:
        return value
    try:
        found = reader.coerce(value)
    except ValidationError:
        return value
    return value if found is None else found


def normalize_boolean(
    value: ValueT,
    *,
    true_words: Iterable[str] | None = None,
    false_words: Iterable[str] | None = None,
) -> ValueT | bool:
    """
    Return ``True`` or ``False`` from the words a `Boolean` field reads.

    By default ``yes/no``, ``y/n``, ``true/false``, ``t/f``, ``1/0``, ``on/off``, ``x``,
    ``checked/unchecked``, ``si``, ``oui/non``, ``ja/nein``, ignoring case, accents and
    punctuation (`Boolean.DEFAULT_TRUE`, `Boolean.DEFAULT_FALSE`). Anything else comes
    back unchanged.

    Args:
        value: the raw value.
        true_words: the words read as true instead of the default ones.
        false_words: the words read as false instead of the default ones.

    Raises:
        SchemaError: the words are not lists of words, or the two share one.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``true_words`` and ``false_words``.
    """
    found: ValueT | bool = read_boolean(value, boolean_reader(true_words, false_words))
    return found


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
