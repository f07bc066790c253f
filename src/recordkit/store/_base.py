"""
The `Store` port: where records live.

recordkit talks to storage only through it, so the in-memory default and database adapters
are interchangeable behind the facade.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence

from recordkit.schema import Record

__all__ = ["Store"]


class Store(ABC):
    """
    A repository of records with optimistic concurrency.

    Every write names the version it was based on: ``put(record, expected_version=n)``
    succeeds only while the stored record is at version *n* (``None``: the record must not
    exist yet), else it raises `ConflictError` and writes nothing.

    .. versionadded:: 0.1.0
    """

    @abstractmethod
    def get(self, record_id: str) -> Record:
        """
        Return the record with *record_id*.

        Raises:
            NotFound: no such record.
        """

    @abstractmethod
    def get_many(self, record_ids: Sequence[str]) -> list[Record | None]:
        """
        Return the records for *record_ids*, in order, ``None`` where absent.
        """

    @abstractmethod
    def put(self, record: Record, *, expected_version: int | None) -> None:
        """
        Create (``expected_version=None``) or replace a record.

        Raises:
            ConflictError: the stored version is not *expected_version*.
        """

    @abstractmethod
    def put_many(self, records: Sequence[Record]) -> None:
        """
        Create many new records at once, all or none.

        Raises:
            ConflictError: one of the ids exists already (nothing is written).
        """

    @abstractmethod
    def scan(self, schema: str, *, batch_size: int = 10_000) -> Iterator[list[Record]]:
        """
        Yield the records of *schema* in batches of at most *batch_size*.
        """

    @abstractmethod
    def count(self, schema: str) -> int:
        """
        How many records of *schema* are stored.
        """
