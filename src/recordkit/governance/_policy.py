"""
`Policy`: roles, record rules and masking, deny by default.

A policy is declared in Python or in a schema's ``governance:`` section (`from_schema`);
both are the same plain data (`from_dict`, `to_dict`)::

    governance:
      roles:
        sales:
          actions: [read, create, update]
          default: read
          fields: {owner_id: write, phone: write}
          tags: {pii: masked}
        admin: {actions: "*", default: write}
      rules:
        - permit: [read, update]
          roles: [sales]
          when: {territory: {actor: territories}}
        - forbid: [update]
          roles: [sales]
          after: {record.owner: {ne: {actor: id}}}
      masking:
        fields: {phone: {keep_last: 4}}
        tags: {pii: hash}

It is compiled once per (role set, schema) and bound once per actor, both cached on the
policy, so `check` and `mask` cost a few lookups per call.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from recordkit._errors import AccessDenied, SchemaError, ValidationError, shorten
from recordkit.governance._access import Action, Actor
from recordkit.governance._compiled import (
    NEVER,
    READS,
    Bound,
    Compiled,
    CompiledRule,
    bind,
    compile_roles,
    rule_tests,
    schema_error,
)
from recordkit.governance._condition import AllOf, AnyOf, Condition, Not
from recordkit.governance._mask import FIXED, Masked, Strategy, masked, needs_key
from recordkit.governance._policy_data import (
    ROOT,
    SECTION,
    check_retention,
    check_rules,
    masking_from_data,
    roles_from_data,
    rules_from_data,
)
from recordkit.schema import Provenance, Record, Schema

__all__ = ["Policy"]

_CACHE_LIMIT: Final = 4096


def _deny(actor: Actor, action: Action, record: Record | None, reason: str,
          field: str | None = None) -> AccessDenied:  # fmt: skip
    rid = None if record is None else record.id
    error = AccessDenied(actor.id, action.value, record_id=rid, field=field)
    # AccessDenied names who, what and where; the reason (a rule or a missing permission)
    # is appended. It never quotes a record's values.
    error.args = (f"{error.args[0]}: {reason}",)
    return error


class Policy:
    """
    An access policy of roles, record rules and masking; deny by default.

    An actor may take an action on a record when one of its roles grants the action, no
    matching ``forbid`` rule refuses it, and, when ``permit`` rules cover that action for
    its roles, one of them matches. A write must also be allowed on every field it
    writes (permission ``write``). A read is never refused for its fields: what the actor
    may not read in clear is masked (`mask`, `mask_values`). Roles the policy does not
    know grant nothing.

    Examples:
        >>> from recordkit import Actor, Field, Schema, Text
        >>> schema = Schema("lead", [Field("name", Text()), Field("phone", Text())])
        >>> from recordkit.governance import Role
        >>> policy = Policy(
        ...     roles=[Role("sales", actions=["read"], default="read",
        ...                 fields={"phone": "masked"})],
        ...     masking={"fields": {"phone": {"keep_last": 2}}},
        ... )
        >>> policy.mask_values(Actor("ana", roles="sales"), schema,
        ...                    {"name": "Ada", "phone": "5550100"})["phone"].text
        '•••••00'

    Args:
        roles: `Role` objects, or plain data: role name → ``{actions, default, fields,
            tags}``.
        rules: `RecordRule` objects, or their plain data.
        masking: ``{fields: {name: strategy}, tags: {tag: strategy}}``; a strategy is
            ``redact`` (or ``{redact: text}``), ``{keep_last: n}``, ``hash`` or ``null``.
            Fields without one are redacted.
        key: the secret for the ``hash`` strategy (at least 16 bytes); never stored or
            written out by `to_dict`.
        schema: when given, the policy is checked against it now (else on first use).

    Raises:
        SchemaError: anything malformed, unknown or contradictory, naming its path
            (``governance.roles.sales.fields.email``).

    .. versionadded:: 0.2.0
    """

    def __init__(
        self,
        roles: object = (),
        rules: object = (),
        masking: object = None,
        *,
        key: bytes | None = None,
        schema: Schema | None = None,
    ) -> None:
        self._roles = roles_from_data(roles)
        self._rules = rules_from_data(rules)
        self._masks, self._tag_masks = masking_from_data(masking)
        names = [r.name for r in self._roles]
        if len(set(names)) != len(names):
            dup = next(n for n in names if names.count(n) > 1)
            raise SchemaError(f"role {dup!r} is declared twice", path=f"{ROOT}.roles.{dup}")
        self._by_name = {r.name: r for r in self._roles}
        if key is not None and (not isinstance(key, bytes) or len(key) < 16):
            raise SchemaError("the masking key is at least 16 bytes", path=f"{ROOT}.key")
        strategies = [*self._masks.values(), *self._tag_masks.values()]
        if key is None and any(needs_key(s) for s in strategies):
            raise SchemaError("the hash strategy needs a key (Policy(..., key=...))",
                              path=f"{ROOT}.masking")  # fmt: skip
        self._key = key
        check_rules(self._rules)
        self._lock = threading.Lock()
        self._checked: dict[int, tuple[Schema, tuple[CompiledRule, ...]]] = {}
        self._compiled: dict[tuple[frozenset[str], int], tuple[Schema, Compiled]] = {}
        self._bound: dict[tuple[Actor, int], tuple[Schema, Bound]] = {}
        self._fixed: dict[tuple[str, Strategy], Masked] = {}
        if schema is not None:
            self.validate(schema)

    def __repr__(self) -> str:
        return f"Policy(roles={sorted(self._by_name)}, rules={len(self._rules)})"

    # -- building -----------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, object], schema: Schema, *,
                  key: bytes | None = None) -> Policy:  # fmt: skip
        """
        The policy *data* spells (a ``governance:`` section), checked against *schema*.

        The section's ``retention:`` rules are checked too, but are not the policy's:
        `Retention.from_schema` reads them.

        Raises:
            SchemaError: malformed, unknown or contradictory, naming the path.
        """
        if not isinstance(data, Mapping):
            raise SchemaError(f"a policy is a mapping, got {shorten(data)}", path=ROOT)
        unknown = set(data) - SECTION
        if unknown:
            raise SchemaError(f"unknown key {sorted(map(str, unknown))[0]!r}", path=ROOT)
        check_retention(data.get("retention"), schema)
        roles = data.get("roles") or {}
        if not isinstance(roles, Mapping):
            raise SchemaError(f"roles map names to roles, got {shorten(roles)}",
                              path=f"{ROOT}.roles")  # fmt: skip
        return cls(roles, data.get("rules") or (), data.get("masking"), key=key, schema=schema)

    @classmethod
    def from_schema(cls, schema: Schema, *, key: bytes | None = None) -> Policy:
        """
        The policy of *schema*'s ``governance:`` section (none: a policy that denies all).

        Raises:
            SchemaError: the section is malformed, naming the path.
        """
        if not isinstance(schema, Schema):
            raise SchemaError(f"expected a Schema, got {shorten(schema)}")
        return cls.from_dict(schema.extensions.get("governance") or {}, schema, key=key)

    def to_dict(self) -> dict[str, object]:
        """
        The plain data of this policy, as `from_dict` reads it (the key is never included).
        """
        out: dict[str, object] = {"roles": {r.name: r.to_data() for r in self._roles}}
        if self._rules:
            out["rules"] = [r.to_data() for r in self._rules]
        masking: dict[str, object] = {}
        if self._masks:
            masking["fields"] = {k: s.to_data() for k, s in sorted(self._masks.items())}
        if self._tag_masks:
            masking["tags"] = {k: s.to_data() for k, s in sorted(self._tag_masks.items())}
        if masking:
            out["masking"] = masking
        return out

    def validate(self, schema: Schema) -> None:
        """
        Check this policy against *schema*: every field, tag and rule condition it names.

        Raises:
            SchemaError: an unknown field or tag, or a literal a field cannot hold, naming
                the path (``governance.roles.sales.fields.email``).
        """
        self._rules_for(schema)

    def _rules_for(self, schema: Schema) -> tuple[CompiledRule, ...]:
        if not isinstance(schema, Schema):
            raise SchemaError(f"expected a Schema, got {shorten(schema)}")
        hit = self._checked.get(id(schema))
        if hit is not None and hit[0] is schema:
            return hit[1]
        tags = {t for f in schema.fields for t in f.tags}
        for role in self._roles:
            for name in role.fields:
                if name not in schema:
                    schema_error(schema, name, f"{ROOT}.roles.{role.name}.fields.{name}")
            for tag in role.tags:
                if tag not in tags:
                    raise SchemaError(f"no field of {schema.name!r} carries tag {tag!r}",
                                      path=f"{ROOT}.roles.{role.name}.tags.{tag}")  # fmt: skip
        for name in self._masks:
            if name not in schema:
                schema_error(schema, name, f"{ROOT}.masking.fields.{name}")
        for tag in self._tag_masks:
            if tag not in tags:
                raise SchemaError(f"no field of {schema.name!r} carries tag {tag!r}",
                                  path=f"{ROOT}.masking.tags.{tag}")  # fmt: skip
        compiled = tuple(
            rule_tests(r, r.name or f"rules[{i}]", schema, f"{ROOT}.rules[{i}]")
            for i, r in enumerate(self._rules)
        )
        with self._lock:
            self._checked[id(schema)] = (schema, compiled)
        return compiled

    def _compile(self, roles: frozenset[str], schema: Schema) -> Compiled:
        key = (roles, id(schema))
        hit = self._compiled.get(key)
        if hit is not None and hit[0] is schema:
            return hit[1]
        rules = self._rules_for(schema)
        known = tuple(self._by_name[r] for r in sorted(roles) if r in self._by_name)
        compiled = compile_roles(known, rules, self._masks, self._tag_masks, schema)
        with self._lock:
            if len(self._compiled) >= _CACHE_LIMIT:
                self._compiled.clear()
            self._compiled[key] = (schema, compiled)
        return compiled

    def _bind(self, actor: Actor, schema: Schema) -> Bound:
        if not isinstance(actor, Actor):
            raise ValidationError(f"actor must be an Actor, got {shorten(actor)}")
        key = (actor, id(schema))
        hit = self._bound.get(key)
        if hit is not None and hit[0] is schema:
            return hit[1]
        bound = bind(self._compile(actor.roles, schema), actor, schema)
        with self._lock:
            if len(self._bound) >= _CACHE_LIMIT:
                self._bound.clear()
            self._bound[key] = (schema, bound)
        return bound

    # -- deciding -----------------------------------------------------------------------

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

        Args:
            actor: who asks.
            action: what they ask to do.
            schema: the record type.
            record: the record as it is (``None`` when creating).
            fields: the fields read or written.
            after: the record as the write would leave it (``None`` for reads).

        Raises:
            AccessDenied: refused; the message names the actor, the action, the record
                and the rule or missing permission (never a value).
            SchemaError: the policy does not fit *schema*, or *action* is unknown.
            ValidationError: an argument of the wrong kind.
        """
        action = Action(action)
        bound = self._bind(actor, schema)
        for what, value in (("record", record), ("after", after)):
            if value is not None and not isinstance(value, Record):
                raise ValidationError(f"{what} must be a Record or None, got {shorten(value)}")
        target = record if record is not None else after
        compiled = bound.compiled
        if action not in compiled.actions:
            raise _deny(actor, action, target, f"no role of theirs grants {action.value!r}")
        if action not in READS:
            if isinstance(fields, str | bytes) or not isinstance(fields, Collection):
                raise ValidationError(f"fields must be a list of names, got {shorten(fields)}")
            for name in fields:
                if not isinstance(name, str) or name not in compiled.writable:
                    raise _deny(actor, action, target, "no write permission on the field",
                                field=name if isinstance(name, str) else shorten(name))  # fmt: skip
        before, later = target, after if after is not None else record
        permits = 0
        permitted = False
        for rule in bound.rules[action]:
            if rule.effect == "permit":
                permits += 1
                if not permitted and _matches(rule.when, before) and _matches(rule.after, later):
                    permitted = True
            elif _matches(rule.when, before, forbid=True) and _matches(
                rule.after, later, forbid=True
            ):
                raise _deny(actor, action, target, f"forbidden by rule {rule.label}")
        if permits and not permitted:
            raise _deny(actor, action, target, "no record rule permits it")

    def scope(self, actor: Actor, schema: Schema, action: Action = Action.READ) -> Condition | None:
        """
        The records *actor* may take *action* on, as a store condition.

        The record rules for the actor's roles, compiled into one condition for
        ``store.query(where=...)``: ``None`` means every record, ``AnyOf()`` none. It
        selects exactly the records `check` allows for *action*, judged on each record
        as it is.

        Raises:
            SchemaError: the policy does not fit *schema*, or *action* is unknown.
            ValidationError: *actor* is not an `Actor`.
        """
        action = Action(action)
        bound = self._bind(actor, schema)
        if action not in bound.compiled.actions:
            return NEVER
        parts: list[Condition] = []
        permits: list[Condition] = []
        open_permit = False
        for rule in bound.rules[action]:
            tests = [c for c in (rule.when, rule.after) if c is not None]
            cond = tests[0] if len(tests) == 1 else AllOf(tests)
            if rule.effect == "forbid":
                if not tests:
                    return NEVER
                parts.append(Not(cond))
            elif not tests:
                open_permit = True
            else:
                permits.append(cond)
        if permits and not open_permit:
            parts.append(permits[0] if len(permits) == 1 else AnyOf(permits))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else AllOf(parts)

    # -- masking ------------------------------------------------------------------------

    def _masked(self, field: str, strategy: Strategy, value: object) -> Masked:
        if strategy.kind in FIXED:  # the same text whatever the value: made once
            key = (field, strategy)
            found = self._fixed.get(key)
            if found is None:
                found = masked(field, strategy.kind, strategy.shown(field, value, self._key))
                self._fixed[key] = found
            return found
        return masked(field, strategy.kind, strategy.shown(field, value, self._key))

    def mask(self, actor: Actor, schema: Schema, record: Record) -> Record:
        """
        A copy of *record* with every field *actor* may not read in clear masked.

        Values and their provenance's raw values are replaced by `Masked` values (a
        field with permission ``none`` is redacted); a field with no value stays empty.

        Raises:
            SchemaError: the policy does not fit *schema*.
            ValidationError: an argument of the wrong kind.
        """
        compiled = self._bind(actor, schema).compiled
        if not isinstance(record, Record):
            raise ValidationError(f"record must be a Record, got {shorten(record)}")
        if not compiled.hidden:
            return record
        values = dict(record.values)
        provenance = dict(record.provenance)
        for (name, strategy), fixed in zip(compiled.hidden, compiled.fixed, strict=True):
            value = values.get(name)
            if value is not None:
                values[name] = fixed if fixed is not None else self._masked(name, strategy, value)
            prov = provenance.get(name)
            if prov is not None and prov.raw is not None:
                raw = fixed.text if fixed is not None else strategy.shown(name, prov.raw, self._key)
                provenance[name] = _provenance(prov, raw)
        return _with(record, values, provenance)

    def mask_values(
        self, actor: Actor, schema: Schema, values: Mapping[str, object]
    ) -> dict[str, object]:
        """
        A copy of *values* (field name → value) with what *actor* may not read masked.

        For plain data the facade hands out: merge plans, explanations, quarantined rows,
        audit payloads. Keys that are not fields of *schema* are copied as they are.

        Raises:
            SchemaError: the policy does not fit *schema*.
            ValidationError: an argument of the wrong kind.
        """
        hidden = self._bind(actor, schema).compiled.hidden_names
        if not isinstance(values, Mapping):
            raise ValidationError(f"values must be a mapping, got {shorten(values)}")
        out = dict(values)
        for name, value in out.items():
            strategy = hidden.get(name) if isinstance(name, str) else None
            if strategy is not None and value is not None:
                out[name] = self._masked(name, strategy, value)
        return out


