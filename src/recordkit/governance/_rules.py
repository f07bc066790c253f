"""
The parts of a policy: roles with field permissions, and record rules with conditions.

Both are small frozen objects that turn into and back from the plain data of a schema's
``governance:`` section. A record rule's condition is a mapping, ANDed, from a field name
or a record column (``record.owner``, ``record.stage``, ``record.state``) to a test:

- a value (equal), a list (one of), ``None`` (no value);
- ``{op: operand}`` with ``op`` one of ``eq ne lt le gt ge in missing present``;
- an operand (or the whole test) ``{actor: id}``, ``{actor: teams}``,
  ``{actor: territories}`` or ``{actor: attributes.<name>}``: the acting actor's own value
  (for teams and territories, "one of them").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

import attrs

from recordkit._errors import SchemaError, shorten
from recordkit.governance._access import Action
from recordkit.governance._condition import COLUMNS, OPERATORS

__all__ = [
    "LEVELS",
    "ActorRef",
    "RecordRule",
    "Role",
    "Test",
    "parse_condition",
    "rule_from_data",
]

LEVELS: Final[Mapping[str, int]] = {"none": 0, "masked": 1, "read": 2, "write": 3}
"""
Field permissions, weakest first: ``write`` implies ``read``.
"""

_ACTOR_REFS: Final = ("id", "teams", "territories")


def _actions(value: object, path: str) -> frozenset[Action]:
    if value in ("*", "all"):
        return frozenset(Action)
    if isinstance(value, str | Action):
        value = (value,)
    if isinstance(value, Mapping | bytes) or not isinstance(value, Iterable):
        raise SchemaError(f"actions are a list of action names, got {shorten(value)}", path=path)
    out: set[Action] = set()
    for i, item in enumerate(value):
        try:
            out.add(Action(item))
        except SchemaError as exc:
            raise exc.at(f"{path}[{i}]") from None
    return frozenset(out)


def _name(value: object, what: str, path: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 100:
        raise SchemaError(f"{what} is non-blank text, got {shorten(value)}", path=path)
    return value


def _permissions(value: object, path: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise SchemaError(f"expected a mapping of names to permissions, got {shorten(value)}",
                          path=path)  # fmt: skip
    out: dict[str, str] = {}
    for key, level in value.items():
        name = _name(key, "a name", path)
        if level not in LEVELS:
            raise SchemaError(
                f"a permission is one of {', '.join(LEVELS)}, got {shorten(level)}",
                path=f"{path}.{name}",
            )
        out[name] = str(level)
    return out


def _role_name(value: object) -> str:
    return _name(value, "a role name", "name")


def _action_list(value: object) -> frozenset[Action]:
    return _actions(value, "actions")


def _field_permissions(value: object) -> dict[str, str]:
    return _permissions(value, "fields")


def _tag_permissions(value: object) -> dict[str, str]:
    return _permissions(value, "tags")


def _rule_roles(value: object) -> frozenset[str] | None:
    return _roles(value, "roles")


def _when(value: object) -> Mapping[str, object]:
    return _condition_data(value, "when")


def _after(value: object) -> Mapping[str, object]:
    return _condition_data(value, "after")


@attrs.frozen
class Role:
    """
    What holders of a role may do: the actions, and per field what they may read or write.

    A field's permission is its own entry in *fields*, else the weakest of its tags'
    entries in *tags*, else *default*. An actor's permission on a field is the strongest
    its roles give.

    Examples:
        >>> role = Role("sales", actions=["read", "update"], default="read",
        ...             fields={"owner_id": "write"}, tags={"pii": "masked"})
        >>> sorted(a.value for a in role.actions)
        ['read', 'update']

    Args:
        name: the role's name, as actors hold it.
        actions: the actions it may take (names, or ``"*"`` for all).
        default: the permission on fields neither *fields* nor *tags* names: ``write``
            (implies read), ``read``, ``masked`` (readable only masked) or ``none``.
        fields: field name → permission.
        tags: tag → permission, for the fields carrying the tag.

    Raises:
        SchemaError: a bad name, action or permission, naming where.

    .. versionadded:: 0.2.0
    """

    name: str = attrs.field(converter=_role_name)
    actions: frozenset[Action] = attrs.field(default=(), converter=_action_list, kw_only=True)
    default: str = attrs.field(default="none", kw_only=True)
    fields: Mapping[str, str] = attrs.field(
        factory=dict, converter=_field_permissions, kw_only=True, hash=False
    )
    tags: Mapping[str, str] = attrs.field(
        factory=dict, converter=_tag_permissions, kw_only=True, hash=False
    )

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.default, str) or self.default not in LEVELS:
            raise SchemaError(
                f"a permission is one of {', '.join(LEVELS)}, got {shorten(self.default)}",
                path="default",
            )

    def to_data(self) -> dict[str, object]:
        """
        The plain data of this role (its name is the key it is kept under).
        """
        out: dict[str, object] = {
            "actions": sorted(a.value for a in self.actions),
            "default": self.default,
        }
        if self.fields:
            out["fields"] = dict(sorted(self.fields.items()))
        if self.tags:
            out["tags"] = dict(sorted(self.tags.items()))
        return out


@attrs.frozen
class ActorRef:
    """
    The acting actor's own value: ``id``, ``teams``, ``territories`` or an attribute.
    """

    name: str

    @property
    def many(self) -> bool:
        """
        Whether it is a set of values (teams, territories).
        """
        return self.name in ("teams", "territories")

    def values(self, actor_id: str, teams: frozenset[str], territories: frozenset[str],
               attributes: Mapping[str, str]) -> tuple[str, ...]:  # fmt: skip
        """
        The actor's values it stands for (none when the attribute is absent).
        """
        if self.name == "id":
            return (actor_id,)
        if self.name == "teams":
            return tuple(sorted(teams))
        if self.name == "territories":
            return tuple(sorted(territories))
        value = attributes.get(self.name.removeprefix("attributes."))
        return () if value is None else (value,)


@attrs.frozen
class Test:
    """
    One test of a condition: a field or record column, an operator and an operand.
    """

    target: str
    column: bool
    op: str
    operand: object


def _actor_ref(value: object, path: str) -> ActorRef:
    if isinstance(value, str) and (
        value in _ACTOR_REFS or (value.startswith("attributes.") and len(value) > 11)
    ):
        return ActorRef(value)
    raise SchemaError(
        f"an actor reference is id, teams, territories or attributes.<name>, got {shorten(value)}",
        path=path,
    )


def _operand(value: object, path: str) -> object:
    if isinstance(value, Mapping):
        if set(value) == {"actor"}:
            return _actor_ref(value["actor"], f"{path}.actor")
        raise SchemaError(f"an operand is a value or {{actor: …}}, got {shorten(value)}",
                          path=path)  # fmt: skip
    if isinstance(value, list | tuple):
        return tuple(value)
    return value


def parse_condition(data: object, path: str) -> tuple[Test, ...]:
    """
    The tests a condition mapping spells (all must hold).

    Raises:
        SchemaError: a malformed test, naming its path (field names are checked later,
            against a schema).
    """
    if data is None:
        return ()
    if not isinstance(data, Mapping):
        raise SchemaError(f"a condition is a mapping of tests, got {shorten(data)}", path=path)
    tests: list[Test] = []
    for key, spec in data.items():
        name = _name(key, "a condition key", path)
        where = f"{path}.{name}"
        column = name.startswith("record.")
        target = name.removeprefix("record.") if column else name
        if column and target not in COLUMNS:
            raise SchemaError(
                f"a record column is one of {', '.join(sorted(COLUMNS))}, got {target!r}",
                path=where,
            )
        op, operand = "eq", spec
        if isinstance(spec, Mapping) and set(spec) != {"actor"}:
            if len(spec) != 1 or next(iter(spec)) not in OPERATORS:
                raise SchemaError(
                    f"a test is a value or {{op: operand}} with op one of "
                    f"{', '.join(sorted(OPERATORS))}, got {shorten(spec)}",
                    path=where,
                )
            ((op, raw),) = spec.items()
            operand = None if op in ("missing", "present") else _operand(raw, f"{where}.{op}")
        elif spec is None:
            op = "missing"
        else:
            operand = _operand(spec, where)
            if isinstance(operand, tuple):
                op = "in"
        if op == "in" and not isinstance(operand, tuple | ActorRef):
            raise SchemaError(f"'in' takes a list, got {shorten(operand)}", path=where)
        tests.append(Test(target, column, op, operand))
    return tuple(tests)


def _roles(value: object, path: str) -> frozenset[str] | None:
    if value is None or value in ("*", "any"):
        return None
    if isinstance(value, str):
        value = (value,)
    if isinstance(value, Mapping | bytes) or not isinstance(value, Iterable):
        raise SchemaError(f"roles are a list of role names, got {shorten(value)}", path=path)
    return frozenset(_name(r, "a role name", f"{path}[{i}]") for i, r in enumerate(value))


def _condition_data(value: object, path: str) -> Mapping[str, object]:
    parse_condition(value, path)  # refuse malformed conditions now
    return dict(value) if isinstance(value, Mapping) else {}


@attrs.frozen
class RecordRule:
    """
    A ``permit`` or ``forbid`` statement over actions, roles and a condition on the record.

    A matching ``forbid`` refuses, whatever permits. When any ``permit`` rule covers an
    action for an actor's roles, one of them must match too; otherwise the roles' grant
    alone decides. *when* tests the record as it is (for a create, as it will be); *after*
    tests the record as the write would leave it (for a read, as it is).

    Examples:
        >>> RecordRule.forbid("update", roles=["sales"],
        ...                   after={"record.owner": {"ne": {"actor": "id"}}}).effect
        'forbid'

    Args:
        effect: ``permit`` or ``forbid``.
        actions: the actions it covers (names).
        roles: the roles it applies to; ``None`` (or ``"*"``) for every actor.
        when: the condition on the record before (see the module's condition language).
        after: the condition on the record after.
        name: a label for messages (default: ``rules[i]``).

    Raises:
        SchemaError: a bad effect, action, role or condition, naming where.

    .. versionadded:: 0.2.0
    """

    effect: str = attrs.field(default="permit")
    actions: frozenset[Action] = attrs.field(default=(), converter=_action_list)
    roles: frozenset[str] | None = attrs.field(default=None, converter=_rule_roles)
    when: Mapping[str, object] = attrs.field(factory=dict, converter=_when, hash=False)
    after: Mapping[str, object] = attrs.field(factory=dict, converter=_after, hash=False)
    name: str = attrs.field(default="", kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.effect not in ("permit", "forbid"):
            raise SchemaError(f"a rule is permit or forbid, got {shorten(self.effect)}",
                              path="effect")  # fmt: skip
        if not isinstance(self.name, str) or len(self.name) > 100:
            raise SchemaError(f"a rule name is text, got {shorten(self.name)}", path="name")

    @classmethod
    def permit(cls, action: object, *, roles: object = None, when: object = None,
               after: object = None, name: str = "") -> RecordRule:  # fmt: skip
        """
        A rule permitting *action* (a name or a list) when its conditions hold.
        """
        return cls("permit", action, roles, when, after, name=name)

    @classmethod
    def forbid(cls, action: object, *, roles: object = None, when: object = None,
               after: object = None, name: str = "") -> RecordRule:  # fmt: skip
        """
        A rule forbidding *action* (a name or a list) when its conditions hold.
        """
        return cls("forbid", action, roles, when, after, name=name)

    @property
    def unconditional(self) -> bool:
        """
        Whether the rule has no condition.
        """
        return not self.when and not self.after

    def to_data(self) -> dict[str, object]:
        """
        The plain data of this rule: ``{permit: [actions], roles: […], when: {…}, after: {…}}``.
        """
        out: dict[str, object] = {self.effect: sorted(a.value for a in self.actions)}
        if self.roles is not None:
            out["roles"] = sorted(self.roles)
        if self.when:
            out["when"] = dict(self.when)
        if self.after:
            out["after"] = dict(self.after)
        if self.name:
            out["name"] = self.name
        return out


def rule_from_data(data: object, path: str) -> RecordRule:
    """
    The rule *data* spells (as `RecordRule.to_data` writes it).

    Raises:
        SchemaError: malformed data, naming the path.
    """
    if not isinstance(data, Mapping):
        raise SchemaError(f"a rule is a mapping, got {shorten(data)}", path=path)
    effects = [k for k in ("permit", "forbid") if k in data]
    if len(effects) != 1:
        raise SchemaError("a rule has exactly one of permit or forbid", path=path)
    unknown = set(data) - {"permit", "forbid", "roles", "when", "after", "name"}
    if unknown:
        raise SchemaError(f"unknown key {sorted(map(str, unknown))[0]!r}", path=path)
    try:
        return RecordRule(effects[0], data[effects[0]], data.get("roles"), data.get("when"),
                   data.get("after"), name=data.get("name", ""))  # fmt: skip
    except SchemaError as exc:
        raise exc.at(path) from None
