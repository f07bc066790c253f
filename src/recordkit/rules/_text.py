"""
Text normalizers: Unicode clean-up, whitespace, casing and person names.

These are plain functions of one value, so the matcher and the rule engine share them. Like
every normalizer they never raise: a value they cannot read comes back unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, TypeVar

from recordkit._controls import strip_controls

__all__ = ["clean_text", "fold_key", "normalize_case", "normalize_name"]

ValueT = TypeVar("ValueT")
"""
A normalizer returns the normalized form, or the value it was given when it cannot read it.
"""


def clean_text(value: ValueT) -> ValueT | str:
    """
    Return *value* in Unicode NFC with control characters removed and whitespace collapsed.

    ANSI escape sequences, NUL and the other control characters, bidi overrides and
    isolates and zero-width noise go (URL, subdivision and reference fields are cleaned the
    same way); leading and trailing whitespace goes; runs of spaces, tabs and newlines
    become one space. Values that are not text are returned unchanged.

    Example:
        >>> clean_text("  Ada   Lovelace ")
        'Ada Lovelace'

    .. versionadded:: 0.1.0
    """
    if not isinstance(value, str):
        return value
    if value.isascii() and value.isprintable():
        # The common case: plain ASCII with no control characters.
        return " ".join(value.split())
    text = unicodedata.normalize("NFC", strip_controls(value))
    return " ".join(text.split())


def fold_key(value: object) -> str:
    """
    Return a matching key for *value*: case-folded, accents and punctuation dropped.

    ``"Non-Profit"``, ``"non profit"`` and ``"NON_PROFIT."`` share the key ``"non profit"``;
    an acronym's letters are joined (``"N.G.O."`` → ``"ngo"``). Values that are not text
    give ``""``.

    .. versionadded:: 0.1.0
    """
    if not isinstance(value, str):
        return ""
    text = unicodedata.normalize("NFKD", value)
    out = []
    for char in text:
        if unicodedata.combining(char):
            continue
        out.append(char if char.isalnum() else " ")
    tokens = "".join(out).casefold().split()
    if len(tokens) > 1 and all(len(t) == 1 for t in tokens):
        return "".join(tokens)  # an acronym written with dots or spaces: "U.S.A." → "usa"
    return " ".join(tokens)


def normalize_case(value: ValueT, *, style: str = "title") -> ValueT | str:
    """
    Return text in one casing *style*: ``"upper"``, ``"lower"`` or ``"title"``.

    Text is cleaned with `clean_text` first; unknown styles and non-text return *value*.

    .. versionadded:: 0.1.0
    """
    text = clean_text(value)
    if not isinstance(text, str):
        return value
    if style == "upper":
        changed = text.upper()
    elif style == "lower":
        changed = text.lower()
    elif style == "title":
        changed = " ".join(_title_word(w) for w in text.split(" "))
    else:
        return value
    changed = unicodedata.normalize("NFC", changed)
    # Some characters change length when cased ("ß" → "SS"); keep the text stable instead.
    return changed if _stable(changed, style) else text


def _stable(text: str, style: str) -> bool:
    if style == "upper":
        again = text.upper()
    elif style == "lower":
        again = text.lower()
    else:
        again = " ".join(_title_word(w) for w in text.split(" "))
    return unicodedata.normalize("NFC", again) == text


def _title_word(word: str) -> str:
    return word[:1].title() + word[1:].lower() if word else word


_PARTICLES: Final = frozenset(
    {
        "van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du",
        "la", "le", "ter", "ten", "bin", "ibn", "y", "zu", "af", "av",
    }
)  # fmt: skip
_ROMAN: Final = frozenset({"ii", "iii", "iv", "vi", "vii", "viii", "ix"})
_SUFFIXES: Final = {"jr": "Jr", "sr": "Sr", "jr.": "Jr.", "sr.": "Sr.", "phd": "PhD", "md": "MD"}
_APOSTROPHES: Final = ("'", "\u2019")
_SPLIT: Final = re.compile("([-'\u2019])")


def _cap(part: str) -> str:
    return part[:1].upper() + part[1:] if part else part


def _name_part(part: str) -> str:
    """
    Capitalise one hyphen- or apostrophe-free piece of a lower-cased name.
    """
    if part.startswith("mc") and len(part) > 2:
        return "Mc" + _cap(part[2:])
    return _cap(part)


def _name_token(token: str, *, first: bool, last: bool) -> str:
    lower = token.lower()
    if lower in _SUFFIXES:
        return _SUFFIXES[lower]
    if lower in _ROMAN and not first:
        return lower.upper()
    if lower in _PARTICLES and not last:
        return lower
    pieces = _SPLIT.split(lower)
    out = []
    for i, piece in enumerate(pieces):
        if piece == "-" or piece in _APOSTROPHES:
            out.append(piece)
        elif i >= 2 and pieces[i - 1] in _APOSTROPHES and len(piece) <= 1:
            out.append(piece)  # possessive or contraction tail: "o'" stays, "'s" stays lower
        else:
            out.append(_name_part(piece))
    return "".join(out)


def _single_case(token: str) -> bool:
    """
    True when *token* is written all in lower case or all in upper case.
    """
    lower, upper = token.lower(), token.upper()
    return lower != upper and token in (lower, upper)


def normalize_name(value: ValueT) -> ValueT | str:
    """
    Return a person's name in title case, respecting how names are really written.

    Only words typed all in lower or all in upper case are recased, so a name someone
    wrote with care (``DeVito``, ``McDonald``) is left alone. Recased words follow the
    usual conventions: ``mcdonald`` → ``McDonald``, ``o'neil`` → ``O'Neil``,
    ``VAN DER BERG`` → ``van der Berg``, ``smith-jones`` → ``Smith-Jones``, ``iii`` →
    ``III``.

    Example:
        >>> normalize_name("  JEAN-LUC  o'neil ")
        "Jean-Luc O'Neil"

    .. versionadded:: 0.1.0
    """
    text = clean_text(value)
    if not isinstance(text, str) or not text:
        return text if isinstance(value, str) else value
    tokens = text.split(" ")
    out = []
    for i, token in enumerate(tokens):
        if _single_case(token):
            cased = unicodedata.normalize(
                "NFC", _name_token(token, first=i == 0, last=i == len(tokens) - 1)
            )
            # Never let casing change the letters themselves (some characters grow).
            out.append(cased if cased.lower() == token.lower() else token)
        else:
            out.append(token)
    return " ".join(out)
