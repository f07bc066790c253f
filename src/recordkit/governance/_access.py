"""
Access control: who may do what to which record and fields.

Every read and write the facade performs goes through an `AccessPolicy` first. The default,
`AllowAll`, lets everything through; real deny-by-default policies are composed from the same
protocol.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from typing import Protocol, runtime_checkable

import attrs

from recordkit.schema import Record, Schema

__all__ = ["AccessPolicy", "Action", "Actor", "AllowAll"]


class Action(enum.StrEnum):
    """
    What an actor asks to do with a record.

    .. versionadded:: 0.1.0
    """

    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    MERGE = "merge"
    UNMERGE = "unmerge"
    TRANSITION = "transition"
    ERASE = "erase"


def _roles(value: Collection[str]) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(value)


@attrs.frozen
class Actor:
    """
    Someone or something acting on records: a user, a service, an import job.

    .. versionadded:: 0.1.0
    """

    id: str = attrs.field(
        validator=attrs.validators.and_(
            attrs.validators.instance_of(str), attrs.validators.min_len(1)
        )
    )
    roles: frozenset[str] = attrs.field(factory=frozenset, converter=_roles)


@runtime_checkable
class AccessPolicy(Protocol):
    """
    Decides whether an actor may perform an action.

    ``check`` returns quietly to allow and raises `AccessDenied` to refuse. *record* is the
    current record (``None`` when creating); *fields* are the fields read or written;
    *after* is the record as the write would leave it (``None`` for reads), so a policy
    can judge the values being written (an owner reassigned, a stage skipped), not only
    the record as it was.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``check`` receives *after*.
    """

    def check(
        self,
        actor: Actor,
        action: Action,
        schema: Schema,
        record: Record | None,
        fields: Collection[str],
        *,
        after: Record | None = None,
    ) -> None:
        """
        Allow by returning; refuse by raising `AccessDenied`.
        """


@attrs.frozen
class AllowAll:
    """
    The policy that allows everything: the default until a real policy is configured.

    .. versionadded:: 0.1.0
    """

    def check(
        self,
        actor: Actor,
        action: Action,
        schema: Schema,
        record: Record | None,
        fields: Collection[str],
        *,
        after: Record | None = None,
    ) -> None:
        """
        Allow.
        """
        return
