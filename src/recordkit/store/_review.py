"""
The review queue's part of the `Store` port: suspected duplicates kept for a person to decide.

A `Review` is one flagged pair — the record a check flagged, the record it seems to duplicate,
how sure the matcher was and why — open until a reviewer accepts it (the records are merged)
or rejects it (the pair is never matched again). Reviews are written in the store's
transaction with the records they are about, and erasure removes those naming an erased
record.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs

from recordkit._errors import StoreError, shorten
from recordkit._notebook import cell, html_block, html_table
from recordkit.match import MatchExplanation
from recordkit.store._entries import json_safe

__all__ = ["REVIEW_STATUSES", "Review", "ReviewMethods", "check_review_filter"]

REVIEW_STATUSES: Final = ("open", "accepted", "rejected")
"""
Where a review stands: waiting, accepted (merged), rejected (never match the pair).
"""


def _text(value: object) -> str:
    if not isinstance(value, str) or not value or len(value) > 255:
        raise StoreError(f"expected non-blank text (at most 255 chars), got {shorten(value)}")
    return value


def _probability(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise StoreError(f"a review's probability is a number in [0, 1], got {shorten(value)}")
    return float(value)


def _weight(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise StoreError(f"a review's weight is a finite number, got {shorten(value)}")
    return float(value)


def _utc(value: object) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise StoreError(f"expected an aware datetime, got {shorten(value)}")
    return value.astimezone(dt.UTC)


def _utc_or_none(value: object) -> dt.datetime | None:
    return None if value is None else _utc(value)


def _status(value: object) -> str:
    if value not in REVIEW_STATUSES:
        raise StoreError(
            f"a review's status is one of {', '.join(REVIEW_STATUSES)}, got {shorten(value)}"
        )
    return str(value)


def _explanation(value: object) -> Mapping[str, Any]:
    if isinstance(value, MatchExplanation):  # its plain data is made fresh: no copy needed
        return value.to_dict()
    if not isinstance(value, Mapping):
        raise StoreError(f"a review's explanation is a mapping, got {shorten(value)}")
    try:  # plain JSON data already (a MatchExplanation's to_dict): a copy, cheaply
        plain = json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError):
        plain = json_safe(value, path="explanation")
    assert isinstance(plain, Mapping)
    return plain


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)


@attrs.frozen(repr=False)
class Review:
    """
    A suspected duplicate waiting for a person: which records, how sure, why, and the decision.

    Args:
        id: the review's id.
        schema: the records' schema.
        record_id: the record the check flagged.
        other_id: the record it seems to duplicate.
        probability: the matcher's match probability (points for weighted rules, capped).
        weight: the match weight (or points).
        explanation: the matcher's explanation: a `MatchExplanation` or its ``to_dict``
            (kept as plain data).
        at: when it was flagged.
        model: the version of the model that scored the pair, if known.
        status: ``open``, ``accepted`` or ``rejected``.
        decided_at: when it was decided.
        decided_by: who decided.
        note: the reviewer's note.

    .. versionadded:: 0.2.0
    """

    id: str = attrs.field(converter=_text)
    schema: str = attrs.field(converter=_text)
    record_id: str = attrs.field(converter=_text)
    other_id: str = attrs.field(converter=_text)
    probability: float = attrs.field(converter=_probability)
    weight: float = attrs.field(converter=_weight)
    explanation: Mapping[str, Any] = attrs.field(converter=_explanation, hash=False)
    at: dt.datetime = attrs.field(converter=_utc)
    model: str | None = attrs.field(default=None, converter=_optional_text)
    status: str = attrs.field(default="open", converter=_status)
    decided_at: dt.datetime | None = attrs.field(default=None, converter=_utc_or_none)
    decided_by: str | None = attrs.field(default=None, converter=_optional_text)
    note: str | None = attrs.field(default=None)

    def __attrs_post_init__(self) -> None:
        if self.record_id == self.other_id:
            raise StoreError(f"a review pairs two records, got {self.record_id!r} twice")
        if self.note is not None and (not isinstance(self.note, str) or len(self.note) > 2000):
            raise StoreError(
                f"a review's note is text (at most 2000 chars), got {shorten(self.note)}"
            )
        if (self.status == "open") != (self.decided_at is None):
            raise StoreError("a review is open exactly when it has no decision time")

    def __repr__(self) -> str:
        return (f"Review({cell(self.id, 60)!r}: {cell(self.record_id, 60)!r} ~ "
                f"{cell(self.other_id, 60)!r}, probability={self.probability:.3f}, "
                f"{self.status})")  # fmt: skip

    def _repr_html_(self) -> str:
        facts = [
            ("status", self.status),
            ("probability", f"{self.probability:.3f}"),
            ("match weight", f"{self.weight:+.2f}"),
            ("flagged", self.at.isoformat()),
        ]
        if self.decided_by is not None:
            facts.append(("decided by", self.decided_by))
        terms = self.explanation.get("terms")
        rows = [(t.get("comparison"), t.get("level"), t.get("left"), t.get("right"),
                 t.get("weight")) for t in terms if isinstance(t, Mapping)] if isinstance(
                     terms, list) else []  # fmt: skip
        table = html_table(("comparison", "level", "left", "right", "weight"), rows,
                           total=len(rows), limit=40) if rows else ""  # fmt: skip
        return html_block(f"Review {cell(self.record_id)} ~ {cell(self.other_id)}", facts, table)

    @property
    def pair(self) -> frozenset[str]:
        """
        The two record ids.
        """
        return frozenset((self.record_id, self.other_id))

    def decided(self, status: str, *, at: dt.datetime, by: str, note: str | None = None) -> Review:
        """
        The review with its decision (``accepted`` or ``rejected``).

        Raises:
            StoreError: the review is decided already, or *status* is not a decision.
        """
        if self.status != "open":
            raise StoreError(f"review {self.id!r} was {self.status} already")
        if status not in ("accepted", "rejected"):
            raise StoreError(f"a decision is 'accepted' or 'rejected', got {shorten(status)}")
        return attrs.evolve(self, status=status, decided_at=at, decided_by=by, note=note)


def check_review_filter(
    schema: object,
    status: object,
    min_probability: object,
    max_probability: object,
    since: object,
    until: object,
    record_id: object,
    limit: object,
) -> None:
    """
    Refuse a `ReviewMethods.reviews` filter with a wrong part (a `StoreError` naming it).
    """
    _text(schema)
    if status is not None:
        _status(status)
    for name, value in (("min_probability", min_probability), ("max_probability", max_probability)):
        if value is not None:
            try:
                _probability(value)
            except StoreError:
                raise StoreError(f"{name} is a number in [0, 1], got {shorten(value)}") from None
    for name, value in (("since", since), ("until", until)):
        if value is not None and (not isinstance(value, dt.datetime) or value.tzinfo is None):
            raise StoreError(f"{name} is an aware datetime, got {shorten(value)}")
    if record_id is not None:
        _text(record_id)
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise StoreError(f"limit is a positive whole number, got {shorten(limit)}")


class ReviewMethods(ABC):
    """
    The review queue's part of the `Store` port.
    """

    @abstractmethod
    def put_reviews(self, reviews: Sequence[Review]) -> None:
        """
        Keep *reviews*, each new or replacing the one with its id (a decision), all or none.

        Raises:
            StoreError: *reviews* is not a list of `Review`, or the database failed.

        .. versionadded:: 0.2.0
        """

    @abstractmethod
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
        The reviews of *schema*, most probable first (then oldest first), filtered.

        Args:
            schema: the records' schema.
            status: ``open`` (default), ``accepted``, ``rejected``, or ``None`` for all.
            min_probability: at least this probability.
            max_probability: at most this probability.
            since: flagged at or after.
            until: flagged before.
            record_id: naming this record (either side).
            limit: at most this many.

        Raises:
            StoreError: a filter is not what it should be (named).

        .. versionadded:: 0.2.0
        """

    @abstractmethod
    def review(self, review_id: str) -> Review:
        """
        The review with *review_id*.

        Raises:
            NotFound: there is none.

        .. versionadded:: 0.2.0
        """
