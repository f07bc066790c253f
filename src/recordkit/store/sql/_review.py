"""
The review queue of a `SQLStore`: ``rk_review``, indexed by schema, status and probability.
"""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

import sqlalchemy as sa

from recordkit._errors import NotFound, StoreError, shorten
from recordkit.store._review import Review, ReviewMethods, check_review_filter
from recordkit.store.sql._bulk import executemany
from recordkit.store.sql._codec import utc
from recordkit.store.sql._index_drop import chunks
from recordkit.store.sql._tables import FixedTables, id_in

__all__ = ["SQLReviews"]


def _row(review: Review) -> dict[str, Any]:
    return {
        "id": review.id,
        "schema": review.schema,
        "record_id": review.record_id,
        "other_id": review.other_id,
        "probability": review.probability,
        "weight": review.weight,
        "explanation": dict(review.explanation),
        "at": review.at,
        "model": review.model,
        "status": review.status,
        "decided_at": review.decided_at,
        "decided_by": review.decided_by,
        "note": review.note,
    }


def _review(row: Any) -> Review:
    try:
        return Review(
            row.id,
            row.schema,
            row.record_id,
            row.other_id,
            row.probability,
            row.weight,
            row.explanation,
            utc(row.at),
            model=row.model,
            status=row.status,
            decided_at=None if row.decided_at is None else utc(row.decided_at),
            decided_by=row.decided_by,
            note=row.note,
        )
    except StoreError as exc:
        raise StoreError(f"review {shorten(row.id)} cannot be read: {exc}") from None


class SQLReviews(ReviewMethods):
    """
    `Store.put_reviews`, `reviews` and `review` for `SQLStore`.
    """

    fixed: FixedTables

    @abstractmethod
    def _unit(self, what: str) -> AbstractContextManager[sa.Connection]:
        """
        The store's unit of work (see `Database.unit`).
        """

    @abstractmethod
    def _reader(self, what: str) -> AbstractContextManager[sa.Connection]:
        """
        A connection to read with (see `Database.reader`).
        """

    def put_reviews(self, reviews: Sequence[Review]) -> None:
        """
        Keep *reviews* (new, or replacing the one with the same id), all or none.
        """
        if not isinstance(reviews, list | tuple):
            raise StoreError(f"put_reviews takes a list of Review, got {shorten(reviews)}")
        for review in reviews:
            if not isinstance(review, Review):
                raise StoreError(f"put_reviews takes Review values, got {shorten(review)}")
        if not reviews:
            return
        t = self.fixed.review
        latest = {r.id: r for r in reviews}
        with self._unit("keeping reviews") as conn:
            ids = list(latest)
            for part in chunks(ids):  # one bound list per part
                conn.execute(t.delete().where(id_in(t.c.id, part, conn.dialect.name)))
            executemany(conn, t.insert(), [_row(r) for r in latest.values()])

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
        The reviews of *schema*, filtered in the database, most probable first.
        """
        check_review_filter(
            schema, status, min_probability, max_probability, since, until, record_id, limit
        )
        t = self.fixed.review
        stmt = sa.select(t).where(t.c.schema == schema)
        if status is not None:
            stmt = stmt.where(t.c.status == status)
        if min_probability is not None:
            stmt = stmt.where(t.c.probability >= min_probability)
        if max_probability is not None:
            stmt = stmt.where(t.c.probability <= max_probability)
        if since is not None:
            stmt = stmt.where(t.c.at >= since)
        if until is not None:
            stmt = stmt.where(t.c.at < until)
        if record_id is not None:
            stmt = stmt.where(sa.or_(t.c.record_id == record_id, t.c.other_id == record_id))
        stmt = stmt.order_by(t.c.probability.desc(), t.c.at, t.c.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._reader("reading reviews") as conn:
            return [_review(row) for row in conn.execute(stmt)]

    def review(self, review_id: str) -> Review:
        """
        The review with *review_id*.
        """
        if not isinstance(review_id, str):
            raise StoreError(f"review ids are text, got {shorten(review_id)}")
        t = self.fixed.review
        with self._reader("reading a review") as conn:
            row = conn.execute(sa.select(t).where(t.c.id == review_id)).first()
        if row is None:
            raise NotFound(review_id, message=f"no review {shorten(review_id)}")
        return _review(row)
