"""
Reading the audit trail: the filters `AuditLog.events` takes, and `replay`.

Each filter is checked before anything is read; a SQL store turns them into its WHERE
clause, the memory log applies `EventFilter.matches`. `replay` folds a record's events
into its field values, from empty, using the ``after`` of each change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

from recordkit._errors import ValidationError, shorten
from recordkit.governance._audit_event import AuditEvent
from recordkit.schema import JSONValue

__all__ = ["EventFilter", "replay"]


def _text_or_none(name: str, value: object) -> str | None:
    if value is not None and (not isinstance(value, str) or not value or len(value) > 10_000):
        raise ValidationError(f"{name} must be non-blank text or None, got {shorten(value)}")
    return value


def _time_or_none(name: str, value: object) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        raise ValidationError(f"{name} must be a datetime or None, got {shorten(value)}")
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


@attrs.frozen
class EventFilter:
    """
    The filters of `AuditLog.events`, checked; all given ones must hold.

    ``since`` is inclusive, ``until`` exclusive; naive times are UTC.
    """

    record_id: str | None = None
    actor: str | None = None
    action: str | None = None
    schema: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    @classmethod
    def of(
        cls,
        record_id: object = None,
        actor: object = None,
        action: object = None,
        schema: object = None,
        since: object = None,
        until: object = None,
    ) -> EventFilter:
        """
        The filters, checked.

        Raises:
            ValidationError: a filter is of the wrong type (named).
        """
        return cls(
            _text_or_none("record_id", record_id),
            _text_or_none("actor", actor),
            _text_or_none("action", action),
            _text_or_none("schema", schema),
            _time_or_none("since", since),
            _time_or_none("until", until),
        )

    def matches(self, event: AuditEvent) -> bool:
        """
        Whether *event* passes every filter.
        """
        at = event.at if event.at.tzinfo is not None else event.at.replace(tzinfo=dt.UTC)
        return (
            (self.record_id is None or self.record_id in event.record_ids)
            and (self.actor is None or event.actor == self.actor)
            and (self.action is None or event.action == self.action)
            and (self.schema is None or event.schema == self.schema)
            and (self.since is None or at >= self.since)
            and (self.until is None or at < self.until)
        )


def replay(events: Iterable[AuditEvent], record_id: str) -> dict[str, JSONValue]:
    """
    A record's field values rebuilt from its events, oldest first, from empty.

    Each event's ``changes[record_id][field]`` is ``[before, after]``; the ``after``
    values are applied in order; an ``after`` of ``None`` removes the field (a deleted
    record replays to ``{}``). Events that carry no changes for *record_id* (or were
    redacted) change nothing.

    Examples:
        >>> values = replay(store.audit_log().events("c-1"), "c-1")  # doctest: +SKIP

    Args:
        events: events in log order (typically ``log.events(record_id)``).
        record_id: the record to rebuild.

    Returns:
        field → value as JSON data, as the last change left it.

    Raises:
        ValidationError: *record_id* is not text, or *events* holds something other than
            `AuditEvent` objects.

    .. versionadded:: 0.2.0
    """
    if not isinstance(record_id, str) or not record_id:
        raise ValidationError(f"record_id must be non-blank text, got {shorten(record_id)}")
    if isinstance(events, str | bytes) or not isinstance(events, Iterable):  # type: ignore[unreachable]
        raise ValidationError(f"events must be a list of AuditEvent, got {shorten(events)}")
    values: dict[str, JSONValue] = {}
    for event in events:
        if not isinstance(event, AuditEvent):
            raise ValidationError(f"events must be AuditEvent objects, got {shorten(event)}")
        fields = event.changes.get(record_id)
        if not fields:
            continue
        for name, pair in fields.items():
            if pair[1] is None:
                values.pop(name, None)
            else:
                values[name] = pair[1]
    return values
