"""
The plain-data entries a store keeps beside records.

Merge lineage, consent and quarantine are facts about records that must
outlive the records' current values. Each is a frozen attrs value holding only JSON-safe
data, so every store can keep it the same way (a dictionary in memory, a JSON column in SQL)
and a caller can rebuild it from what the store gives back.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs

from recordkit._errors import StoreError, shorten
from recordkit.schema import Record

__all__ = [
    "ConsentEntry",
    "Lineage",
    "QuarantineEntry",
    "UpsertResult",
    "Write",
    "json_safe",
    "record_changes",
]

Write = tuple[Record, int | None]
"""
One write of a multi-record change: the new record and the version it replaces (``None``
creates it).
"""


def json_safe(value: Any, *, path: str = "detail") -> Any:
    """
    Return *value* as JSON data: mappings with text keys, lists, text, numbers, booleans.

    Tuples become lists; non-finite floats and other objects become their text, so what a
    store gives back is exactly what a JSON column holds.

    Raises:
        StoreError: a mapping key is not text, or the data nests too deep.
    """
    return _safe(value, path, 0)


def _safe(value: Any, path: str, depth: int) -> Any:
    if depth > 50:
        raise StoreError(f"{path}: nested more than 50 levels deep")
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise StoreError(f"{path}: keys must be text, got {shorten(key)}")
            out[key] = _safe(item, f"{path}.{key}", depth + 1)
        return out
    if isinstance(value, list | tuple):
        return [_safe(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value)]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def record_changes(before: Record | None, after: Record | None) -> dict[str, tuple[Any, Any]]:
    """
    Field → ``(before, after)`` for the fields a write changed (``None``: no value).
    """
    old: Mapping[str, Any] = before.values if before is not None else {}
    new: Mapping[str, Any] = after.values if after is not None else {}
    out: dict[str, tuple[Any, Any]] = {}
    for name in sorted(old.keys() | new.keys()):
        a, b = old.get(name), new.get(name)
        if a != b:
            out[name] = (a, b)
    return out


def _plain(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if value is not None and not isinstance(value, Mapping):
        raise StoreError(f"detail is a mapping of plain data, got {shorten(value)}")
    data = json_safe(dict(value or {}))
    assert isinstance(data, dict)
    return data


def _utc(value: dt.datetime) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise StoreError(f"expected a datetime, got {shorten(value)}")
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _utc_or_none(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else _utc(value)


def _ids(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, bytes) or not isinstance(value, Iterable):
        raise StoreError(f"expected a list of record ids, got {shorten(value)}")
    ids = tuple(value)
    for i in ids:
        if not isinstance(i, str) or not i:
            raise StoreError(f"record ids are non-blank text, got {shorten(i)}")
    return ids


def _flag(value: bool) -> bool:
    if not isinstance(value, bool):
        raise StoreError(f"granted is True or False, got {shorten(value)}")
    return value


BASES: Final = (
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interests",
)
"""
The lawful bases of processing a consent entry may name (GDPR art. 6(1) a to f).
"""


def _basis(value: object) -> str:
    if value not in BASES:
        raise StoreError(f"basis must be one of {', '.join(BASES)}, got {shorten(value)}")
    return str(value)


def _text(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise StoreError(f"expected non-blank text, got {shorten(value)}")
    return value


@attrs.frozen
class Lineage:
    """
    One merge: which records became which survivor, kept so the merge can be undone.

    ``detail`` is the merging layer's plain data (per-field sources, match scores, the
    pre-merge snapshots it needs to unmerge); the store keeps it verbatim as JSON.

    Args:
        id: the merge's id.
        schema: the record type.
        survivor_id: the record that holds the merged values.
        merged_ids: the records folded into it.
        at: when the merge happened (UTC).
        actor: who merged.
        detail: plain data about the merge.
        undone_at: when the merge was undone (``None`` while it stands).
        undone_by: who undid it.

    .. versionadded:: 0.1.0
    """

    id: str = attrs.field(converter=_text)
    schema: str = attrs.field(converter=_text)
    survivor_id: str = attrs.field(converter=_text)
    merged_ids: tuple[str, ...] = attrs.field(converter=_ids)
    at: dt.datetime = attrs.field(converter=_utc)
    actor: str = attrs.field(converter=_text)
    detail: Mapping[str, Any] = attrs.field(factory=dict, converter=_plain, hash=False)
    undone_at: dt.datetime | None = attrs.field(default=None, converter=_utc_or_none)
    undone_by: str | None = None

    @property
    def record_ids(self) -> tuple[str, ...]:
        """
        The survivor followed by the merged records.
        """
        return (self.survivor_id, *self.merged_ids)


@attrs.frozen
class ConsentEntry:
    """
    One consent decision: a person granted or withdrew a purpose (``email_marketing``).

    The history of entries is kept; the latest entry per purpose and channel is the one in
    force (until it expires).

    Args:
        record_id: the person's record.
        purpose: what the consent is for.
        granted: granted (``True``) or withdrawn (``False``).
        at: when it was given (UTC).
        source: where it was captured (``web_form``, ``call_center``).
        actor: who recorded it.
        detail: plain data (wording shown, proof reference).
        channel: the channel it covers (``email``, ``sms``, ``phone``; ``any``: all).
        basis: the lawful basis (GDPR art. 6): ``consent``, ``contract``,
            ``legal_obligation``, ``vital_interests``, ``public_task`` or
            ``legitimate_interests``.
        expires_at: when a grant lapses (``None``: it does not).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 *channel*, *basis* and *expires_at* (keyword-only).
    """

    record_id: str = attrs.field(converter=_text)
    purpose: str = attrs.field(converter=_text)
    granted: bool = attrs.field(converter=_flag)
    at: dt.datetime = attrs.field(converter=_utc)
    source: str = attrs.field(converter=_text)
    actor: str = attrs.field(converter=_text)
    detail: Mapping[str, Any] = attrs.field(factory=dict, converter=_plain, hash=False)
    channel: str = attrs.field(default="any", converter=_text, kw_only=True)
    basis: str = attrs.field(default="consent", converter=_basis, kw_only=True)
    expires_at: dt.datetime | None = attrs.field(default=None, converter=_utc_or_none, kw_only=True)

    def in_force(self, at: dt.datetime) -> bool:
        """
        Whether this entry is a grant that has not lapsed at *at*.
        """
        return self.granted and (self.expires_at is None or _utc(at) < self.expires_at)


def _row(value: Mapping[str, Any]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise StoreError(f"a quarantined row is a mapping, got {type(value).__name__}")
    return _plain(value)


def _reasons(value: object) -> tuple[tuple[str, str], ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise StoreError(f"reasons are (field, reason) pairs, got {shorten(value)}")
    out: list[tuple[str, str]] = []
    for item in value:
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise StoreError(f"a quarantine reason is a (field, reason) pair, got {shorten(item)}")
        out.append((str(item[0]), str(item[1])))
    return tuple(out)


@attrs.frozen
class QuarantineEntry:
    """
    A row that was refused, kept whole with the reasons, until someone fixes or releases it.

    Args:
        id: the entry's id.
        schema: the record type the row was meant to become.
        at: when it was refused (UTC).
        source: where the row came from.
        row: the row as received (made JSON-safe: odd values become their text).
        reasons: ``(field, reason)`` pairs.
        batch: the batch (import run) it belonged to, if any.
        index: its position in that batch.

    .. versionadded:: 0.1.0
    """

    id: str = attrs.field(converter=_text)
    schema: str = attrs.field(converter=_text)
    at: dt.datetime = attrs.field(converter=_utc)
    source: str = attrs.field(converter=_text)
    row: Mapping[str, Any] = attrs.field(converter=_row, hash=False)
    reasons: tuple[tuple[str, str], ...] = attrs.field(converter=_reasons)
    batch: str | None = None
    index: int | None = None


@attrs.frozen
class UpsertResult:
    """
    What a bulk upsert did, by record id.

    Args:
        created: ids that were new.
        updated: ids where at least one incoming value won and was written.
        unchanged: ids that existed and kept every stored value (older or lower-ranked
            sources).

    .. versionadded:: 0.1.0
    """

    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        """
        Records offered.
        """
        return len(self.created) + len(self.updated) + len(self.unchanged)


def dumps(value: Any) -> str:
    """
    JSON text for already JSON-safe *value* (compact, non-ASCII kept).
    """
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
