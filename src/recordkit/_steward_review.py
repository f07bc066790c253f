"""
The review queue: suspected duplicates a person decides, through the one commit path.

Every pair a `DuplicateCheck` flags is kept as an open `Review` (with the flag's audit
event, in the same transaction). A reviewer lists them (`reviews`), accepts one (`accept`:
the records are merged by the normal `merge` verb, and the decision kept with it) or rejects
one (`reject`: the pair is never matched again — `find_duplicates` and later checks of the
records honour it). Each decision is audited (``review`` events).
"""

from __future__ import annotations

import datetime as dt

from recordkit._errors import RecordkitError, shorten
from recordkit._steward_change import Change, Event, Write
from recordkit._steward_core import SYSTEM
from recordkit._steward_merge import _MergeVerbs
from recordkit.governance import Action, Actor
from recordkit.match import (
    DuplicateCheck,
    Matcher,
    Merge,
    MergePolicy,
    PersistentIndex,
    learn_from_decisions,
)
from recordkit.store import Review

__all__: list[str] = []


class _ReviewVerbs(_MergeVerbs):
    """
    The review queue's verbs: `reviews`, `accept`, `reject` and `learn`.
    """

    # the matcher `learn` starts from (the one given), once it has learned
    _taught_from: Matcher | None = None

    def reviews(
        self,
        *,
        status: str | None = "open",
        min_probability: float | None = None,
        max_probability: float | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        record_id: str | None = None,
        limit: int | None = 100,
        actor: Actor = SYSTEM,
    ) -> list[Review]:
        """
        The suspected duplicates of this schema waiting for a decision, most probable first.

        A review holds the matcher's explanation, which quotes the compared values in
        clear: *actor* must be allowed to read every record of the schema unmasked.

        Args:
            status: ``open`` (the default), ``accepted``, ``rejected``, or ``None``: all.
            min_probability: at least this match probability.
            max_probability: at most this match probability.
            since: flagged at or after (aware datetime).
            until: flagged before.
            record_id: naming this record.
            limit: at most this many (``None``: all).
            actor: who asks.

        Raises:
            StoreError: a filter is not what it should be (named).
            AccessDenied: *actor* may read only some records, or some fields masked.

        .. versionadded:: 0.2.0
        """
        self._check_reads_all(actor, "reviews")
        return self.store.reviews(
            self.schema.name,
            status=status,
            min_probability=min_probability,
            max_probability=max_probability,
            since=since,
            until=until,
            record_id=record_id,
            limit=limit,
        )

    def _open_review(self, review_id: object) -> Review:
        if not isinstance(review_id, str):
            raise RecordkitError(f"review ids are text, got {shorten(review_id)}")
        review = self.store.review(review_id)
        if review.schema != self.schema.name:
            raise RecordkitError(
                f"review {review_id!r} is about {review.schema!r} records, not "
                f"{self.schema.name!r}"
            )
        if review.status != "open":
            raise RecordkitError(f"review {review_id!r} was {review.status} already")
        return review

    def _decide(
        self, review: Review, decision: str, actor: Actor, note: str | None, merge: str | None
    ) -> Review:
        """
        Keep the decision on *review* with its ``review`` event, through the commit path.
        """
        if note is not None and (not isinstance(note, str) or len(note) > 2000):
            raise RecordkitError(f"note must be text of at most 2000 chars, got {shorten(note)}")
        now = self._now()
        decided = review.decided(decision, at=now, by=actor.id, note=note)
        detail = {"review": review.id, "decision": decision, **({"merge": merge} if merge else {})}
        event = Event(
            self, "review", [review.record_id, review.other_id], (), detail, values=False
        )
        # a decision about merging the pair: checked as a merge of both records as they are
        pair = [r for r in self.store.get_many([review.record_id, review.other_id]) if r]
        checks = [Write(self, r, r, Action.MERGE, ()) for r in pair]
        self._commit(
            Change(actor, now, events=lambda _: [event], reviews=[decided], checks=checks)
        )
        return decided

    def accept(
        self,
        review_id: str,
        *,
        actor: Actor = SYSTEM,
        note: str | None = None,
        policy: MergePolicy | None = None,
    ) -> Merge:
        """
        Accept a suspected duplicate: merge its two records and keep the decision, together.

        The merge is the `merge` verb's (checked, audited, undoable by `unmerge`); the
        record flagged earlier is merged into the one it duplicates.

        Raises:
            NotFound: no such review.
            RecordkitError: it is about another schema's records, or decided already.
            MergeError: the records cannot be merged (one was merged away since).
            AccessDenied: *actor* may not merge them.

        .. versionadded:: 0.2.0
        """
        self._check_actor(actor)
        review = self._open_review(review_id)
        with self.store.transaction():
            done = self.merge([review.other_id, review.record_id], actor=actor, policy=policy)
            self._decide(review, "accepted", actor, note, done.id)
        return done

    def reject(self, review_id: str, *, actor: Actor = SYSTEM, note: str | None = None) -> Review:
        """
        Reject a suspected duplicate: the two records are not the same, and never will be.

        The pair is kept as a never-match: `find_duplicates` never links it, and a later
        check of either record does not flag the other again.

        Raises:
            NotFound: no such review.
            RecordkitError: it is about another schema's records, or decided already.
            AccessDenied: *actor* may not decide merges.

        .. versionadded:: 0.2.0
        """
        self._check_actor(actor)
        review = self._open_review(review_id)
        return self._decide(review, "rejected", actor, note, None)

    def learn(self, *, strength: float = 20.0, actor: Actor = SYSTEM) -> Matcher:
        """
        Refine the duplicate check's model with every decision reviewers made so far.

        Accepted reviews are pairs of the same entity, rejected ones pairs of different
        ones (`learn_from_decisions`, from the model the steward was given, with all the
        decisions each time, so none counts twice). The check scores with the refined model
        from then on, and the model is kept with the index, so a steward opened later with
        the default matcher scores with it; the stored index rows stay as they are (they
        hold prepared values, not scores). Returns the refined matcher.

        Raises:
            RecordkitError: the steward has no persistent duplicate check, or its model
                cannot learn (`WeightedRules`).
            AccessDenied: *actor* may read only some records, or some fields masked.

        .. versionadded:: 0.2.0
        """
        self._check_reads_all(actor, "learn")
        check = self.matcher
        if check is None or not isinstance(check.index, PersistentIndex):
            raise RecordkitError(
                "learn needs a persistent duplicate check: "
                "Steward(..., matcher=DuplicateCheck(matcher))"
            )
        base = self._taught_from or check.matcher
        decided = [
            r
            for status in ("accepted", "rejected")
            for r in self.store.reviews(self.schema.name, status=status, limit=None)
        ]
        records = self.store.get_many([i for r in decided for i in (r.record_id, r.other_id)])
        by_id = {r.id: r for r in records if r is not None}
        decisions = [
            (by_id[r.record_id], by_id[r.other_id], r.status == "accepted")
            for r in decided
            if r.record_id in by_id and r.other_id in by_id
        ]
        learned = learn_from_decisions(base, decisions, strength=strength)
        self._taught_from = base
        index = PersistentIndex(learned, check.index.rows, max_block=check.index.max_block)
        index.keep_model()  # the next process opening the index scores with it too
        self.matcher = DuplicateCheck(
            index, flag_at=check.flag_at, block_at=check.block_at, merge_at=check.merge_at
        )
        return learned

    def _never(self) -> list[tuple[str, str]]:
        """
        The pairs reviewers rejected (never to be matched).
        """
        rejected = self.store.reviews(self.schema.name, status="rejected", limit=None)
        return [(r.record_id, r.other_id) for r in rejected]
