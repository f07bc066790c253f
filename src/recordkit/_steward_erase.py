"""
Erasure and subject access: a person's data, found, handed over or removed everywhere.

`erase` finds every record of a subject (a record id, or identity values such as an email,
followed through the merges that joined her records), checks the ``erase`` permission on
each, and hands the facade's one commit path an `Erasure`: the store removes the records
and every copy (lineage, consent, quarantined rows holding her identifiers, audit
payloads), one ``erase`` event records what was removed and why without any value, keyed
suppression entries remember her identifiers so a re-import is refused, and after the
COMMIT the duplicate index forgets her. `export_subject` gathers what is held about her.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import attrs

from recordkit._errors import NotFound, RecordkitError, shorten
from recordkit._steward_change import Change, Erasure
from recordkit._steward_core import SYSTEM
from recordkit._steward_index import _IndexKeeping
from recordkit._steward_unmerge import merged_with
from recordkit.governance import Action, Actor, Masked
from recordkit.match import MergePlan
from recordkit.schema import Email, Phone, Record, Schema
from recordkit.store import Erased, Store, Suppression

__all__ = [
    "SUPPRESSED",
    "ErasureReceipt",
    "identity_fields",
    "suppressed_ids",
    "suppression_digest",
]

SUPPRESSED = (
    "the row holds an identifier of a person erased from this schema (a suppression entry "
    "matches it); it is not captured again"
)
"""
Why a row of an erased person is refused.
"""

IDENTITY_TAGS = frozenset({"contact_point", "identifier"})
"""
Tags that make a field an identifier of a person, beside email and phone fields.
"""


def identity_fields(schema: Schema) -> tuple[str, ...]:
    """
    The fields that identify a person.

    Email and phone fields, and those tagged ``contact_point`` or ``identifier``.
    """
    return tuple(
        f.name
        for f in schema.fields
        if isinstance(f.type, Email | Phone) or IDENTITY_TAGS & set(f.tags)
    )


def suppression_digest(key: bytes, schema: str, field: str, value: object) -> str:
    """
    The keyed hash a suppression entry keeps of one identifier (HMAC-SHA256, hex).

    The value is folded (case, surrounding and inner runs of space) so the same
    identifier written differently gives the same digest.
    """
    text = " ".join(str(value).split()).casefold()
    message = f"{schema}\x1f{field}\x1f{text}".encode("utf-8", "surrogatepass")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@attrs.frozen
class ErasureReceipt:
    """
    What `Steward.erase` removed: the proof of an erasure, holding none of the data.

    Attributes:
        erasure: the erasure's id (its audit event and suppression entries name it).
        record_ids: the records erased.
        erased: the counts per place (records, lineage, consents, quarantine, audit).
        suppressed: how many identifiers were kept as keyed hashes (0 without a key).
        reason: why (the request it answers).

    .. versionadded:: 0.2.0
    """

    erasure: str
    record_ids: tuple[str, ...]
    erased: Erased
    suppressed: int
    reason: str

    def to_dict(self) -> dict[str, object]:
        """
        The receipt as plain data.
        """
        return {
            "erasure": self.erasure,
            "record_ids": list(self.record_ids),
            "erased": self.erased.to_dict(),
            "suppressed": self.suppressed,
            "reason": self.reason,
        }


class _SubjectVerbs(_IndexKeeping):
    """
    A person's data: handed over (`export_subject`) or erased everywhere (`erase`).
    """

    def erase(
        self, subject: str | Mapping[str, Any], *, reason: str, actor: Actor = SYSTEM
    ) -> ErasureReceipt:
        """
        Erase a person: every record of *subject* and every copy the store holds of it.

        *subject* is a record id, or identity values (``{"email": "ada@example.com"}``)
        normalized by the steward's rules and matched exactly; the records the matches
        were merged with, or merged into, are the same person and are erased too. In one
        transaction, through the one commit path: the records, their merge lineage,
        consent entries, the quarantined rows holding one of their identifiers and the
        payloads of the audit events naming them are removed (the audit chain still
        verifies); an ``erase`` event records the ids, the counts and *reason*, never a
        value; and, when the steward has a key, keyed hashes of the identifiers are kept
        as suppression entries, so capturing the same person again is refused. The
        duplicate index forgets the records after the COMMIT.

        Args:
            subject: a record id, or a mapping of identity fields to values.
            reason: why (the request it answers), kept in the audit trail.
            actor: who erases; needs the ``erase`` permission on every record.

        Returns:
            The `ErasureReceipt`.

        Raises:
            NotFound: *subject* names no record (erased already, or never held).
            AccessDenied: *actor* may not erase one of the records (nothing is erased).
            RecordkitError: *subject* or *reason* is not what erase takes.

        .. versionadded:: 0.2.0
        """
        self._check_actor(actor)
        if not isinstance(reason, str) or not reason.strip() or len(reason) > 2000:
            raise RecordkitError(f"reason must be non-blank text (2000 characters at most), "
                                 f"got {shorten(reason)}")  # fmt: skip
        records = self._subject(subject)
        erasure = self._new_id()
        now = self._now()
        identifiers = self._identifiers(records)
        suppressions: list[Suppression] = []
        key = self._key
        if key is not None:
            digests = {
                (name, suppression_digest(key, self.schema.name, name, value))
                for name, value in identifiers
            }
            suppressions = [
                Suppression(self.schema.name, name, digest, now, erasure)
                for name, digest in sorted(digests)
            ]
        plan = Erasure(
            owner=self,
            records=tuple(records),
            values=tuple(sorted({str(v) for _, v in identifiers})),
            suppressions=tuple(suppressions),
            erasure=erasure,
            reason=reason,
        )
        committed = self._commit(Change(actor, now, erasure=plan))
        assert committed.erased is not None  # an erasure always reports its counts
        return ErasureReceipt(
            erasure,
            tuple(r.id for r in records),
            committed.erased,
            len(suppressions),
            reason,
        )

    def export_subject(
        self, subject: str | Mapping[str, Any], *, actor: Actor = SYSTEM
    ) -> dict[str, Any]:
        """
        Everything held about a person, as plain JSON data (a subject access request).

        *subject* is found as `erase` finds it (a record id, or identity values followed
        through merges). The export holds each record with every value's provenance
        (source, time, raw value), the merges that joined her records (their plans and
        originals), her consent history and the audit events naming her records with
        their values. *actor* needs the ``export`` permission on every record; values it
        may not read in clear stay masked.

        Examples:
            >>> data = contacts.export_subject({"email": "ada@example.com"})  # doctest: +SKIP
            >>> sorted(data)  # doctest: +SKIP
            ['audit', 'consents', 'exported_at', 'merges', 'records', 'schema']

        Raises:
            NotFound: *subject* names no record.
            AccessDenied: *actor* may not export one of the records.
            RecordkitError: *subject* is neither a record id nor identity values.

        .. versionadded:: 0.2.0
        """
        self._check_actor(actor)
        records = self._subject(subject)
        schema = self.schema
        for record in records:
            self.access.check(actor, Action.EXPORT, schema, record, schema.field_names)
        sight = self._sight(actor)
        ids = [r.id for r in records]
        merges: dict[str, Any] = {}
        consents: list[dict[str, Any]] = []
        events: dict[int, Any] = {}
        for rid in ids:
            for lineage in self.store.lineage(rid):
                if lineage.id not in merges:
                    plan = sight.plan(self._merge_plan(lineage.id))
                    merges[lineage.id] = {
                        "id": lineage.id,
                        "actor": lineage.actor,
                        "at": lineage.at.isoformat(),
                        "undone_at": None if lineage.undone_at is None
                        else lineage.undone_at.isoformat(),
                        "plan": plan.to_dict(schema),
                    }  # fmt: skip
            for entry in self.store.consents(rid):
                consents.append(
                    {
                        "record_id": entry.record_id,
                        "purpose": entry.purpose,
                        "granted": entry.granted,
                        "at": entry.at.isoformat(),
                        "source": entry.source,
                        "actor": entry.actor,
                        "detail": dict(entry.detail),
                    }
                )
            for event in self.audit.events(rid):
                if event.seq not in events:
                    events[event.seq] = {
                        "seq": event.seq,
                        "at": event.at.isoformat(),
                        "actor": event.actor,
                        "action": event.action,
                        "record_ids": list(event.record_ids),
                        "fields": list(event.fields),
                        "detail": _plain(event.detail),
                        "changes": _plain(sight.changes(event.changes)),
                        "redacted": event.redacted,
                    }
        return {
            "schema": schema.name,
            "exported_at": self._now().isoformat(),
            "records": [_plain(sight.readable(r).to_dict(schema)) for r in records],
            "merges": list(merges.values()),
            "consents": consents,
            "audit": [events[k] for k in sorted(events)],
        }

    def _merge_plan(self, merge_id: str) -> MergePlan:
        lineage = self.store.get_lineage(merge_id)
        return MergePlan.from_dict(lineage.detail, self.schema)

    def _subject(self, subject: object) -> list[Record]:
        """
        Every stored record of *subject*, followed through merges.

        Raises:
            NotFound: none.
            RecordkitError: *subject* is neither a record id nor a mapping of fields.
        """
        if isinstance(subject, str):
            found = [self._own(subject)]
        elif isinstance(subject, Mapping) and subject:
            mapping = self._mapping(subject)
            unknown = [k for k in mapping if k not in self.schema]
            if unknown:
                raise RecordkitError(f"subject names no field {shorten(unknown[0])} of "
                                     f"{self.schema.name!r}")  # fmt: skip
            checked = self.rules.run(mapping)
            where = {k: checked.values.get(k) for k in mapping if mapping[k] is not None}
            if not where or any(v is None for v in where.values()):
                raise RecordkitError(f"subject values must be readable, got {shorten(subject)}")
            found = self.store.query(self.schema.name, where=where)
            if not found:
                raise NotFound(
                    None, message=f"no {self.schema.name!r} record holds {shorten(subject)}"
                )
        else:
            raise RecordkitError(
                f"subject is a record id or a mapping of identity fields, got {shorten(subject)}"
            )
        by_id = {r.id: r for r in found}
        ids, _ = merged_with(self.store, by_id, undone=True)
        others = [rid for rid in ids if rid not in by_id]
        for other in self.store.get_many(others) if others else ():
            if other is not None and other.schema == self.schema.name:
                by_id[other.id] = other
        return sorted(by_id.values(), key=lambda r: r.id)

    def _identifiers(self, records: list[Record]) -> list[tuple[str, object]]:
        """
        The identity values of *records* (field, value), with their raw forms.
        """
        out: list[tuple[str, object]] = []
        for record in records:
            for name in identity_fields(self.schema):
                value = record.values.get(name)
                if value is not None:
                    out.append((name, self.schema.field(name).type.dump(value)))
                prov = record.provenance.get(name)
                if prov is not None and prov.raw not in (None, ""):
                    out.append((name, prov.raw))
        return out


def suppressed_ids(
    store: Store, schema: Schema, key: bytes | None, records: list[Record]
) -> set[str]:
    """
    The ids of *records* holding an identifier of a person erased from *schema*.

    Nothing is found without a key (no suppression entries were kept).
    """
    if key is None or not records:
        return set()
    names = identity_fields(schema)
    by_digest: dict[tuple[str, str], set[str]] = {}
    for record in records:
        for name in names:
            value = record.values.get(name)
            if value is not None:
                dumped = schema.field(name).type.dump(value)
                d = suppression_digest(key, schema.name, name, dumped)
                by_digest.setdefault((name, d), set()).add(record.id)
    hit: set[str] = set()
    for name in names:
        digests = [d for (n, d) in by_digest if n == name]
        if digests:
            for d in store.suppressions(schema.name, name, digests):
                hit |= by_digest[(name, d)]
    return hit


def _plain(value: Any) -> Any:
    """
    *value* as JSON data: masked values become their text, dates ISO text.
    """
    if isinstance(value, Masked):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
