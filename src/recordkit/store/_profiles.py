"""
The dataset profiles a store keeps, one per import (the port's part for them).

A `Steward` opened with ``keep_profiles=True`` profiles what each ``capture_many`` run
read and keeps the `Profile` beside the records as a `ProfileEntry`, keyed by its run's
id and time, so trends exist: the latest against the one before (`compare_profiles`).
A profile is plain JSON data (`Profile.to_dict`): a list in memory, a JSON column in SQL.
"""

from __future__ import annotations

import datetime as dt
import sys
from abc import ABC, abstractmethod
from typing import Final

import attrs

from recordkit._errors import StoreError, shorten
from recordkit.quality import Profile, QualityError
from recordkit.schema import JSONObject

__all__ = ["ProfileEntry", "ProfileMethods", "check_profile_reads", "entry_from_dict"]

_MAX_TEXT: Final = 255


def _text(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_TEXT:
        raise StoreError(f"expected non-blank text of at most {_MAX_TEXT} characters, "
                         f"got {shorten(value)}")  # fmt: skip
    return value


def _utc(value: object) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise StoreError(f"at must be a datetime, got {shorten(value)}")
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _profile(value: object) -> Profile:
    if not isinstance(value, Profile):
        raise StoreError(f"profile must be a recordkit.quality.Profile, got {shorten(value)}")
    return value


@attrs.frozen(repr=False)
class ProfileEntry:
    """
    The profile of one import, kept by the store beside the records it imported.

    Args:
        id: the run's id (one per ``capture_many`` call).
        schema: the record type imported.
        at: when the run finished (UTC).
        source: the source the rows came from.
        actor: who imported them.
        profile: the `Profile` of the rows the run read (stored and quarantined).
        kind: the verb that made it (``capture_many``).

    Raises:
        StoreError: an argument is of the wrong type or blank.

    .. versionadded:: 0.2.0
    """

    id: str = attrs.field(converter=_text)
    schema: str = attrs.field(converter=_text)
    at: dt.datetime = attrs.field(converter=_utc)
    source: str = attrs.field(converter=_text)
    actor: str = attrs.field(converter=_text)
    profile: Profile = attrs.field(converter=_profile, eq=False)
    kind: str = attrs.field(default="capture_many", kw_only=True, converter=_text)

    def __repr__(self) -> str:
        return (f"ProfileEntry({self.id!r}, {self.schema!r}, at={self.at.isoformat()}, "
                f"rows={self.profile.rows})")  # fmt: skip

    def to_dict(self) -> JSONObject:
        """
        Plain JSON data: the entry's keys and the profile's own `Profile.to_dict`.

        .. versionadded:: 0.2.0
        """
        return {
            "id": self.id,
            "schema": self.schema,
            "at": self.at.isoformat(),
            "source": self.source,
            "actor": self.actor,
            "kind": self.kind,
            "profile": self.profile.to_dict(),
        }


def entry_from_dict(
    *, id: str, schema: str, at: dt.datetime, source: str, actor: str, kind: str, data: object
) -> ProfileEntry:
    """
    An entry from a store's row: *data* is what `Profile.to_dict` wrote.

    Raises:
        StoreError: *data* is not a profile's plain data.
    """
    if not isinstance(data, dict):
        raise StoreError(f"the profile kept for {id!r} is not a JSON object")
    try:
        read = Profile.from_dict(data)
    except QualityError as exc:
        raise StoreError(f"the profile kept for {id!r} cannot be read: {exc}") from None
    return ProfileEntry(id, schema, at, source, actor, read, kind=kind)


def check_profile_reads(schema: object, source: object, limit: object) -> None:
    """
    Check the arguments of `ProfileMethods.profiles`.
    """
    if not isinstance(schema, str) or not schema:
        raise StoreError(f"schema must be a schema name, got {shorten(schema)}")
    if source is not None and not isinstance(source, str):
        raise StoreError(f"source must be text or None, got {shorten(source)}")
    if limit is not None and (
        isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= sys.maxsize
    ):
        raise StoreError(f"limit must be a whole number of profiles or None, got {shorten(limit)}")


class ProfileMethods(ABC):
    """
    `Store.put_profile` and `Store.profiles`.
    """

    @abstractmethod
    def put_profile(self, entry: ProfileEntry) -> None:
        """
        Keep the profile of one import (an entry with the same id is replaced).

        Raises:
            StoreError: *entry* is not a `ProfileEntry`.

        .. versionadded:: 0.2.0
        """

    @abstractmethod
    def profiles(
        self, schema: str, *, source: str | None = None, limit: int | None = None
    ) -> list[ProfileEntry]:
        """
        The profiles kept for *schema*, newest first (then by id).

        Args:
            schema: the record type.
            source: only the imports from this source.
            limit: at most this many (``None``: all).

        Raises:
            StoreError: an argument is not what the store takes.

        .. versionadded:: 0.2.0
        """
