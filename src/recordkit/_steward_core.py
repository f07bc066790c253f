"""
The state and helpers every part of the `Steward` facade shares.

`Steward` is assembled from parts, one concept to a module: the road (capture, update,
batches), the lifecycle verbs and the merge verbs. `_StewardCore` holds what they all use:
the schema, store, access policy, audit log, rules, lifecycles, matcher, clock and ids.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

from recordkit._errors import (
    RecordkitError,
    ValidationError,
    shorten,
)
from recordkit.governance import AccessPolicy, Action, Actor, AllowAll, AuditLog
from recordkit.lifecycle import Lifecycles
from recordkit.match import (
    MERGED,
    DuplicateCheck,
)
from recordkit.rules import (
    Enforcement,
    Issue,
    RuleSet,
)
from recordkit.schema import NOT_GIVEN, Record, Schema
from recordkit.store import MemoryStore, Store

SYSTEM: Final = Actor("system", roles={"system"})
DEFAULT_SOURCE: Final = "default"


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _new_id() -> str:
    return uuid.uuid4().hex


class _StewardCore:
    """
    What every part of `Steward` shares: its parts, reads and argument checks.
    """

    def __init__(
        self,
        schema: Schema,
        *,
        store: Store | None = None,
        access: AccessPolicy | None = None,
        audit: AuditLog | None = None,
        clock: Callable[[], dt.datetime] = _utcnow,
        ids: Callable[[], str] = _new_id,
        related: Iterable[_StewardCore] = (),
        lifecycle: Any = NOT_GIVEN,
        stages: Any = NOT_GIVEN,
        rules: RuleSet | None = None,
        enforcement: Enforcement | None = None,
        matcher: DuplicateCheck | None = None,
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
        self.access: AccessPolicy = AllowAll() if access is None else access
        # The store's own log by default, so events commit with the changes they describe.
        self.audit: AuditLog = self.store.audit_log() if audit is None else audit
        self._clock = clock
        self._ids = ids
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
        self.lifecycles = Lifecycles(schema, lifecycle=lifecycle, stages=stages, rules=self.rules)
        self._swept_at: dt.datetime | None = None
        if matcher is not None and not isinstance(matcher, DuplicateCheck):
            raise RecordkitError(f"matcher must be a DuplicateCheck, got {shorten(matcher)}")
        self.matcher = matcher

    def __repr__(self) -> str:
        return f"Steward({self.schema.name!r}, store={type(self.store).__name__})"

    # -- reads --------------------------------------------------------------------------

    def get(self, record_id: str, *, actor: Actor = SYSTEM) -> Record:
        """
        Return the record with *record_id*.

        Raises:
            NotFound: no such record of this schema.
            AccessDenied: *actor* may not read it.
        """
        record = self._own(record_id)
        self.access.check(actor, Action.READ, self.schema, record, self.schema.field_names)
        return record

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
        if not isinstance(source, str) or not source.strip() or len(source) > 200:
            raise RecordkitError(f"source must be a short non-blank name, got {shorten(source)}")

    def _reindex(self, records: Iterable[Record]) -> None:
        """
        Keep the point-of-entry index in step with committed writes.

        A changed record is re-indexed with its new values; one in a final state (retired,
        merged away) leaves the index; a restored one comes back.
        """
        if self.matcher is None:
            return
        index = self.matcher.index
        for record in records:
            if record.schema != self.schema.name:
                continue
            if self.lifecycles.closed(record) or record.state == MERGED:
                if record.id in index:
                    index.remove(record.id)
            elif record.id in index:
                index.replace(record)
            else:
                index.add(record)

    @staticmethod
    def _check_actor(actor: object) -> None:
        if not isinstance(actor, Actor):
            raise RecordkitError(f"actor must be a recordkit Actor, got {shorten(actor)}")


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
