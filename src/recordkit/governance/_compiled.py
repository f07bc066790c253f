"""
A policy compiled for one set of roles and one schema, and bound to one actor.

Compiling resolves every field's permission and masking strategy and picks the record
rules that concern the roles, once; binding turns the rules' tests into `Condition`
objects for one actor (its id, teams, territories and attributes in place), so a check is
dictionary lookups and condition tests, and `Policy.scope` hands the same conditions to
the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import attrs

from recordkit._errors import SchemaError, shorten
from recordkit.governance._access import Action, Actor
from recordkit.governance._condition import (
    AllOf,
    AnyOf,
    Condition,
    Not,
    Predicate,
    RecordPredicate,
)
from recordkit.governance._mask import REDACT, Masked, Strategy, fixed_mask
from recordkit.governance._rules import LEVELS, ActorRef, RecordRule, Role, Test
from recordkit.schema import Schema

__all__ = ["READS", "Bound", "Compiled", "bind", "compile_roles", "rule_tests"]

READS: Final = frozenset({Action.READ, Action.EXPORT})
"""
The actions that write nothing: fields the actor may not read are masked, not refused.
"""

NEVER: Final = AnyOf(())


@attrs.frozen
class CompiledRule:
    """
    One record rule, its label and its tests (literals coerced to the fields' types).
    """

    rule: RecordRule
    label: str
    when: tuple[Test, ...]
    after: tuple[Test, ...]


@attrs.frozen
class Compiled:
    """
    What a set of roles may do on one schema.
    """

    actions: frozenset[Action]
    writable: frozenset[str]
    hidden: tuple[tuple[str, Strategy], ...]
    hidden_names: Mapping[str, Strategy]
    rules: Mapping[Action, tuple[CompiledRule, ...]]
    fixed: tuple[Masked | None, ...]
    """
    For each of ``hidden``, its `Masked` value when that does not depend on the value (made
    once here: a read masks every record it returns).
    """


def _level(role: Role, schema: Schema, name: str) -> int:
    if name in role.fields:
        return LEVELS[role.fields[name]]
    tagged = [LEVELS[role.tags[t]] for t in schema.field(name).tags if t in role.tags]
    return min(tagged) if tagged else LEVELS[role.default]


def compile_roles(
    roles: tuple[Role, ...],
    rules: tuple[CompiledRule, ...],
    masks: Mapping[str, Strategy],
    tag_masks: Mapping[str, Strategy],
    schema: Schema,
) -> Compiled:
    """
    Resolve permissions and masks of *roles* over *schema*, and pick their record rules.
    """
    names = frozenset(r.name for r in roles)
    actions = frozenset(a for r in roles for a in r.actions)
    writable: set[str] = set()
    hidden: list[tuple[str, Strategy]] = []
    for f in schema.fields:
        level = max((_level(r, schema, f.name) for r in roles), default=0)
        if level >= LEVELS["write"]:
            writable.add(f.name)
        if level == LEVELS["masked"]:
            tag = next((masks_t for t in sorted(f.tags) if (masks_t := tag_masks.get(t))), None)
            hidden.append((f.name, masks.get(f.name) or tag or REDACT))
        elif level == LEVELS["none"]:
            hidden.append((f.name, REDACT))
    by_action: dict[Action, tuple[CompiledRule, ...]] = {}
    for action in Action:
        by_action[action] = tuple(
            c
            for c in rules
            if action in c.rule.actions and (c.rule.roles is None or c.rule.roles & names)
        )
    fixed = tuple(fixed_mask(name, strategy) for name, strategy in hidden)
    return Compiled(actions, frozenset(writable), tuple(hidden), dict(hidden), by_action, fixed)


def rule_tests(rule: RecordRule, label: str, schema: Schema, path: str) -> CompiledRule:
    """
    *rule* checked against *schema*: its fields exist and its literals are coerced.

    Raises:
        SchemaError: an unknown field or a literal the field cannot hold, naming *path*.
    """
    from recordkit.governance._rules import parse_condition

    def tests(data: Mapping[str, object], where: str) -> tuple[Test, ...]:
        out: list[Test] = []
        for t in parse_condition(data, where):
            if t.column or isinstance(t.operand, ActorRef) or t.op in ("missing", "present"):
                if not t.column and t.target not in schema:
                    schema_error(schema, t.target, f"{where}.{t.target}")
                if t.column and not isinstance(t.operand, ActorRef):
                    _column_literal(t, f"{where}.record.{t.target}")
                out.append(t)
                continue
            if t.target not in schema:
                schema_error(schema, t.target, f"{where}.{t.target}")
            f = schema.field(t.target)
            try:
                if t.op == "in":
                    assert isinstance(t.operand, tuple)
                    value: object = tuple(f.coerce(v) for v in t.operand)
                else:
                    value = f.coerce(t.operand)
            except ValueError as exc:
                raise SchemaError(shorten(str(exc), 200), path=f"{where}.{t.target}") from None
            out.append(attrs.evolve(t, operand=value))
        return tuple(out)

    return CompiledRule(rule, label, tests(rule.when, f"{path}.when"),
                        tests(rule.after, f"{path}.after"))  # fmt: skip


def _column_literal(t: Test, path: str) -> None:
    if t.op in ("missing", "present"):
        return
    values = t.operand if isinstance(t.operand, tuple) else (t.operand,)
    if not all(isinstance(v, str) for v in values):
        raise SchemaError(f"record.{t.target} compares with text, got {shorten(t.operand)}",
                          path=path)  # fmt: skip


def schema_error(schema: Schema, name: str, path: str) -> None:
    """
    Raise the `SchemaError` for an unknown field *name*, with suggestions, at *path*.
    """
    try:
        schema.field(name)
    except SchemaError as exc:
        raise SchemaError(exc.reason, path=path, suggestions=exc.suggestions) from None


@attrs.frozen
class BoundRule:
    """
    A record rule for one actor: its conditions before and after (``None``: no test).
    """

    effect: str
    label: str
    when: Condition | None
    after: Condition | None


@attrs.frozen
class Bound:
    """
    A compiled policy bound to one actor.
    """

    compiled: Compiled
    rules: Mapping[Action, tuple[BoundRule, ...]]


def _leaf(t: Test, actor: Actor, schema: Schema) -> Condition:
    operand = t.operand
    op = t.op
    if isinstance(operand, ActorRef):
        raw = operand.values(actor.id, actor.teams, actor.territories, actor.attributes)
        values: list[object] = []
        for v in raw:
            if t.column:
                values.append(v)
                continue
            try:
                coerced = schema.field(t.target).coerce(v)
            except ValueError:
                continue  # an actor value the field cannot hold matches no record
            if coerced is not None:
                values.append(coerced)
        if op in ("eq", "in", "ne"):
            inside = _make(t, "in", tuple(values))
            if op != "ne":
                return inside
            # as a literal ``ne``: the value is there, and it is none of the actor's
            return AllOf([_make(t, "present", None), Not(inside)])
        if len(values) != 1:
            return NEVER  # an ordering against no value (or many) holds for no record
        operand = values[0]
    return _make(t, op, operand)


def _make(t: Test, op: str, operand: object) -> Condition:
    if t.column:
        return RecordPredicate(t.target, op, operand)
    return Predicate(t.target, op, operand)


def _all(tests: tuple[Test, ...], actor: Actor, schema: Schema) -> Condition | None:
    if not tests:
        return None
    parts = [_leaf(t, actor, schema) for t in tests]
    return parts[0] if len(parts) == 1 else AllOf(parts)


def bind(compiled: Compiled, actor: Actor, schema: Schema) -> Bound:
    """
    The rules of *compiled* for *actor*: each test's actor references replaced by values.
    """
    cache: dict[int, BoundRule] = {}
    rules: dict[Action, tuple[BoundRule, ...]] = {}
    for action, crules in compiled.rules.items():
        out: list[BoundRule] = []
        for c in crules:
            if id(c) not in cache:
                cache[id(c)] = BoundRule(
                    c.rule.effect, c.label, _all(c.when, actor, schema),
                    _all(c.after, actor, schema),
                )  # fmt: skip
            out.append(cache[id(c)])
        rules[action] = tuple(out)
    return Bound(compiled, rules)
