"""
The profiles of imports a `SQLStore` keeps: ``rk_profile``, one row per import.

The profile is `Profile.to_dict`'s plain data in a JSON column; its run's id, schema, time,
source and actor sit in columns beside it, so the newest profiles of a schema are an index
scan.
"""

from __future__ import annotations

from abc import abstractmethod
from contextlib import AbstractContextManager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from recordkit._errors import StoreError, shorten
from recordkit.store._profiles import (
    ProfileEntry,
    ProfileMethods,
    check_profile_reads,
    entry_from_dict,
)
from recordkit.store.sql._codec import utc
from recordkit.store.sql._tables import FixedTables

__all__ = ["SQLProfiles"]


def _upsert(table: sa.Table, dialect: str) -> Any:
    """
    An INSERT that replaces the row of an entry kept before under the same id.
    """
    module: Any = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(table)
    return stmt.on_conflict_do_update(
        index_elements=[table.c.id],
        set_={c: stmt.excluded[c] for c in ("schema", "at", "source", "actor", "kind", "profile")},
    )


class SQLProfiles(ProfileMethods):
    """
    `Store.put_profile` and `Store.profiles` for `SQLStore`.
    """

    fixed: FixedTables
    dialect: str

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

    def put_profile(self, entry: ProfileEntry) -> None:
        """
        Keep the profile of one import (an entry with the same id is replaced).
        """
        if not isinstance(entry, ProfileEntry):
            raise StoreError(f"put_profile takes a ProfileEntry, got {shorten(entry)}")
        row = {
            "id": entry.id,
            "schema": entry.schema,
            "at": entry.at,
            "source": entry.source,
            "actor": entry.actor,
            "kind": entry.kind,
            "profile": entry.profile.to_dict(),
        }
        with self._unit("keeping a profile") as conn:
            conn.execute(_upsert(self.fixed.profile, self.dialect), [row])

    def profiles(
        self, schema: str, *, source: str | None = None, limit: int | None = None
    ) -> list[ProfileEntry]:
        """
        The profiles kept for *schema*, newest first (then by id).
        """
        check_profile_reads(schema, source, limit)
        p = self.fixed.profile
        stmt = sa.select(p).where(p.c.schema == schema).order_by(p.c.at.desc(), p.c.id)
        if source is not None:
            stmt = stmt.where(p.c.source == source)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._reader("reading profiles") as conn:
            rows = list(conn.execute(stmt))
        return [
            entry_from_dict(
                id=r.id,
                schema=r.schema,
                at=utc(r.at),
                source=r.source,
                actor=r.actor,
                kind=r.kind,
                data=r.profile,
            )
            for r in rows
        ]
