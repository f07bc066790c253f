"""
OpenRefine's key-collision keyers: fingerprint, n-gram fingerprint, phonetic keys.

Each follows OpenRefine's "Clustering in depth" (docs/technical-reference/
clustering-in-depth.md in the OpenRefine repository) and its keyer classes
(``FingerprintKeyer``, ``NGramFingerprintKeyer``, ``MetaphoneKeyer``, ``SoundexKeyer``).
Two values whose keys are equal are variants of one another.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from recordkit.quality._errors import QualityError, optional_module

__all__ = ["fingerprint_key", "metaphone_key", "ngram_key", "soundex_key"]

# Letters that are not a base letter plus a diacritic, spelled as OpenRefine's
# FingerprintKeyer spells them (lower case only: the value is lower-cased first).
_NON_DIACRITICS: Final = str.maketrans({
    "ß": "ss", "æ": "ae", "ø": "oe", "å": "aa", "©": "c", "\u00f0": "d", "\u0111": "d",
    "\u0256": "d", "\u00fe": "th", "ƿ": "w", "\u0127": "h", "\u0131": "i", "\u0138": "k",
    "\u0142": "l", "\u014b": "n", "\u017f": "s", "\u0167": "t", "œ": "oe", "\u1e9c": "s",
    "\u1e9d": "s",
})  # fmt: skip
# C0 and C1 controls except the whitespace ones (tab, LF, VT, FF, CR, NEL), as OpenRefine.
_CONTROLS: Final = re.compile("[\x00-\x08\x0e-\x1f\x7f\x80-\x84\x86-\x9f]")
_MAX_CHARS: Final = 10_000


def _text(value: object, what: str = "value") -> str:
    if not isinstance(value, str):
        raise QualityError(f"{what} must be text, got {type(value).__name__}", parameter=what)
    return value[:_MAX_CHARS]


def _drop_marks(text: str) -> str:
    # NFKD, then drop combining marks (Mn), modifier letters (Lm) and modifier symbols (Sk).
    return "".join(
        c for c in unicodedata.normalize("NFKD", text)
        if unicodedata.category(c) not in ("Mn", "Lm", "Sk")
    )  # fmt: skip


def _normalized(text: str) -> str:
    """
    OpenRefine's strong normalization: trimmed, lower-cased, ASCII-folded, no punctuation.
    """
    text = text.strip().lower()
    if not text.isascii():
        text = _drop_marks(text).translate(_NON_DIACRITICS)
        text = "".join(c for c in text if not unicodedata.category(c).startswith("P"))
    else:
        text = text.translate(_ASCII_PUNCTUATION)
    return _CONTROLS.sub("", text)


_ASCII_PUNCTUATION: Final = str.maketrans(
    "", "", "".join(chr(i) for i in range(128) if unicodedata.category(chr(i)).startswith("P"))
)


def fingerprint_key(value: str) -> str:
    """
    OpenRefine's fingerprint: the value's distinct words, sorted, after folding.

    In order: trim, lower-case, remove punctuation and control characters, fold accents
    and special letters to ASCII (``gödel`` → ``godel``, ``ß`` → ``ss``), split on
    whitespace, sort the words, drop repeats, join them with one space. The keyer least
    likely to put two different things together.

    Examples:
        >>> fingerprint_key("Cruise, Tom"), fingerprint_key(" tom CRUISE ")
        ('cruise tom', 'cruise tom')

    Raises:
        QualityError: *value* is not text.

    .. versionadded:: 0.2.0
    """
    return " ".join(sorted(set(_normalized(_text(value)).split())))


def ngram_key(value: str, n: int = 2) -> str:
    """
    OpenRefine's n-gram fingerprint: the value's distinct character n-grams, sorted, joined.

    The value is folded as for `fingerprint_key`, then stripped of all whitespace; its
    n-grams are sorted, repeats dropped, and joined. It finds typos the fingerprint
    misses (``Krzysztof`` and ``Krzystof``, with ``n=1``) at the cost of more false
    positives. A value shorter than *n* has the empty key and joins no cluster. For
    another *n*, pass ``functools.partial(ngram_key, n=1)`` as a clustering method.

    Examples:
        >>> ngram_key("Paris"), ngram_key("Paris", 1)
        ('arispari', 'aiprs')

    Raises:
        QualityError: *value* is not text, or *n* is not a whole number from 1 to 10.

    .. versionadded:: 0.2.0
    """
    if type(n) is not int or not 1 <= n <= 10:
        raise QualityError(f"n must be a whole number from 1 to 10, got {n!r}"[:200],
                           parameter="n")  # fmt: skip
    text = "".join(_normalized(_text(value)).split())
    return "".join(sorted({text[i : i + n] for i in range(len(text) - n + 1)}))


def _jellyfish(name: str, value: object) -> str:
    module = optional_module("jellyfish", "a phonetic key")
    # Folded first (trimmed, lower-cased, ASCII, no punctuation): Apache Commons' coders
    # that OpenRefine calls skip what is not a letter, jellyfish's read it as given.
    text = _normalized(_text(value))
    try:
        return str(getattr(module, name)(text))
    except Exception:  # the library refuses some characters: such a value has no key
        return ""


def metaphone_key(value: str) -> str:
    """
    The Metaphone code of *value* (OpenRefine's ``MetaphoneKeyer``), from ``jellyfish``.

    Values that sound alike in English share it: ``Reuben`` and ``Ruben`` are both
    ``RBN``. The value is folded as for `fingerprint_key` first. Needs the ``quality``
    extra (``jellyfish``).

    Examples:
        >>> metaphone_key("Reuben"), metaphone_key("Ruben")
        ('RBN', 'RBN')

    Raises:
        QualityError: *value* is not text, or ``jellyfish`` is not installed.

    .. versionadded:: 0.2.0
    """
    return _jellyfish("metaphone", value)


def soundex_key(value: str) -> str:
    """
    The American Soundex code of *value* (OpenRefine's ``SoundexKeyer``), from ``jellyfish``.

    A letter and three digits (``Robert`` and ``Rupert`` are both ``R163``): coarse, so
    best on single names. The value is folded as for `fingerprint_key` first. Needs the
    ``quality`` extra (``jellyfish``).

    Examples:
        >>> soundex_key("Robert"), soundex_key("Rupert")
        ('R163', 'R163')

    Raises:
        QualityError: *value* is not text, or ``jellyfish`` is not installed.

    .. versionadded:: 0.2.0
    """
    return _jellyfish("soundex", value)
