"""
Characters that carry no text: control characters, ANSI escape sequences, bidi controls.

Text fields lose them when cleaned (the ``normalize.text`` rule, `clean_text`); URL,
subdivision and reference fields are cleaned by the same rule, and a URL's scheme is read
with them removed, so a tab or a NUL inside ``javascript:`` cannot pass for a web address.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = ["INVISIBLE", "strip_controls"]

INVISIBLE: Final = frozenset(
    "\u00ad"  # soft hyphen
    "\u061c"  # Arabic letter mark
    "\u200b\u200e\u200f"  # zero-width space, left-to-right and right-to-left marks
    "\u202a\u202b\u202c\u202d\u202e"  # bidi embeddings and overrides
    "\u2060"  # word joiner
    "\u2066\u2067\u2068\u2069"  # bidi isolates
    "\ufeff"  # byte order mark
)
"""
Format characters that are invisible noise in CRM data, or that reorder what a reader sees.

Zero-width joiners stay: emoji and several scripts need them.
"""

_ANSI: Final = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: ESC [ parameters intermediates final (colours, moves)
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: ESC ] … BEL or ST (titles, links)
    r"|\x1b[@-Z\\-_]"  # the other two-character escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # the one-character C1 CSI
)


def _keep(char: str) -> bool:
    if char in INVISIBLE:
        return False
    return unicodedata.category(char) not in ("Cc", "Cs", "Co", "Cn") or char.isspace()


def strip_controls(text: str) -> str:
    """
    Return *text* without ANSI escape sequences, control, bidi and other invisible characters.

    Whole escape sequences go (ESC ``[31m`` red ESC ``[0m`` → ``red``), then NUL, the other C0
    and C1 controls, lone surrogates, private-use and unassigned code points, and the
    characters in `INVISIBLE`. Whitespace (tabs, line breaks) is kept for the caller to
    collapse.
    """
    if text.isascii() and text.isprintable():
        return text  # the common case: nothing to remove
    if "\x1b" in text or "\x9b" in text:
        text = _ANSI.sub("", text)
    return "".join(c for c in text if _keep(c))
