"""
Pattern shapes: what a value looks like, letters and digits abstracted.

An upper-case letter becomes ``A``, a lower-case one ``a``, a digit ``9``; a run of two
or more letters of the same case collapses to ``A+`` or ``a+``, while digits are kept one
for one, because their count is what tells a ZIP+4 (``99999-9999``) from a ZIP
(``99999``). Everything else (spaces, punctuation, symbols) is kept as it is. So
``"John Smith"`` is ``Aa+ Aa+``, ``"94105-1234"`` is ``99999-9999`` and
``"ada@example.com"`` is ``a+@a+.a+``. Only the first `SHAPE_CHARS` characters of a value
are shaped; a longer value's shape ends with ``…``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import compress
from typing import Final

import numpy as np

from recordkit.quality._errors import QualityError

__all__ = ["SHAPE_CHARS", "shapes_of", "value_shape"]

SHAPE_CHARS: Final = 64
"""
The characters of a value that its shape describes.
"""

_ASCII: Final = bytes.maketrans(
    bytes(range(65, 91)) + bytes(range(97, 123)) + b"0123456789",
    b"A" * 26 + b"a" * 26 + b"9" * 10,
)
_RUN: Final = re.compile(r"([Aa])\1+")
_SEP: Final = "\x00"
_PLUS: Final = ord("+")


def _char_class(c: str) -> str:
    if c.isdecimal():
        return "9"
    if c.isalpha():
        return "A" if c.isupper() else "a"
    return c


def _one(text: str) -> str:
    head = text[:SHAPE_CHARS]
    shaped = _RUN.sub(r"\1+", "".join(map(_char_class, head)))
    return shaped + "…" if len(text) > SHAPE_CHARS else shaped


def value_shape(value: str) -> str:
    """
    The pattern shape of *value*: ``A``/``a`` for letters, ``9`` for digits, runs collapsed.

    Examples:
        >>> value_shape("John Smith"), value_shape("94105-1234"), value_shape("N.Y.")
        ('Aa+ Aa+', '99999-9999', 'A.A.')

    Args:
        value: the text to shape.

    Returns:
        The shape; letters of any script count by case (a letter without case is ``a``).

    Raises:
        QualityError: *value* is not text.

    .. versionadded:: 0.2.0
    """
    if not isinstance(value, str):
        raise QualityError(f"value must be text, got {type(value).__name__}", parameter="value")
    return _one(value)


def shapes_of(texts: Sequence[str]) -> list[str]:
    """
    The shape of each of *texts*, in one pass over their short ASCII members.

    The ASCII texts are joined and shaped together (a byte translation and a vectorized
    collapse of runs), so a column of a million distinct values costs a few array
    operations rather than a million regular-expression calls.
    """
    if not texts:
        return []
    long = max(map(len, texts)) > SHAPE_CHARS
    heads = [t[:SHAPE_CHARS] for t in texts] if long else list(texts)
    joined = _SEP.join(heads)
    if joined.isascii() and joined.count(_SEP) == len(heads) - 1:
        shaped = _shape_ascii(joined)
    else:
        fast = [h.isascii() and _SEP not in h for h in heads]
        quick = iter(_shape_ascii(_SEP.join(compress(heads, fast))) if any(fast) else ())
        shaped = [next(quick) if ok else _one(h) for h, ok in zip(heads, fast, strict=True)]
    if long:
        return [s + "…" if len(t) > SHAPE_CHARS else s for s, t in zip(shaped, texts, strict=True)]
    return shaped


def _shape_ascii(joined: str) -> list[str]:
    raw = np.frombuffer(joined.encode("ascii").translate(_ASCII), dtype=np.uint8)
    letter = (raw == 65) | (raw == 97)
    same = np.zeros(raw.shape[0], dtype=bool)
    same[1:] = (raw[1:] == raw[:-1]) & letter[1:]
    first = same.copy()
    first[1:] &= ~same[:-1]
    shaped = raw.copy()
    shaped[first] = _PLUS
    keep = ~same | first
    text: str = shaped[keep].tobytes().decode("ascii")
    return text.split(_SEP)
