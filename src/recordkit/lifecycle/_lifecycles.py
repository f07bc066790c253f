"""
`Lifecycles`: the machines a facade runs for one schema, one per record attribute.

The facade asks it which lifecycle a name belongs to, whether a record is closed (retired or
merged), what is due at a sweep, and where ``retire`` goes; the facade keeps access checks,
storage and audit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from recordkit._errors import SchemaError, TransitionError, shorten
from recordkit._suggest import close_matches
from recordkit._time import with_utc
from recordkit.lifecycle._io import bundled_lifecycle, lifecycle_for
from recordkit.lifecycle._machine import Machine
from recordkit.lifecycle._model import ATTRIBUTES, Lifecycle
from recordkit.rules import RuleSet
from recordkit.schema import NOT_GIVEN, NotGiven, Record, Schema

__all__ = ["Lifecycles"]


def _pick(schema: Schema, given: Any, attribute: str, bundled: str) -> Lifecycle | None:
    option = "lifecycle" if attribute == "state" else "stages"
    if given is NOT_GIVEN:
        return lifecycle_for(schema, attribute) or bundled_lifecycle(bundled)
    if given is None:
        return None
    if not isinstance(given, Lifecycle):
        raise SchemaError(f"{option} must be a Lifecycle or None, got {shorten(given)}")
    if given.attribute != attribute:
        raise SchemaError(
            f"{option}: lifecycle {given.name!r} drives {given.attribute!r}, not {attribute!r}"
        )
    return given


class Lifecycles:
    """
    The state machine (``state``) and the stage machine (``stage``) run for one schema.

    Args:
        schema: the record type.
        lifecycle: drives ``Record.state``. Not given: the schema's ``lifecycle`` section,
            else the bundled ``governance`` one; ``None``: none.
        stages: drives ``Record.stage``. Not given: the schema's ``stages`` section, else
            the bundled ``business`` one; ``None``: none.
        rules: the rule set ``rules_pass`` guards run (default: ``RuleSet.for_schema``).

    Raises:
        SchemaError: a lifecycle is of the wrong kind or does not fit the schema.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        schema: Schema,
        *,
        lifecycle: Lifecycle | NotGiven | None = NOT_GIVEN,
        stages: Lifecycle | NotGiven | None = NOT_GIVEN,
        rules: RuleSet | None = None,
    ) -> None:
        if not isinstance(schema, Schema):
            raise SchemaError(f"schema must be a Schema, got {shorten(schema)}")
        self.machines: dict[str, Machine] = {}
        for attribute, given, bundled in (
            ("state", lifecycle, "governance"),
            ("stage", stages, "business"),
        ):
            chosen = _pick(schema, given, attribute, bundled)
            if chosen is not None:
                self.machines[attribute] = Machine(chosen, schema, rules=rules)

    def __repr__(self) -> str:
        inner = ", ".join(f"{a}={m.lifecycle.name!r}" for a, m in self.machines.items())
        return f"Lifecycles({inner})"

    def __iter__(self) -> Iterator[tuple[str, Machine]]:
        return iter(self.machines.items())

    def machine(self, attribute: str) -> Machine:
        """
        The machine driving *attribute*.

        Raises:
            TransitionError: no lifecycle drives it here.
        """
        if not isinstance(attribute, str) or attribute not in self.machines:
            raise TransitionError(f"no lifecycle drives {shorten(attribute)} here")
        return self.machines[attribute]

    def attribute_for(self, name: object, on: object = None) -> str:
        """
        Which attribute (``state`` or ``stage``) state or stage *name* belongs to.

        Raises:
            TransitionError: *name* is in no lifecycle (with suggestions), or in both and
                *on* does not choose.
        """
        if on is not None:
            if not isinstance(on, str) or on not in self.machines:
                raise TransitionError(
                    f"on must be {' or '.join(map(repr, self.machines)) or 'nothing'}, "
                    f"got {shorten(on)}"
                )
            return str(on)
        found = [a for a, m in self.machines.items() if name in m.lifecycle]
        if len(found) == 1:
            return found[0]
        if found:
            raise TransitionError(f"{shorten(name)} is both a state and a stage; pass on=")
        known = [n for m in self.machines.values() for n in m.lifecycle.names]
        hint = close_matches(name, known) if isinstance(name, str) else []
        did = f" (did you mean {' or '.join(map(repr, hint))}?)" if hint else ""
        raise TransitionError(f"unknown state or stage {shorten(name)}{did}")

    def closed(self, record: Record) -> bool:
        """
        Whether *record* is in a final governance state (retired, merged): nothing moves it.

        Raises:
            TransitionError: *record* is not a `Record`.
        """
        if not isinstance(record, Record):
            raise TransitionError(f"expected a Record, got {shorten(record)}")
        state = self.machines.get("state")
        return state is not None and record.state in state.lifecycle.finals

    def refuse_if_closed(self, record: Record) -> None:
        """
        Raise `TransitionError` when *record* is closed.
        """
        if self.closed(record):
            raise TransitionError(f"record {record.id!r} is {record.state}; nothing moves it")

    def due(self, record: Record, now: dt.datetime) -> bool:
        """
        Whether a sweep at *now* has a time-based move to consider for *record*.
        """
        return not self.closed(record) and any(m.due(record, now) for m in self.machines.values())

    def retire_target(self) -> str:
        """
        Where ``retire`` goes: the state lifecycle's ``retired`` state (or its only final).

        Raises:
            TransitionError: there is no state lifecycle, or no such state.
        """
        finals = self.machine("state").lifecycle.finals
        if "retired" in finals:
            return "retired"
        if len(finals) == 1:
            return finals[0]
        raise TransitionError(f"no single retirement state among finals {list(finals)}")

    @staticmethod
    def sweep_time(now: object, last: dt.datetime | None) -> dt.datetime:
        """
        Check a sweep's *now* (a datetime, naive means UTC) against the *last* sweep's.

        Raises:
            TransitionError: not a datetime, or earlier than *last* (the clock went back).
        """
        if not isinstance(now, dt.datetime):
            raise TransitionError(f"sweep needs a datetime, got {shorten(now)}")
        if last is not None and not isinstance(last, dt.datetime):
            raise TransitionError(f"last must be a datetime or None, got {shorten(last)}")
        now = with_utc(now)
        if last is not None and now < with_utc(last):
            raise TransitionError(
                f"sweep at {now.isoformat()} is earlier than the last sweep at "
                f"{last.isoformat()} (the clock went backwards); nothing was moved"
            )
        return now

    @staticmethod
    def check_attribute(on: object) -> str | None:
        """
        Check a ``state``/``stage`` filter (``None``: both).
        """
        if on is None or on in ATTRIBUTES:
            return None if on is None else str(on)
        raise TransitionError(f"on must be 'state' or 'stage', got {shorten(on)}")
