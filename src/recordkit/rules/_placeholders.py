"""
Placeholders: the words and marks people type where a value is not known.

``n/a``, ``NULL``, ``tbd``, ``-`` or ``???`` in a cell is not a value of any field type: it
says there is none. It must never be read as one (``n.a`` is not Namibia's code, ``None``
is not a company), so every field's rules screen for it first (`Validators.placeholder`,
code ``value.placeholder``), and the normalizers that read codes (countries, subdivisions)
refuse it too. This module is the one home of the token set and the test.
"""

from __future__ import annotations

import re
from typing import Final

from recordkit._controls import strip_controls

__all__ = ["PLACEHOLDERS", "is_placeholder", "placeholder_key", "surely_not_placeholder"]


PLACEHOLDERS: Final[frozenset[str]] = frozenset({
    "na", "nan", "none", "null", "nil", "undefined",
    "tbd", "tba", "tbc",
    "unknown", "notknown", "notapplicable", "notavailable", "notprovided", "notspecified",
    "nodata",
})  # fmt: skip
"""
The words that mean "no value", compared ignoring case, spaces and punctuation.

``n/a``, ``N.A.``, ``#N/A`` and ``<NA>`` all fold to ``na``; ``Not Applicable`` to
``notapplicable``. Besides these words, a value made only of dashes, question marks, dots,
slashes, underscores, asterisks, hashes or tildes (``-``, ``--``, ``?``, ``???``, ``...``)
and a run of two or more ``x`` (``xx``, ``XXX``, ``xxx-xxx-xxxx``) are placeholders. The set
is closed: a single ``x`` (a ticked box, an initial), ``0``, ``test`` and ``other`` are not
in it.

.. versionadded:: 0.2.0
"""

_MAX: Final = 40
"""
Longer text is never a placeholder (the longest word above, written with spaces, is shorter).
"""

_FIRST: Final = frozenset(w[0] for w in PLACEHOLDERS) | {"x"}
_LAST: Final = frozenset(w[-1] for w in PLACEHOLDERS) | {"x"}
"""
The first and the last letters of the placeholder words and of a run of x's.
"""
_MARKS: Final = re.compile(r"[\s\-\u2010-\u2015?\u00bf./\\_*#~]+")
_DROP: Final = re.compile(r"[\W_]+")


def placeholder_key(value: str) -> str:
    """
    *value* folded as the placeholder test compares it: case-folded, only letters and digits.

    .. versionadded:: 0.2.0
    """
    return _DROP.sub("", value.casefold())


def is_placeholder(value: object) -> bool:
    """
    Whether *value* is a placeholder: text that says a value is missing (see `PLACEHOLDERS`).

    Examples:
        >>> is_placeholder("N/A"), is_placeholder(" -- "), is_placeholder("Namibia")
        (True, True, False)

    Blank text is not a placeholder (it is no value at all); nor is anything but text.
    Control characters are read as cleaning leaves them (gone): "N/A" in an ANSI colour is one.

    .. versionadded:: 0.2.0
    """
    if not isinstance(value, str) or len(value) > _MAX:
        return False
    if not value.isprintable():
        value = strip_controls(value)  # read as cleaning leaves it: "N/A\x1b" says "N/A"
    text = value.strip()
    if not text:
        return False
    first, last = text[0], text[-1]
    if first.isalnum() and first.casefold()[:1] not in _FIRST:
        return False  # its folded key starts with a letter or digit no placeholder starts with
    if last.isalnum() and last.casefold()[-1:] not in _LAST:
        return False  # or ends with one no placeholder ends with (a digit, say)
    if _MARKS.fullmatch(text):
        return True
    key = placeholder_key(text)
    return key in PLACEHOLDERS or (len(key) >= 2 and key.strip("x") == "" and _only_x(text))


def surely_not_placeholder(text: str) -> bool:
    """
    Whether *text* is surely no placeholder, from its length and end characters alone.

    ``False`` says only that it may be one: `is_placeholder` decides.
    """
    if not text or len(text) > _MAX:
        return True
    if not text.isprintable():
        return False  # its control characters go first (`is_placeholder`)
    first, last = text[0], text[-1]  # a letter or digit there: nothing to strip before it
    if first in _CLEAR_FIRST or last in _CLEAR_LAST:
        return True
    if first < _TABLED and last < _TABLED:
        return False  # the tables answer for both ends
    return (first.isalnum() and first.casefold()[:1] not in _FIRST) or (
        last.isalnum() and last.casefold()[-1:] not in _LAST
    )


_TABLED: Final = "\u0250"
"""
The characters (Latin ones) whose answer is tabled below; the others are worked out.
"""
_CLEAR_FIRST: Final = frozenset(
    c for c in map(chr, range(ord(_TABLED))) if c.isalnum() and c.casefold()[:1] not in _FIRST
)
_CLEAR_LAST: Final = frozenset(
    c for c in map(chr, range(ord(_TABLED))) if c.isalnum() and c.casefold()[-1:] not in _LAST
)
"""
The letters and digits no placeholder starts (ends) with, even case-folded.
"""


def _only_x(text: str) -> bool:
    """
    ``xx``, ``XXX``, ``xxx-xxx-xxxx``: x's and the marks that separate them, nothing else.
    """
    return all(c in "xX" or _MARKS.fullmatch(c) for c in text)
