"""Small text edits: folding diacritics, slugs for emails, typos, stray whitespace."""

from __future__ import annotations

import functools
import random
import re
import unicodedata

from .tables import KEY_NEIGHBOURS

GERMAN_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Strip diacritics (María -> Maria, Zoë -> Zoe); ß -> ss."""
    text = text.replace("ß", "ss").replace("ø", "o").replace("Ø", "O")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=1 << 16)
def slug(text: str) -> str:
    """Lower-case ASCII letters and digits only (Müller -> mueller, O'Neil -> oneil)."""
    return _NON_ALNUM.sub("", fold(text.translate(GERMAN_TRANSLIT)).lower())


def typo(text: str, r: random.Random) -> str:
    """Apply exactly one edit (substitute a neighbouring key, delete or insert a letter)."""
    positions = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(positions) < 2:
        return text + (text[-1:] or "x")
    i = r.choice(positions[1:]) if len(positions) > 2 else positions[-1]
    ch = text[i]
    roll = r.random()
    if roll < 0.4:
        repl = r.choice(KEY_NEIGHBOURS.get(ch.lower(), "aeiou"))
        return text[:i] + (repl.upper() if ch.isupper() else repl) + text[i + 1 :]
    if roll < 0.7:
        return text[:i] + text[i + 1 :]
    extra = ch if r.random() < 0.5 else r.choice(KEY_NEIGHBOURS.get(ch.lower(), "e"))
    return text[:i] + extra + text[i:]


def stray_space(text: str, r: random.Random) -> str:
    """A space before or after the text, or a doubled inner space."""
    roll = r.random()
    if roll < 0.35:
        return " " + text
    if roll < 0.7:
        return text + " "
    if " " in text.strip():
        return text.replace(" ", "  ", 1)
    return f" {text} "
