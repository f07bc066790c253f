"""
Re-validation: what a new version of a rule set says about records already stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from recordkit._errors import RecordkitError, shorten
from recordkit.rules._issue import Change, Issue, Severity
from recordkit.rules._ruleset import RuleSet
from recordkit.schema import JSONObject, Record

__all__ = ["RecordDelta", "Revalidation", "revalidate"]


@attrs.frozen
class RecordDelta:
    """
    One stored record as the old and the new rules see it.

    Attributes:
        record_id: the record.
        before: the errors the old rules find.
        after: the errors the new rules find.
        changes: what the new rules would change in its values.

    .. versionadded:: 0.1.0
    """

    record_id: str
    before: tuple[Issue, ...]
    after: tuple[Issue, ...]
    changes: tuple[Change, ...]


@attrs.frozen
class Revalidation:
    """
    The report of a re-validation: records that now fail, now pass, or would change.

    Attributes:
        old_version: the version of the rules the records were checked with.
        new_version: the version they were re-checked with.
        checked: how many records were re-checked.
        now_failing: records with no errors before and errors now.
        now_passing: records with errors before and none now.
        changed: records whose values the new rules normalize differently.
        updated: the records with the new normalized values (only when applied).
        applied: whether *updated* is meant to be stored (the default is a dry run).

    .. versionadded:: 0.1.0
    """

    old_version: int
    new_version: int
    checked: int
    now_failing: list[RecordDelta]
    now_passing: list[RecordDelta]
    changed: list[RecordDelta]
    updated: list[Record]
    applied: bool

    def summary(self) -> JSONObject:
        """
        The counts, as plain data.
        """
        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "checked": self.checked,
            "now_failing": len(self.now_failing),
            "now_passing": len(self.now_passing),
            "changed": len(self.changed),
            "applied": self.applied,
        }


def _errors(issues: Iterable[Issue]) -> tuple[Issue, ...]:
    return tuple(i for i in issues if i.severity is Severity.ERROR)


def revalidate(
    records: Iterable[Record], *, old: RuleSet, new: RuleSet, apply: bool = False
) -> Revalidation:
    """
    Re-check stored *records* with rule set *new* and compare with what *old* said.

    A dry run by default: nothing is changed, the report says what would be. With
    ``apply=True`` the report's ``updated`` holds each changed record with its values
    normalized by *new* (a new version; provenance is kept, since the raw values are what
    the sources gave) for the caller to store.

    Examples:
        >>> import recordkit as rk
        >>> from recordkit.rules import RuleSet, Validators
        >>> schema = rk.bundled_schema("contact")
        >>> v1 = RuleSet.for_schema(schema, version=1)
        >>> v2 = RuleSet.for_schema(schema, version=2, extend={"city": [Validators.length(min=3)]})
        >>> r = rk.Steward(schema, rules=v1).capture(
        ...     {"first_name": "Ada", "last_name": "Lovelace", "city": "NY"}, source="form")
        >>> report = revalidate([r], old=v1, new=v2)
        >>> [d.record_id for d in report.now_failing] == [r.id], report.applied
        (True, False)

    Raises:
        RecordkitError: the two rule sets are for different schemas, or *records* is not
            an iterable of records.

    .. versionadded:: 0.1.0
    """
    for name, rules in (("old", old), ("new", new)):
        if not isinstance(rules, RuleSet):
            raise RecordkitError(f"{name} must be a RuleSet, got {shorten(rules)}")
    if not isinstance(apply, bool):
        raise RecordkitError(f"apply must be true or false, got {shorten(apply)}")
    if isinstance(records, str | bytes | Mapping) or not isinstance(records, Iterable):
        raise RecordkitError(f"records must be an iterable of Record, got {shorten(records)}")
    if old.schema.name != new.schema.name:
        raise RecordkitError(
            f"cannot compare rules of {old.schema.name!r} with rules of {new.schema.name!r}"
        )
    failing: list[RecordDelta] = []
    passing: list[RecordDelta] = []
    changed: list[RecordDelta] = []
    updated: list[Record] = []
    checked = 0
    for record in records:
        if not isinstance(record, Record):
            raise RecordkitError(f"records must be Record objects, got {shorten(record)}")
        if record.schema != new.schema.name:
            continue
        checked += 1
        values = {k: v for k, v in record.values.items() if k in new.plans}
        before = old.run(values, defaults=False)
        after = new.run(values, defaults=False)
        delta = RecordDelta(record.id, _errors(before.issues), _errors(after.issues), after.changes)
        if not delta.before and delta.after:
            failing.append(delta)
        elif delta.before and not delta.after:
            passing.append(delta)
        if after.changes:
            changed.append(delta)
            if apply:
                merged = dict(record.values)
                merged.update({c.field: after.values[c.field] for c in after.changes})
                updated.append(record.evolve(values=merged, version=record.version + 1))
    return Revalidation(
        old.version, new.version, checked, failing, passing, changed, updated, apply
    )
