"""
A Griffe extension for the API reference: version notes as admonitions, private bases hidden.

Docstrings note versions the way Python's own documentation does (``.. versionadded:: 0.2.0``,
``.. versionchanged:: 0.2.0 what changed``, continued on indented lines). Google-style
docstrings have no such directive, so mkdocstrings would print it as a raw line; this
extension rewrites each one into a Markdown admonition before the docstring is parsed. It
also drops private base classes (the facade's verb groups) from class signatures, so the
reference lists only names a user can import.

Loaded by ``mkdocs.yml`` (``extensions: [scripts/griffe_versions.py]``).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_DIRECTIVE = re.compile(
    r"^(?P<indent>\s*)\.\. (?P<kind>versionadded|versionchanged|deprecated)::"
    r"\s*(?P<version>\S+)\s*(?P<text>.*)$"
)
_TITLES = {
    "versionadded": ("info", "Added in version {}"),
    "versionchanged": ("note", "Changed in version {}"),
    "deprecated": ("warning", "Deprecated since version {}"),
}


def rewrite(text: str) -> str:
    """Return *text* with every version directive turned into a Markdown admonition."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        match = _DIRECTIVE.match(lines[i])
        if match is None:
            out.append(lines[i])
            i += 1
            continue
        indent = len(match["indent"])
        body = [match["text"]] if match["text"] else []
        i += 1
        while (
            i < len(lines) and lines[i].strip() and len(lines[i]) - len(lines[i].lstrip()) > indent
        ):
            body.append(lines[i].strip())
            i += 1
        kind, title = _TITLES[match["kind"]]
        if out and out[-1].strip():
            out.append("")
        out.append(f'{match["indent"]}!!! {kind} "{title.format(match["version"])}"')
        if body:
            out.append(f"{match['indent']}    {' '.join(body)}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


class VersionNotes(griffe.Extension):
    """Rewrite version directives and hide private bases on every loaded object."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite *obj*'s docstring; drop private bases when it is a class."""
        if obj.docstring is not None and ".. " in obj.docstring.value:
            obj.docstring.value = rewrite(obj.docstring.value)
        if isinstance(obj, griffe.Class):
            obj.bases = [b for b in obj.bases if not str(b).rsplit(".", 1)[-1].startswith("_")]
