"""
Reading a record's lifecycle history: its transitions, and when it became something.
"""

from __future__ import annotations

import datetime as dt

from recordkit._errors import TransitionError, shorten
from recordkit.schema import Record, Transition

__all__ = ["became", "transitions"]


def transitions(record: Record, attribute: str | None = None) -> tuple[Transition, ...]:
    """
    The moves of *record*, oldest first; only those of ``state`` or ``stage`` if given.

    .. versionadded:: 0.1.0
    """
    if not isinstance(record, Record):
        raise TransitionError(f"expected a Record, got {shorten(record)}")
    if attribute is not None and attribute not in ("state", "stage"):
        raise TransitionError(
            f"attribute must be 'state', 'stage' or None, got {shorten(attribute)}"
        )
    if attribute is None:
        return record.history
    return tuple(t for t in record.history if t.attribute == attribute)


def became(
    record: Record, name: str, *, attribute: str = "stage", first: bool = False
) -> dt.datetime | None:
    """
    When *record* entered state or stage *name*: the latest entry, or the first.

    ``None`` when it never did. "When did this record become a customer?" is
    ``became(record, "customer")``.

    Examples:
        >>> import datetime as dt
        >>> from recordkit import Record
        >>> from recordkit.schema import Transition
        >>> t = Transition("stage", "lead", "customer", dt.datetime(2026, 3, 1), "ana")
        >>> r = Record("c1", "contact", {}, created_at=dt.datetime(2026, 1, 1),
        ...            history=(t,))
        >>> became(r, "customer").date()
        datetime.date(2026, 3, 1)

    .. versionadded:: 0.1.0
    """
    if not isinstance(name, str):
        raise TransitionError(f"a state name is text, got {shorten(name)}")
    if not isinstance(first, bool):
        raise TransitionError(f"first must be true or false, got {shorten(first)}")
    entries = [t.at for t in transitions(record, attribute) if t.target == name]
    if not entries:
        return None
    return entries[0] if first else entries[-1]
