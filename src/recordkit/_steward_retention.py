"""
The retention verbs of `Steward`: records nobody changes are archived, then erased.

`apply_retention` finds, with one store query per rule, the records each `Retention` rule
archives or erases at a given time, and lists them (a dry run, the default) or acts:
archiving through `retire` and erasing through `erase`, so each change takes the one
commit path, with its access check and audit event naming the rule. `sweep` applies the
steward's rules after the lifecycle's timed moves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from recordkit._errors import (
    AccessDenied,
    ConflictError,
    NotFound,
    SchemaError,
    TransitionError,
    ValidationError,
    shorten,
)
from recordkit._steward_core import SYSTEM
from recordkit._steward_erase import _SubjectVerbs
from recordkit._steward_lifecycle import _LifecycleVerbs
from recordkit._time import with_utc
from recordkit.governance import (
    Action,
    Actor,
    AllOf,
    AnyOf,
    Condition,
    Not,
    RecordPredicate,
    Retention,
    RetentionReport,
)
from recordkit.lifecycle import SweepResult, Transition, transitions
from recordkit.match import MERGED
from recordkit.schema import Record

__all__ = ["_RetentionVerbs"]

# What refuses one record's archiving or erasure without stopping the others.
_REFUSALS = (AccessDenied, ConflictError, NotFound, TransitionError)


class _RetentionVerbs(_LifecycleVerbs, _SubjectVerbs):
    """
    Retention: archive records unchanged for a while, erase them after longer.
    """

    # The rules given to the steward; ``None``: its schema's (read on first use).
    _retention: tuple[Retention, ...] | None = None

    @property
    def retention(self) -> tuple[Retention, ...]:
        """
        The steward's retention rules: those of its schema's ``governance:`` section.

        .. versionadded:: 0.2.0
        """
        if self._retention is None:
            self._retention = Retention.from_schema(self.schema)
        return self._retention

    def apply_retention(
        self,
        now: dt.datetime,
        *,
        dry_run: bool = True,
        actor: Actor = SYSTEM,
        rules: Iterable[Retention | Mapping[str, object]] | None = None,
    ) -> RetentionReport:
        """
        List, or apply, what the retention rules do at *now*.

        For each rule, one store query (its condition pushed down) finds the records it
        selects that nobody changed (``updated_at``) for at least its ``erase_after`` (to
        erase) or its ``archive_after`` (to archive; records in a final state, retired or
        merged, are left alone), among those *actor* may read. A record is claimed by the
        first rule that erases it, else the first that archives it. Merged-away records
        are never listed: they go with their survivor.

        A dry run (the default) changes nothing. Otherwise each record is archived with
        `retire` (as it was when listed: a record changed meanwhile is refused) and each
        erased with `erase` (merged records with it), each through the one commit path
        with the policy's check for *actor* and an audit event whose reason names the
        rule. A refused record (policy, guard, concurrent change) is reported in
        ``refused`` and the others go ahead.

        Examples:
            >>> import datetime as dt
            >>> from recordkit import Steward, bundled_schema
            >>> from recordkit.governance import Retention
            >>> s = Steward(bundled_schema("contact"))
            >>> rule = Retention("old", erase_after="30d")
            >>> s.apply_retention(dt.datetime.now(dt.UTC), rules=[rule])  # doctest: +SKIP
            RetentionReport(dry_run=True, archive=0, erase=0, refused=0)

        Args:
            now: the time inactivity is measured at (naive means UTC).
            dry_run: only list (``True``, the default), or act.
            actor: who archives and erases (needs ``transition`` and ``erase``).
            rules: the rules to apply, as `Retention` objects or their plain data
                (default: the steward's `retention`).

        Returns:
            The `RetentionReport`: per rule, the ids to archive and to erase, and (when
            applied) the erasures made and the records refused.

        Raises:
            ValidationError: *now* is not a datetime, or *dry_run* not a bool.
            SchemaError: a rule is malformed or names a field the schema lacks.
            TransitionError: a rule archives and the steward has no state lifecycle
                with a retirement state (nothing is done).

        .. versionadded:: 0.2.0
        """
        return self._retain(now, dry_run, actor, rules)[0]

    def _retain(
        self, now: object, dry_run: object, actor: Actor, rules: object
    ) -> tuple[RetentionReport, dict[str, Transition]]:
        """
        `apply_retention`, and the archiving moves it made (record id → transition).
        """
        self._check_actor(actor)
        if not isinstance(now, dt.datetime):
            raise ValidationError(f"now must be a datetime, got {shorten(now)}")
        if not isinstance(dry_run, bool):
            raise ValidationError(f"dry_run must be True or False, got {shorten(dry_run)}")
        now = with_utc(now)
        chosen = self.retention if rules is None else self._rules(rules)
        finals: tuple[str, ...] = ()
        if any(r.archive_after is not None for r in chosen):
            self.lifecycles.retire_target()  # no state lifecycle to archive in: refuse now
            finals = self.lifecycles.machine("state").lifecycle.finals
        archive: dict[str, list[Record]] = {}
        erase: dict[str, list[Record]] = {}
        claimed: set[str] = set()
        for rule in chosen:
            archive[rule.name], erase[rule.name] = [], []
            for record in self._due(rule, now, finals, actor):
                if record.id in claimed:
                    continue
                claimed.add(record.id)
                gone = rule.erase_after is not None and record.updated_at <= now - rule.erase_after
                (erase if gone else archive)[rule.name].append(record)
        report = RetentionReport(
            now,
            dry_run,
            archive={k: [r.id for r in v] for k, v in archive.items()},
            erase={k: [r.id for r in v] for k, v in erase.items()},
        )
        if dry_run:
            return report, {}
        erasures, refused = self._erase_due(erase, actor)
        moved = self._archive_due(archive, erasures, refused, actor)
        done = RetentionReport(
            now,
            False,
            archive=report.archive,
            erase=report.erase,
            erasures=erasures,
            refused=refused,
        )
        return done, moved

    def sweep(
        self, now: dt.datetime, *, actor: Actor = SYSTEM, batch_size: int = 10_000
    ) -> SweepResult:
        """
        Take every time-based move due at *now*, then apply the retention rules.

        Nothing runs in the background: call this from your scheduler. Each record's moves
        are checked and audited like `advance`, and the moves of each page of
        *batch_size* records commit together in one transaction (a failure leaves that
        page as it was, and the pages before it moved); a due move a guard refuses is
        reported and the record stays put. Sweeping again at the same *now* moves nothing.

        Then, when the steward has `retention` rules, they are applied at *now* by
        *actor*, as ``apply_retention(now, dry_run=False)`` does: the archiving moves are
        in the result's ``moved`` (refused ones in ``refused``), and each erasure is an
        ``erase`` event in the audit trail whose reason names its rule. Call
        ``apply_retention(now)`` first to see what a sweep will erase.

        Raises:
            TransitionError: *now* is not a datetime, or is earlier than the last sweep's
                (the clock went backwards), and nothing is moved; or a retention rule
                archives and there is no state lifecycle.
        """
        result = super().sweep(now, actor=actor, batch_size=batch_size)
        if not self.retention:
            return result
        report, archived = self._retain(result.now, False, actor, None)
        moved = dict(result.moved)
        for record_id, transition in archived.items():
            moved[record_id] = (*moved.get(record_id, ()), transition)
        refused = dict(result.refused)
        for record_id in (i for ids in report.archive.values() for i in ids):
            why = report.refused.get(record_id)
            if why is not None:
                refused[record_id] = (*refused.get(record_id, ()), TransitionError(why))
        return SweepResult(result.now, moved, refused)

    # -- finding ------------------------------------------------------------------------

    def _due(
        self, rule: Retention, now: dt.datetime, finals: Sequence[str], actor: Actor
    ) -> list[Record]:
        """
        The records *rule* archives or erases at *now*: one store query.
        """
        due: list[Condition] = []
        if rule.erase_after is not None:
            due.append(_unchanged(now, rule.erase_after))
        if rule.archive_after is not None:
            open_ = Not(RecordPredicate("state", "in", list(finals)))
            due.append(AllOf([_unchanged(now, rule.archive_after), open_]))
        timed = due[0] if len(due) == 1 else AnyOf(due)
        selection = rule.selection(self.schema)
        scope_of = getattr(self.access, "scope", None)
        scope = None if scope_of is None else scope_of(actor, self.schema, Action.READ)
        parts = [c for c in (Not(RecordPredicate("state", "eq", MERGED)), selection, scope) if c]
        return self.store.query(self.schema.name, where=AllOf([*parts, timed]))

    def _rules(self, value: object) -> tuple[Retention, ...]:
        """
        The rules given to `apply_retention`, read and checked against the schema.
        """
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
            raise SchemaError(f"rules is a list of Retention rules, got {shorten(value)}",
                              path="rules")  # fmt: skip
        out: list[Retention] = []
        for i, item in enumerate(value):
            path = f"rules[{i}]"
            rule = item if isinstance(item, Retention) else Retention.from_data(item, path)
            if any(r.name == rule.name for r in out):
                raise SchemaError(f"retention rule {rule.name!r} is given twice", path=path)
            rule.check(self.schema, path)
            out.append(rule)
        return tuple(out)

    # -- acting -------------------------------------------------------------------------

    def _erase_due(
        self, erase: dict[str, list[Record]], actor: Actor
    ) -> tuple[dict[str, str], dict[str, str]]:
        erasures: dict[str, str] = {}
        refused: dict[str, str] = {}
        for name, records in erase.items():
            for record in records:
                if record.id in erasures:
                    continue  # erased with a record merged into it
                try:
                    receipt = self.erase(record.id, reason=_reason(name, "erase"), actor=actor)
                except _REFUSALS as exc:
                    refused[record.id] = str(exc)[:300]
                    continue
                for gone in receipt.record_ids:
                    erasures[gone] = receipt.erasure
        return erasures, refused

    def _archive_due(
        self,
        archive: dict[str, list[Record]],
        erasures: dict[str, str],
        refused: dict[str, str],
        actor: Actor,
    ) -> dict[str, Transition]:
        moved: dict[str, Transition] = {}
        for name, records in archive.items():
            for record in records:
                if record.id in erasures:
                    continue
                try:
                    retired = self.retire(
                        record.id,
                        actor=actor,
                        reason=_reason(name, "archive"),
                        expected_version=record.version,
                    )
                except _REFUSALS as exc:
                    refused[record.id] = str(exc)[:300]
                    continue
                moved[record.id] = transitions(retired, "state")[-1]
        return moved


def _reason(rule: str, what: str) -> str:
    """
    The reason an archive or erasure by retention rule *rule* gives (audit trail).
    """
    return f"retention rule {rule!r}: {what} after inactivity"


def _unchanged(now: dt.datetime, inactive: dt.timedelta) -> RecordPredicate:
    """
    Unchanged for at least *inactive* at *now*: ``updated_at`` at most ``now - inactive``.
    """
    try:
        cutoff = now - inactive
    except OverflowError:  # before the first representable instant: nothing is due
        cutoff = dt.datetime.min.replace(tzinfo=dt.UTC)
    return RecordPredicate("updated_at", "le", cutoff)
