"""
A policy's plain data, read into its objects.

Roles, record rules and masking as a ``governance:`` section holds
them, read into their objects with every problem named by its path. The section's
``retention:`` list is checked here too, but is no part of a policy (`Retention`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from recordkit._errors import SchemaError, shorten
from recordkit.governance._mask import Strategy, strategy_from_data
from recordkit.governance._retention import retention_from_data
from recordkit.governance._rules import RecordRule, Role, rule_from_data
from recordkit.schema import Schema

__all__ = [
    "ROOT",
    "SECTION",
    "check_retention",
    "check_rules",
    "masking_from_data",
    "roles_from_data",
    "rules_from_data",
]

ROOT: Final = "governance"
"""
Where a policy sits in a schema document: the start of every path an error names.
"""

SECTION: Final = frozenset({"roles", "rules", "masking", "retention"})
"""
The keys of a ``governance:`` section.
"""


def check_retention(value: object, schema: Schema) -> None:
    """
    Check a section's ``retention:`` rules against *schema* (a policy does not hold them).

    Raises:
        SchemaError: malformed, unknown or duplicate, naming the path.
    """
    if not isinstance(schema, Schema):
        raise SchemaError(f"expected a Schema, got {shorten(schema)}")
    retention_from_data(value, schema)


def roles_from_data(value: object) -> tuple[Role, ...]:
    if isinstance(value, Mapping):
        out = []
        for name, data in value.items():
            out.append(_role_from_data(name, data))
        return tuple(out)
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise SchemaError(f"roles are a list of Role objects, got {shorten(value)}",
                          path=f"{ROOT}.roles")  # fmt: skip
    roles = tuple(value)
    for i, role in enumerate(roles):
        if not isinstance(role, Role):
            raise SchemaError(f"expected a Role, got {shorten(role)}", path=f"{ROOT}.roles[{i}]")
    return roles


def _role_from_data(name: object, data: object) -> Role:
    path = f"{ROOT}.roles.{shorten(name, 40) if not isinstance(name, str) else name[:40]}"
    if not isinstance(data, Mapping):
        raise SchemaError(f"a role is a mapping, got {shorten(data)}", path=path)
    unknown = set(data) - {"actions", "default", "fields", "tags"}
    if unknown:
        raise SchemaError(f"unknown key {sorted(map(str, unknown))[0]!r}", path=path)
    try:
        return Role(name, actions=data.get("actions", ()), default=data.get("default", "none"),
                    fields=data.get("fields"), tags=data.get("tags"))  # fmt: skip
    except SchemaError as exc:
        raise exc.at(path) from None


def rules_from_data(value: object) -> tuple[RecordRule, ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise SchemaError(f"rules are a list, got {shorten(value)}", path=f"{ROOT}.rules")
    out: list[RecordRule] = []
    for i, rule in enumerate(value):
        out.append(
            rule if isinstance(rule, RecordRule)
            else rule_from_data(rule, f"{ROOT}.rules[{i}]")
        )  # fmt: skip
    return tuple(out)


def masking_from_data(value: object) -> tuple[dict[str, Strategy], dict[str, Strategy]]:
    path = f"{ROOT}.masking"
    if value is None:
        return {}, {}
    if not isinstance(value, Mapping) or set(value) - {"fields", "tags"}:
        raise SchemaError(f"masking is {{fields: …, tags: …}}, got {shorten(value)}", path=path)
    parts: list[dict[str, Strategy]] = []
    for part in ("fields", "tags"):
        data = value.get(part) or {}
        if not isinstance(data, Mapping):
            raise SchemaError(f"expected a mapping, got {shorten(data)}", path=f"{path}.{part}")
        parts.append({
            str(k): strategy_from_data(v, f"{path}.{part}.{k}") for k, v in data.items()
        })  # fmt: skip
    return parts[0], parts[1]


def check_rules(rules: tuple[RecordRule, ...]) -> None:
    """
    Refuse the same role permitted and forbidden the same action with no condition.

    Raises:
        SchemaError: naming the forbidding rule.
    """
    # The same role permitted and forbidden the same action with no condition: a
    # contradiction, reported rather than silently resolved by "forbid wins".
    open_rules = [(i, r) for i, r in enumerate(rules) if r.unconditional]
    for i, forbid in open_rules:
        if forbid.effect != "forbid":
            continue
        for j, permit in open_rules:
            if permit.effect != "permit":
                continue
            both = forbid.actions & permit.actions
            overlap = forbid.roles is None or permit.roles is None or forbid.roles & permit.roles
            if both and overlap:
                action = sorted(a.value for a in both)[0]
                raise SchemaError(
                    f"rules[{j}] permits and rules[{i}] forbids {action!r} for the same "
                    "role, both unconditionally",
                    path=f"{ROOT}.rules[{i}]",
                )
