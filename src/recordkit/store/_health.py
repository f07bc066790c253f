"""
The health scores a store keeps with its records (the port's part for them).

A `Steward` with a `HealthModel` writes each record's `HealthScore` in the transaction
that writes the record, so a score always describes the record as stored; a rollback
takes both back. Scores are read one by one, ranked from the least healthy (``contacts
under 60``, the worst 100 of one owner) and re-weighed in batches. Erasing or deleting a
record removes its score.
"""

from __future__ import annotations

import sys
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from recordkit._errors import StoreError, shorten
from recordkit.governance import Condition
from recordkit.quality import HealthScore

__all__ = ["HealthMethods", "check_ranking", "check_scores"]

Where = Condition | Iterable[Condition] | Mapping[str, Any]


def check_scores(schema: object, scores: object) -> list[HealthScore]:
    """
    Check `put_health`'s arguments; return *scores* as a list.
    """
    if not isinstance(schema, str) or not schema:
        raise StoreError(f"schema must be a schema name, got {shorten(schema)}")
    if not isinstance(scores, list | tuple):
        raise StoreError(f"put_health takes a list of HealthScore, got {shorten(scores)}")
    for s in scores:
        if not isinstance(s, HealthScore):
            raise StoreError(f"put_health takes HealthScore values, got {shorten(s)}")
    return list(scores)


def check_ranking(below: object, limit: object) -> None:
    """
    Check `health_ranked`'s *below* and *limit*.
    """
    if below is not None and (
        isinstance(below, bool) or not isinstance(below, int) or not 0 <= below <= 101
    ):
        raise StoreError(
            f"below must be a whole number from 0 to 101 or None, got {shorten(below)}"
        )
    if limit is not None and (
        isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= sys.maxsize
    ):
        raise StoreError(f"limit must be a whole number of scores or None, got {shorten(limit)}")


class HealthMethods(ABC):
    """
    `Store.put_health`, `health`, `health_ranked`, `iterate_health`, `open_duplicates`.
    """

    @abstractmethod
    def put_health(self, schema: str, scores: Sequence[HealthScore]) -> None:
        """
        Keep *scores* of records of *schema*, each replacing its record's, all or none.

        Raises:
            StoreError: *scores* are not `HealthScore` values.

        .. versionadded:: 0.2.0
        """

    @abstractmethod
    def health(self, schema: str, record_ids: Sequence[str]) -> dict[str, HealthScore]:
        """
        The scores kept for *record_ids* (records without one are left out).

        .. versionadded:: 0.2.0
        """

    @abstractmethod
    def health_ranked(
        self,
        schema: str,
        *,
        below: int | None = None,
        where: Where = (),
        stage: str | None = None,
        state: str | None = None,
        limit: int | None = 100,
    ) -> list[HealthScore]:
        """
        The scores of the matching records, least healthy first (then by record id).

        Args:
            schema: the record type.
            below: only scores under this.
            where: conditions on the records, as `Store.query` takes them
                (``RecordPredicate("owner", "eq", "kim")``: one owner's records).
            stage: only records at this business stage.
            state: only records in this lifecycle state.
            limit: at most this many (``None``: all).

        Raises:
            StoreError: an argument is not what the store takes.

        .. versionadded:: 0.2.0
        """

    @abstractmethod
    def iterate_health(
        self, schema: str, *, batch_size: int = 10_000
    ) -> Iterator[list[HealthScore]]:
        """
        Every score kept for records of *schema*, in batches, by record id.

        .. versionadded:: 0.2.0
        """

    @abstractmethod
    def open_duplicates(self, schema: str, record_ids: Sequence[str]) -> dict[str, int]:
        """
        Record id → how many open review items (suspected duplicates) name it.

        Records with none are left out.

        .. versionadded:: 0.2.0
        """
