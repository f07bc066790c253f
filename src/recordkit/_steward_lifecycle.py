"""
The lifecycle verbs of `Steward`: advance, retire, sweep, history and became.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from recordkit._errors import (
    ConflictError,
    TransitionError,
    shorten,
)
from recordkit._steward_change import Change, Event, Write
from recordkit._steward_core import SYSTEM, _readable
from recordkit._steward_index import _IndexKeeping
from recordkit.governance import Action, Actor
from recordkit.lifecycle import Moved, SweepResult, Transition, became, transitions
from recordkit.schema import Record


class _LifecycleVerbs(_IndexKeeping):
    """
    Moves through the record lifecycle and the business stages, guarded and audited.
    """

    # -- lifecycle ----------------------------------------------------------------------

    def advance(
        self,
        record_id: str,
        to: str,
        *,
        actor: Actor,
        reason: str | None = None,
        override: bool = False,
        on: str | None = None,
        expected_version: int | None = None,
    ) -> Record:
        """
        Move a record to state or stage *to*, through guards and hooks, with history.

        The move, its hooks' field changes and its history entry are stored together (one
        new version) and audited as one ``transition`` event; a refused move changes
        nothing.

        Args:
            record_id: the record to move.
            to: the target state (``active``) or business stage (``customer``).
            actor: who moves it.
            reason: why; an override needs one of the lifecycle's reason codes.
            override: go backwards in a forward-only lifecycle (an audited regression).
            on: ``"state"`` or ``"stage"`` when *to* names both.
            expected_version: refuse unless the record is still at this version.

        Raises:
            TransitionError: unknown target, no such transition, a retired record, a guard
                refused (``issues`` says why) or a hook failed.
            AccessDenied: *actor* may not move it (or may not write a hook's fields).
            ConflictError: the record changed meanwhile.
        """
        self._check_actor(actor)
        expected_version = self._check_version(expected_version)
        if not isinstance(override, bool):
            raise TransitionError(f"override must be True or False, got {shorten(override)}")
        if reason is not None and not _readable(reason, 10_000):
            raise TransitionError(
                f"reason must be text (valid Unicode, at most 10,000 chars) or None, "
                f"got {shorten(reason)}"
            )
        current = self._own(record_id)
        attribute = self.lifecycles.attribute_for(to, on)
        self.lifecycles.refuse_if_closed(current)
        if expected_version is not None and expected_version != current.version:
            raise ConflictError(record_id, expected=expected_version, actual=current.version)
        now = self._now()
        moved = self.lifecycles.machine(attribute).move(
            current, to, actor=actor.id, at=now, reason=reason, override=override
        )
        return self._commit_moves(current, [moved], actor, now)

    def retire(
        self,
        record_id: str,
        *,
        actor: Actor,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> Record:
        """
        Move a record to the governance lifecycle's final ``retired`` state.

        Raises:
            TransitionError: no state lifecycle runs here, or the record cannot be retired
                from where it is (already retired, or merged).
        """
        return self.advance(
            record_id,
            self.lifecycles.retire_target(),
            actor=actor,
            reason=reason,
            on="state",
            expected_version=expected_version,
        )

    def sweep(
        self, now: dt.datetime, *, actor: Actor = SYSTEM, batch_size: int = 10_000
    ) -> SweepResult:
        """
        Take every time-based move due at *now* (stale, proposed for retirement…).

        Nothing runs in the background: call this from your scheduler. Each record's moves
        are checked and audited like `advance`, and the moves of each page of
        *batch_size* records commit together in one transaction (a failure leaves that
        page as it was, and the pages before it moved); a due move a guard refuses is
        reported and the record stays put. Sweeping again at the same *now* moves nothing.

        Raises:
            TransitionError: *now* is not a datetime, or is earlier than the last sweep's
                (the clock went backwards); nothing is moved.
        """
        self._check_actor(actor)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise TransitionError(
                f"batch_size must be a positive whole number, got {shorten(batch_size)}"
            )
        now = self.lifecycles.sweep_time(now, self._swept_at)
        moved: dict[str, tuple[Transition, ...]] = {}
        refused: dict[str, tuple[TransitionError, ...]] = {}
        for page in self.store.scan(self.schema.name, batch_size=batch_size):
            writes: list[Write] = []
            events: list[Event] = []
            for current in page:
                if not self.lifecycles.due(current, now):
                    continue
                record = current
                steps: list[Moved] = []
                for _, machine in self.lifecycles:
                    if self.lifecycles.closed(record):
                        break
                    swept = machine.sweep(record, now, actor=actor.id)
                    if swept.refused:
                        errors = tuple(exc for _, exc in swept.refused)
                        refused[current.id] = (*refused.get(current.id, ()), *errors)
                    if swept.moves:
                        steps.extend(swept.moves)
                        record = swept.record
                if steps:
                    write, moves = self._moves(current, steps, now)
                    writes.append(write)
                    events.extend(moves)
                    moved[current.id] = tuple(s.transition for s in steps)
            if writes:
                # one transaction per page: its moves are stored together or not at all
                self._commit(Change(actor, now, writes, _constant(events)))
        self._swept_at = now
        return SweepResult(now, moved, refused)

    def history(
        self, record_id: str, *, actor: Actor = SYSTEM, on: str | None = None
    ) -> tuple[Transition, ...]:
        """
        The lifecycle moves of a record, oldest first.

        Only the ``state`` or ``stage`` ones when *on* says so.
        """
        on = self.lifecycles.check_attribute(on)
        return transitions(self.get(record_id, actor=actor), on)

    def became(
        self, record_id: str, stage: str, *, actor: Actor = SYSTEM, first: bool = False
    ) -> dt.datetime | None:
        """
        When a record entered *stage* (or state): ``steward.became(id, "customer")``.

        Returns the latest entry (the first with ``first=True``), or ``None`` if it never
        did.

        Raises:
            TransitionError: *stage* is in neither lifecycle.
        """
        attribute = self.lifecycles.attribute_for(stage)
        return became(self.get(record_id, actor=actor), stage, attribute=attribute, first=first)

    def _commit_moves(
        self,
        current: Record,
        steps: Sequence[Moved],
        actor: Actor,
        now: dt.datetime,
    ) -> Record:
        """
        Commit a record's lifecycle moves as one new version, one audit event per move.
        """
        write, events = self._moves(current, steps, now)
        self._commit(Change(actor, now, [write], lambda _: events))
        return write.after

    def _moves(
        self, current: Record, steps: Sequence[Moved], now: dt.datetime
    ) -> tuple[Write, list[Event]]:
        """
        The write and audit events of a record's lifecycle moves.

        The write is a ``transition``, checked as such (the action and the record rules);
        fields that hooks changed are checked as an ``update`` of those fields too, and an
        override as an ``override``.
        """
        changed = tuple(dict.fromkeys(f for s in steps for f in s.changed))
        updated = steps[-1].record.evolve(
            version=current.version + 1,
            updated_at=now if changed else current.updated_at,
        )
        also: tuple[tuple[Action, tuple[str, ...]], ...] = (
            ((Action.UPDATE, changed),) if changed else ()
        )
        if any(s.transition.override for s in steps):
            also = (*also, (Action.OVERRIDE, ()))  # going against the lifecycle's rules
        # ``state`` and ``stage`` are record columns, not fields a role can be granted:
        # the move itself writes no field (a policy's write permissions are per field).
        write = Write(self, updated, current, Action.TRANSITION, (), also=also)
        events = [
            Event(
                self,
                Action.TRANSITION,
                [current.id],
                (s.transition.attribute, *s.changed),
                {
                    "lifecycle": s.transition.lifecycle,
                    "attribute": s.transition.attribute,
                    "from": s.transition.source,
                    "to": s.transition.target,
                    "event": s.transition.event,
                    "reason": s.transition.reason,
                    "override": s.transition.override,
                    "rules": dict(s.transition.rules),
                    "version": updated.version,
                },
            )
            for s in steps
        ]
        return write, events


def _constant(events: list[Event]) -> Callable[[Sequence[Write]], list[Event]]:
    """
    The audit events of a change whose writes are all stored or none.
    """
    return lambda _: events
