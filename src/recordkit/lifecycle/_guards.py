"""
Guards: the checks a record must pass before it may enter a state.

A guard is any object with a ``name``, a ``version`` and a ``__call__(record, schema)`` that
returns the problems it found (an empty sequence to allow). Refusing guards explain why: each
problem is an issue (`GuardIssue`, or a rule engine ``Issue``) that names the field and the
reason, and `recordkit.TransitionError` carries them all.

Issues whose ``severity`` is ``"warning"`` or ``"info"`` are reported but do not refuse.
This module holds the protocol and the built-in guards; guards made from your own
callables and rule validators are in ``_adapt``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, Protocol, runtime_checkable

import attrs

from recordkit._errors import CoercionError, SchemaError, shorten
from recordkit.rules import RuleSet, Severity
from recordkit.schema import Record, Schema

__all__ = [
    "Guard",
    "GuardIssue",
    "blocking",
    "field_equals",
    "guard_from_spec",
    "required_fields_valid",
    "requires_fields",
    "rules_pass",
]

_NON_BLOCKING: Final = frozenset({"warning", "info"})
_REQUIRED: Final = "required"


@attrs.frozen
class GuardIssue:
    """
    Why a guard refused: the field, a short code, a message, the value seen and a hint.

    .. versionadded:: 0.1.0
    """

    field: str | None
    code: str
    message: str
    value: str | None = attrs.field(default=None, kw_only=True)
    hint: str | None = attrs.field(default=None, kw_only=True)
    severity: str = attrs.field(default="error", kw_only=True)


@runtime_checkable
class Guard(Protocol):
    """
    A check a record must pass before a transition; returns the problems it found.

    ``name`` and ``version`` are kept in each transition's history, so a later reader knows
    which rules allowed the move.

    .. versionadded:: 0.1.0
    """

    @property
    def name(self) -> str:
        """
        A short, stable name (``requires(contract_link)``).
        """

    @property
    def version(self) -> str:
        """
        Bumped when what the guard checks changes.
        """

    def __call__(self, record: Record, schema: Schema) -> Sequence[Any]:
        """
        Return the issues found; an empty sequence allows the move.
        """


def blocking(issues: Iterable[Any]) -> list[Any]:
    """
    The issues that refuse a move: every issue except warnings and infos.
    """
    return [i for i in issues if getattr(i, "severity", "error") not in _NON_BLOCKING]


def _field_names(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    names = tuple(value)
    if not names:
        raise SchemaError("requires at least one field name")
    for n in names:
        if not isinstance(n, str) or not n:
            raise SchemaError(f"field names are text, got {shorten(n)}")
    return names


@attrs.frozen
class _RequiresFields:
    fields: tuple[str, ...] = attrs.field(converter=_field_names)
    version: str = "1"

    @property
    def name(self) -> str:
        return f"requires({','.join(self.fields)})"

    def __call__(self, record: Record, schema: Schema) -> Sequence[Any]:
        issues = []
        for name in self.fields:
            schema.field(name)  # an unknown name is a definition error, with suggestions
            if record.get(name) is None:
                issues.append(
                    GuardIssue(
                        name,
                        "missing",
                        f"{name!r} needs a value before this move",
                        hint=f"set {name!r} first",
                    )
                )
        return issues


def requires_fields(*fields: str) -> Guard:
    """
    A guard refusing the move while any of *fields* is empty.

    Examples:
        >>> g = requires_fields("contract_link")
        >>> g.name
        'requires(contract_link)'

    .. versionadded:: 0.1.0
    """
    return _RequiresFields(fields)


@attrs.frozen
class _FieldEquals:
    field: str = attrs.field(validator=attrs.validators.instance_of(str))
    value: Any
    version: str = "1"

    @property
    def name(self) -> str:
        return f"equals({self.field}={shorten(self.value, 30)})"

    def __call__(self, record: Record, schema: Schema) -> Sequence[Any]:
        expected = schema.field(self.field).coerce(self.value)
        actual = record.get(self.field)
        if actual == expected:
            return ()
        return (
            GuardIssue(
                self.field,
                "not_equal",
                f"{self.field!r} must be {shorten(expected)} for this move",
                value=shorten(actual),
                hint=f"set {self.field!r} to {shorten(expected)}",
            ),
        )


def field_equals(field: str, value: object) -> Guard:
    """
    A guard refusing the move unless *field* holds *value* (coerced by the field's type).

    .. versionadded:: 0.1.0
    """
    if not isinstance(field, str) or not field:
        raise SchemaError(f"field_equals needs a field name, got {shorten(field)}")
    return _FieldEquals(field, value)


@attrs.frozen
class _RequiredFieldsValid:
    version: str = "1"

    @property
    def name(self) -> str:
        return "required_fields_valid"

    def __call__(self, record: Record, schema: Schema) -> Sequence[Any]:
        issues: list[Any] = []
        for f in schema.fields:
            value = record.values.get(f.name)
            if value is None:
                if f.required:
                    issues.append(
                        GuardIssue(f.name, "required", f"{f.name!r} is required", hint="fill it")
                    )
                continue
            try:
                f.coerce(value)
            except CoercionError as exc:
                issues.append(
                    GuardIssue(f.name, "invalid", exc.reason, value=shorten(value), hint=None)
                )
        return issues


def required_fields_valid() -> Guard:
    """
    A guard refusing the move while a required field is empty or any value is invalid.

    Validity is the schema's own: each value must still coerce to its field's type.

    .. versionadded:: 0.1.0
    """
    return _RequiredFieldsValid()


@attrs.frozen
class _RulesPass:
    ruleset: RuleSet | None = attrs.field(default=None, eq=False)
    # A rule set is immutable; its fingerprint costs as much as a run, so take it once.
    version: str = attrs.field(init=False, eq=False)

    @version.default
    def _version(self) -> str:
        rs = self.ruleset
        return "unbound" if rs is None else f"{rs.name}@{rs.version}:{rs.fingerprint}"

    @property
    def name(self) -> str:
        return "rules_pass"

    def bind(self, ruleset: RuleSet) -> _RulesPass:
        return _RulesPass(ruleset)

    def __call__(self, record: Record, schema: Schema) -> Sequence[Any]:
        rs = self.ruleset if self.ruleset is not None else RuleSet.for_schema(schema)
        # Without a base the rule set checks every field. A missing required value is only
        # a warning at capture, "required before the record can be activated": a lifecycle
        # move is where it blocks.
        outcome = rs.run(dict(record.values))
        return [
            attrs.evolve(i, severity=Severity.ERROR) if i.code == _REQUIRED else i
            for i in outcome.issues
            if i.severity == Severity.ERROR or i.code == _REQUIRED
        ]


def rules_pass(ruleset: RuleSet | None = None) -> Guard:
    """
    A guard refusing the move while the record's values fail a rule set.

    Errors refuse, and so does a missing required value (a warning at capture, since a
    record may be captured incomplete, but never activated so).

    Without *ruleset* the guard is bound to the rule set of the steward or `Machine` that
    runs it (``RuleSet.for_schema(schema)`` by default). Its version in history names the
    rule set, its version and its fingerprint. In YAML: ``guards: [rules_pass]``.

    .. versionadded:: 0.1.0
    """
    if ruleset is not None and not isinstance(ruleset, RuleSet):
        raise SchemaError(f"rules_pass takes a RuleSet, got {shorten(ruleset)}")
    return _RulesPass(ruleset)


def guard_from_spec(spec: object, path: str = "guards") -> Guard:
    """
    Build a guard from plain data, as lifecycle YAML declares them.

    Accepted: ``required_fields_valid``; ``rules_pass``; ``{requires: [field, ...]}``;
    ``{equals: {field: name, value: v}}``.

    Raises:
        SchemaError: naming *path* for anything else.

    .. versionadded:: 0.1.0
    """
    if not isinstance(path, str):
        raise SchemaError(f"path must be text, got {shorten(path)}")
    path = path if len(path) <= 200 else f"{path[:199]}…"  # it is only ever shown
    if spec == "required_fields_valid":
        return required_fields_valid()
    if spec == "rules_pass":
        return rules_pass()
    if isinstance(spec, Mapping) and len(spec) == 1:
        ((kind, arg),) = spec.items()
        try:
            if kind == "requires":
                return requires_fields(*([arg] if isinstance(arg, str) else arg))
            if kind == "equals" and isinstance(arg, Mapping) and set(arg) == {"field", "value"}:
                return field_equals(arg["field"], arg["value"])
        except (SchemaError, TypeError) as exc:
            raise SchemaError(f"bad {shorten(kind)} guard: {exc}"[:200], path=path) from None
    raise SchemaError(
        f"unknown guard {shorten(spec)}; use required_fields_valid, rules_pass, "
        "{requires: [fields]} or {equals: {field: f, value: v}}",
        path=path,
    )
