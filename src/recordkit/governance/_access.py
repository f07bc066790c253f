"""
Access control: who may do what to which record and fields.

Every read and write the facade performs goes through an `AccessPolicy` first. The default,
`AllowAll`, lets everything through; real deny-by-default policies are composed from the same
protocol.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Iterable, Mapping
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

import attrs

from recordkit._errors import SchemaError, ValidationError, shorten
from recordkit.governance._condition import Condition
from recordkit.schema import Record, Schema

__all__ = ["AccessPolicy", "Action", "Actor", "AllowAll"]


class Action(enum.StrEnum):
    """
    What an actor asks to do with a record.

    ``export`` takes records out in bulk (a download, a sync), ``override`` forces a
    lifecycle move backwards (a stage override), ``policy`` changes the access policy.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``export``, ``override`` and ``policy``.
    """

    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    MERGE = "merge"
    UNMERGE = "unmerge"
    TRANSITION = "transition"
    ERASE = "erase"
    EXPORT = "export"
    OVERRIDE = "override"
    POLICY = "policy"

    @classmethod
    def _missing_(cls, value: object) -> Action:
        names = ", ".join(repr(a.value) for a in cls)
        raise SchemaError(f"an action is one of {names}, got {shorten(value)}")


def _names(what: str) -> Callable[[object], frozenset[str]]:
    def convert(value: object) -> frozenset[str]:
        if isinstance(value, str):
            value = (value,)
        if isinstance(value, Mapping | bytes) or not isinstance(value, Iterable):
            raise ValidationError(f"Actor.{what} must be a list of names, got {shorten(value)}")
        names = tuple(value)
        for name in names:
            if not isinstance(name, str) or not name.strip():
                raise ValidationError(f"Actor.{what} holds non-blank text, got {shorten(name)}")
        return frozenset(names)

    return convert


def _roles(value: object) -> frozenset[str]:
    return _names("roles")(value)


def _teams(value: object) -> frozenset[str]:
    return _names("teams")(value)


def _territories(value: object) -> frozenset[str]:
    return _names("territories")(value)


def _attributes(value: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"Actor.attributes must be a mapping of text to text, got {shorten(value)}"
        )
    out: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not key.strip() or not isinstance(item, str):
            raise ValidationError(
                f"Actor.attributes maps non-blank text to text, got {shorten(key)}: {shorten(item)}"
            )
        out[key] = item
    return MappingProxyType(out)


def _actor_id(_: object, __: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"Actor.id must be non-blank text, got {shorten(value)}")


@attrs.frozen
class Actor:
    """
    Someone or something acting on records: a user, a service, an import job.

    Examples:
        >>> Actor("ana", roles={"sales"}, territories={"US-NY"}).territories
        frozenset({'US-NY'})

    Args:
        id: who it is: non-blank text.
        roles: the roles it holds: a role name or a list of them (non-blank text).
        teams: the teams it belongs to (names), for record rules such as "one of my teams".
        territories: the territories it covers (names), for "in my territory".
        attributes: anything else a record rule may compare with (text to text).

    Raises:
        ValidationError: *id*, a role, team or territory is not non-blank text, or
            *attributes* is not a mapping of text to text.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 *teams*, *territories* and *attributes* (keyword-only).
    """

    id: str = attrs.field(validator=_actor_id)
    roles: frozenset[str] = attrs.field(factory=frozenset, converter=_roles)
    teams: frozenset[str] = attrs.field(factory=frozenset, converter=_teams, kw_only=True)
    territories: frozenset[str] = attrs.field(
        factory=frozenset, converter=_territories, kw_only=True
    )
    # Excluded from the hash (a mapping has none); equality still compares it.
    attributes: Mapping[str, str] = attrs.field(
        factory=dict, converter=_attributes, kw_only=True, hash=False
    )


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

    def mask(self, actor: Actor, schema: Schema, record: Record) -> Record:
        """
        The record as *actor* may see it: unchanged, since everything is allowed.

        .. versionadded:: 0.2.0
        """
        return record

    def mask_values(
        self, actor: Actor, schema: Schema, values: Mapping[str, object]
    ) -> dict[str, object]:
        """
        The values as *actor* may see them: a plain copy, since everything is allowed.

        .. versionadded:: 0.2.0
        """
        if not isinstance(values, Mapping):
            raise ValidationError(f"values must be a mapping, got {shorten(values)}")
        return dict(values)

    def scope(
        self, actor: Actor, schema: Schema, action: Action = Action.READ
    ) -> Condition | None:
        """
        The records *actor* may take *action* on: ``None``, every record.

        .. versionadded:: 0.2.0
        """
        return None
