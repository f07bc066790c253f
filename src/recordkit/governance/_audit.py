"""
The audit trail: an append-only, hash-chained log of every change, with its values.

Each event carries the values it wrote (``changes``) and why (``detail``); its hash covers
its header and the digest of that payload, chained to the event before, so editing,
dropping or reordering a stored event breaks `AuditLog.verify`. A payload can be redacted
(erasure) and the chain still verifies. Signed checkpoints, kept outside the database,
catch truncation and re-chaining (see ``_audit_verify``).
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence

import attrs

from recordkit._errors import ValidationError, shorten
from recordkit.governance._audit_event import (
    GENESIS,
    AuditEvent,
    Changes,
    check_append,
    header_hash,
    joined_changes,
    payload_digest,
    payload_text,
    written_text,
)
from recordkit.governance._audit_query import EventFilter
from recordkit.governance._audit_verify import (
    Chain,
    Checkpoint,
    VerifyReport,
    check_checkpoint,
    check_key,
    sign,
)

__all__ = ["AuditEntry", "AuditEvent", "AuditLog", "MemoryAuditLog", "check_redact"]

Checked = tuple[
    dt.datetime,
    str,
    str,
    str,
    tuple[str, ...],
    tuple[str, ...],
    dict[str, object],
    dict[str, dict[str, list[object]]],
]
"""
What `AuditLog.check_append` returns: an event's parts, checked.
"""


@attrs.frozen
class AuditEntry:
    """
    One event to record with `AuditLog.append_many`: what `AuditLog.append` takes.

    Checked when it is appended, not when it is made.

    .. versionadded:: 0.2.0
    """

    at: dt.datetime
    actor: str
    action: str
    schema: str
    record_ids: Sequence[str]
    fields: Iterable[str] = ()
    detail: Mapping[str, object] | None = None
    changes: Mapping[str, Mapping[str, Sequence[object]]] | None = None


ChainEntry = tuple[int, str, str, str, str | None]
"""
What `verify` checks of one event: seq, prev_hash, stored hash, recomputed hash, and the
problem with its payload (``None``: it matches its digest).
"""


def check_redact(record_ids: object) -> frozenset[str]:
    """
    The record ids `AuditLog.redact` takes, checked.

    Raises:
        ValidationError: not a collection of non-blank text.
    """
    if isinstance(record_ids, str | bytes) or not isinstance(record_ids, Iterable):
        raise ValidationError(f"record_ids must be a list of record ids, got {shorten(record_ids)}")
    ids = list(record_ids)
    for i in ids:
        if not isinstance(i, str) or not i:
            raise ValidationError(f"record ids are non-blank text, got {shorten(i)}")
    return frozenset(ids)


class AuditLog(ABC):
    """
    Where audit events go. Implementations chain and store them.

    .. versionadded:: 0.1.0
    """

    # the hash functions, for implementations that verify their stored text directly
    _header_hash = staticmethod(header_hash)
    _payload_text = staticmethod(payload_text)
    _written_text = staticmethod(written_text)
    _joined_changes = staticmethod(joined_changes)
    _payload_digest = staticmethod(payload_digest)
    _filters = staticmethod(EventFilter.of)

    @property
    @abstractmethod
    def log_id(self) -> str:
        """
        The log's identity, made once when the log (or its tables) was created.

        .. versionadded:: 0.2.0
        """

    def append(
        self,
        *,
        at: dt.datetime,
        actor: str,
        action: str,
        schema: str,
        record_ids: Sequence[str],
        fields: Iterable[str] = (),
        detail: Mapping[str, object] | None = None,
        changes: Mapping[str, Mapping[str, Sequence[object]]] | None = None,
    ) -> AuditEvent:
        """
        Record one event and return it, chained to the one before.

        Args:
            at: when (a datetime; naive is UTC).
            actor: who.
            action: what (``create``, ``update``, ``store.put``…).
            schema: the record type.
            record_ids: the records concerned.
            fields: the fields written.
            detail: plain data about the change (source, request id, rule@version…).
            changes: record id → field → ``[before, after]`` as JSON data (before
                ``None`` when created).

        Raises:
            ValidationError: an argument is not what an event holds (named).
            StoreError: the event cannot be stored.

        .. versionchanged:: 0.2.0
            ``changes``.
        """
        checked = self.check_append(at, actor, action, schema, record_ids, fields, detail, changes)
        return self._append(*checked)

    def append_many(self, entries: Sequence[AuditEntry]) -> list[AuditEvent]:
        """
        Record several events in order, chained one to the next, in one go.

        Each `AuditEntry` holds what `append` takes. A log that keeps its events in a
        database writes them together (a batch's events cost one write, not one each).

        Raises:
            ValidationError: *entries* is not a list of `AuditEntry`, or an entry holds
                what an event cannot (named).
            StoreError: the events cannot be stored (none is).

        .. versionadded:: 0.2.0
        """
        if not isinstance(entries, list | tuple):
            raise ValidationError(f"append_many takes a list of AuditEntry, got {shorten(entries)}")
        checked = []
        for entry in entries:
            if not isinstance(entry, AuditEntry):
                raise ValidationError(f"append_many takes AuditEntry values, got {shorten(entry)}")
            checked.append(
                self.check_append(
                    entry.at,
                    entry.actor,
                    entry.action,
                    entry.schema,
                    entry.record_ids,
                    entry.fields,
                    entry.detail,
                    entry.changes,
                )
            )
        return self._append_many(checked)

    def _append_many(self, checked: Sequence[Checked]) -> list[AuditEvent]:
        """
        `_append` of each of *checked*, in order (a log may write them at once).
        """
        return [self._append(*c) for c in checked]

    @abstractmethod
    def _append(
        self,
        at: dt.datetime,
        actor: str,
        action: str,
        schema: str,
        ids: tuple[str, ...],
        names: tuple[str, ...],
        data: dict[str, object],
        values: Changes,
    ) -> AuditEvent:
        """
        Append an event whose arguments `check_append` gave, chained to the one before.
        """

    @staticmethod
    def check_append(
        at: object,
        actor: object,
        action: object,
        schema: object,
        record_ids: object,
        fields: object,
        detail: object,
        changes: object = None,
    ) -> tuple[
        dt.datetime,
        str,
        str,
        str,
        tuple[str, ...],
        tuple[str, ...],
        dict[str, object],
        dict[str, dict[str, list[object]]],
    ]:
        """
        The arguments of `append`, checked, for implementations to call first.

        Returns:
            ``(at, actor, action, schema, record_ids, fields, detail, changes)``, as plain
            values (detail and changes as JSON data).

        Raises:
            ValidationError: an argument is not what an event holds (named).
        """
        return check_append(at, actor, action, schema, record_ids, fields, detail, changes)

    @staticmethod
    def check_redact(record_ids: object) -> frozenset[str]:
        """
        The record ids of `redact`, checked, for implementations to call first.

        Raises:
            ValidationError: not a list of non-blank text.

        .. versionadded:: 0.2.0
        """
        return check_redact(record_ids)

    @abstractmethod
    def events(
        self,
        record_id: str | None = None,
        *,
        actor: str | None = None,
        action: str | None = None,
        schema: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> Iterator[AuditEvent]:
        """
        Events in order, those that pass every filter given.

        Args:
            record_id: only events naming this record.
            actor: only events by this actor.
            action: only events of this action.
            schema: only events about this record type.
            since: only events at or after this time.
            until: only events before this time.

        Raises:
            ValidationError: a filter is of the wrong type (named).

        .. versionchanged:: 0.2.0
            ``actor``, ``action``, ``schema``, ``since`` and ``until``.
        """

    @abstractmethod
    def head(self) -> tuple[int, str]:
        """
        The log's head as its store keeps it: the last sequence number and hash.

        .. versionadded:: 0.2.0
        """

    @abstractmethod
    def redact(self, record_ids: Collection[str]) -> int:
        """
        Remove the payload of every event naming one of *record_ids*; how many were.

        Each such event keeps its header and ``payload_digest``; its ``detail`` and
        ``changes`` become empty and ``redacted`` true, so `verify` still passes. Runs in
        the store's current transaction. Events written before payload digests (0.1) hold
        no values and are left as they are.

        Raises:
            ValidationError: *record_ids* is not a list of record ids.

        .. versionadded:: 0.2.0
        """

    def checkpoint(self, key: bytes) -> Checkpoint:
        """
        The log's head, signed with HMAC-SHA256 under *key*: keep it outside the database.

        Args:
            key: a secret of at least 16 bytes the database does not hold.

        Raises:
            ValidationError: *key* is not bytes, or shorter than 16.

        .. versionadded:: 0.2.0
        """
        secret = check_key(key)
        seq, head_hash = self.head()
        log_id = self.log_id
        return Checkpoint(log_id, seq, head_hash, sign(secret, log_id, seq, head_hash))

    def verify(
        self, *, checkpoint: Checkpoint | None = None, key: bytes | None = None
    ) -> VerifyReport:
        """
        Check every event's hash, payload digest and link, and the head; true when intact.

        Without a checkpoint the head row is still compared with the last event (events
        deleted from the end while the head stayed are found). With one (and its key),
        truncation, deletion with the head reset, and a chain recomputed with the public
        hash function are found too.

        Args:
            checkpoint: a head signed earlier by `checkpoint`.
            key: the key it was signed with.

        Returns:
            A `VerifyReport`: ``ok``, events ``checked``, the ``first_bad`` sequence number
            and the ``problem`` in words.

        Raises:
            ValidationError: *checkpoint* is not a `Checkpoint`, or *key* is missing or
                shorter than 16 bytes.

        .. versionchanged:: 0.2.0
            Returns a `VerifyReport` (true when intact); ``checkpoint`` and ``key``.
        """
        cp, refused = check_checkpoint(checkpoint, key, self.log_id)
        if refused is not None:
            return refused
        chain = Chain(cp)
        return chain.finish(*self._walk(chain))

    def _walk(self, chain: Chain) -> tuple[int, str]:
        """
        Walk *chain* over the events, oldest first, until a problem; then the head row.

        A store may read the events and the head in one snapshot, and faster.
        """
        chain.walk(self._chain_entries())
        return self.head()

    def _chain_entries(self) -> Iterator[ChainEntry]:
        """
        What `verify` checks of each event, oldest first (stores may read it faster).
        """
        for event in self.events():
            yield (
                event.seq,
                event.prev_hash,
                event.hash,
                event.content_hash(),
                event.payload_problem(),
            )


class MemoryAuditLog(AuditLog):
    """
    An audit log kept in memory (the default); thread-safe.

    .. versionadded:: 0.1.0
    """

    def __init__(self) -> None:
        self._events: list[AuditEvent] = []
        self._lock = threading.RLock()
        self._log_id = uuid.uuid4().hex

    def __len__(self) -> int:
        return len(self._events)

    @property
    def log_id(self) -> str:
        """
        The log's identity, made when it was constructed.
        """
        return self._log_id

    def _append(
        self,
        at: dt.datetime,
        actor: str,
        action: str,
        schema: str,
        ids: tuple[str, ...],
        names: tuple[str, ...],
        data: dict[str, object],
        values: Changes,
    ) -> AuditEvent:
        with self._lock:
            prev = self._events[-1].hash if self._events else GENESIS
            draft = AuditEvent(
                len(self._events) + 1,
                at,
                actor,
                action,
                schema,
                ids,
                tuple(sorted(names)),
                data,
                prev,
                changes=values,
            )
            event = attrs.evolve(draft, hash=draft.content_hash())
            self._events.append(event)
            return event

    def events(
        self,
        record_id: str | None = None,
        *,
        actor: str | None = None,
        action: str | None = None,
        schema: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> Iterator[AuditEvent]:
        """
        Events in order, those that pass every filter given (see `AuditLog.events`).
        """
        wanted = EventFilter.of(record_id, actor, action, schema, since, until)
        snapshot = list(self._events)
        return (e for e in snapshot if wanted.matches(e))

    def head(self) -> tuple[int, str]:
        """
        The last sequence number and hash (``0`` and the genesis hash when empty).
        """
        with self._lock:
            last = self._events[-1] if self._events else None
        return (0, GENESIS) if last is None else (last.seq, last.hash)

    def redact(self, record_ids: Collection[str]) -> int:
        """
        Remove the payload of every event naming one of *record_ids*; how many were.
        """
        ids = check_redact(record_ids)
        return len(self._redact(ids))

    def _redact(self, ids: frozenset[str]) -> list[tuple[int, AuditEvent]]:
        """
        Redact in place; the ``(index, event before)`` pairs changed, to undo them.
        """
        done: list[tuple[int, AuditEvent]] = []
        with self._lock:
            for i, event in enumerate(self._events):
                if event.redacted or event.payload_digest is None:
                    continue
                if ids.isdisjoint(event.record_ids):
                    continue
                self._events[i] = attrs.evolve(event, detail={}, changes={}, redacted=True)
                done.append((i, event))
        return done
