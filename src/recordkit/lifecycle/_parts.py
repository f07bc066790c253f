"""
The parts of a lifecycle: `State`, `Edge` and `Timer`, each checked when built.

Names (states, events, reason codes) are lower-case identifiers; the checks of names and
plain options that `Lifecycle` shares live here too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any, Final

import attrs

from recordkit._errors import SchemaError, shorten
from recordkit.lifecycle._guards import Guard

__all__ = [
    "SINCE_KEYWORDS",
    "Edge",
    "State",
    "Timer",
    "check_flag",
    "check_text",
    "identifier",
    "state_or_none",
]

NAME: Final = re.compile(r"[a-z][a-z0-9_]{0,62}")
SINCE_KEYWORDS: Final = ("entered", "updated")


def identifier(value: object, what: str = "a state name") -> str:
    """
    *value*, checked to be a lower-case identifier (a state, event or reason code).
    """
    if not isinstance(value, str) or not NAME.fullmatch(value):
        raise SchemaError(
            f"{what} must be a lower-case identifier (a-z, 0-9, _), got {shorten(value)}"
        )
    return value


def state_or_none(value: object) -> Any:
    """
    *value* when it is a state name to look up (text) or ``None``, else a SchemaError.
    """
    if value is not None and not isinstance(value, str):
        raise SchemaError(f"a state name is text, got {shorten(value)}")
    return value


def _state_name(value: object) -> str:
    return identifier(value)


def _guards(value: object) -> tuple[Guard, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise SchemaError(f"guards must be a list of Guard objects, got {shorten(value)}")
    guards = tuple(value)
    for g in guards:
        if not isinstance(g, Guard):
            raise SchemaError(
                f"a guard needs name, version and __call__(record, schema), got {shorten(g)}"
            )
    return guards


def check_text(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """
    An attrs validator: the value is text.
    """
    if not isinstance(value, str):
        raise SchemaError(f"{attribute.name} must be text, got {shorten(value)}")


def check_flag(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """
    An attrs validator: the value is ``True`` or ``False``.
    """
    if not isinstance(value, bool):
        raise SchemaError(f"{attribute.name} must be true or false, got {shorten(value)}")


@attrs.frozen
class State:
    """
    One state (or business stage) of a lifecycle.

    Args:
        name: a lower-case identifier (``active``, ``mql``).
        label: how people read it (``MQL``); defaults to the name.
        initial: where records start (default: the first state declared).
        final: no transition leaves it (``retired``).
        description: what being here means.
        guards: checks a record must pass to enter this state by any road (a skip, an
            override, a timer or a declared edge).

    .. versionadded:: 0.1.0
    """

    name: str = attrs.field(converter=_state_name)
    label: str = attrs.field(default="", kw_only=True, validator=check_text)
    initial: bool = attrs.field(default=False, kw_only=True, validator=check_flag)
    final: bool = attrs.field(default=False, kw_only=True, validator=check_flag)
    description: str = attrs.field(default="", kw_only=True, validator=check_text)
    guards: tuple[Guard, ...] = attrs.field(factory=tuple, converter=_guards, kw_only=True)

    @property
    def title(self) -> str:
        """
        The label, or the name when no label is set.
        """
        return self.label or self.name


@attrs.frozen
class Edge:
    """
    A declared transition from one state to another, triggered by an event.

    Args:
        source: the state it leaves.
        target: the state it enters.
        event: the event's name (default: the target's name).
        guards: checks that must pass to take this edge (the target's own guards apply too).

    .. versionadded:: 0.1.0
    """

    source: str = attrs.field(converter=_state_name)
    target: str = attrs.field(converter=_state_name)
    event: str = attrs.field(kw_only=True)
    guards: tuple[Guard, ...] = attrs.field(factory=tuple, converter=_guards, kw_only=True)

    @event.default
    def _event_default(self) -> str:
        return self.target

    @event.validator
    def _check_event(self, _: attrs.Attribute[Any], value: object) -> None:
        identifier(value, "an event name")


def _after(value: object) -> dt.timedelta:
    days = value
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            days = dt.timedelta(days=value)
        except (OverflowError, ValueError):  # NaN, infinities, more days than a date holds
            days = None
    if not isinstance(days, dt.timedelta) or days <= dt.timedelta(0):
        raise SchemaError(f"after must be a positive duration, got {shorten(value)}")
    return days


@attrs.frozen
class Timer:
    """
    A time-based transition, evaluated by ``sweep(now)`` (never by a background thread).

    Args:
        source: the state it applies to.
        target: where the record goes when it is due; an `Edge` must exist for the move.
        after: how long (a ``timedelta``, or a number of days).
        since: what the time is counted from: ``entered`` (when the record entered
            *source*), ``updated`` (its last change) or the name of a date/datetime field
            (``last_contacted``; a record without a value there is never due).

    .. versionadded:: 0.1.0
    """

    source: str = attrs.field(converter=_state_name)
    target: str = attrs.field(converter=_state_name)
    after: dt.timedelta = attrs.field(converter=_after)
    since: str = attrs.field(default="entered", kw_only=True)

    @since.validator
    def _check_since(self, _: attrs.Attribute[Any], value: object) -> None:
        identifier(value, "since")

    @property
    def event(self) -> str:
        """
        How a move by this timer is named in history (``timer:180d``).
        """
        days = self.after / dt.timedelta(days=1)
        return f"timer:{days:g}d"
