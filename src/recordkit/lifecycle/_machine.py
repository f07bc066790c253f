"""
`Machine`: runs one `Lifecycle` over records of one schema.

A move is computed, never performed in place: `Machine.move` takes a record and returns a
new one (state or stage moved, hook changes applied, one `Transition` appended to its
history) or raises `TransitionError` and returns nothing, so a refused move or a failing hook
changes nothing. Storing the result, bumping the version and writing the audit event belong
to the facade, which commits them together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import attrs

from recordkit._errors import RecordkitError, SchemaError, TransitionError, shorten
from recordkit._time import with_utc
from recordkit.lifecycle._guards import Guard, _RulesPass, blocking
from recordkit.lifecycle._hooks import HookKind, run_hook
from recordkit.lifecycle._model import Lifecycle
from recordkit.lifecycle._outcome import Moved, Swept
from recordkit.lifecycle._parts import SINCE_KEYWORDS, Timer
from recordkit.lifecycle._policy import Policy, label
from recordkit.rules import RuleSet
from recordkit.schema import Date, DateTime, Record, Schema, Transition

__all__ = ["Machine"]


def _bind(lifecycle: Lifecycle, rules: RuleSet) -> Lifecycle:
    """
    The lifecycle with every unbound `rules_pass` guard bound to *rules*.
    """

    def bound(guards: tuple[Guard, ...]) -> tuple[Guard, ...]:
        return tuple(
            g.bind(rules) if isinstance(g, _RulesPass) and g.ruleset is None else g for g in guards
        )

    states = [attrs.evolve(s, guards=bound(s.guards)) for s in lifecycle.states]
    edges = [attrs.evolve(e, guards=bound(e.guards)) for e in lifecycle.edges]
    return Lifecycle(
        lifecycle.name,
        states,
        edges,
        timers=lifecycle.timers,
        attribute=lifecycle.attribute,
        forward_only=lifecycle.forward_only,
        reason_codes=lifecycle.reason_codes,
        hooks=lifecycle.hooks,
        description=lifecycle.description,
    )


def _record(value: object) -> Record:
    if not isinstance(value, Record):
        raise TransitionError(f"expected a Record, got {shorten(value)}")
    return value


def _summary(issues: Sequence[Any]) -> str:
    parts = []
    for issue in issues[:5]:
        field = getattr(issue, "field", None)
        message = getattr(issue, "message", None) or str(issue)
        parts.append(f"{field}: {message}" if field else str(message))
    more = f" (+{len(issues) - 5} more)" if len(issues) > 5 else ""
    return "; ".join(parts) + more


class Machine:
    """
    The state machine for one lifecycle over records of one schema.

    Examples:
        >>> import datetime as dt
        >>> from recordkit import bundled_schema, Record
        >>> from recordkit.lifecycle import bundled_lifecycle
        >>> m = Machine(bundled_lifecycle("business"), bundled_schema("contact"))
        >>> r = Record("c1", "contact", {}, created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        >>> moved = m.move(r, "lead", actor="ana", at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
        >>> moved.record.stage, moved.transition.source
        ('lead', None)

    Args:
        lifecycle: the definition.
        schema: the schema of the records it runs over; guard fields and timer ``since``
            fields are checked against it now.
        rules: the rule set `rules_pass` guards run (default: ``RuleSet.for_schema``).

    Raises:
        SchemaError: a guard or timer names a field the schema does not have.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self, lifecycle: Lifecycle, schema: Schema, *, rules: RuleSet | None = None
    ) -> None:
        if not isinstance(lifecycle, Lifecycle):
            raise SchemaError(f"lifecycle must be a Lifecycle, got {shorten(lifecycle)}")
        if not isinstance(schema, Schema):
            raise SchemaError(f"schema must be a Schema, got {shorten(schema)}")
        if rules is not None and (not isinstance(rules, RuleSet) or rules.schema != schema):
            raise SchemaError(f"rules must be a RuleSet for schema {schema.name!r}")
        self.rules = RuleSet.for_schema(schema) if rules is None else rules
        self.lifecycle = _bind(lifecycle, self.rules)
        self.schema = schema
        for guard in self._all_guards():
            for name in (*getattr(guard, "fields", ()), getattr(guard, "field", None)):
                if isinstance(name, str):
                    self._field(name, f"guard {guard.name}")
        for timer in lifecycle.timers:
            if timer.since not in SINCE_KEYWORDS:
                f = self._field(timer.since, f"timer {timer.source} → {timer.target}")
                if not isinstance(f.type, Date | DateTime):
                    raise SchemaError(
                        f"timer counts from {timer.since!r}, a {f.type.kind} field; it needs "
                        "a date or datetime field",
                        path=f"{lifecycle.name}.timers",
                    )
        self._policy = Policy(self.lifecycle)

    def __repr__(self) -> str:
        return f"Machine({self.lifecycle.name!r}, {self.schema.name!r})"

    def _all_guards(self) -> list[Guard]:
        out = [g for s in self.lifecycle.states for g in s.guards]
        return out + [g for e in self.lifecycle.edges for g in e.guards]

    def _field(self, name: str, where: str) -> Any:
        try:
            return self.schema.field(name)
        except SchemaError as exc:
            raise SchemaError(
                f"{where} names unknown field {name!r}",
                path=f"{self.lifecycle.name}",
                source=self.schema.name,
                suggestions=exc.suggestions,
            ) from None

    # -- queries --------------------------------------------------------------------------

    def current(self, record: Record) -> str | None:
        """
        Where *record* is in this lifecycle (``None``: a stage not set yet).

        Raises:
            TransitionError: *record* is not a `Record` (every query and move says so).
        """
        value: str | None = getattr(_record(record), self.lifecycle.attribute)
        return value

    def targets(self, record: Record) -> tuple[str, ...]:
        """
        The states *record* may move to without an override (guards not yet checked).
        """
        source = self.current(record)
        out = []
        for name in self.lifecycle.names:
            try:
                self._policy.plan(source, name, override=False, reason=None)
            except TransitionError:
                continue
            out.append(name)
        return tuple(out)

    def check(
        self, record: Record, to: str, *, override: bool = False, reason: str | None = None
    ) -> list[Any]:
        """
        The issues that would refuse moving *record* to *to* (empty: the move may go ahead).

        Raises:
            TransitionError: the move is not allowed whatever the record holds (unknown
                target, no such transition, a final state, a missing reason code).
        """
        _, guards = self._policy.plan(self.current(record), to, override=override, reason=reason)
        return self._run_guards(record, guards)

    def entered(self, record: Record) -> dt.datetime:
        """
        When *record* entered its current state (its creation time if it never moved).
        """
        for t in reversed(_record(record).history):
            if t.attribute == self.lifecycle.attribute:
                return t.at
        return record.created_at

    # -- moves ----------------------------------------------------------------------------

    def move(
        self,
        record: Record,
        to: str,
        *,
        actor: str,
        at: dt.datetime,
        reason: str | None = None,
        override: bool = False,
        event: str | None = None,
    ) -> Moved:
        """
        Move *record* to state *to*: check the road, run guards, run hooks, append history.

        Args:
            record: the record as it is now.
            to: the target state.
            actor: who moves it (kept in history).
            at: when (UTC); not before the record's last move.
            reason: why; required (a reason code) for an override.
            override: go backwards in a forward-only lifecycle.
            event: the name to record instead of the edge's event (a timer's).

        Returns:
            The new record (same version), the transition, and the fields hooks changed.

        Raises:
            TransitionError: the move is not allowed, a guard refused (``issues`` holds
                why), or a hook failed; nothing changed.
        """
        _record(record)
        if not isinstance(actor, str) or not actor.strip():
            raise TransitionError(f"actor must be a non-blank id, got {shorten(actor)}")
        if event is not None and (not isinstance(event, str) or not event.strip()):
            raise TransitionError(f"event must be a non-blank name, got {shorten(event)}")
        at = self._when(record, at)
        source = self.current(record)
        name, guards = self._policy.plan(source, to, override=override, reason=reason)
        issues = self._run_guards(record, guards)
        if issues:
            raise TransitionError(
                f"{record.id}: {label(source)} → {to} refused: {_summary(issues)}",
                issues=issues,
            )
        transition = Transition(
            self.lifecycle.attribute,
            source,
            to,
            at,
            actor,
            lifecycle=self.lifecycle.name,
            event=event or name,
            reason=reason,
            override=override,
            rules={g.name: g.version for g in guards},
        )
        context = {
            "schema": self.schema,
            "source": source,
            "target": to,
            "event": transition.event,
            "actor": actor,
            "reason": reason,
            "at": at,
            "override": override,
            "lifecycle": self.lifecycle,
        }
        working = record
        changed: list[str] = []
        for kind in (HookKind.EXIT, HookKind.TRANSITION, HookKind.ENTER):
            if kind is HookKind.ENTER:
                working = working.evolve(**{self.lifecycle.attribute: to})
            for hook in self.lifecycle.hooks:
                if hook.kind is kind and hook.applies(source, to):
                    working = run_hook(hook, working, {**context, "record": working}, changed)
        final = working.evolve(history=(*working.history, transition))
        return Moved(final, transition, tuple(dict.fromkeys(changed)))

    def events(self, record: Record) -> tuple[str, ...]:
        """
        The events declared from where *record* is (guards not yet checked).
        """
        edges = self.lifecycle.edges_from(self.current(record))
        return tuple(dict.fromkeys(e.event for e in edges))

    def send(
        self,
        record: Record,
        event: str,
        *,
        actor: str,
        at: dt.datetime,
        reason: str | None = None,
    ) -> Moved:
        """
        Take the declared transition named *event* from where *record* is (``activate``).

        Raises:
            TransitionError: no such event from the record's state, or the move is refused.
        """
        source = self.current(record)
        edge = next((e for e in self.lifecycle.edges_from(source) if e.event == event), None)
        if edge is None:
            raise TransitionError(
                f"{self.lifecycle.name}: no event {shorten(event)} from {label(source)}; "
                f"events: {', '.join(self.events(record)) or 'none'}"
            )
        return self.move(record, edge.target, actor=actor, at=at, reason=reason, event=event)

    def due(self, record: Record, now: dt.datetime) -> tuple[Timer, ...]:
        """
        The timers of *record*'s current state that are due at *now*, in declared order.
        """
        now = self._checked_now(now)
        source = self.current(record)
        if source is None or source not in self.lifecycle:
            return ()
        out = []
        for timer in self.lifecycle.timers_from(source):
            anchor = self._anchor(record, timer)
            if anchor is not None and anchor + timer.after <= now:
                out.append(timer)
        return tuple(out)

    def sweep(self, record: Record, now: dt.datetime, *, actor: str) -> Swept:
        """
        Take every due time-based move of *record* at *now*, one after another.

        A record whose due move is refused by a guard stays put; the refusal is reported.
        Nothing is due before the record's last move, so a clock that went backwards moves
        nothing.
        """
        _record(record)
        now = self._checked_now(now)
        moves: list[Moved] = []
        refused: list[tuple[Timer, TransitionError]] = []
        current = record
        for _ in range(len(self.lifecycle.states)):
            if self._last_move(current) is not None and now < self.entered(current):
                break
            step = None
            for timer in self.due(current, now):
                try:
                    step = self.move(current, timer.target, actor=actor, at=now, event=timer.event)
                    break
                except TransitionError as exc:
                    refused.append((timer, exc))
            if step is None:
                break
            moves.append(step)
            current = step.record
        return Swept(current, tuple(moves), tuple(refused))

    # -- internals ------------------------------------------------------------------------

    @staticmethod
    def _checked_now(now: object) -> dt.datetime:
        if not isinstance(now, dt.datetime):
            raise TransitionError(f"'now' must be a datetime, got {shorten(now)}")
        return with_utc(now)

    def _last_move(self, record: Record) -> Transition | None:
        for t in reversed(record.history):
            if t.attribute == self.lifecycle.attribute:
                return t
        return None

    def _when(self, record: Record, at: object) -> dt.datetime:
        when = self._checked_now(at)
        if record.history and when < record.history[-1].at:
            raise TransitionError(
                f"{record.id}: a move at {when.isoformat()} would precede its last move at "
                f"{record.history[-1].at.isoformat()} (clock went backwards)"
            )
        return when

    def _run_guards(self, record: Record, guards: Sequence[Guard]) -> list[Any]:
        issues: list[Any] = []
        for g in guards:
            try:
                found = g(record, self.schema)
            except RecordkitError:
                raise
            except Exception as exc:
                raise TransitionError(
                    f"guard {g.name!r} failed on {record.id}: {type(exc).__name__}: "
                    f"{shorten(str(exc), 200)}"
                ) from exc
            issues.extend(blocking(found))
        return issues

    def _anchor(self, record: Record, timer: Timer) -> dt.datetime | None:
        if timer.since == "entered":
            return self.entered(record)
        if timer.since == "updated":
            return record.updated_at
        value = record.get(timer.since)
        if isinstance(value, dt.datetime):
            return with_utc(value)
        if isinstance(value, dt.date):
            return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)
        return None
