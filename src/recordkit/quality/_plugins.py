"""
Loading quality plugins by name from an entry-point group (enrichers, health dimensions).

Entry points are read when a plugin is asked for, never at import.
"""

from __future__ import annotations

import importlib.metadata

from recordkit._errors import shorten
from recordkit.quality._errors import QualityError

__all__ = ["installed", "load"]


def installed(group: str) -> tuple[str, ...]:
    """
    The names registered in entry-point *group*, sorted.
    """
    return tuple(sorted(ep.name for ep in importlib.metadata.entry_points(group=group)))


def load(group: str, name: object, options: dict[str, object], kind: str, made: type) -> object:
    """
    The object entry point *name* of *group* makes with *options*; it must be a *made*.

    *kind* names the plugin in messages (``enricher``, ``health dimension``).

    Raises:
        QualityError: *name* is not text, names nothing installed, fails to load, or
            makes something else.
    """
    if not isinstance(name, str):
        raise QualityError(
            f"name is {_article(kind)}'s name, got {shorten(name)}", parameter="name"
        )
    for ep in importlib.metadata.entry_points(group=group):
        if ep.name == name:
            try:
                out: object = ep.load()(**options)
            except QualityError:
                raise
            except Exception as exc:
                raise QualityError(
                    f"{kind} {name!r} failed to load: {shorten(exc, 200)}", parameter="name"
                ) from exc
            if not isinstance(out, made):
                raise QualityError(
                    f"entry point {name!r} did not make {_article(made.__name__)}",
                    parameter="name",
                )
            return out
    known = ", ".join(installed(group)) or "none"
    raise QualityError(f"no {kind} {name!r} is installed; installed: {known}", parameter="name")


def _article(noun: str) -> str:
    return f"{'an' if noun[:1].upper() in 'AEIOU' else 'a'} {noun}"
