"""
Checks for the options rules are built with: each returns the option or raises SchemaError.

A rule is a definition, so a wrong option is refused when the rule is built, naming the
option and what it takes, never later as a crash inside a run.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

import phonenumbers

from recordkit._errors import SchemaError, shorten

__all__ = [
    "MAX_PATTERN",
    "dayfirst_option",
    "flag_option",
    "fuzzy_option",
    "name_option",
    "pattern_option",
    "picklist_options",
    "region_option",
]


_FLAGS: Final = int(re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE | re.ASCII | re.UNICODE)
MAX_PATTERN: Final = 1_000
"""
The longest regular expression `Validators.pattern` compiles (the values it checks are long enough).
"""


def pattern_option(regex: object, flags: object = 0) -> re.Pattern[str]:
    """
    *regex* compiled with *flags*: text of at most `MAX_PATTERN` characters that compiles.
    """
    if not isinstance(regex, str) or len(regex) > MAX_PATTERN:
        raise SchemaError(
            f"regex must be a regular expression of at most {MAX_PATTERN} characters, "
            f"got {shorten(regex)}"
        )
    if isinstance(flags, bool) or not isinstance(flags, int) or flags & ~_FLAGS:
        raise SchemaError(
            "flags must be re flags (IGNORECASE, MULTILINE, DOTALL, VERBOSE, ASCII, UNICODE), "
            f"got {shorten(flags)}"
        )
    try:
        return re.compile(regex, flags)
    except (re.error, ValueError, OverflowError, RecursionError) as exc:
        raise SchemaError(f"regex {shorten(regex)} does not compile: {exc}"[:300]) from None


def flag_option(value: object, what: str) -> bool:
    """
    *value* when it is ``True`` or ``False``.
    """
    if not isinstance(value, bool):
        raise SchemaError(f"{what} must be true or false, got {shorten(value)}")
    return value


def dayfirst_option(value: object) -> bool | None:
    """
    How to read ``03/07/1985``: ``True``, ``False`` or ``None`` (refuse ambiguous dates).
    """
    if value is not None and not isinstance(value, bool):
        raise SchemaError(f"dayfirst must be true, false or null, got {shorten(value)}")
    return value


def name_option(value: object, what: str) -> str | None:
    """
    ``None``, or a name (non-blank text) such as a field name.
    """
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise SchemaError(f"{what} must be a name (text), got {shorten(value)}")
    return value


def region_option(value: object) -> str | None:
    """
    ``None``, or a region phonenumbers knows (ISO 3166-1 alpha-2, ``"US"``).
    """
    if value is not None and (
        not isinstance(value, str) or value not in phonenumbers.SUPPORTED_REGIONS
    ):
        raise SchemaError(f"region must be a phone region such as 'US', got {shorten(value)}")
    return value


def fuzzy_option(value: object) -> float | None:
    """
    ``None`` (exact spellings only), or the least similarity, a number from 0 to 100.
    """
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= 100
    ):
        raise SchemaError(f"fuzzy must be a number from 0 to 100 or null, got {shorten(value)}")
    return float(value)


def _texts(value: object, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, bytes | Mapping) or not isinstance(value, Iterable):
        raise SchemaError(f"{what} must be a list of text, got {shorten(value)}")
    items = tuple(value)
    for item in items:
        if not isinstance(item, str):
            raise SchemaError(f"{what} must be a list of text, got {shorten(item)} in it")
    return items


def picklist_options(
    values: object, synonyms: object
) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    """
    A picklist's *values* (a list of text) and *synonyms* (value → spellings), checked.

    *synonyms* is a mapping or a list of ``(value, spellings)`` pairs; a single spelling
    may be given as text.
    """
    if isinstance(values, str):
        raise SchemaError(f"values must be a list of text, got {shorten(values)}")
    canon = _texts(values, "values")
    items: Any = synonyms.items() if isinstance(synonyms, Mapping) else synonyms
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise SchemaError(f"synonyms must map values to spellings, got {shorten(synonyms)}")
    pairs: list[tuple[str, tuple[str, ...]]] = []
    for item in items:
        if not isinstance(item, tuple | list) or len(item) != 2:
            raise SchemaError(f"synonyms must map values to spellings, got {shorten(item)}")
        canonical, spellings = item
        if not isinstance(canonical, str):
            raise SchemaError(f"a synonym's value must be text, got {shorten(canonical)}")
        pairs.append((canonical, _texts(spellings, f"the spellings of {shorten(canonical)}")))
    return canon, tuple(pairs)
