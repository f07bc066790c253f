"""
Suggestions for a misspelt name: the known names closest to it, for error messages.

Schemas, rule sets, lifecycles, matchers and merge policies all answer an unknown name
with "did you mean …?"; they share this one helper so the answers agree.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["close_matches"]


def close_matches(name: object, names: Iterable[str]) -> list[str]:
    """
    The known *names* closest to an unknown *name*, best first (at most three).

    Example:
        >>> close_matches("emial", ["email", "phone", "name"])
        ['email']
    """
    return difflib.get_close_matches(str(name)[:100], list(names), n=3, cutoff=0.6)
