"""
The state and helpers every part of the `Steward` facade shares.

`Steward` is assembled from parts, one concept to a module: the road (capture, update,
batches), the lifecycle verbs and the merge verbs. `_StewardCore` holds what they all use:
the schema, store, access policy, audit log, rules, enrichment, lifecycles, matcher, clock
and ids, and the one commit path.

**The one commit path.** Every verb describes its change as a `Change` (the records it
writes with their before and after, lineage, quarantined rows, audit events) and hands it
to `_StewardCore._commit`, which alone: enriches the records it creates and updates (when
the steward has enrichers: `recordkit._steward_enrich`); checks the access policy for
every write, with the values being written; applies everything in one store transaction
(a persistent duplicate index's rows included); and only after the COMMIT succeeds,
brings an in-memory duplicate index up to date. No verb reaches the store, the audit log
or the index another way.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

from recordkit._errors import (
    AccessDenied,
    RecordkitError,
    StoreError,
    ValidationError,
    shorten,
)
from recordkit._resolve import Resolver
from recordkit._steward_change import Change, Committed, Erasure, Owner, Write, audit_changes
from recordkit._steward_enrich import enrich_change
from recordkit._steward_read import Sight
from recordkit.governance import AccessPolicy, Action, Actor, AuditEntry, AuditLog
from recordkit.lifecycle import Lifecycles
from recordkit.match import (
    DuplicateCheck,
)
from recordkit.quality import DERIVED_PREFIX, Enrichment
from recordkit.rules import (
    Enforcement,
    Issue,
    RuleSet,
)
from recordkit.schema import Record, Schema
from recordkit.store import Erased, QuarantineEntry, Store

SYSTEM: Final = Actor("system", roles={"system"})


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _new_id() -> str:
    return uuid.uuid4().hex


class _StewardCore:
    """
    What every part of `Steward` shares: its parts, reads and argument checks.
    """

    # The parts, set by `Steward.__init__` (declared here for the verbs that read them).
    schema: Schema
    store: Store
    access: AccessPolicy
    audit: AuditLog
    rules: RuleSet
    enrichment: Enrichment | None
    enforcement: Enforcement
    related: tuple[_StewardCore, ...]
    lifecycles: Lifecycles
    matcher: DuplicateCheck | None
    precedence: tuple[str, ...]
    _clock: Callable[[], dt.datetime]
    _ids: Callable[[], str]
    _swept_at: dt.datetime | None
    _unindexed: dict[str, Record]
    _resolver: Resolver
    _sights: dict[Actor, Sight]
    _key: bytes | None

    def __repr__(self) -> str:
        return f"Steward({self.schema.name!r}, store={type(self.store).__name__})"

    # -- reads --------------------------------------------------------------------------

    def get(self, record_id: str, *, actor: Actor = SYSTEM) -> Record:
        """
        Return the record with *record_id*, as *actor* may see it.

        Fields the steward's policy masks for *actor* hold `Masked` values (in the values
        and in the raw values of their provenance).

        Raises:
            NotFound: no such record of this schema.
            AccessDenied: *actor* may not read it.
        """
        self._check_actor(actor)
        record = self._own(record_id)
        self.access.check(actor, Action.READ, self.schema, record, self.schema.field_names)
        return self._sight(actor).readable(record)

    def _sight(self, actor: Actor) -> Sight:
        """
        What *actor* may see of this steward's records and the data about them.

        Kept per actor while the steward's policy stays the same object.
        """
        sights = self._sights
        sight = sights.get(actor)
        if sight is None or sight.access is not self.access:
            if len(sights) >= 1024:
                sights.clear()
            sight = sights[actor] = Sight(self.access, self.schema, actor)
        return sight

    def _own(self, record_id: str) -> Record:
        if not isinstance(record_id, str):
            raise RecordkitError(f"record ids are text, got {type(record_id).__name__}")
        record = self.store.get(record_id)
        if record.schema != self.schema.name:
            raise RecordkitError(
                f"record {record_id!r} is a {record.schema!r}, not a {self.schema.name!r}"
            )
        return record

    def _owner(self, values: Mapping[str, Any], current: str | None) -> str | None:
        if self.schema.owner_field is None:
            return current
        owner = values.get(self.schema.owner_field)
        return owner if isinstance(owner, str) else current

    @staticmethod
    def _mapping(raw: object) -> Mapping[str, Any]:
        if not isinstance(raw, Mapping):
            raise ValidationError(
                f"a record is a mapping of field names to values, got {type(raw).__name__}"
            )
        for key in raw:
            if not isinstance(key, str):
                raise ValidationError(f"field names are text, got {shorten(key)}")
        return raw

    @staticmethod
    def _check_source(source: object) -> None:
        if not _readable(source, 200) or not str(source).strip():
            raise RecordkitError(
                f"source must be a short non-blank name (valid Unicode), got {shorten(source)}"
            )
        if str(source).startswith(DERIVED_PREFIX):  # the mark of derived values only
            raise RecordkitError(
                f"source must not start with {DERIVED_PREFIX!r}: that marks values an "
                f"enricher derived, got {shorten(source)}"
            )

    # -- the one commit path -------------------------------------------------------------

    def _permit(self, actor: Actor, write: Write) -> None:
        """
        The access check of one write, given the record before and after it.

        Raises:
            AccessDenied: the owner's policy refuses it.
        """
        owner = write.owner
        for action, fields in ((write.action, write.fields), *write.also):
            owner.access.check(actor, action, owner.schema, write.before, fields, after=write.after)

    def _commit(self, change: Change) -> Committed:
        """
        Apply *change*: enrichment, access check, one store transaction, then the index.

        Every write of every verb comes through here. The records it creates and updates
        are enriched first, when their steward has enrichers (filling missing fields only;
        `Committed.writes` hold them as stored, `Committed.enrichment` the issues).
        Nothing is written unless the policy permits every write; the records, lineage,
        quarantined rows and audit events commit together or not at all; the duplicate
        index changes only after the COMMIT (the outermost one: inside a caller's
        ``store.transaction()`` block, or a session the store is joined to, after that
        commits; a rollback leaves the index as it was).

        Raises:
            AccessDenied: the policy refuses a write (nothing is written).
            ConflictError: a record changed since it was read (nothing is written).
            StoreError: the database failed (nothing is written; the cause is chained).
        """
        enriched: Mapping[tuple[str, str], Sequence[Issue]] = {}
        if _enriches(self) or any(_enriches(r) for r in self.related):
            change, enriched = enrich_change(change)
        for write in (*change.writes, *change.checks):
            self._permit(change.actor, write)
        for owner, action in change.grants:
            owner.access.check(change.actor, action, owner.schema, None, ())
        gone = change.erasure
        if gone is not None:
            schema = gone.owner.schema
            for record in gone.records:
                gone.owner.access.check(
                    change.actor, Action.ERASE, schema, record, schema.field_names
                )
        with self.store.audited(), self.store.transaction():
            written, isolated = self._apply(change)
            erased = None if gone is None else self._erase(change, gone)
            by_id = {(w.owner.schema.name, w.after.id): w for w in written}
            logs: dict[int, tuple[AuditLog, list[AuditEntry]]] = {}
            for event in change.events(written):
                schema = event.owner.schema
                appended = AuditEntry(
                    at=change.at,
                    actor=change.actor.id,
                    action=event.action,
                    schema=schema.name,
                    record_ids=event.record_ids,
                    fields=event.fields,
                    detail=event.detail,
                    changes=audit_changes(schema, event, by_id) if event.values else None,
                )
                log = event.owner.audit
                logs.setdefault(id(log), (log, []))[1].append(appended)
            for log, entries in logs.values():  # a batch's events: one write per log
                log.append_many(entries)
            for entry in change.consents:
                self.store.put_consent(entry)
            stored = {w.after.id for w in written}
            reviews = [r for r in change.reviews if r.status != "open" or r.record_id in stored]
            if reviews:
                self.store.put_reviews(reviews)
            keepers: dict[int, Owner] = {id(self): self, **{id(w.owner): w.owner for w in written}}
            for keeper in keepers.values():  # scores of the records as they now are
                keeper._keep_health(change, written)
            held = [*change.quarantine, *isolated]
            if held:
                self.store.put_quarantine(held)
            by_owner: dict[int, tuple[Owner, list[Record]]] = {}
            for write in written:
                by_owner.setdefault(id(write.owner), (write.owner, []))[1].append(write.after)
            for owner, records in by_owner.values():
                if owner._persistent:
                    owner._sync_index(records)  # rows in the store: in this transaction
                else:
                    # after the outermost COMMIT (the caller's, when they opened one)
                    self.store.on_commit(functools.partial(owner._index, records))
        return Committed(written, held, erased, enriched)

    def _erase(self, change: Change, gone: Erasure) -> Erased:
        """
        Erase inside the open transaction, with its event and suppression entries.

        The event holds the ids, the counts and the reason; no value.
        """
        ids = tuple(r.id for r in gone.records)
        if gone.owner._persistent:
            gone.owner._unindex(ids)  # the others of their entities re-form first
        erased = self.store.erase(list(ids), values=list(gone.values))
        if gone.suppressions:
            self.store.put_suppressions(list(gone.suppressions))
        gone.owner.audit.append(
            at=change.at,
            actor=change.actor.id,
            action="erase",
            schema=gone.owner.schema.name,
            record_ids=ids,
            detail={
                "erasure": gone.erasure,
                "reason": gone.reason,
                "erased": erased.to_dict(),
                "suppressed": len(gone.suppressions),
            },
        )
        self.store.on_commit(functools.partial(gone.owner._forget, ids))
        return erased

    def _apply(self, change: Change) -> tuple[list[Write], list[QuarantineEntry]]:
        """
        Write the records of *change* inside the open transaction.
        """
        store = self.store
        writes = list(change.writes)
        pairs = [(w.after, w.expected) for w in writes]
        if change.merge is not None:
            store.put_merge(change.merge, pairs)
            return writes, []
        if change.unmerge is not None:
            store.put_unmerge(change.unmerge, pairs, at=change.at, actor=change.actor.id)
            return writes, []
        new = [w for w in writes if w.before is None]
        for w in writes:
            if w.before is not None:
                store.put(w.after, expected_version=w.expected)
        if not new:
            return writes, []
        try:
            with store.transaction():
                store.put_many([w.after for w in new])
        except StoreError as exc:
            if change.isolate is None or not exc.unstorable:
                raise
            return self._isolate(change.isolate, writes, new)
        return writes, []

    def _isolate(
        self,
        isolate: Callable[[Write, StoreError], QuarantineEntry],
        writes: list[Write],
        new: list[Write],
    ) -> tuple[list[Write], list[QuarantineEntry]]:
        """
        Store new records one by one (each in a savepoint), quarantining those refused.
        """
        refused: dict[int, QuarantineEntry] = {}
        for w in new:
            try:
                with self.store.transaction():
                    self.store.put(w.after, expected_version=None)
            except StoreError as exc:
                if not exc.unstorable:
                    raise
                refused[id(w)] = isolate(w, exc)
        return [w for w in writes if id(w) not in refused], list(refused.values())

    def _check_reads_all(self, actor: Actor, what: str) -> None:
        """
        Refuse *what* unless *actor* may read every record of the schema in clear.

        Raises:
            AccessDenied: a record rule limits what *actor* reads, or a field is masked.
        """
        self._check_actor(actor)
        scope_of = getattr(self.access, "scope", None)
        if scope_of is not None and scope_of(actor, self.schema, Action.READ) is not None:
            raise AccessDenied(
                actor.id,
                what,
                reason=f"it reads every {self.schema.name!r} record; the actor may read some",
            )
        if self._sight(actor).masks:
            raise AccessDenied(
                actor.id,
                what,
                reason=f"it compares values in clear; some {self.schema.name!r} fields are "
                "masked for the actor",
            )

    # -- what the commit path asks of each owner's duplicate index (`_IndexKeeping`) -----

    @property
    def _persistent(self) -> bool:
        """
        Whether the duplicate index keeps its rows in the store.
        """
        raise NotImplementedError  # pragma: no cover - every Steward keeps its index

    def _index(self, records: Iterable[Record]) -> None:
        """
        Bring an in-memory duplicate index in step with committed *records*.
        """
        raise NotImplementedError  # pragma: no cover

    def _sync_index(self, records: Iterable[Record]) -> None:
        """
        Bring a persistent duplicate index in step with *records*, in the transaction.
        """
        raise NotImplementedError  # pragma: no cover

    def _unindex(self, record_ids: Sequence[str]) -> None:
        """
        Take records out of a persistent duplicate index, in the transaction.
        """
        raise NotImplementedError  # pragma: no cover

    def _forget(self, record_ids: tuple[str, ...]) -> None:
        """
        Remove erased records from an in-memory duplicate index (after the COMMIT).
        """
        raise NotImplementedError  # pragma: no cover

    def _keep_health(self, change: Change, written: Sequence[Write]) -> None:
        """
        Store the health scores of what *change* writes, in the transaction.
        """
        raise NotImplementedError  # pragma: no cover - `_HealthVerbs`

    def _now(self) -> dt.datetime:
        """
        The clock's "now", checked: an aware datetime.
        """
        now = self._clock()
        if not isinstance(now, dt.datetime) or now.tzinfo is None:
            raise RecordkitError(
                f"the steward's clock must return an aware datetime, got {shorten(now)}"
            )
        return now

    def _new_id(self) -> str:
        """
        A new record or merge id from the steward's id maker, checked.
        """
        new = self._ids()
        if not isinstance(new, str) or not new or len(new) > 255:
            raise RecordkitError(
                f"the steward's ids function must return non-blank text, got {shorten(new)}"
            )
        return new

    @staticmethod
    def _check_time(name: str, value: object) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise RecordkitError(f"{name} must be a datetime or None, got {shorten(value)}")
        return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)

    @staticmethod
    def _check_version(value: object) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
            raise RecordkitError(
                f"expected_version must be a whole number from 0 or None, got {shorten(value)}"
            )
        return value

    @staticmethod
    def _check_actor(actor: object) -> None:
        if not isinstance(actor, Actor):
            raise RecordkitError(f"actor must be a recordkit Actor, got {shorten(actor)}")


def _enriches(steward: _StewardCore) -> bool:
    """
    Whether *steward* enriches what it writes (a core without enrichment set does not).
    """
    return getattr(steward, "enrichment", None) is not None


def _readable(value: object, limit: int) -> bool:
    """
    Whether *value* is text of at most *limit* characters that every store can hold.
    """
    if not isinstance(value, str) or len(value) > limit:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _precedence(value: object) -> tuple[str, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise RecordkitError(f"precedence is a list of source names, got {shorten(value)}")
    out = tuple(value)
    for source in out:
        if not isinstance(source, str) or not source.strip():
            raise RecordkitError(f"precedence names sources (text), got {shorten(source)}")
    return out


def _stewards(value: Iterable[_StewardCore]) -> tuple[_StewardCore, ...]:
    if isinstance(value, _StewardCore) or not isinstance(value, Iterable):
        raise RecordkitError(f"related takes a list of stewards, got {type(value).__name__}")
    out = tuple(value)
    for s in out:
        if not isinstance(s, _StewardCore):
            raise RecordkitError(f"related takes stewards, got {type(s).__name__}")
    return out


def _validation_error(errors: Sequence[Issue], record_id: str | None) -> ValidationError:
    summary = "; ".join(f"{e.field or 'record'}: {e.message}" for e in errors[:5])
    more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
    return ValidationError(
        f"{len(errors)} problem(s): {summary}{more}", issues=errors, record_id=record_id
    )


def _issue_counts(issues: Iterable[Issue]) -> dict[str, int]:
    """
    Issue counts by severity for an audit event's detail (empty when there are none).
    """
    counts: dict[str, int] = {}
    for issue in issues:
        key = f"{issue.severity.value}s"
        counts[key] = counts.get(key, 0) + 1
    return counts


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
