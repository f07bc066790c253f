"""
A change, described before it is written: what the one commit path applies.

Every `Steward` verb builds a `Change` (the records it writes with their before and after,
the merge lineage, quarantined rows, audit events) and hands it to the facade's commit
method, which alone checks the policy, opens the transaction and updates the caches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

import attrs

from recordkit._errors import StoreError
from recordkit.governance import AccessPolicy, Action, Actor, AuditLog
from recordkit.quality import Enrichment, HealthScore
from recordkit.rules import Issue, RuleSet
from recordkit.schema import Record, Schema
from recordkit.store import ConsentEntry, Erased, Lineage, QuarantineEntry, Review, Suppression

__all__ = ["Change", "Committed", "Erasure", "Event", "Owner", "Write", "audit_changes"]


class Owner(Protocol):
    """
    The steward a write or an event belongs to: its schema, policy, rules and index.

    Also its audit trail and its enrichment.
    """

    schema: Schema
    access: AccessPolicy
    audit: AuditLog
    rules: RuleSet
    enrichment: Enrichment | None

    def _index(self, records: Iterable[Record]) -> None:
        """
        Bring the duplicate index in step with committed *records*.
        """

    def _forget(self, record_ids: tuple[str, ...]) -> None:
        """
        Remove erased records from the duplicate index.
        """

    @property
    def _persistent(self) -> bool:
        """
        Whether the duplicate index keeps its rows in the store.
        """

    def _sync_index(self, records: Iterable[Record]) -> None:
        """
        Bring a persistent duplicate index in step with *records*, in the transaction.
        """

    def _unindex(self, record_ids: Sequence[str]) -> None:
        """
        Take records out of a persistent duplicate index, in the transaction.
        """

    def _keep_health(self, change: Change, written: Sequence[Write]) -> None:
        """
        Store the health scores of the records *change* writes, in the transaction.
        """


@attrs.frozen
class Write:
    """
    One record a change writes: as it was (``None``: new) and as it will be.

    Attributes:
        owner: the steward whose schema the record belongs to (this one or a related one).
        after: the record as written; its version is ``expected + 1`` (1 when new).
        before: the record as it is stored now, ``None`` when it is created.
        action: what the actor does, for the access check.
        fields: the fields the write changes, for the access check.
        also: further ``(action, fields)`` the same write is checked for (a lifecycle move
            whose hooks change fields is a ``transition`` and an ``update`` of them).
        issues: every issue the verb's rules found in the record as written, for its
            health score (``None``: not known; the commit runs the rules over it).
    """

    owner: Owner
    after: Record
    before: Record | None
    action: Action
    fields: tuple[str, ...]
    also: tuple[tuple[Action, tuple[str, ...]], ...] = ()
    issues: Sequence[Issue] | None = None

    @property
    def expected(self) -> int | None:
        """
        The stored version the write is based on (``None``: the record must not exist).
        """
        return None if self.before is None else self.before.version


@attrs.frozen
class Event:
    """
    One audit event a change writes, in the log of *owner* (its schema's steward).

    With *values* (the default), the commit fills the event's ``changes`` from the writes
    of its records: field → ``[before, after]`` for every field the write changed, as
    the field's type dumps it. An event that names records it does not write (a flagged
    duplicate) carries no values.
    """

    owner: Owner
    action: str
    record_ids: Sequence[str]
    fields: Iterable[str]
    detail: Mapping[str, Any]
    values: bool = True


@attrs.frozen
class Erasure:
    """
    The records an erase removes, with every copy the store holds of them.

    Attributes:
        owner: the steward of their schema.
        records: the records, as stored now (each is checked for ``erase``).
        values: the person's identifiers, to find quarantined rows that hold them.
        suppressions: keyed hashes of the identifiers, kept after the erasure.
        erasure: the erasure's id.
        reason: why, for the audit event.
    """

    owner: Owner
    records: Sequence[Record]
    values: Sequence[str]
    suppressions: Sequence[Suppression]
    erasure: str
    reason: str


@attrs.frozen
class Change:
    """
    Everything one verb writes, described before anything is written.

    Attributes:
        actor: who makes the change.
        at: when (UTC); the time of its audit events.
        writes: the records written.
        events: the audit events, computed from the writes that are stored (a batch may
            quarantine some it was given).
        quarantine: rows kept in quarantine with their reasons.
        merge: the lineage of a merge (the writes are its survivor and merged records,
            and the records it re-points).
        unmerge: the id of the merge the writes undo.
        isolate: for a batch of new records: makes the quarantine entry of a record the
            database cannot hold (`StoreError.unstorable`), so one such record never costs
            its neighbours. ``None``: such a record fails the whole change.
        erasure: records to erase with every copy of them.
        consents: consent decisions to store.
        checks: writes checked by the policy but not stored (a consent decision is
            checked as an update of its record).
        grants: actions checked on no record (a policy change), with their owner.
        reviews: review queue entries to keep: new ones for flagged records (kept only
            when their record is stored), decided ones.
        health: health scores to store as they are (a rescore); the records written,
            and those the reviews name, are scored in the commit.
    """

    actor: Actor
    at: dt.datetime
    writes: Sequence[Write] = ()
    events: Callable[[Sequence[Write]], Sequence[Event]] = lambda _: ()
    quarantine: Sequence[QuarantineEntry] = ()
    merge: Lineage | None = None
    unmerge: str | None = None
    isolate: Callable[[Write, StoreError], QuarantineEntry] | None = None
    erasure: Erasure | None = None
    consents: Sequence[ConsentEntry] = ()
    checks: Sequence[Write] = ()
    grants: Sequence[tuple[Owner, Action]] = ()
    reviews: Sequence[Review] = ()
    health: Sequence[HealthScore] = ()


@attrs.frozen
class Committed:
    """
    What a commit stored.

    The writes (all of them, unless some were isolated; records as enriched), the rows
    quarantined (those given and those isolated), for an erasure what the store removed,
    and the enrichment issues by (schema name, record id): an enricher that failed, a
    derived value refused (none of them stopped the write).
    """

    writes: Sequence[Write]
    quarantine: Sequence[QuarantineEntry]
    erased: Erased | None = None
    enrichment: Mapping[tuple[str, str], Sequence[Issue]] = attrs.field(factory=dict)


def audit_changes(
    schema: Schema, event: Event, writes: Mapping[tuple[str, str], Write]
) -> dict[str, dict[str, list[Any]]]:
    """
    The values *event* records: record id → field → ``[before, after]``, as plain data.

    Every field the write of each named record changed, dumped by its field's type
    (``None``: no value), so replaying a record's events rebuilds its values.
    """
    out: dict[str, dict[str, list[Any]]] = {}
    for record_id in event.record_ids:
        write = writes.get((schema.name, record_id))
        if write is None:
            continue
        old: Mapping[str, Any] = write.before.values if write.before is not None else {}
        new = write.after.values
        row: dict[str, list[Any]] = {}
        for name in old.keys() | new.keys():
            a, b = old.get(name), new.get(name)
            if a != b:
                dump = schema.field(name).type.dump if name in schema else _plain
                row[name] = [None if a is None else dump(a), None if b is None else dump(b)]
        out[record_id] = row
    return out


def _plain(value: object) -> object:
    return value
