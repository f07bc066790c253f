"""
The comparison library (email, phone, names, dates, places, numbers) and plain-data lookup.

`comparator_from_dict` turns ``{"kind": ..., **options}`` into a comparator: a level list,
a library name, or a name registered in the ``recordkit.comparators`` entry-point group
(read on demand, never cached).
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Mapping, Sequence
from typing import Any, Final

from recordkit._errors import SchemaError, shorten
from recordkit.match._check import items
from recordkit.match.comparison._comparison import Comparator, Comparison
from recordkit.match.comparison._domain_levels import (
    DateSwap,
    DateWithin,
    NameFamily,
    NumberWithin,
    Prefix,
    Swapped,
)
from recordkit.match.comparison._graded import Similar, Within
from recordkit.match.comparison._levels import Exact, Level

__all__ = [
    "ENTRY_POINT_GROUP",
    "address_comparison",
    "comparator_from_dict",
    "date_comparison",
    "email_comparison",
    "exact_comparison",
    "first_name_comparison",
    "installed_comparators",
    "name_comparison",
    "numeric_comparison",
    "phone_comparison",
    "postcode_comparison",
    "text_comparison",
]

ENTRY_POINT_GROUP: Final = "recordkit.comparators"


def comparator_from_dict(data: Mapping[str, object] | Comparator) -> Comparator:
    """
    Build a comparator from plain data.

    ``kind: levels`` (or no kind) is a `Comparison`; a library name (``email``, ``phone``,
    ``first_name``…) calls that constructor with the other keys; any other kind is looked up
    in the ``recordkit.comparators`` entry-point group, whose object is called with the
    other keys and must return a `Comparator`.

    Raises:
        SchemaError: unknown kind or bad options.

    .. versionadded:: 0.1.0
    """
    if isinstance(data, Comparator) and not isinstance(data, Mapping):
        return data
    if not isinstance(data, Mapping):
        raise SchemaError(f"a comparator is a mapping, got {shorten(data)}")
    options: dict[str, Any] = dict(data)
    kind = options.pop("kind", "levels")
    try:
        if kind == "levels":
            return Comparison(options.pop("name"), options.pop("levels"), **options)
        if kind in LIBRARY:
            made_here: Comparator = LIBRARY[kind](**options)
            return made_here
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if ep.name == kind:
                made: object = ep.load()(**options)
                if not isinstance(made, Comparator):
                    raise SchemaError(f"entry point {kind!r} did not make a Comparator")
                return made
    except (TypeError, KeyError) as exc:
        raise SchemaError(f"comparator {shorten(kind)}: {shorten(exc, 200)}") from None
    known = sorted({*LIBRARY, "levels", *installed_comparators()})
    raise SchemaError(f"unknown comparator kind {shorten(kind)}; one of {', '.join(known)}")


def installed_comparators() -> tuple[str, ...]:
    """
    The names registered in the ``recordkit.comparators`` entry-point group.

    .. versionadded:: 0.1.0
    """
    return tuple(sorted(ep.name for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)))


def exact_comparison(column: str, *, term_frequency: bool = False) -> Comparison:
    """
    Exact or different.

    .. versionadded:: 0.1.0
    """
    return Comparison(column, [Exact()], term_frequency=term_frequency)


def email_comparison(column: str = "email", *, term_frequency: bool = True) -> Comparison:
    """
    Email: exact, same mailbox (Gmail dots, ``+tags``), one typo apart, different.

    The user name alone is not a level: people who share a name pick the same one
    (``john.smith@`` at two providers is often two people).

    .. versionadded:: 0.1.0
    """
    return Comparison(
        column,
        [Exact(), Exact(feature="email_key"), Within("osa", 1, feature="email_key")],
        term_frequency=term_frequency,
    )


def phone_comparison(column: str = "phone") -> Comparison:
    """
    Phone (E.164): exact, one digit off, different.

    .. versionadded:: 0.1.0
    """
    return Comparison(column, [Exact(), Within("osa", 1, feature="digits")])


def name_comparison(column: str, *, term_frequency: bool = True) -> Comparison:
    """
    A surname or full name: exact, Jaro-Winkler >= 0.92, >= 0.8, different.

    .. versionadded:: 0.1.0
    """
    return Comparison(
        column,
        [Exact(), Similar("jaro_winkler", 0.92), Similar("jaro_winkler", 0.8)],
        term_frequency=term_frequency,
    )


def first_name_comparison(
    column: str = "first_name",
    *,
    last: str | None = "last_name",
    term_frequency: bool = True,
    nicknames: str | None = None,
) -> Comparison:
    """
    A first name: exact, nickname, swapped with *last*, Jaro-Winkler >= 0.92 / 0.8, else.

    .. versionadded:: 0.1.0
    """
    levels: list[Level] = [Exact(), NameFamily()]
    if last:
        levels.append(Swapped(other=last))
    levels += [Similar("jaro_winkler", 0.92), Similar("jaro_winkler", 0.8)]
    return Comparison(column, levels, term_frequency=term_frequency, nicknames=nicknames)


def date_comparison(column: str) -> Comparison:
    """
    A date such as a birth date: exact, day/month swapped, one typo, within a month/year.

    .. versionadded:: 0.1.0
    """
    return Comparison(
        column,
        [Exact(), DateSwap(), Within("osa", 1), DateWithin(31), DateWithin(366)],
    )


def postcode_comparison(column: str = "postcode", *, prefix: int = 3) -> Comparison:
    """
    A postcode: exact, same first *prefix* characters, different.

    .. versionadded:: 0.1.0
    """
    return Comparison(column, [Exact(), Within("osa", 1), Prefix(prefix)], term_frequency=True)


def address_comparison(column: str = "street") -> Comparison:
    """
    A street address: exact, token-set >= 0.9, Jaro-Winkler >= 0.8, different.

    .. versionadded:: 0.1.0
    """
    return Comparison(column, [Exact(), Similar("token_set", 0.9), Similar("jaro_winkler", 0.8)])


def text_comparison(column: str, *, term_frequency: bool = False) -> Comparison:
    """
    Free text: exact, Jaro-Winkler >= 0.9, token-sort >= 0.8, different.

    .. versionadded:: 0.1.0
    """
    return Comparison(
        column,
        [Exact(), Similar("jaro_winkler", 0.9), Similar("token_sort", 0.8)],
        term_frequency=term_frequency,
    )


def numeric_comparison(
    column: str, *, within: Sequence[float] = (1.0,), relative: bool = False
) -> Comparison:
    """
    A number: exact, then within each tolerance in *within* (absolute, or fractions).

    .. versionadded:: 0.1.0
    """
    levels: list[Level] = [Exact()]
    for w in items(within, "within"):
        levels.append(NumberWithin(relative=w) if relative else NumberWithin(absolute=w))
    return Comparison(column, levels)


LIBRARY: Final[dict[str, Any]] = {
    "exact": exact_comparison,
    "email": email_comparison,
    "phone": phone_comparison,
    "name": name_comparison,
    "first_name": first_name_comparison,
    "date": date_comparison,
    "postcode": postcode_comparison,
    "address": address_comparison,
    "text": text_comparison,
    "numeric": numeric_comparison,
}
