"""
`AuditEvent`: one entry of the audit trail, its header hash and its payload digest.

An event is a header (sequence number, time, actor, action, schema, records, fields, the
previous event's hash) and a payload (``detail`` and ``changes``, the values written). The
event's hash covers the header and the SHA-256 of the payload's canonical JSON, not the
payload itself, so a payload can be removed (redacted) and the chain still verifies, while a
payload that is present and altered no longer matches its digest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

import attrs

from recordkit._errors import ValidationError, shorten

__all__ = [
    "GENESIS",
    "AuditEvent",
    "canonical",
    "check_append",
    "header_hash",
    "joined_changes",
    "legacy_hash",
    "payload_digest",
    "payload_text",
    "plain",
    "split_changes",
    "written_text",
]

GENESIS: Final = "0" * 64
"""
The ``prev_hash`` of the first event.
"""

Changes = dict[str, dict[str, list[Any]]]


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


_LEAVES: Final = frozenset({str, int, bool, type(None)})
"""
The types `plain` keeps as they are, looked up by exact type (most of an event's values).
"""


def plain(value: object, path: str, depth: int = 0) -> Any:
    """
    *value* as JSON data: text keys, lists for tuples, text for other objects.

    Dates and times become ISO text, non-finite floats and other objects their text, so an
    event holds the same data in memory and in a database.

    Raises:
        ValidationError: a mapping key is not text, or the data nests too deep (named by
            *path*).
    """
    return _plain(value, path, depth)


_Path = str | tuple["_Path", str | int]
"""
Where a value is: the top's name, or (where its container is, its key or index). Made into
text only for an error, so checking large data costs no formatting.
"""


def _path_text(at: _Path) -> str:
    parts: list[str] = []
    while isinstance(at, tuple):
        at, key = at
        parts.append(f"[{key}]" if isinstance(key, int) else f".{key}")
    return at + "".join(reversed(parts))


def _plain(value: object, at: _Path, depth: int) -> Any:
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if depth > 50:
        raise ValidationError(f"{_path_text(at)}: nested more than 50 levels deep")
    leaves = _LEAVES
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValidationError(f"{_path_text(at)}: keys must be text, got {shorten(key)}")
            out[key] = item if type(item) in leaves else _plain(item, (at, key), depth + 1)
        return out
    if isinstance(value, list | tuple):
        return [
            item if type(item) in leaves else _plain(item, (at, i), depth + 1)
            for i, item in enumerate(value)
        ]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _changes(value: object) -> Changes:
    """
    *changes* checked: record id → field → ``[before, after]``, as JSON data.
    """
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(f"changes must be a mapping of record ids, got {shorten(value)}")
    leaves = _LEAVES
    named: set[str] = set()
    out: Changes = {}
    for record_id, fields in value.items():
        _text("a record id in changes", record_id)
        if not isinstance(fields, Mapping):
            raise ValidationError(
                f"changes[{shorten(record_id)}] must map fields to [before, after], "
                f"got {shorten(fields)}"
            )
        row: dict[str, list[Any]] = {}
        for name, pair in fields.items():
            if type(name) is not str or name not in named:  # each name checked once
                named.add(_text(f"a field name in changes[{shorten(record_id)}]", name))
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise ValidationError(
                    f"changes[{shorten(record_id)}][{shorten(name)}] must be [before, after], "
                    f"got {shorten(pair)}"
                )
            before, after = pair
            if type(before) not in leaves or type(after) not in leaves:
                where = f"changes[{shorten(record_id)}][{shorten(name)}]"
                before, after = _plain(before, where, 0), _plain(after, where, 0)
            row[name] = [before, after]
        out[record_id] = row
    return out


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
    dt.datetime, str, str, str, tuple[str, ...], tuple[str, ...], dict[str, object], Changes
]:
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
        plain(dict(detail or {}), "detail"),
        _changes(changes),
    )


def _changes_shape(_: object, __: object, value: object) -> None:
    """
    An event's changes are record id → field → ``[before, after]`` (shape only).
    """
    if not isinstance(value, Mapping):
        raise ValidationError(f"changes must be a mapping of record ids, got {shorten(value)}")
    for record_id, fields in value.items():
        if not isinstance(fields, Mapping) or not all(
            isinstance(p, list | tuple) and len(p) == 2 for p in fields.values()
        ):
            raise ValidationError(
                f"changes[{shorten(record_id)}] must map fields to [before, after], "
                f"got {shorten(fields)}"
            )


_ISO: Final[dict[type, Callable[[Any], str]]] = {
    dt.date: dt.date.isoformat,
    dt.datetime: dt.datetime.isoformat,
}
"""
The text of the two kinds of value a payload holds most, found by their exact type (a bulk
write's payload asks for hundreds of thousands).
"""


def _default(value: object) -> str:
    as_text = _ISO.get(type(value))
    if as_text is not None:
        return as_text(value)
    if isinstance(value, dt.datetime | dt.date):  # their subclasses
        return value.isoformat()
    return str(value)


def canonical(value: object) -> str:
    """
    The canonical JSON of *value*: sorted keys, no spaces, ASCII only.

    Dates and times become ISO text and other objects their text, as `plain` makes them.
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_default)


def payload_text(detail: Mapping[str, Any], changes: Mapping[str, Any]) -> str:
    """
    The canonical JSON of a payload: ``{"after": …, "before": …, "detail": …}``.

    *changes* (record id → field → ``[before, after]``) is kept as two maps, as
    `split_changes` makes them: each value is written once, so a bulk write's payload costs
    about half of what pairs would.
    """
    before, after = split_changes(changes)
    return written_text(detail, before, after)


def written_text(
    detail: Mapping[str, Any],
    before: Mapping[str, Mapping[str, Any]],
    after: Mapping[str, Mapping[str, Any]],
) -> str:
    """
    The canonical JSON of a payload given as `split_changes` gives it.
    """
    return canonical({"after": after, "before": before, "detail": detail})


def split_changes(
    changes: Mapping[str, Mapping[str, Any]],
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """
    *changes* as ``(before, after)``: record id → field → value.

    ``after`` names every record and every changed field (``None``: the field was
    cleared); ``before`` holds only the values that were there (none for a created
    record). `joined_changes` turns them back.
    """
    before: dict[str, dict[str, Any]] = {}
    after: dict[str, dict[str, Any]] = {}
    for record_id, fields in changes.items():
        new = after[record_id] = {}
        old: dict[str, Any] | None = None
        for name, (was, now) in fields.items():
            new[name] = now
            if was is not None:
                if old is None:
                    old = before[record_id] = {}
                old[name] = was
    return before, after


def joined_changes(before: object, after: object) -> dict[str, dict[str, list[Any]]]:
    """
    The changes `split_changes` split: record id → field → ``[before, after]``.

    Raises:
        ValueError: *before* or *after* is not a mapping of mappings.
    """
    if not isinstance(before, Mapping) or not isinstance(after, Mapping):
        raise ValueError("a payload's before and after are mappings")
    out: dict[str, dict[str, list[Any]]] = {}
    for record_id, new in after.items():
        old = before.get(record_id, {})
        if not isinstance(new, Mapping) or not isinstance(old, Mapping):
            raise ValueError(f"the payload of record {record_id!r} is not a mapping")
        out[record_id] = {name: [old.get(name), new[name]] for name in new}
    return out


def payload_digest(text: str) -> str:
    """
    The SHA-256 of a payload's canonical JSON (`payload_text`).
    """
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def header_hash(
    seq: int,
    at: str,
    actor: str,
    action: str,
    schema: str,
    record_ids: str,
    fields: str,
    digest: str,
    prev: str,
) -> str:
    """
    The hash of an event from its header; *record_ids* and *fields* as JSON text.

    The header is the JSON list ``[seq, at, actor, action, schema, record_ids, fields,
    payload_digest, prev_hash]`` as ``json.dumps`` writes it (the way a JSON column holds
    the lists), so a SQL store hashes its stored text without decoding it.
    """
    dumps = json.dumps
    text = (
        f"[{seq}, {dumps(at)}, {dumps(actor)}, {dumps(action)}, {dumps(schema)}, "
        f"{record_ids}, {fields}, {dumps(digest)}, {dumps(prev)}]"
    )
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def legacy_hash(event: AuditEvent) -> str:
    """
    The hash of an event written before payload digests (0.1): over its detail itself.
    """
    body = {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "schema": event.schema,
        "record_ids": list(event.record_ids),
        "fields": list(event.fields),
        "detail": event.detail,
        "prev": event.prev_hash,
    }
    text = json.dumps(body, sort_keys=True, default=str, ensure_ascii=False)
    # surrogatepass: an event must hash whatever text reached it, never raise
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _digest_of(event: AuditEvent) -> str | None:
    try:
        return payload_digest(payload_text(event.detail, event.changes))
    except (AttributeError, TypeError, ValueError):
        return None  # a malformed payload: the validators name what is wrong


@attrs.frozen
class AuditEvent:
    """
    One thing that happened to one or more records, with the values it wrote.

    Args:
        seq: position in the log, from 1.
        at: when (UTC).
        actor: who did it.
        action: what (``create``, ``update``, ``merge``, ``store.put``…).
        schema: the record type.
        record_ids: the records concerned.
        fields: the fields written.
        detail: plain data about the change (source, request id, rule@version…).
        prev_hash: ``hash`` of the previous event (``"0" * 64`` for the first).
        hash: SHA-256 over this event's header, its ``payload_digest`` and ``prev_hash``.
        changes: record id → field → ``[before, after]`` (before ``None`` when created).
        payload_digest: SHA-256 of the canonical JSON of ``detail`` and ``changes``
            (computed when not given; ``None`` for events written before digests, whose
            hash covers ``detail`` itself).
        redacted: the payload was removed (`AuditLog.redact`); ``detail`` and
            ``changes`` are empty and ``payload_digest`` is the digest of what they held.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
        ``changes``, ``payload_digest`` and ``redacted``; the hash covers the payload's
        digest, not the payload.
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
    changes: Mapping[str, Mapping[str, Any]] = attrs.field(
        factory=dict, hash=False, validator=_changes_shape
    )
    payload_digest: str | None = attrs.field(default=attrs.Factory(_digest_of, takes_self=True))
    redacted: bool = False

    def content_hash(self) -> str:
        """
        Recompute the SHA-256 this event should carry (from its header and payload digest).
        """
        if self.payload_digest is None:
            return legacy_hash(self)
        return header_hash(
            self.seq,
            self.at.isoformat(),
            self.actor,
            self.action,
            self.schema,
            json.dumps(list(self.record_ids)),
            json.dumps(list(self.fields)),
            self.payload_digest,
            self.prev_hash,
        )

    def payload_problem(self) -> str | None:
        """
        What is wrong with this event's payload, or ``None`` when it matches its digest.
        """
        if self.payload_digest is None:
            return None  # covered by the hash itself
        if self.redacted:
            if self.detail or self.changes:
                return f"event {self.seq} is marked redacted but still holds a payload"
            return None
        if payload_digest(payload_text(self.detail, self.changes)) != self.payload_digest:
            return f"the payload of event {self.seq} does not match its digest (altered)"
        return None
