"""
`MemoryProfiles`: the profiles of imports a `MemoryStore` keeps, under its transactions.
"""

from __future__ import annotations

from recordkit._errors import StoreError, shorten
from recordkit.store._journal import Journal
from recordkit.store._profiles import ProfileEntry, ProfileMethods, check_profile_reads

__all__ = ["MemoryProfiles"]


class MemoryProfiles(ProfileMethods):
    """
    `Store.put_profile` and `Store.profiles` for `MemoryStore`.
    """

    _profiles: dict[str, ProfileEntry]
    _journal: Journal

    def put_profile(self, entry: ProfileEntry) -> None:
        """
        Keep the profile of one import (an entry with the same id is replaced).
        """
        if not isinstance(entry, ProfileEntry):
            raise StoreError(f"put_profile takes a ProfileEntry, got {shorten(entry)}")
        with self._journal.transaction():
            before = self._profiles.get(entry.id)
            self._profiles[entry.id] = entry

            def undo() -> None:
                if before is None:
                    self._profiles.pop(entry.id, None)
                else:
                    self._profiles[entry.id] = before

            self._journal.on_undo(undo)

    def profiles(
        self, schema: str, *, source: str | None = None, limit: int | None = None
    ) -> list[ProfileEntry]:
        """
        The profiles kept for *schema*, newest first (then by id).
        """
        check_profile_reads(schema, source, limit)
        with self._journal.lock:
            found = [
                e
                for e in self._profiles.values()
                if e.schema == schema and (source is None or e.source == source)
            ]
        found.sort(key=lambda e: e.id)
        found.sort(key=lambda e: e.at, reverse=True)
        return found if limit is None else found[:limit]
