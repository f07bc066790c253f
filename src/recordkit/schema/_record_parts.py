"""
The parts of a `Record` that stand on their own.

Provenance, lifecycle transitions, and the checks and conversions of a record's attributes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from recordkit._errors import ValidationError, shorten
from recordkit._time import with_utc

__all__ = ["Provenance", "Transition"]


_INT64_MAX: Final = 2**63 - 1


def _where(instance: object, attribute: attrs.Attribute[Any]) -> str:
    return f"{type(instance).__name__}.{attribute.name}"


def _utc(value: Any) -> Any:
    # Naive instants are UTC; anything else is left for `_instant` to name and refuse.
    return with_utc(value) if isinstance(value, dt.datetime) else value


def _instant(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, dt.datetime):
        raise ValidationError(
            f"{_where(instance, attribute)} must be a datetime, got {shorten(value)}"
        )


def _text_value(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise ValidationError(f"{_where(instance, attribute)} must be text, got {shorten(value)}")


def _maybe_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _text_value(instance, attribute, value)


def _flag(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise ValidationError(
            f"{_where(instance, attribute)} must be true or false, got {shorten(value)}"
        )


def _version(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _INT64_MAX:
        raise ValidationError(
            f"{_where(instance, attribute)} must be a whole number from 0 to {_INT64_MAX}, "
            f"got {shorten(value)}"
        )


def _json_scalar(value: object) -> object:
    """
    Raw values are kept as received when JSON can hold them, else as their text.
    """
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int):
        return value if -_INT64_MAX - 1 <= value <= _INT64_MAX else shorten(value, 100)
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    return _text_of(value)


def _text_of(value: object) -> str:
    try:
        return str(value)
    except Exception:  # a hostile __str__ must not stop a capture
        return shorten(value, 200)


@attrs.frozen
class Provenance:
    """
    Where one field's current value came from.

    Args:
        source: the system or channel (``web_form``, ``crm_import``, ``api:billing``).
        observed_at: when that source saw the value (UTC).
        raw: the value exactly as the source gave it, before coercion and normalization.

    .. versionadded:: 0.1.0
    """

    source: str = attrs.field(validator=_text_value)
    observed_at: dt.datetime = attrs.field(converter=_utc, validator=_instant)
    raw: Any = attrs.field(default=None, converter=_json_scalar)


def _frozen_mapping(value: Any) -> Any:
    if isinstance(value, MappingProxyType) or not isinstance(value, Mapping):
        return value  # not a mapping: `_mapping` names and refuses it
    return MappingProxyType(dict(value))


def _mapping(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"{_where(instance, attribute)} must be a mapping, got {shorten(value)}"
        )


@attrs.frozen
class Transition:
    """
    One lifecycle move of a record, kept in `Record.history` (see `recordkit.lifecycle`).

    Args:
        attribute: the record attribute that moved: ``state`` or ``stage``.
        source: where it was (``None`` when a stage is set for the first time).
        target: where it went.
        at: when (UTC).
        actor: who moved it.
        lifecycle: the name of the lifecycle that allowed the move.
        event: the declared event taken (``activate``), ``timer:<days>d`` for a sweep,
            ``skip`` for a forward jump or ``override`` for a regression.
        reason: why (required for overrides).
        override: the move went backwards in a forward-only lifecycle.
        rules: the guards checked, name → version.

    .. versionadded:: 0.1.0
    """

    attribute: str = attrs.field(validator=_text_value)
    source: str | None = attrs.field(validator=_maybe_text)
    target: str = attrs.field(validator=_text_value)
    at: dt.datetime = attrs.field(converter=_utc, validator=_instant)
    actor: str = attrs.field(validator=_text_value)
    lifecycle: str = attrs.field(default="", kw_only=True, validator=_text_value)
    event: str = attrs.field(default="", kw_only=True, validator=_text_value)
    reason: str | None = attrs.field(default=None, kw_only=True, validator=_maybe_text)
    override: bool = attrs.field(default=False, kw_only=True, validator=_flag)
    rules: Mapping[str, str] = attrs.field(
        factory=dict, converter=_frozen_mapping, validator=_mapping, kw_only=True, hash=False
    )


def _history(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(value)
    return value  # not a list: `_transitions` names and refuses it


def _transitions(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(t, Transition) for t in value):
        raise ValidationError(
            f"{_where(instance, attribute)} must be a list of Transition values, "
            f"got {shorten(value)}"
        )


def _names(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(value)
    return value  # not a list: `_name_list` names and refuses it


_NAME_LISTS: dict[tuple[str, ...], None] = {}
"""
Field-name tuples found valid already: every record of a schema carries the same one.
"""


def _name_list(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    try:
        if type(value) is tuple and value in _NAME_LISTS:
            return
    except TypeError:  # an unhashable name (a list): refused below, named
        pass
    if not isinstance(value, tuple) or not all(isinstance(n, str) for n in value):
        raise ValidationError(
            f"{_where(instance, attribute)} must be a list of field names, got {shorten(value)}"
        )
    if type(value) is tuple and len(_NAME_LISTS) < 256:  # a few schemas' worth
        _NAME_LISTS[value] = None
