"""
Combinators: rules made of rules.

`chain` composes normalizers; `all_of` and `any_of` compose validators; `when` applies a
rule only where a condition holds; `tuned` changes the issues a validator raises. All of
them work on field rules and on record rules alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar, Generic, TypeVar, overload

import attrs

from recordkit._errors import SchemaError, shorten
from recordkit.rules._issue import Issue, Severity, _severity
from recordkit.rules._rule import NO_ISSUES, Normalizer, Validator, Wrapping, uses_of

__all__ = ["all_of", "any_of", "chain", "tuned", "when"]


def _flat(kind: type[Any], rules: Iterable[Any], name: str) -> tuple[Any, ...]:
    out: list[Any] = []
    of, what = (Normalizer, "normalizers") if name == "chain" else (Validator, "validators")
    for rule in rules:
        if not isinstance(rule, of):
            raise SchemaError(f"{name}() combines {what}, got {shorten(rule)}")
        out.extend(rule.rules if isinstance(rule, kind) else (rule,))
    return tuple(out)


def _same_uses(rules: Sequence[Any]) -> tuple[str, ...]:
    uses: dict[str, None] = {}
    for rule in rules:
        uses.update(dict.fromkeys(uses_of(rule)))
    if uses and any(uses_of(r) != tuple(uses) for r in rules):
        raise SchemaError("rules combined together must read the same other fields (uses)")
    return tuple(uses)


_R = TypeVar("_R", Normalizer, Validator)


@attrs.frozen
class _Combined(Generic[_R]):
    """
    What every combinator of several rules shares: the rules, its id and the fields it reads.
    """

    rules: tuple[_R, ...]
    version: int = 1
    name: ClassVar[str] = ""

    @property
    def id(self) -> str:
        return self.name + "(" + ",".join(r.id for r in self.rules) + ")"

    @property
    def uses(self) -> tuple[str, ...]:
        return _same_uses(self.rules)


@attrs.frozen
class _Chain(_Combined[Normalizer]):
    name: ClassVar[str] = "chain"

    def normalize(self, value: Any, /, *context: Any) -> tuple[Any, bool]:
        any_change = False
        for rule in self.rules:
            value, did = rule.normalize(value, *context)
            any_change = any_change or did
        return value, any_change


def chain(*rules: Normalizer) -> Normalizer:
    """
    Compose normalizers: each gets the output of the one before.

    Nested chains are flattened.

    .. versionadded:: 0.1.0
    """
    return _Chain(_flat(_Chain, rules, "chain"))


@attrs.frozen
class _AllOf(_Combined[Validator]):
    name: ClassVar[str] = "all_of"

    def validate(self, value: Any, /, *context: Any) -> Sequence[Issue]:
        issues: list[Issue] = []
        for rule in self.rules:
            issues.extend(rule.validate(value, *context))
        return tuple(issues)


def all_of(*rules: Validator) -> Validator:
    """
    Compose validators that must all hold; every issue of every one is reported.

    Nested ``all_of`` are flattened.

    .. versionadded:: 0.1.0
    """
    return _AllOf(_flat(_AllOf, rules, "all_of"))


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@attrs.frozen
class _AnyOf(_Combined[Validator]):
    name: ClassVar[str] = "any_of"

    def validate(self, value: Any, /, *context: Any) -> Sequence[Issue]:
        found: list[Sequence[Issue]] = []
        for rule in self.rules:
            issues = rule.validate(value, *context)
            if not issues:
                return NO_ISSUES
            found.append(issues)
        flat = [i for issues in found for i in issues]
        # The mildest alternative decides how serious it is that none held.
        mildest = min((max(_RANK[i.severity] for i in issues) for issues in found), default=2)
        severity = next(s for s, r in _RANK.items() if r == mildest)
        fields = {i.field for i in flat}
        return (
            Issue(
                field=flat[0].field if len(fields) == 1 else None,
                rule=self.id,
                rule_version=self.version,
                code="any_of",
                message="none of these holds: " + "; or ".join(i.message for i in flat),
                severity=severity,
                value=value if not isinstance(value, dict) else None,
                hint=next((i.hint for i in flat if i.hint), ""),
            ),
        )


def any_of(*rules: Validator) -> Validator:
    """
    Compose validators of which at least one must hold.

    When none holds, one issue lists why each failed. Nested ``any_of`` are flattened.

    .. versionadded:: 0.1.0
    """
    return _AnyOf(_flat(_AnyOf, rules, "any_of"))


@attrs.frozen
class _When(Generic[_R]):
    """
    What both kinds of ``when`` share: the condition, the rule, its id and the fields it reads.
    """

    condition: Callable[..., Any] = attrs.field(eq=False)
    rule: _R
    version: int = 1

    @property
    def id(self) -> str:
        return f"when({self.rule.id})"

    @property
    def uses(self) -> tuple[str, ...]:
        return uses_of(self.rule)


@attrs.frozen
class _WhenNormalizer(_When[Normalizer]):
    def normalize(self, value: Any, /, *context: Any) -> tuple[Any, bool]:
        if self.condition(value, *context):
            return self.rule.normalize(value, *context)
        return value, False


@attrs.frozen
class _WhenValidator(_When[Validator]):
    def validate(self, value: Any, /, *context: Any) -> Sequence[Issue]:
        if self.condition(value, *context):
            return self.rule.validate(value, *context)
        return NO_ISSUES


@overload
def when(condition: Callable[..., object], rule: Normalizer) -> Normalizer: ...
@overload
def when(condition: Callable[..., object], rule: Validator) -> Validator: ...
def when(condition: Callable[..., object], rule: Normalizer | Validator) -> Normalizer | Validator:
    """
    Apply *rule* only where *condition* holds.

    At field level the condition receives the value (and context); attached to the record
    it receives the mapping of values, so ``when(where("stage", equals="Closed Won"),
    require("contract_link"))`` says a closed deal needs a contract link.

    Returns:
        A normalizer when *rule* is one, else a validator.

    .. versionadded:: 0.1.0
    """
    if not callable(condition):
        raise SchemaError(f"a condition is a callable, got {shorten(condition)}")
    if isinstance(rule, Normalizer):
        return _WhenNormalizer(condition, rule)
    if isinstance(rule, Validator):
        return _WhenValidator(condition, rule)
    raise SchemaError(f"when() needs a normalizer or a validator, got {shorten(rule)}")


@attrs.frozen
class _Tuned(Wrapping):
    rule: Validator
    severity: Severity | None = None
    message: str | None = None
    hint: str | None = None
    code: str | None = None

    @property
    def uses(self) -> tuple[str, ...]:
        return uses_of(self.rule)

    def validate(self, value: Any, /, *context: Any) -> Sequence[Issue]:
        issues = self.rule.validate(value, *context)
        if not issues:
            return NO_ISSUES
        changes: dict[str, Any] = {}
        if self.severity is not None:
            changes["severity"] = self.severity
        if self.message is not None:
            changes["message"] = self.message
        if self.hint is not None:
            changes["hint"] = self.hint
        if self.code is not None:
            changes["code"] = self.code
        return tuple(attrs.evolve(i, **changes) for i in issues)


def tuned(
    rule: Validator,
    *,
    severity: Severity | str | None = None,
    message: str | None = None,
    hint: str | None = None,
    code: str | None = None,
) -> Validator:
    """
    Return *rule* with its issues' severity, message, hint or code replaced.

    Examples:
        >>> from recordkit.rules import Validators
        >>> soft = tuned(Validators.pattern("[A-Z]{2}[0-9]+"), severity="warning",
        ...              hint="two letters, then digits")
        >>> soft.validate("x1")[0].severity
        <Severity.WARNING: 'warning'>

    .. versionadded:: 0.1.0
    """
    if not isinstance(rule, Validator):
        raise SchemaError(f"tuned() adjusts a validator, got {shorten(rule)}")
    for name, text in (("message", message), ("hint", hint), ("code", code)):
        if text is not None and not isinstance(text, str):
            raise SchemaError(f"{name} must be text, got {shorten(text)}")
    return _Tuned(rule, None if severity is None else _severity(severity), message, hint, code)
