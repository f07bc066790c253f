"""
`Steward`: the facade that takes every record of one schema down the same road.

The road is access check, coercion, storage and audit, for single records and for batches.

Later layers (rules, matching, lifecycle, governance policies, SQL storage) widen this road;
they never open a second one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from recordkit._errors import (
    ConflictError,
    RecordkitError,
    TransitionError,
    ValidationError,
    shorten,
)
from recordkit._resolve import Resolver
from recordkit._steward_change import Change, Event, Write
from recordkit._steward_consent import _ConsentVerbs
from recordkit._steward_core import (
    SYSTEM,
    _issue_counts,
    _new_id,
    _precedence,
    _StewardCore,
    _stewards,
    _utcnow,
    _validation_error,
)
from recordkit._steward_enrich import enrichment_of
from recordkit._steward_erase import SUPPRESSED, _SubjectVerbs, suppressed_ids
from recordkit._steward_health import _HealthVerbs
from recordkit._steward_lifecycle import _LifecycleVerbs
from recordkit._steward_policy import _PolicyVerbs
from recordkit._steward_profiles import _ProfileVerbs
from recordkit._steward_retention import _RetentionVerbs
from recordkit._steward_review import _ReviewVerbs
from recordkit._steward_rows import BatchResult, QuarantinedRow
from recordkit._steward_unmerge import _UnmergeVerbs
from recordkit._steward_variants import VariantEdit, VariantEdits, _VariantVerbs
from recordkit._steward_views import _ViewVerbs
from recordkit.governance import AccessPolicy, Action, Actor, AllowAll, AuditLog, Policy
from recordkit.lifecycle import Lifecycle, Lifecycles
from recordkit.match import (
    MERGED,
    DuplicateCheck,
    IndexMismatch,
    MatchResult,
)
from recordkit.quality import Enricher, Enrichment, HealthModel
from recordkit.rules import Enforcement, EnforcementMode, RuleSet
from recordkit.schema import NOT_GIVEN, NotGiven, Provenance, Record, Schema
from recordkit.store import MemoryStore, Store

__all__ = ["BatchResult", "QuarantinedRow", "Steward", "VariantEdit", "VariantEdits"]


class Steward(
    _RetentionVerbs,
    _UnmergeVerbs,
    _LifecycleVerbs,
    _ProfileVerbs,
    _ReviewVerbs,
    _ViewVerbs,
    _SubjectVerbs,
    _ConsentVerbs,
    _PolicyVerbs,
    _HealthVerbs,
    _VariantVerbs,
):
    """
    The facade over one schema: capture, update and read records through one road.

    Examples:
        >>> from recordkit import Steward, bundled_schema
        >>> contacts = Steward(bundled_schema("contact"))
        >>> r = contacts.capture({"first_name": "Ada", "last_name": "Lovelace"}, source="form")
        >>> contacts.get(r.id)["first_name"]
        'Ada'

    Args:
        schema: the record type this steward governs.
        store: where records live (default: a new `MemoryStore`).
        access: who may do what (default: the `Policy` of the schema's ``governance:``
            section when it has one, else `AllowAll`). Under a policy the default actor
            `SYSTEM` gets only what a ``system`` role grants.
        clock: returns "now" (UTC); injectable for tests and replays.
        ids: makes new record ids (default: random UUID hex).
        related: stewards of other schemas whose records refer to this one's (deals →
            contact); a merge re-points their references to the survivor and an unmerge
            puts them back. They must share this steward's store: a merge writes both
            schemas in one transaction.
        lifecycle: the `Lifecycle` driving ``Record.state`` (not given: the schema's
            ``lifecycle`` section, else the bundled ``governance`` one; ``None``: none).
        stages: the `Lifecycle` driving ``Record.stage`` (not given: the schema's
            ``stages`` section, else the bundled ``business`` one; ``None``: none).
        rules: the `RuleSet` every write goes through (default:
            ``RuleSet.for_schema(schema)``: the field types' defaults plus the schema's
            rules).
        enforcement: what errors do per channel (default: block on capture and update,
            quarantine on batch import); each write also takes ``mode=``.
        matcher: the point-of-entry `DuplicateCheck` (capture flags, blocks or merges
            duplicates by its thresholds) and the matcher behind `find_duplicates`. Made
            from a `Matcher` (``DuplicateCheck(matcher, block_at=…)``), its index lives in
            the store (a `PersistentIndex` named after the schema, built from the stored
            records when new): written in each write's transaction, so it survives a
            restart, rolls back with the records and is shared by every process; a check
            and the write it allows are one step. Made from an `Index`, it is kept in
            memory and follows each COMMIT.
        precedence: source names, most trusted first. `update` decides each field by it,
            as ``store.upsert_many`` does: the higher-ranked source wins, then the later
            observation; a value from a lower-ranked source, or observed earlier than the
            stored one, is not written.
        consent_for: state or stage → consent purpose: entering it needs a grant in
            force for that purpose (``{"mql": "email_marketing"}``), a guard like any
            other (``override=True`` passes it, and is audited).
        key: a secret of at least 16 bytes the database does not hold, for the keyed
            hashes `erase` keeps of an erased person's identifiers (suppression entries;
            without a key none are kept, and a re-import is not recognized).
        health: the `HealthModel` that scores every record written (``None``: no
            scores are kept). Each score is stored with its record, in the same
            transaction; `health`, `lowest_health` and `rescore` read and refresh them.
        keep_profiles: keep the `Profile` of every ``capture_many`` run in the store
            (`profiles` lists them, newest first), so trends exist; off by default.
        enrichers: what fills missing fields of every record created or updated, from
            what it holds (`recordkit.quality`: `PhoneEnricher`, `EmailEnricher`,
            `SubdivisionEnricher`, a plugin's, by object or name, or an `Enrichment`);
            ``None``: none (the default; it costs nothing). Filled values are marked as
            derived in provenance and never replace an observed value.

    Every write goes through one commit path: the access check (with the values being
    written), one store transaction holding the records, lineage, quarantined rows and
    audit events, and only then the duplicate index. The audit trail is the store's own
    (``store.audit_log()``), so events commit with the changes they describe.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 *health*, *keep_profiles* and *enrichers*.
    """

    def __init__(
        self,
        schema: Schema,
        *,
        store: Store | None = None,
        access: AccessPolicy | None = None,
        clock: Callable[[], dt.datetime] = _utcnow,
        ids: Callable[[], str] = _new_id,
        related: Iterable[Steward] = (),
        lifecycle: Lifecycle | NotGiven | None = NOT_GIVEN,
        stages: Lifecycle | NotGiven | None = NOT_GIVEN,
        rules: RuleSet | None = None,
        enforcement: Enforcement | None = None,
        matcher: DuplicateCheck | None = None,
        precedence: Sequence[str] = (),
        key: bytes | None = None,
        consent_for: Mapping[str, str] | None = None,
        health: HealthModel | None = None,
        keep_profiles: bool = False,
        enrichers: Enrichment | Iterable[Enricher | str] | None = None,
    ) -> None:
        if not isinstance(schema, Schema):
            raise RecordkitError(f"Steward needs a Schema, got {type(schema).__name__}")
        if store is not None and not isinstance(store, Store):
            raise RecordkitError(f"store must be a recordkit Store, got {type(store).__name__}")
        if access is not None and not isinstance(access, AccessPolicy):
            raise RecordkitError(
                "access must have a check(actor, action, schema, record, "
                f"fields) method, got {type(access).__name__}"
            )
        self.schema = schema
        self.store: Store = MemoryStore() if store is None else store
        self.store.register(schema)
        if access is None:
            # a governance section that only holds retention rules sets no access policy
            section = schema.extensions.get("governance") or {}
            governed = not isinstance(section, Mapping) or bool(set(section) - {"retention"})
            access = Policy.from_schema(schema) if governed else AllowAll()
        self.access: AccessPolicy = access
        # The store's own log, so events commit with the changes they describe.
        self.audit: AuditLog = self.store.audit_log()
        if not callable(clock):
            raise RecordkitError(
                f"clock must be a function returning a datetime, got {shorten(clock)}"
            )
        if not callable(ids):
            raise RecordkitError(f"ids must be a function returning text, got {shorten(ids)}")
        self._clock = clock
        self._ids = ids
        self.precedence: tuple[str, ...] = _precedence(precedence)
        self._resolver = Resolver(self.precedence)
        if rules is not None and (
            not isinstance(rules, RuleSet) or rules.schema.name != schema.name
        ):
            raise RecordkitError(
                f"rules must be a RuleSet for schema {schema.name!r}, got {shorten(rules)}"
            )
        if enforcement is not None and not isinstance(enforcement, Enforcement):
            raise RecordkitError(
                f"enforcement must be an Enforcement, got {type(enforcement).__name__}"
            )
        self.rules: RuleSet = RuleSet.for_schema(schema) if rules is None else rules
        self.enforcement: Enforcement = Enforcement() if enforcement is None else enforcement
        self.related: tuple[_StewardCore, ...] = _stewards(related)
        for other in self.related:
            if other.store is not self.store:
                raise RecordkitError(
                    f"related steward {other.schema.name!r} keeps its records in another store: "
                    "a merge writes both schemas in one transaction, so related stewards must "
                    "share this steward's store (Steward(..., store=the_same_store))"
                )
        # Records whose index entry could not be updated after their commit (retried first).
        self._unindexed: dict[str, Record] = {}
        self._sights = {}
        if key is not None and (not isinstance(key, bytes) or len(key) < 16):
            raise RecordkitError("key must be bytes, at least 16 of them")
        self._key = key
        self.lifecycles = Lifecycles(schema, lifecycle=lifecycle, stages=stages, rules=self.rules)
        self._guard_consent(consent_for)
        if health is not None and not isinstance(health, HealthModel):
            raise RecordkitError(f"health must be a HealthModel or None, got {shorten(health)}")
        self.health_model = health
        if not isinstance(keep_profiles, bool):
            raise RecordkitError(
                f"keep_profiles must be True or False, got {shorten(keep_profiles)}"
            )
        self.keep_profiles = keep_profiles
        self.enrichment: Enrichment | None = enrichment_of(schema, enrichers)
        self._consent_purposes = tuple(sorted(set((consent_for or {}).values())))
        self._health_memo = {}
        self._swept_at: dt.datetime | None = None
        if matcher is not None and not isinstance(matcher, DuplicateCheck):
            raise RecordkitError(f"matcher must be a DuplicateCheck, got {shorten(matcher)}")
        self.matcher = matcher
        if matcher is not None and not matcher.bound:
            # the index lives in the store, named after the schema: built from the stored
            # records when it is new, or was built with other matching settings
            rows = self.store.index_rows(schema.name)
            try:
                self.matcher = matcher.bind(rows)
                stale = len(self.matcher.index) == 0 and self.store.count(schema.name) > 0
            except IndexMismatch:
                rows.clear()
                self.matcher = matcher.bind(rows)
                stale = True
            if stale:
                self._rebuild_index()

    # -- single writes ------------------------------------------------------------------

    def capture(
        self,
        raw: Mapping[str, Any],
        *,
        source: str,
        actor: Actor = SYSTEM,
        observed_at: dt.datetime | None = None,
        mode: EnforcementMode | str | None = None,
    ) -> Record:
        """
        Take in one new record from *source*: normalize, validate, store and audit it.

        Every field keeps its raw value in provenance. Defaults fill fields *raw* leaves
        blank. The values go through the steward's `RuleSet`. With a `DuplicateCheck`, a
        capture it merges is stored and merged in one transaction (both or neither).

        Args:
            raw: field name → raw value.
            source: the system or channel the values come from.
            actor: who captures it.
            observed_at: when the source saw the values (default: now).
            mode: ``block`` (the capture default) or ``warn`` (store despite errors; the
                audit event counts the issues).

        Raises:
            ValidationError: under ``block``, a value cannot become its field's type, a
                key names no field, or a rule found an error; ``issues`` lists every error
                as an `Issue` (nothing is stored).
            DuplicateError: the `DuplicateCheck` blocks it (nothing is stored).
            AccessDenied: *actor* may not create this record (or merge it, when the check
                merges it).
            StoreError: the database failed (nothing is stored).
        """
        self._check_source(source)
        self._check_actor(actor)
        seen = self._check_time("observed_at", observed_at)
        chosen = self.enforcement.mode("capture", mode)
        row = self._mapping(raw)
        now = self._now()
        prepared = self._prepare_chunk([row], source, seen, now, mode=chosen, single=True)
        record = prepared.records[0]
        if suppressed_ids(self.store, self.schema, self._key, [record]):
            raise ValidationError(SUPPRESSED)
        create = Write(
            self, record, None, Action.CREATE, tuple(record.values), issues=prepared.issues
        )
        created = self._created_event(prepared.names, source, prepared.issues)
        if self.matcher is None:
            done = self._commit(Change(actor, now, [create], lambda w: created(w)))
            return self._sight(actor).record(done.writes[0].after)
        with self._screening(row):  # the check and the write it allows: one step
            verdict = self.matcher.screen(row)
            self.matcher.refuse(verdict)
            best = verdict.best
            if best is not None and verdict.action == "merge":
                stored = self._own(best.record_id)
                plan, writes, lineage = self._plan_merge(
                    [stored, record], actor=actor, at=now, explanation=best.explanation
                )
                merged = self._merge_events(
                    "merge", plan.id, plan.record_ids, writes, self._merge_detail(plan)
                )
                self._commit(
                    Change(
                        actor,
                        now,
                        [create, *writes],
                        lambda w: [*created([create]), *merged(w)],
                        merge=lineage,
                    )
                )
                # the survivor as written (no read after the commit: it cannot fail a merge)
                return self._sight(actor).record(plan.survivor)
            flagged, reviews = self._flag_one(record, verdict, now)
            done = self._commit(
                Change(actor, now, [create], lambda w: [*created(w), *flagged], reviews=reviews)
            )
        return self._sight(actor).record(done.writes[0].after)

    def find_duplicates(
        self, *, previous: Mapping[str, str] | None = None, actor: Actor = SYSTEM
    ) -> MatchResult:
        """
        Deduplicate every stored record of this schema in one batch run (nothing changes).

        The run compares every record's values in clear, so *actor* must be allowed to
        read every record of the schema with nothing masked. Pairs a reviewer rejected
        (`reject`) are never linked.

        Args:
            previous: record id → entity id from an earlier run, kept where possible
                (default: the entity ids the point-of-entry index gave).
            actor: who asks.

        Raises:
            RecordkitError: the steward has no matcher, or *previous* is not a mapping of
                record ids to entity ids.
            AccessDenied: *actor* may read only some records, or some fields masked.

        .. versionchanged:: 0.2.0 *actor*.
        """
        self._check_reads_all(actor, "find_duplicates")
        if self.matcher is None:
            raise RecordkitError("find_duplicates needs Steward(..., matcher=DuplicateCheck(...))")
        if previous is not None and (
            not isinstance(previous, Mapping)
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in previous.items())
        ):
            raise RecordkitError(
                f"previous maps record ids to entity ids (text), got {shorten(previous)}"
            )
        self._catch_up()
        records = [
            r for batch in self.store.iterate(self.schema.name) for r in batch if r.state != MERGED
        ]
        if previous is None:
            previous = self.matcher.index.entities
        return self.matcher.matcher.dedupe(records, previous=previous, never=self._never())

    def update(
        self,
        record_id: str,
        changes: Mapping[str, Any],
        *,
        source: str,
        actor: Actor = SYSTEM,
        expected_version: int | None = None,
        observed_at: dt.datetime | None = None,
        mode: EnforcementMode | str | None = None,
    ) -> Record:
        """
        Change some fields of a record; a ``None`` value clears a field.

        The changed values are normalized and validated by the steward's `RuleSet`; the
        record rules see the whole record as it would become. Each field is decided by one
        rule, the one ``store.upsert_many`` follows: the source ranked higher in the
        steward's ``precedence`` wins, then the later observation (a tie goes to the new
        value). Fields whose stored value wins are left as they are (the audit event lists
        them under ``kept``); when every field is kept, nothing is written and the record
        is returned as it is.

        Args:
            record_id: the record to change.
            changes: field name → new raw value.
            source: the system or channel the new values come from.
            actor: who makes the change.
            observed_at: when the source saw the values (default: now).
            expected_version: refuse the write unless the record is still at this version
                (default: the version read now).
            mode: ``block`` (the update default) or ``warn`` (store despite errors).

        Raises:
            ConflictError: the record changed since *expected_version*.
            DuplicateError: the steward's `DuplicateCheck` blocks the record as it would
                become (a duplicate of another entity); nothing is stored.
            TransitionError: the record is in a final state (retired, merged).
            ValidationError: under ``block``, a value cannot become its field's type or a
                rule found an error; ``issues`` lists them.
            AccessDenied: *actor* may not make this change (the policy sees the new values).
            StoreError: the database failed (nothing is stored).
        """
        changes = self._mapping(changes)
        self._check_source(source)
        self._check_actor(actor)
        expected_version = self._check_version(expected_version)
        seen_at = self._check_time("observed_at", observed_at)
        chosen = self.enforcement.mode("update", mode)
        current = self._own(record_id)
        if self.lifecycles.closed(current):
            raise TransitionError(
                f"record {record_id!r} is {current.state}, a final state: it takes no updates"
            )
        if expected_version is not None and expected_version != current.version:
            raise ConflictError(record_id, expected=expected_version, actual=current.version)
        checked = self.rules.run(changes, base=current.values, channel=source)
        errors = checked.errors
        if errors and chosen is not EnforcementMode.WARN:
            raise _validation_error(errors, record_id)
        now = self._now()
        seen = seen_at or now
        won, kept = self._resolver.split(
            current, [n for n in changes if n in self.schema], source, seen
        )
        if not won:
            return self._sight(actor).record(current)
        values = dict(current.values)
        provenance = dict(current.provenance)
        for name in won:
            values[name] = checked.values[name]
            provenance[name] = Provenance(source, seen, changes[name])
        updated = current.evolve(
            values=values,
            provenance=provenance,
            version=current.version + 1,
            owner=self._owner(values, current.owner),
            updated_at=now,
        )
        detail = {
            "source": source,
            "version": updated.version,
            **({"kept": kept} if kept else {}),
            **_issue_counts(checked.issues),
        }
        event = Event(self, Action.UPDATE, [record_id], won, detail)
        write = Write(self, updated, current, Action.UPDATE, tuple(won))
        if self.matcher is None or not set(won) & set(self.matcher.matcher.columns):
            done = self._commit(Change(actor, now, [write], lambda _: [event]))
            return self._sight(actor).record(done.writes[0].after)
        with self._screening(updated):
            # an edit can make a duplicate too: checked like a capture, but never merged
            apart = self.store.reviews(
                self.schema.name, status="rejected", record_id=record_id, limit=None
            )
            verdict = self.matcher.screen_change(
                updated,
                never=[r.other_id if r.record_id == record_id else r.record_id for r in apart],
            )
            self.matcher.refuse(verdict)
            flagged, reviews = self._flag_one(updated, verdict, now)
            done = self._commit(
                Change(actor, now, [write], lambda _: [event, *flagged], reviews=reviews)
            )
        return self._sight(actor).record(done.writes[0].after)

    # -- batches ------------------------------------------------------------------------
