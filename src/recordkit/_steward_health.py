"""
Record health kept on write: the scores `Steward` stores with its records, and their reads.

With ``Steward(..., health=HealthModel())`` the one commit path scores every record it
writes, in the same transaction (`_keep_health`): the record's issues (from the verb when
it found them, else from the steward's rules, memoized per distinct value), its open
duplicate flags, its consent decisions in force and its provenance times go to the
model as columns. A review decided or opened rescores both records it names, a consent
decision the record it is about. `health`
reads one record's breakdown, `lowest_health` ranks the least healthy, and `rescore`
re-weighs every stored score after a weight change, batch by batch through the commit path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from recordkit._errors import NotFound, RecordkitError, shorten
from recordkit._gc import collector_paused
from recordkit._steward_change import Change, Event, Write
from recordkit._steward_core import SYSTEM, _StewardCore
from recordkit.governance import Action, Actor, AllOf, Condition
from recordkit.quality import HealthInputs, HealthModel, HealthScore
from recordkit.rules import Issue, run_chunk
from recordkit.schema import Record
from recordkit.store import conditions

__all__ = ["_HealthVerbs"]

Where = Condition | Mapping[str, Any] | list[Condition] | tuple[Condition, ...]

_MEMO_SIZE = 100_000


class _HealthVerbs(_StewardCore):
    """
    `health`, `lowest_health` and `rescore`, and the scoring the commit path does.
    """

    health_model: HealthModel | None
    _consent_purposes: tuple[str, ...]
    _health_memo: dict[str, dict[Hashable, object]]

    # -- reads ----------------------------------------------------------------------------

    def health(self, record_id: str, *, actor: Actor = SYSTEM) -> HealthScore:
        """
        The health score of one record, with its breakdown by dimension.

        Examples:
            >>> from recordkit import Steward, bundled_schema
            >>> from recordkit.quality import HealthModel
            >>> contacts = Steward(bundled_schema("contact"), health=HealthModel())
            >>> r = contacts.capture(
            ...     {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"},
            ...     source="form",
            ... )
            >>> score = contacts.health(r.id)
            >>> sum(score.points) == score.score
            True

        Raises:
            NotFound: no such record, or it has no score (it was stored before the
                steward had a `HealthModel`: `rescore(full=True)` scores it).
            AccessDenied: *actor* may not read the record.
            RecordkitError: the steward keeps no health scores.

        .. versionadded:: 0.2.0
        """
        self._check_actor(actor)
        self._health_model()
        record = self._own(record_id)
        self.access.check(actor, Action.READ, self.schema, record, self.schema.field_names)
        found = self.store.health(self.schema.name, [record_id]).get(record_id)
        if found is None:
            raise NotFound(record_id, message=f"record {shorten(record_id)} has no health score")
        return found

    def lowest_health(
        self,
        *,
        below: int | None = None,
        where: Where = (),
        stage: str | None = None,
        state: str | None = None,
        limit: int | None = 100,
        actor: Actor = SYSTEM,
    ) -> list[HealthScore]:
        """
        The least healthy records' scores, lowest first, among those *actor* may read.

        "Contacts under 60" is ``lowest_health(below=60, limit=None)``; "the worst 100
        of one owner" is ``lowest_health(where=RecordPredicate("owner", "eq", "kim"))``.
        The ranking runs in the store (an index range scan in SQL), joined to the
        conditions and to the policy's record rules for *actor*.

        Args:
            below: only scores under this (0-101).
            where: conditions on the records, as `query` takes them.
            stage: only records at this business stage.
            state: only records in this lifecycle state.
            limit: at most this many (``None``: all).
            actor: who reads.

        Raises:
            StoreError: an argument is not what the store takes.
            RecordkitError: the steward keeps no health scores, or *actor* is no `Actor`.

        .. versionadded:: 0.2.0
        """
        self._check_actor(actor)
        self._health_model()
        scope_of = getattr(self.access, "scope", None)
        scope: Condition | None = (
            None if scope_of is None else scope_of(actor, self.schema, Action.READ)
        )
        joined: Any = where if scope is None else AllOf([*conditions(where), scope])
        found = self.store.health_ranked(
            self.schema.name,
            below=below,
            where=joined,
            stage=stage,
            state=state,
            limit=None if scope_of is None else limit,
        )
        if scope_of is None:  # a policy that cannot say what it allows: checked one by one
            sight = self._sight(actor)
            ids = [s.record_id for s in found]
            readable = {r.id for r in self.store.get_many(ids) if r and sight.may_read(r)}
            found = [s for s in found if s.record_id in readable][:limit]
        return found

    # -- rescoring ------------------------------------------------------------------------

    def rescore(
        self,
        model: HealthModel | None = None,
        *,
        full: bool = False,
        actor: Actor = SYSTEM,
        batch_size: int = 10_000,
    ) -> int:
        """
        Score every stored record again, after a change of weights (or of model).

        Kept scores are re-weighed from the measures they keep (freshness measured again
        now), batch by batch, each batch through the one commit path with one
        ``rescore`` audit event; no record changes. A kept score made with other
        dimensions, and with ``full=True`` every record of the schema (those stored
        before the steward kept scores included), is scored from the record itself. The
        steward adopts *model* once every batch is stored.

        Args:
            model: the new `HealthModel` (default: the steward's).
            full: score every record from the record, not from kept measures.
            actor: who rescores; they must read every record in clear.
            batch_size: scores per batch.

        Returns:
            How many scores were written.

        Raises:
            RecordkitError: the steward keeps no health scores, or an argument is wrong.
            AccessDenied: *actor* may not read every record, or update them.

        .. versionadded:: 0.2.0
        """
        chosen = self._health_model() if model is None else model
        if not isinstance(chosen, HealthModel):
            raise RecordkitError(f"model must be a HealthModel, got {shorten(model)}")
        if not isinstance(full, bool):
            raise RecordkitError(f"full must be True or False, got {shorten(full)}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise RecordkitError(
                f"batch_size must be a positive whole number, got {shorten(batch_size)}"
            )
        self._check_reads_all(actor, "rescore")
        with collector_paused():  # batches of small objects, no cycles
            done = self._rescore_all(chosen, full, actor, batch_size)
        self.health_model = chosen
        return done

    def _rescore_all(self, chosen: HealthModel, full: bool, actor: Actor, batch_size: int) -> int:
        name = self.schema.name
        done = 0
        if full:
            for page in self.store.scan(name, batch_size=batch_size):
                done += self._rescored(actor, self._score_records(chosen, page, {}), chosen)
        else:
            for kept in self.store.iterate_health(name, batch_size=batch_size):
                now = self._now()
                scores, stale = chosen.rescore(kept, now=now)
                records = [r for r in self.store.get_many(stale) if r is not None]
                scores += self._score_records(chosen, records, {}, now=now)
                done += self._rescored(actor, scores, chosen, now=now)
        return done

    def _rescored(
        self,
        actor: Actor,
        scores: Sequence[HealthScore],
        model: HealthModel,
        *,
        now: dt.datetime | None = None,
    ) -> int:
        detail = {"model": model.fingerprint, "rescored": len(scores)}
        event = Event(self, "rescore", [], (), detail, values=False)
        change = Change(
            actor,
            now or self._now(),
            events=lambda _: [event],
            grants=[(self, Action.UPDATE)],
            health=scores,
        )
        self._commit(change)
        return len(scores)

    # -- what the commit path asks ----------------------------------------------------

    def _health_model(self) -> HealthModel:
        if self.health_model is None:
            raise RecordkitError(
                "the steward keeps no health scores; give it one: "
                "Steward(..., health=HealthModel())"
            )
        return self.health_model

    def _keep_health(self, change: Change, written: Sequence[Write]) -> None:
        """
        Score the records *change* writes, and those its reviews name, in the transaction.
        """
        model = self.health_model
        if model is None:
            return
        mine = [w for w in written if w.owner is self]
        records = {w.after.id: w.after for w in mine}
        # a review opened or decided, or a consent decision, changes the records it names
        named = {i for r in change.reviews for i in (r.record_id, r.other_id)}
        reviewed = (named | {e.record_id for e in change.consents}) - set(records)
        if reviewed:
            for r in self.store.get_many(sorted(reviewed)):
                if r is not None and r.schema == self.schema.name:
                    records[r.id] = r
        if not records and not change.health:
            return
        given = {w.after.id: w.issues for w in mine if w.issues is not None}
        new = {w.after.id for w in mine if w.before is None}
        scores = list(change.health)
        scores += self._score_records(
            model, list(records.values()), given, now=change.at, change=change, new=new
        )
        self.store.put_health(self.schema.name, scores)

    def _score_records(
        self,
        model: HealthModel,
        records: Sequence[Record],
        given: Mapping[str, Sequence[Issue]],
        *,
        now: dt.datetime | None = None,
        change: Change | None = None,
        new: set[str] | frozenset[str] = frozenset(),
    ) -> list[HealthScore]:
        """
        Score *records*: issues as *given*, else from the steward's rules (memoized).
        """
        if not records:
            return []
        at = now or self._now()
        issues = self._issues_of(records, given)
        ids = [r.id for r in records]
        duplicates = self.store.open_duplicates(self.schema.name, ids)
        consents = self._consents_of(records, new, change, at)
        inputs = HealthInputs(
            self.schema,
            records,
            issues,
            [duplicates.get(i, 0) for i in ids],
            consents,
            at,
            purposes=self._consent_purposes,
        )
        return model.score(inputs)

    def _issues_of(
        self, records: Sequence[Record], given: Mapping[str, Sequence[Issue]]
    ) -> list[Sequence[Issue]]:
        """
        Each record's issues: as given by the verb, else the rules' over its values.
        """
        todo = [r for r in records if r.id not in given]
        found: dict[str, list[Issue]] = {}
        if todo:
            if sum(len(m) for m in self._health_memo.values()) > _MEMO_SIZE * 4:
                self._health_memo.clear()
            names = self.schema.field_names
            columns = {n: [r.values.get(n) for r in todo] for n in names}
            checked = run_chunk(
                self.rules,
                columns,
                len(todo),
                memo=self._health_memo,
                memo_size=_MEMO_SIZE,
                defaults=False,
            )
            for row, issue in checked.located:
                found.setdefault(todo[row].id, []).append(issue)
        return [given[r.id] if r.id in given else found.get(r.id, []) for r in records]

    def _consents_of(
        self,
        records: Sequence[Record],
        new: set[str] | frozenset[str],
        change: Change | None,
        at: dt.datetime,
    ) -> list[Mapping[str, bool]]:
        """
        Each record's consent decisions in force: purpose → granted.
        """
        if not self._consent_purposes:
            return [{} for _ in records]
        pending: dict[str, list[Any]] = {}
        for entry in change.consents if change is not None else ():
            pending.setdefault(entry.record_id, []).append(entry)
        out: list[Mapping[str, bool]] = []
        for r in records:
            stored = [] if r.id in new else self.store.consents(r.id)
            decided: dict[str, bool] = {}
            for entry in sorted([*stored, *pending.get(r.id, ())], key=lambda e: e.at):
                if entry.granted and not entry.in_force(at):
                    decided.pop(entry.purpose, None)  # a lapsed grant is no decision
                else:
                    decided[entry.purpose] = entry.granted
            out.append(decided)
        return out
