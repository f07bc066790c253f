"""
Access control: who may do what to which record and fields.

Every read and write the facade performs goes through an `AccessPolicy` first. The default,
`AllowAll`, lets everything through; real deny-by-default policies are composed from the same
protocol.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Protocol, runtime_checkable

import attrs

from recordkit._errors import SchemaError, ValidationError, shorten
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

    @classmethod
    def _missing_(cls, value: object) -> Action:
        names = ", ".join(repr(a.value) for a in cls)
        raise SchemaError(f"an action is one of {names}, got {shorten(value)}")


def _roles(value: object) -> frozenset[str]:
    if isinstance(value, str):
        value = (value,)
    if isinstance(value, Mapping | bytes) or not isinstance(value, Iterable):
        raise ValidationError(f"Actor.roles must be a list of role names, got {shorten(value)}")
    roles = tuple(value)
    for role in roles:
        if not isinstance(role, str) or not role.strip():
            raise ValidationError(f"Actor.roles holds non-blank text, got {shorten(role)}")
    return frozenset(roles)


def _actor_id(_: object, __: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"Actor.id must be non-blank text, got {shorten(value)}")


@attrs.frozen
class Actor:
    """
    Someone or something acting on records: a user, a service, an import job.

    Args:
        id: who it is: non-blank text.
        roles: the roles it holds: a role name or a list of them (non-blank text).

    Raises:
        ValidationError: *id* or a role is not non-blank text.

    .. versionadded:: 0.1.0
    """

    id: str = attrs.field(validator=_actor_id)
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