_RECORD_FIELDS: Final = tuple(a.name for a in attrs.fields(Record))


def _provenance(prov: Provenance, raw: str) -> Provenance:
    """
    *prov* with the masked text *raw*: built without re-checking what was checked.
    """
    out = object.__new__(Provenance)
    object.__setattr__(out, "source", prov.source)
    object.__setattr__(out, "observed_at", prov.observed_at)
    object.__setattr__(out, "raw", raw)
    return out


def _with(record: Record, values: dict[str, Any], provenance: dict[str, Provenance]) -> Record:
    """
    A copy of *record* with masked *values* and *provenance*, its other fields as they are.

    Built without re-running the record's validators: every field but the two comes from
    a valid record, and those two hold `Masked` values and text recordkit made (a read
    path masks every record it returns, so this stays cheap).
    """
    out = object.__new__(Record)
    for name in _RECORD_FIELDS:
        object.__setattr__(out, name, getattr(record, name))
    object.__setattr__(out, "values", MappingProxyType(values))
    object.__setattr__(out, "provenance", MappingProxyType(provenance))
    return out


def _matches(cond: Condition | None, record: Record | None, *, forbid: bool = False) -> bool:
    if cond is None:
        return True
    if record is None:
        # Nothing to test: fail closed (a conditional forbid refuses, a permit does not).
        return forbid
    return cond.holds(record)
