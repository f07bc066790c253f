"""
The steward's duplicate index: kept in step with the records, checked with them.

`_IndexKeeping` holds what the verbs share about the point-of-entry `DuplicateCheck`: the
``flag_duplicate`` event and review of a flag; `_screening`, the block in which a check and
the write it allows are one step; and keeping the index in step with written records — a
`PersistentIndex` inside the write's transaction (through the one commit path), an
in-memory `Index` after the COMMIT. And `rebuild_index`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from recordkit._errors import RecordkitError, StoreError, shorten
from recordkit._steward_change import Event
from recordkit._steward_core import SYSTEM, _StewardCore
from recordkit.governance import Actor
from recordkit.match import MERGED, Index, PersistentIndex, Verdict
from recordkit.schema import Record
from recordkit.store import Review

__all__: list[str] = []


class _IndexKeeping(_StewardCore):
    """
    The duplicate index's share of the steward: events, screening, upkeep, rebuilds.
    """

    def _index(self, records: Iterable[Record]) -> None:
        """
        Bring the point-of-entry index in step with committed records.

        A changed record is re-indexed with its new values; one in a final state (retired,
        merged away) leaves the index; a restored one comes back. The write is committed
        already, so a failure here does not fail the verb: the records wait in
        ``_unindexed`` and are indexed before the next duplicate check.
        """
        if self.matcher is None:
            return
        pending = self._unindexed
        for record in records:
            if record.schema == self.schema.name:
                pending[record.id] = record
        try:
            self._catch_up()
        except RecordkitError as exc:
            warnings.warn(str(exc), RuntimeWarning, stacklevel=4)

    def _flagged(
        self, record: Record, verdict: Verdict, at: dt.datetime
    ) -> tuple[dict[str, Any], Review] | None:
        """
        What a verdict that flags leaves (else ``None``): its event entry and its review.

        The `Review` holds the matcher's explanation for a person to decide; the entry
        (one of a ``flag_duplicate`` event's ``flags``, see `_flag_events`) names both
        records and the review, and says which comparisons agreed and how much each
        weighed, never the compared values (they stay in the review, which erasure
        removes).
        """
        best = verdict.best
        if verdict.action != "flag" or best is None:
            return None
        explanation = best.explanation
        review = Review(
            f"rv-{uuid.uuid4().hex}",
            self.schema.name,
            record.id,
            best.record_id,
            min(1.0, max(0.0, best.probability)),
            best.weight,
            explanation,
            at,
            model=explanation.version,
        )
        entry = {
            "record": record.id,
            "other": best.record_id,
            "entity": best.entity_id,
            "review": review.id,
            "probability": review.probability,
            "model": explanation.version,
            "why": [[t.comparison, t.level, round(t.weight, 4)] for t in explanation.terms],
        }
        return entry, review

    def _flag_one(
        self, record: Record, verdict: Verdict, at: dt.datetime
    ) -> tuple[list[Event], list[Review]]:
        """
        The event and review a capture's or an edit's verdict leaves (none unless it flags).
        """
        flag = self._flagged(record, verdict, at)
        if flag is None:
            return [], []
        return self._flag_events([flag[0]]), [flag[1]]

    def _flag_events(self, flags: Sequence[Mapping[str, Any]]) -> list[Event]:
        """
        The ``flag_duplicate`` event of *flags* (`_flagged` entries), or none without flags.

        One event per write, however many records it flags (a batch's chunk flags many):
        its ``record_ids`` are every flagged record and the record each seems to
        duplicate, its ``detail["flags"]`` one entry per flag.
        """
        if not flags:
            return []
        ids = list(dict.fromkeys(rid for f in flags for rid in (f["record"], f["other"])))
        detail = {"flags": list(flags)}
        return [Event(self, "flag_duplicate", ids, (), detail, values=False)]

    @property
    def _persistent(self) -> bool:
        """
        Whether the duplicate index keeps its rows in the store (a `PersistentIndex`).
        """
        return self.matcher is not None and isinstance(self.matcher.index, PersistentIndex)

    @contextlib.contextmanager
    def _screening(self, row: Mapping[str, Any] | Record | None) -> Iterator[None]:
        """
        The block in which a duplicate check and the write it allows are one step.

        With a persistent index: one store transaction, in which writers of records that
        share a blocking key with *row* take turns (two processes capturing the same
        person end with one record, the second one checked against the first); for a
        batch (*row* ``None``) every other writer of the index waits. With an in-memory
        index: the committed records still waiting are indexed first.
        """
        if self.matcher is None:
            yield
            return
        index = self.matcher.index
        if not isinstance(index, PersistentIndex):
            self._catch_up()
            yield
            return
        with self.store.transaction():
            if row is None:
                index.lock_all()  # a batch: every other writer of the index waits
            else:
                index.lock(row)
            yield

    def _sync_index(self, records: Iterable[Record]) -> None:
        """
        Bring a persistent index in step with *records*, inside the open transaction.

        A failure fails the write (it rolls back with the records).

        Raises:
            RecordkitError: the index refused a record (named, with the cause).
        """
        assert self.matcher is not None
        self._reindex_all(self.matcher.index, [r for r in records if r.schema == self.schema.name])

    def _reindex_all(self, index: Index | PersistentIndex, records: Sequence[Record]) -> None:
        """
        `_reindex` of each of *records*; the new live ones added at once (a batch).

        Raises:
            RecordkitError: the index refused a record (named, with the cause).
        """
        present = index.present([r.id for r in records])
        new = [
            r
            for r in records
            if r.id not in present and r.state != MERGED and not self.lifecycles.closed(r)
        ]
        if len(new) > 1:
            try:
                index.add_many(new)
            except StoreError:
                raise
            except Exception as exc:
                raise RecordkitError(
                    f"the duplicate index cannot take {len(new)} new records "
                    f"({type(exc).__name__}: {shorten(str(exc), 200)})"
                ) from exc
            added = {r.id for r in new}
            records = [r for r in records if r.id not in added]
        for record in records:
            self._reindex(index, record)

    def _reindex(self, index: Index | PersistentIndex, record: Record) -> None:
        """
        Index *record* as it now is: out when final, replaced when in, else added.

        Raises:
            RecordkitError: the index refused it (named, with the cause).
        """
        try:
            if self.lifecycles.closed(record) or record.state == MERGED:
                if record.id in index:
                    index.remove(record.id)
            elif record.id in index:
                index.replace(record)
            else:
                index.add(record)
        except StoreError:
            raise
        except Exception as exc:
            raise RecordkitError(
                f"the duplicate index cannot take record {shorten(record.id)} "
                f"({type(exc).__name__}: {shorten(str(exc), 200)})"
            ) from exc

    def _unindex(self, record_ids: Sequence[str]) -> None:
        """
        Take records out of a persistent index, inside the open transaction.
        """
        assert self.matcher is not None
        index = self.matcher.index
        for rid in record_ids:
            if rid in index:
                index.remove(rid)

    def _forget(self, record_ids: tuple[str, ...]) -> None:
        """
        Remove erased records from the duplicate index (after the COMMIT).
        """
        for rid in record_ids:
            self._unindexed.pop(rid, None)
        if self.matcher is None:
            return
        index = self.matcher.index
        for rid in record_ids:
            try:
                index.remove(rid)
            except RecordkitError:
                continue  # never indexed (retired or merged away before)

    def _catch_up(self) -> None:
        """
        Index the committed records still waiting; raise if the index cannot take them.

        Raises:
            RecordkitError: the index refused a committed record (named, with the cause).
        """
        if self.matcher is None or not self._unindexed:
            return
        pending = self._unindexed
        try:
            self._reindex_all(self.matcher.index, list(pending.values()))
        except RecordkitError as exc:
            raise RecordkitError(
                f"{exc}; the committed records are stored, and will be indexed at the next check"
            ) from exc
        pending.clear()

    def rebuild_index(self, *, actor: Actor = SYSTEM) -> int:
        """
        Build the persistent duplicate index again from every stored record.

        In one transaction, by the batch road; entity ids are kept where the clusters
        allow. For records written while no steward kept the index, or rows found damaged
        (a steward rebuilds an index that is new, or was built with other matching
        settings, by itself). Returns how many records the index holds.

        Raises:
            RecordkitError: the steward has no persistent duplicate index.
            AccessDenied: *actor* may read only some records, or some fields masked.

        .. versionadded:: 0.2.0
        """
        self._check_reads_all(actor, "rebuild_index")
        return self._rebuild_index()

    def _rebuild_index(self) -> int:
        check = self.matcher
        if check is None or not isinstance(check.index, PersistentIndex):
            raise RecordkitError(
                "rebuild_index needs a persistent duplicate index: "
                "Steward(..., matcher=DuplicateCheck(matcher))"
            )
        index = check.index
        with self.store.transaction():
            records = [
                r
                for batch in self.store.iterate(self.schema.name)
                for r in batch
                if r.state != MERGED and not self.lifecycles.closed(r)
            ]
            return index.rebuild(records)
