"""
Argument checks shared by the matching layer's public entry points.

Each check runs once, where a value enters (a constructor, a converter, a public method),
and raises a `RecordkitError` naming the parameter and what was expected.
"""

from __future__ import annotations

import contextlib
import math
import numbers
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from recordkit._errors import RecordkitError, shorten

__all__ = [
    "instances",
    "items",
    "mapping",
    "number",
    "optional_mapping",
    "reading",
    "texts",
]


def items(value: object, name: str) -> tuple[Any, ...]:
    """
    *value* (a list, tuple, set: an iterable, neither text nor a mapping) as a tuple.
    """
    if type(value) is tuple:
        return value
    if isinstance(value, str | bytes | bytearray | Mapping) or not isinstance(value, Iterable):
        raise RecordkitError(f"{name} must be a list, got {shorten(value)}")
    return tuple(value)


def instances(value: object, kind: type[Any], name: str) -> tuple[Any, ...]:
    """
    *value* as a tuple of *kind* values, refusing anything else.
    """
    out = items(value, name)
    for item in out:
        if not isinstance(item, kind):
            raise RecordkitError(f"{name} must hold {kind.__name__} values, got {shorten(item)}")
    return out


def texts(value: object, name: str) -> tuple[str, ...]:
    """
    *value* as a tuple of text, refusing anything else (one string included).
    """
    out = items(value, name)
    for item in out:
        if not isinstance(item, str):
            raise RecordkitError(f"{name} must hold text, got {shorten(item)}")
    return out


def mapping(value: object, name: str) -> Mapping[Any, Any]:
    """
    *value*, checked to be a mapping.
    """
    if not isinstance(value, Mapping):
        raise RecordkitError(f"{name} must be a mapping, got {shorten(value)}")
    return value


def optional_mapping(value: object, name: str) -> Mapping[Any, Any] | None:
    """
    `mapping`, or ``None`` for ``None``.
    """
    return None if value is None else mapping(value, name)


def number(value: object, name: str, *, finite: bool = False) -> float:
    """
    *value* (a real number, not a bool) as a float; *finite*: refuse NaN and infinities.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise RecordkitError(f"{name} must be a number, got {shorten(value)}")
    try:
        out = float(value)
    except (OverflowError, ValueError):
        raise RecordkitError(f"{name} is out of range, got {shorten(value)}") from None
    if finite and not math.isfinite(out):
        raise RecordkitError(f"{name} must be a finite number, got {shorten(value)}")
    return out


@contextlib.contextmanager
def reading(what: str, error: type[RecordkitError] = RecordkitError) -> Iterator[None]:
    """
    Report a missing key or a malformed value in plain data as *error*, naming *what*.
    """
    try:
        yield
    except RecordkitError:
        raise
    except KeyError as exc:
        key = exc.args[0] if exc.args else "?"
        raise error(f"{what}: the data lacks the key {shorten(key)}") from None
    except (TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise error(f"{what}: malformed data ({shorten(str(exc), 200)})") from None
