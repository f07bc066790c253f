"""
`DuplicateCheck`: what to do with a new record that looks like a duplicate.

Like a CRM's duplicate rules: above ``merge_at`` the new record is merged into the match,
above ``block_at`` the capture is refused (`DuplicateError`, with the matches and why), above
``flag_at`` it is stored and flagged. Edits are checked too (`screen_change`): an edit that
makes a record a duplicate of another entity is blocked or flagged, never merged. The check
reads an `Index`, and adds every stored record to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

import attrs

from recordkit._errors import RecordkitError, shorten
from recordkit.match._check import items
from recordkit.match._matcher import Matcher
from recordkit.match.index._index import Index
from recordkit.match.index._lookup import Added, Lookup, Match
from recordkit.match.index._persistent import PersistentIndex
from recordkit.match.index._rows import IndexRows
from recordkit.schema import Record

__all__ = ["DuplicateCheck", "DuplicateError", "Verdict"]

ACTIONS: Final = ("none", "flag", "block", "merge")


@attrs.frozen
class Verdict:
    """
    The outcome of a point-of-entry check: ``none``, ``flag``, ``block`` or ``merge``.

    .. versionadded:: 0.1.0
    """

    action: str
    lookup: Lookup

    @property
    def best(self) -> Match | None:
        """
        The strongest match, if any.
        """
        return self.lookup.best


class DuplicateError(RecordkitError, ValueError):
    """
    A capture or an edit was refused because the record duplicates an existing one.

    Attributes:
        verdict: the check's verdict, with every match and its explanation.

    .. versionadded:: 0.1.0
    """

    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict
        best = verdict.best
        if best is None:  # pragma: no cover - a block always has a match
            super().__init__("the record duplicates an existing one")
            return
        why = ", ".join(
            f"{t.comparison} {t.level}"
            for t in sorted(best.explanation.terms, key=lambda t: -t.weight)[:3]
            if t.weight > 0
        )
        score = (
            f"{best.weight:g} points"
            if best.explanation.model == "weighted_rules"
            else f"probability {best.probability:.3f}"
        )
        super().__init__(
            f"the record duplicates record {shorten(best.record_id)} (entity "
            f"{shorten(best.entity_id)}, {score}: {why})"
        )


def _threshold(value: float | None, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordkitError(f"{name} must be a number or None, got {shorten(value)}")
    return float(value)


class DuplicateCheck:
    """
    Point-of-entry duplicate handling by thresholds over an `Index`.

    Thresholds are match probabilities (points for weighted rules); a pair must also pass
    the matcher's own threshold to count as a match at all. Leave a threshold ``None`` to
    turn that action off; by default matches are flagged.

    Examples:
        >>> from recordkit.match import Index, Matcher, WeightedRules, block_on, email_comparison
        >>> m = Matcher([email_comparison("email")], [block_on("email")],
        ...             prepare={"email": "email"},
        ...             model=WeightedRules({"email": {"exact": 10}}), threshold=10)
        >>> check = DuplicateCheck(Index(m), block_at=10)
        >>> check.screen({"email": "ada@example.com"}).action
        'none'

    Args:
        index: the index of existing records (it grows as records are admitted): an
            in-memory `Index`, a `PersistentIndex`, or a fitted `Matcher` — then the
            index lives in the store of the `Steward` the check is given to (a
            `PersistentIndex` named after its schema; `bind` does it by hand).
        flag_at: store the record and flag the duplicate at or above this.
        block_at: refuse the record at or above this.
        merge_at: store the record and merge it into its best match at or above this.

    Raises:
        RecordkitError: *index* is none of those, or a threshold is not a number.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       *index* may be a `PersistentIndex`, or a `Matcher` (kept in the steward's store).
    """

    def __init__(
        self,
        index: Index | PersistentIndex | Matcher,
        *,
        flag_at: float | None = 0.0,
        block_at: float | None = None,
        merge_at: float | None = None,
    ) -> None:
        if not isinstance(index, Index | PersistentIndex | Matcher):
            raise RecordkitError(
                f"a DuplicateCheck reads an Index, a PersistentIndex or a Matcher, got "
                f"{type(index).__name__}"
            )
        if isinstance(index, Matcher) and index.model is None:
            raise RecordkitError("a DuplicateCheck needs a fitted matcher: call matcher.fit first")
        self._index = index
        self.flag_at = _threshold(flag_at, "flag_at")
        self.block_at = _threshold(block_at, "block_at")
        self.merge_at = _threshold(merge_at, "merge_at")

    def __repr__(self) -> str:
        return (
            f"DuplicateCheck(flag_at={self.flag_at}, block_at={self.block_at}, "
            f"merge_at={self.merge_at}, {self._index!r})"
        )

    @property
    def index(self) -> Index | PersistentIndex:
        """
        The index the check reads.

        Raises:
            RecordkitError: the check was made from a `Matcher` and not bound to a store yet.
        """
        index = self._index
        if isinstance(index, Matcher):
            raise RecordkitError(
                "this DuplicateCheck keeps its index in a store: give it to a Steward, or "
                "bind it (check.bind(store.index_rows(name)))"
            )
        return index

    @property
    def matcher(self) -> Matcher:
        """
        The matcher behind the check.
        """
        index = self._index
        return index if isinstance(index, Matcher) else index.matcher

    @property
    def bound(self) -> bool:
        """
        Whether the check has its index (False: made from a `Matcher`, not bound yet).
        """
        return not isinstance(self._index, Matcher)

    def bind(self, rows: IndexRows, *, max_block: int = 1000) -> DuplicateCheck:
        """
        The same check over a `PersistentIndex` of its matcher kept in *rows*.

        Raises:
            RecordkitError: the check is bound already, or *rows* is not an `IndexRows`.
            IndexMismatch: *rows* were built with other matching settings.
        """
        if self.bound:
            raise RecordkitError("this DuplicateCheck has its index already")
        index = PersistentIndex(self.matcher, rows, max_block=max_block)
        return DuplicateCheck(
            index, flag_at=self.flag_at, block_at=self.block_at, merge_at=self.merge_at
        )

    def screen(self, record: object) -> Verdict:
        """
        Decide what to do with *record* (a mapping of values or a `Record`); adds nothing.

        Raises:
            SchemaError: the record is of another schema than the index's.
        """
        return self._decide(self.index.lookup(record))

    def screen_change(self, record: Record, *, never: Iterable[str] = ()) -> Verdict:
        """
        Decide on an edit of *record*: whether it now duplicates another entity's record.

        Matches with the record itself and with its own entity's records do not count (they
        are known already), nor those with the records in *never* (a reviewer said they
        are not the same). An edit is never merged automatically: where a capture would
        merge, an edit is flagged.

        Raises:
            SchemaError: the record is of another schema than the index's.
        """
        if not isinstance(record, Record):
            raise RecordkitError(f"record must be a Record, got {shorten(record)}")
        if isinstance(never, str | bytes) or not isinstance(never, Iterable):
            raise RecordkitError(f"never must be a list of record ids, got {shorten(never)}")
        apart = list(never)
        if not all(isinstance(rid, str) for rid in apart):
            raise RecordkitError(f"never must be a list of record ids, got {shorten(apart)}")
        lookup = self.index.lookup(record)
        own = self.index.entity_of(record.id) if record.id in self.index else None
        others = tuple(
            m
            for m in lookup.matches
            if m.record_id != record.id and m.entity_id != own and m.record_id not in apart
        )
        verdict = self._decide(attrs.evolve(lookup, matches=others))
        return Verdict("flag", verdict.lookup) if verdict.action == "merge" else verdict

    def screen_many(self, records: Sequence[Record]) -> list[Verdict]:
        """
        Decide on many new records at once.

        Each is checked against the indexed records and against the records before it
        that are not refused (a batch's own duplicates). A record matched to an earlier
        one of the batch is given that record's entity (or the entity it was merged or
        flagged into). Nothing is added.

        Raises:
            RecordkitError: *records* is not a list of `Record` values.
            SchemaError: a record is of another schema than the index's.
        """
        if not isinstance(records, list | tuple):
            raise RecordkitError(f"records must be a list of Record values, got {shorten(records)}")
        for record in records:
            if not isinstance(record, Record):
                raise RecordkitError(f"records must be Record values, got {shorten(record)}")
        if not records:
            return []
        stored, near = self.index.screen_batch(records)
        verdicts: list[Verdict] = []
        entity: dict[str, str] = {}  # batch record → its entity, once decided
        for record, lookup, earlier in zip(records, stored, near, strict=True):
            kept = [
                attrs.evolve(m, entity_id=entity[m.record_id])
                for m in earlier.matches
                if m.record_id in entity
            ]
            matches = sorted((*lookup.matches, *kept), key=lambda m: -m.weight)
            seen = Lookup(tuple(matches), lookup.candidates + earlier.candidates, lookup.skipped)
            verdict = self._decide(seen)
            verdicts.append(verdict)
            if verdict.action != "block":
                best = verdict.best
                follows = best is not None and verdict.action in ("flag", "merge")
                entity[record.id] = best.entity_id if follows and best else record.id
        return verdicts

    def _decide(self, lookup: Lookup) -> Verdict:
        best = lookup.best
        if best is None:
            return Verdict("none", lookup)
        score = best.probability
        if self.merge_at is not None and score >= self.merge_at:
            return Verdict("merge", lookup)
        if self.block_at is not None and score >= self.block_at:
            return Verdict("block", lookup)
        if self.flag_at is not None and score >= self.flag_at:
            return Verdict("flag", lookup)
        return Verdict("none", lookup)

    def refuse(self, verdict: Verdict) -> None:
        """
        Raise `DuplicateError` when *verdict* blocks.

        Raises:
            DuplicateError: the verdict is ``block``.
        """
        if not isinstance(verdict, Verdict):
            raise RecordkitError(f"verdict must be a Verdict (from screen), got {shorten(verdict)}")
        if verdict.action == "block":
            raise DuplicateError(verdict)

    def admit(self, record: object, *, id: str | None = None) -> Added:
        """
        Add a stored record to the index (its cluster and entity id follow).
        """
        return self.index.add(record, id=id)

    def admit_many(self, records: Iterable[object]) -> list[Added]:
        """
        Add stored records one by one.
        """
        return [self.admit(r) for r in items(records, "records")]
