"""
The facade's reads of many records and of the audit trail, scoped and masked per actor.

`query` pushes the policy's record rules down to the store as a condition
(`Policy.scope`), so a segment holds only the records the actor may read, never
filtered after the fact; `audit_events` shows an event only to an actor who may read
every record it names, with its values masked as the records would be.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from recordkit._errors import AccessDenied, RecordkitError, shorten
from recordkit._steward_core import SYSTEM
from recordkit._steward_index import _IndexKeeping
from recordkit._steward_read import Sight
from recordkit.governance import Action, Actor, AllOf, AuditEvent, Condition
from recordkit.schema import Record
from recordkit.store import QuarantineEntry, conditions

__all__ = ["_ViewVerbs"]

Where = Condition | Mapping[str, Any] | list[Condition] | tuple[Condition, ...]


class _ViewVerbs(_IndexKeeping):
    """
    Segments and the audit trail, as an actor may see them.
    """

    def query(
        self,
        where: Where = (),
        *,
        actor: Actor = SYSTEM,
        stage: str | None = None,
        state: str | None = None,
        limit: int | None = None,
    ) -> list[Record]:
        """
        The records of this schema that meet *where* and that *actor* may read, masked.

        The policy's record rules for reading become a store condition joined to
        *where*, so the store (SQL included) returns only permitted records and *limit*
        counts only those. Each record comes back as `get` would show it to *actor*.

        Examples:
            >>> kim = Actor("kim", roles={"sales"})
            >>> contacts.query({"country": "US"}, actor=kim)  # doctest: +SKIP

        Args:
            where: a store condition (`Predicate`, `RecordPredicate`, `AllOf`, `AnyOf`,
                `Not`), a list of them (all must hold), or a mapping of field names
                (value: equal; ``None``: no value; list: one of).
            actor: who reads.
            stage: only records at this business stage.
            state: only records in this lifecycle state.
            limit: at most this many records.

        Raises:
            StoreError: *where*, *stage*, *state* or *limit* is not what the store takes.
            SchemaError: a condition names no field of the schema.
            RecordkitError: *actor* is not an `Actor`.

        .. versionadded:: 0.2.0
        """
        self._check_actor(actor)
        scope_of = getattr(self.access, "scope", None)
        scope: Condition | None = (
            None if scope_of is None else scope_of(actor, self.schema, Action.READ)
        )
        joined: Any = where if scope is None else AllOf([*conditions(where), scope])
        found = self.store.query(
            self.schema.name, where=joined, stage=stage, state=state, limit=limit
        )
        sight = self._sight(actor)
        if scope is None and scope_of is None:
            # a policy that cannot say what it allows: each record is checked as it is read
            return [sight.record(r) for r in found if sight.may_read(r)]
        return [sight.readable(r) for r in found]

    def audit_events(
        self,
        record_id: str | None = None,
        *,
        actor: Actor = SYSTEM,
        action: str | None = None,
        by: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> Iterator[AuditEvent]:
        """
        The audit events of this steward's schema, oldest first, as *actor* may see them.

        An event is shown when *actor* may read every record it names that still
        exists; its values (``changes``) are masked as those records' fields would be.
        Events of deleted or erased records are shown to an actor who may read the
        schema's records at all (their payloads were redacted by the erasure).

        Args:
            record_id: only events naming this record.
            actor: who reads.
            action: only events of this action (``create``, ``update``, ``merge``, …).
            by: only events made by the actor with this id.
            since: only events at or after this time.
            until: only events before this time.

        Raises:
            RecordkitError: *actor* is not an `Actor`, or a filter is not what the
                audit log takes.

        .. versionadded:: 0.2.0
        """
        self._check_actor(actor)
        if by is not None and not isinstance(by, str):
            raise RecordkitError(f"by must be an actor id (text) or None, got {shorten(by)}")
        events = self.audit.events(
            record_id, actor=by, action=action, schema=self.schema.name, since=since, until=until
        )
        return self._shown_events(actor, events)

    def quarantined(
        self, *, batch: str | None = None, actor: Actor = SYSTEM
    ) -> list[QuarantineEntry]:
        """
        The rows of this schema still in quarantine (of one *batch*), as *actor* may see them.

        A quarantined row never became a record, so no record rule can place it: only an
        actor who may read every record of the schema sees the quarantine, with the
        values of fields it reads masked (and keys naming no field hidden), and the
        reasons of those fields without the values they quote.

        Raises:
            AccessDenied: *actor* may read only some records of the schema.
            StoreError: *batch* is not text.

        .. versionadded:: 0.2.0
        """
        self._check_actor(actor)
        scope_of = getattr(self.access, "scope", None)
        if scope_of is not None and scope_of(actor, self.schema, Action.READ) is not None:
            raise AccessDenied(
                actor.id,
                "read the quarantine",
                reason=f"a quarantined row belongs to no record; the actor may read only "
                f"some {self.schema.name!r} records",
            )
        entries = self.store.quarantined(self.schema.name, batch=batch)
        sight = self._sight(actor)
        if not sight.masks:
            return entries
        return [
            attrs.evolve(
                e,
                row={str(k): sight.value(str(k), v) for k, v in e.row.items()},
                reasons=[
                    (f, m if sight.value(f, "") == "" else f"{f}: (the value is masked)")
                    for f, m in e.reasons
                ],
            )
            for e in entries
        ]

    def _shown_events(self, actor: Actor, events: Iterator[AuditEvent]) -> Iterator[AuditEvent]:
        sight = self._sight(actor)
        for event in events:
            stored = [r for r in self.store.get_many(list(event.record_ids)) if r is not None]
            if not all(sight.may_read(r) for r in stored):
                continue
            if sight.masks and (event.changes or event.detail):
                event = attrs.evolve(
                    event,
                    changes=sight.changes(event.changes),
                    detail=_masked_detail(sight, event.detail),
                )
            yield event


def _masked_detail(sight: Sight, detail: Mapping[str, Any]) -> dict[str, Any]:
    """
    An event's detail with what could quote values (explanations, issues) masked.
    """
    out = dict(detail)
    if "explanation" in out:
        out["explanation"] = sight.explanation(out["explanation"])
    return out
