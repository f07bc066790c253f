"""
Instants in recordkit are aware and in UTC: the one helper that makes a naive one so.

Schemas coerce date-times with it and lifecycles read their clocks through it, so a
naive value means the same instant everywhere.
"""

from __future__ import annotations

import datetime as dt

__all__ = ["with_utc"]


def with_utc(value: dt.datetime) -> dt.datetime:
    """
    Return *value* with UTC attached when it is naive (an aware value is returned as is).

    Examples:
        >>> with_utc(dt.datetime(2024, 5, 1, 9, 30))
        datetime.datetime(2024, 5, 1, 9, 30, tzinfo=datetime.timezone.utc)
    """
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
