"""
Hooks: callbacks that run when a record leaves a state, moves, or enters a state.

A hook is a plain callable that receives, by signature, any of ``record``, ``schema``,
``source``, ``target``, ``event``, ``actor``, ``reason``, ``at``, ``override`` and
``lifecycle``. It returns ``None`` or a mapping of field changes (``{"owner": "ana"}``);
records are immutable, so changes are returned, never made in place.

Order: every on-exit hook of the source state, then every on-transition hook, then every
on-enter hook of the target state; within each kind, in the order given. A hook sees the
record as the hooks before it left it (state already moved for on-enter hooks). If any hook
raises, the whole move is abandoned: the record stays where it was.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from recordkit._errors import RecordkitError, SchemaError, TransitionError, shorten
from recordkit.lifecycle._adapt import call_by_signature
from recordkit.schema import Provenance, Record, Schema

__all__ = ["Hook", "HookKind", "on_enter", "on_exit", "on_transition", "run_hook"]


class HookKind(enum.StrEnum):
    """
    When a hook runs.

    .. versionadded:: 0.1.0
    """

    EXIT = "exit"
    TRANSITION = "transition"
    ENTER = "enter"

    @classmethod
    def _missing_(cls, value: object) -> HookKind:
        raise SchemaError(f"a hook kind is 'exit', 'transition' or 'enter', got {shorten(value)}")


def _check_callable(_: object, __: attrs.Attribute[Any], value: object) -> None:
    if not callable(value):
        raise SchemaError(f"a hook must be callable, got {type(value).__name__}")


def _hook_kind(value: object) -> HookKind:
    if not isinstance(value, str):  # HookKind members are text too
        raise SchemaError(f"a hook kind is 'exit', 'transition' or 'enter', got {shorten(value)}")
    return HookKind(value)


def _check_name(_: object, __: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise SchemaError(f"a hook's name is non-blank text, got {shorten(value)}")


def _named(name: object) -> dict[str, Any]:
    return {} if name is None or name == "" else {"name": name}


def _state(state: object) -> str:
    if not isinstance(state, str) or not state:
        raise SchemaError(f"a hook's state is a state name, got {shorten(state)}")
    return state


def _check_state(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value):
        raise SchemaError(f"hook {attribute.name} must be a state name, got {shorten(value)}")


@attrs.frozen
class Hook:
    """
    A callback bound to a moment of a move.

    Build one with `on_enter`, `on_exit` or `on_transition`.

    Args:
        kind: exit, transition or enter.
        fn: the callable.
        source: run only when leaving this state (``None``: any).
        target: run only when entering this state (``None``: any).
        name: shown in errors (default: the callable's name).

    .. versionadded:: 0.1.0
    """

    kind: HookKind = attrs.field(converter=_hook_kind)
    fn: Callable[..., Any] = attrs.field(validator=_check_callable)
    source: str | None = attrs.field(default=None, kw_only=True, validator=_check_state)
    target: str | None = attrs.field(default=None, kw_only=True, validator=_check_state)
    name: str = attrs.field(kw_only=True, validator=_check_name)

    @name.default
    def _name_default(self) -> str:
        return str(getattr(self.fn, "__qualname__", None) or type(self.fn).__name__)

    def applies(self, source: str | None, target: str) -> bool:
        """
        Whether this hook runs for a move from *source* to *target*.
        """
        if self.source is not None and self.source != source:
            return False
        return self.target is None or self.target == target


def on_enter(state: str, fn: Callable[..., object], *, name: str | None = None) -> Hook:
    """
    Run *fn* when a record enters *state* ("when stage becomes mql, assign an owner").

    Examples:
        >>> hook = on_enter("mql", lambda record: {"owner": "sdr-team"})
        >>> hook.kind, hook.target
        (<HookKind.ENTER: 'enter'>, 'mql')

    .. versionadded:: 0.1.0
    """
    return Hook(HookKind.ENTER, fn, target=_state(state), **_named(name))


def on_exit(state: str, fn: Callable[..., object], *, name: str | None = None) -> Hook:
    """
    Run *fn* when a record leaves *state*.

    .. versionadded:: 0.1.0
    """
    return Hook(HookKind.EXIT, fn, source=_state(state), **_named(name))


def on_transition(
    fn: Callable[..., object],
    *,
    source: str | None = None,
    target: str | None = None,
    name: str | None = None,
) -> Hook:
    """
    Run *fn* on every move, or only on moves from *source* and/or to *target*.

    .. versionadded:: 0.1.0
    """
    return Hook(HookKind.TRANSITION, fn, source=source, target=target, **_named(name))


def run_hook(hook: Hook, record: Record, context: Mapping[str, Any], changed: list[str]) -> Record:
    """
    Call *hook* and return *record* with the field changes it asked for.

    *context* holds what hooks may ask for by signature (it includes ``schema``, ``at`` and
    the ``record`` itself); the names of the fields changed are appended to *changed*.

    Raises:
        TransitionError: the hook raised, changed the record in place, returned something
            other than ``None`` or a mapping, or set an unknown or invalid field.
    """
    # The hook gets a copy: one that writes to it anyway (object.__setattr__) cannot touch
    # the caller's record, and the difference shows it misbehaved.
    given = attrs.evolve(record)
    try:
        result = call_by_signature(hook.fn, {**context, "record": given})
    except attrs.exceptions.FrozenInstanceError:
        raise TransitionError(
            f"hook {hook.name!r} tried to change the record in place; records are "
            "immutable: return a mapping of field changes instead"
        ) from None
    except Exception as exc:
        raise TransitionError(
            f"hook {hook.name!r} failed; the move was abandoned: {type(exc).__name__}: "
            f"{shorten(str(exc), 200)}"
        ) from exc
    if given != record:
        raise TransitionError(
            f"hook {hook.name!r} changed the record in place; return a mapping of field "
            "changes instead"
        )
    if result is None:
        return record
    if not isinstance(result, Mapping):
        raise TransitionError(
            f"hook {hook.name!r} must return None or a mapping of field changes, got "
            f"{type(result).__name__}"
        )
    return _apply(hook, record, result, context["schema"], context["at"], changed)


def _apply(
    hook: Hook,
    record: Record,
    changes: Mapping[Any, Any],
    schema: Schema,
    at: dt.datetime,
    changed: list[str],
) -> Record:
    values = dict(record.values)
    provenance = dict(record.provenance)
    for name, raw in changes.items():
        if not isinstance(name, str) or name not in schema:
            raise TransitionError(f"hook {hook.name!r} set unknown field {shorten(name)}")
        try:
            values[name] = schema.field(name).coerce(raw)
        except RecordkitError as exc:
            raise TransitionError(f"hook {hook.name!r}: {exc}", issues=[exc]) from None
        provenance[name] = Provenance(f"hook:{hook.name}"[:200], at, raw)
        changed.append(name)
    owner = record.owner
    if schema.owner_field is not None:
        value = values.get(schema.owner_field)
        owner = value if isinstance(value, str) else owner
    return record.evolve(values=values, provenance=provenance, owner=owner)
