"""
Suggestions for a misspelt name: the known names closest to it, for error messages.

Schemas, rule sets, lifecycles, matchers and merge policies all answer an unknown name
with "did you mean …?"; they share this one helper so the answers agree.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from recordkit._errors import shorten

__all__ = ["close_matches"]


def close_matches(name: object, names: Iterable[str]) -> list[str]:
    """
    The known *names* closest to an unknown *name*, best first (at most three).

    Examples:
        >>> close_matches("emial", ["email", "phone", "name"])
        ['email']
    """
    text = name if isinstance(name, str) else shorten(name, 100)
    known = [n for n in names if isinstance(n, str)]
    return difflib.get_close_matches(text[:100], known, n=3, cutoff=0.6)
