"""
The review queue of a `MemoryStore`: reviews in a dict, changed through the journal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from recordkit._errors import NotFound, StoreError, shorten
from recordkit.store._journal import Journal
from recordkit.store._review import Review, ReviewMethods, check_review_filter

__all__ = ["MemoryReviews", "matching_reviews"]


def matching_reviews(
    found: Sequence[Review],
    *,
    status: str | None,
    min_probability: float | None,
    max_probability: float | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    record_id: str | None,
    limit: int | None,
) -> list[Review]:
    """
    *found* filtered as `ReviewMethods.reviews` says, most probable first, then oldest.
    """
    out = [
        r
        for r in found
        if (status is None or r.status == status)
        and (min_probability is None or r.probability >= min_probability)
        and (max_probability is None or r.probability <= max_probability)
        and (since is None or r.at >= since)
        and (until is None or r.at < until)
        and (record_id is None or record_id in r.pair)
    ]
    out.sort(key=lambda r: (-r.probability, r.at, r.id))
    return out if limit is None else out[:limit]


class MemoryReviews(ReviewMethods):
    """
    `Store.put_reviews`, `reviews` and `review` for `MemoryStore`.
    """

    _reviews: dict[str, Review]
    _journal: Journal

    def put_reviews(self, reviews: Sequence[Review]) -> None:
        """
        Keep *reviews* (new, or replacing the one with the same id), all or none.
        """
        if not isinstance(reviews, list | tuple):
            raise StoreError(f"put_reviews takes a list of Review, got {shorten(reviews)}")
        for review in reviews:
            if not isinstance(review, Review):
                raise StoreError(f"put_reviews takes Review values, got {shorten(review)}")
        with self._journal.transaction():
            for review in reviews:
                self._journal.assign(self._reviews, review.id, review)

    def reviews(
        self,
        schema: str,
        *,
        status: str | None = "open",
        min_probability: float | None = None,
        max_probability: float | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        record_id: str | None = None,
        limit: int | None = None,
    ) -> list[Review]:
        """
        The reviews of *schema*, filtered, most probable first.
        """
        check_review_filter(
            schema, status, min_probability, max_probability, since, until, record_id, limit
        )
        with self._journal.lock:
            found = [r for r in self._reviews.values() if r.schema == schema]
        return matching_reviews(
            found,
            status=status,
            min_probability=min_probability,
            max_probability=max_probability,
            since=since,
            until=until,
            record_id=record_id,
            limit=limit,
        )

    def review(self, review_id: str) -> Review:
        """
        The review with *review_id*.
        """
        if not isinstance(review_id, str):
            raise StoreError(f"review ids are text, got {shorten(review_id)}")
        with self._journal.lock:
            found = self._reviews.get(review_id)
        if found is None:
            raise NotFound(review_id, message=f"no review {shorten(review_id)}")
        return found
