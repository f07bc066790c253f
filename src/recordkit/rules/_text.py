"""
Text normalizers: Unicode clean-up, whitespace, casing and person names.

These are plain functions of one value, so the matcher and the rule engine share them. Like
every normalizer they never raise: a value they cannot read comes back unchanged.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from importlib import resources
from typing import Final, Literal, TypeVar

from recordkit._controls import strip_controls
from recordkit._errors import SchemaError, shorten

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

    Examples:
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


_ASCII_BLANKS: Final = {c: " " for c in range(128) if not chr(c).isalnum()}
"""
The ASCII characters `fold_key` reads as spaces (all but letters and digits).
"""


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
    if value.isascii():  # no accents to drop: punctuation to spaces in one C-level pass
        tokens = value.translate(_ASCII_BLANKS).casefold().split()
    else:
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


_NAME_PARTS: Final = ("full", "given", "family")

_PARTICLES: Final = frozenset(
    {
        "af", "al", "av", "bin", "da", "das", "de", "degli", "dei", "del", "della", "delle",
        "dello", "den", "der", "di", "do", "dos", "du", "ibn", "la", "le", "ten", "ter", "van",
        "von", "y", "zu",
    }
)  # fmt: skip
_ROMAN: Final = frozenset({"ii", "iii", "iv", "vi", "vii", "viii", "ix"})
_SUFFIXES: Final = {"jr": "Jr", "sr": "Sr", "jr.": "Jr.", "sr.": "Sr.", "phd": "PhD", "md": "MD"}
_APOSTROPHES: Final = ("'", "\u2019")
_SPLIT: Final = re.compile("([-'\u2019])")
_SURNAMES_FILE: Final = "mac_surnames.txt"


@functools.cache
def _mac_surnames() -> Mapping[str, str]:
    """
    The shipped Mac/Mc surnames (``rules/data/mac_surnames.txt``): lower case → as written.
    """
    text = (
        resources.files("recordkit.rules")
        .joinpath("data")
        .joinpath(_SURNAMES_FILE)
        .read_text("utf-8")
    )
    names = (line.strip() for line in text.splitlines())
    return {name.lower(): name for name in names if name and not name.startswith("#")}


def _cap(part: str) -> str:
    return part[:1].upper() + part[1:] if part else part


def _name_part(part: str, *, surname: bool) -> str:
    """
    Capitalise one hyphen- or apostrophe-free piece of a lower-cased name.
    """
    if surname and part.startswith(("mac", "mc")):
        listed = _mac_surnames().get(part)
        if listed is not None:
            return listed
    return _cap(part)


def _name_token(token: str, *, index: int, count: int, part: str) -> str:
    lower = token.lower()
    first, last = index == 0, index == count - 1
    if lower in _SUFFIXES:
        return _SUFFIXES[lower]
    if lower in _ROMAN and not first:
        return lower.upper()
    if lower in _PARTICLES and not last and (part == "family" or (part == "full" and not first)):
        return lower
    pieces = _SPLIT.split(lower)
    out = []
    for i, piece in enumerate(pieces):
        if piece == "-" or piece in _APOSTROPHES:
            out.append(piece)
        elif i >= 2 and pieces[i - 1] in _APOSTROPHES and len(piece) <= 1:
            out.append(piece)  # possessive or contraction tail: "o'" stays, "'s" stays lower
        else:
            out.append(_name_part(piece, surname=part != "given"))
    return "".join(out)


def _single_case(token: str) -> bool:
    """
    True when *token* is written all in lower case or all in upper case.
    """
    lower, upper = token.lower(), token.upper()
    return lower != upper and token in (lower, upper)


def normalize_name(
    value: ValueT, *, part: Literal["full", "given", "family"] = "full"
) -> ValueT | str:
    """
    Return a person's name in title case, respecting how names are really written.

    Only words typed all in lower or all in upper case are recased, so a name someone
    wrote with care (``DeVito``, ``Mackintosh``, ``Van der Berg``) is left alone. Recased
    words follow the usual conventions: ``o'neil`` → ``O'Neil``, ``smith-jones`` →
    ``Smith-Jones``, ``iii`` → ``III``, ``jr`` → ``Jr``. A ``Mac`` or ``Mc`` surname gets
    its inner capital only when it is in the shipped list of real ones (``mcdonald`` →
    ``McDonald``, ``macleod`` → ``MacLeod``), so ``mack``, ``macy`` and ``machado`` become
    ``Mack``, ``Macy`` and ``Machado``.

    *part* says what the value holds, and so how nobiliary particles (``van``, ``von``,
    ``de``, ``da``, ``di``, ``du``, ``del``, ``della``, ``der``, ``den``, ``ter``, ``la``,
    ``le``, ``bin``, ``ibn``, ``al``…) are written:

    - ``"full"``, the whole name: a particle is lower case after the first word
      (``pieter van der berg`` → ``Pieter van der Berg``) and capitalised as the first word,
      where it begins a name written without its given name (``van der berg`` →
      ``Van der Berg``);
    - ``"family"``, a family name: particles are lower case (``VAN DER BERG`` →
      ``van der Berg``);
    - ``"given"``, given names: particles are ordinary words (``de`` → ``De``), and the
      Mac/Mc list, which lists surnames, is not applied (``mackenzie`` → ``Mackenzie``).

    A particle that is the last word is a name in its own right (``thanh le`` →
    ``Thanh Le``).

    Examples:
        >>> normalize_name("  JEAN-LUC  o'neil ")
        "Jean-Luc O'Neil"
        >>> normalize_name("VAN DER BERG", part="family"), normalize_name("van der berg")
        ('van der Berg', 'Van der Berg')

    Raises:
        SchemaError: *part* is not ``"full"``, ``"given"`` or ``"family"``.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       The *part* option; the Mac/Mc inner capital only for listed surnames.
    """
    if not (isinstance(part, str) and part in _NAME_PARTS):
        raise SchemaError(
            f"part must be 'full', 'given' or 'family', got {shorten(part)}",
            path="part",
        )
    text = clean_text(value)
    if not isinstance(text, str) or not text:
        return text if isinstance(value, str) else value
    tokens = text.split(" ")
    out = []
    for i, token in enumerate(tokens):
        if _single_case(token):
            cased = unicodedata.normalize(
                "NFC", _name_token(token, index=i, count=len(tokens), part=part)
            )
            # Never let casing change the letters themselves (some characters grow).
            out.append(cased if cased.lower() == token.lower() else token)
        else:
            out.append(token)
    return " ".join(out)
