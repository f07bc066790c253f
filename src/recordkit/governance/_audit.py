"""
The audit trail: an append-only, hash-chained log of every change.

Each event carries the SHA-256 of its content and of the event before it, so editing,
dropping or reordering a stored event breaks `verify`. Events name records and fields, not
values, so erasing a person's data never requires rewriting the trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from recordkit._errors import ValidationError, shorten

__all__ = ["AuditEvent", "AuditLog", "MemoryAuditLog"]

GENESIS = "0" * 64


def _names(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError(f"expected a list of names, got {shorten(value)}")
    out = tuple(value)
    for name in out:
        _text("a name", name)
    return out


def _text(what: str, value: object) -> str:
    """
    *value* when it is text an audit trail can keep (valid Unicode, at most 10,000 chars).
    """
    if not isinstance(value, str) or len(value) > 10_000:
        raise ValidationError(f"{what} must be text (at most 10,000 chars), got {shorten(value)}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(f"{what} is not valid Unicode text: {shorten(value)}") from None
    return value


def check_append(
    at: object,
    actor: object,
    action: object,
    schema: object,
    record_ids: object,
    fields: object,
    detail: object,
) -> tuple[dt.datetime, str, str, str, tuple[str, ...], tuple[str, ...], dict[str, object]]:
    """
    The arguments of `AuditLog.append`, checked; raise `ValidationError` naming the bad one.
    """
    if not isinstance(at, dt.datetime):
        raise ValidationError(f"at must be a datetime, got {shorten(at)}")
    if detail is not None and not isinstance(detail, Mapping):
        raise ValidationError(f"detail must be a mapping or None, got {shorten(detail)}")
    return (
        at,
        _text("actor", actor),
        _text("action", str(action) if isinstance(action, str) else action),
        _text("schema", schema),
        _names(record_ids),  # type: ignore[arg-type]  # checked inside
        _names(fields),  # type: ignore[arg-type]  # checked inside
        dict(detail or {}),
    )


@attrs.frozen
class AuditEvent:
    """
    One thing that happened to one or more records.

    Args:
        seq: position in the log, from 1.
        at: when (UTC).
        actor: who did it.
        action: what (``create``, ``update``, ``merge``…).
        schema: the record type.
        record_ids: the records concerned.
        fields: the fields written.
        detail: plain data about the change (source, versions, reasons).
        prev_hash: ``hash`` of the previous event (``"0" * 64`` for the first).
        hash: SHA-256 over this event's content and ``prev_hash``.

    .. versionadded:: 0.1.0
    """

    seq: int
    at: dt.datetime
    actor: str
    action: str
    schema: str
    record_ids: tuple[str, ...] = attrs.field(converter=_names)
    fields: tuple[str, ...] = attrs.field(converter=_names)
    detail: Mapping[str, Any] = attrs.field(factory=dict, hash=False)
    prev_hash: str = GENESIS
    hash: str = ""

    def content_hash(self) -> str:
        """
        Recompute the SHA-256 this event should carry.
        """
        body = {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "schema": self.schema,
            "record_ids": list(self.record_ids),
            "fields": list(self.fields),
            "detail": self.detail,
            "prev": self.prev_hash,
        }
        text = json.dumps(body, sort_keys=True, default=str, ensure_ascii=False)
        # surrogatepass: an event must hash whatever text reached it, never raise
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class AuditLog(ABC):
    """
    Where audit events go. Implementations chain and store them.

    .. versionadded:: 0.1.0
    """

    @abstractmethod
    def append(
        self,
        *,
        at: dt.datetime,
        actor: str,
        action: str,
        schema: str,
        record_ids: Sequence[str],
        fields: Iterable[str] = (),
        detail: Mapping[str, Any] | None = None,
    ) -> AuditEvent:
        """
        Record one event and return it, chained to the one before.
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
    ) -> tuple[dt.datetime, str, str, str, tuple[str, ...], tuple[str, ...], dict[str, object]]:
        """
        The arguments of `append`, checked, for implementations to call first.

        Returns:
            ``(at, actor, action, schema, record_ids, fields, detail)``, as plain values.

        Raises:
            ValidationError: an argument is not what an event holds (named).
        """
        return check_append(at, actor, action, schema, record_ids, fields, detail)

    @abstractmethod
    def events(self, record_id: str | None = None) -> Iterator[AuditEvent]:
        """
        Events in order; only those naming *record_id* when it is given.
        """

    def verify(self) -> bool:
        """
        Whether every event's hash and chain link are intact.
        """
        prev = GENESIS
        for event in self.events():
            if event.prev_hash != prev or event.content_hash() != event.hash:
                return False
            prev = event.hash
        return True


class MemoryAuditLog(AuditLog):
    """
    An audit log kept in memory (the default); thread-safe.

    .. versionadded:: 0.1.0
    """

    def __init__(self) -> None:
        self._events: list[AuditEvent] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._events)

    def append(
        self,
        *,
        at: dt.datetime,
        actor: str,
        action: str,
        schema: str,
        record_ids: Sequence[str],
        fields: Iterable[str] = (),
        detail: Mapping[str, Any] | None = None,
    ) -> AuditEvent:
        """
        Record one event and return it, chained to the one before.
        """
        at, actor, action, schema, ids, names, data = check_append(
            at, actor, action, schema, record_ids, fields, detail
        )
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
            )
            event = attrs.evolve(draft, hash=draft.content_hash())
            self._events.append(event)
            return event

    def events(self, record_id: str | None = None) -> Iterator[AuditEvent]:
        """
        Events in order; only those naming *record_id* when it is given.
        """
        snapshot = list(self._events)
        return (e for e in snapshot if record_id is None or record_id in e.record_ids)
