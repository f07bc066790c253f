"""
The rule protocol and the combinators that compose rules.

A rule has one job. A *normalizer* turns a value into its standard form and says whether
that changed it; a *validator* returns the issues it finds (none when the value is fine).
Both carry an ``id`` and a ``version``, which every `Change` and `Issue` they produce
names. A rule may read other fields of the record: it lists them in ``uses`` and receives
their (normalized) values as extra positional arguments.

Rules attached to a field see that field's value; rules attached to the record see a
mapping of all the record's values. The combinators (`chain`, `all_of`, `any_of`, `when`,
`tuned`) work at both levels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, runtime_checkable

import attrs

from recordkit._errors import shorten
from recordkit.rules._issue import Issue, Severity

__all__ = [
    "Normalizer",
    "Validator",
    "all_of",
    "any_of",
    "chain",
    "normalizer",
    "tuned",
    "validator",
    "when",
]

NO_ISSUES: tuple[Issue, ...] = ()


@runtime_checkable
class Normalizer(Protocol):
    """
    A rule that puts a value into standard form.

    ``normalize(value, *context)`` returns ``(new_value, changed)``. It must never raise
    and must be idempotent: normalizing its own output changes nothing. ``context`` holds
    the values of the fields named in the optional ``uses`` attribute.

    .. versionadded:: 0.1.0
    """

    @property
    def id(self) -> str:
        """
        The rule's stable name (``normalize.phone``, ``acme.vat_number``).
        """

    @property
    def version(self) -> int:
        """
        Bumped whenever the rule's behaviour changes.
        """

    def normalize(self, value: Any, /, *context: Any) -> tuple[Any, bool]:
        """
        Return the standard form of *value* and whether it differs from *value*.
        """


@runtime_checkable
class Validator(Protocol):
    """
    A rule that checks a value (or, attached to the record, a mapping of values).

    ``validate(value, *context)`` returns the issues it finds, an empty sequence when all
    is well. It must never raise, whatever the value.

    .. versionadded:: 0.1.0
    """

    @property
    def id(self) -> str:
        """
        The rule's stable name (``check.pattern``).
        """

    @property
    def version(self) -> int:
        """
        Bumped whenever the rule's behaviour changes.
        """

    def validate(self, value: Any, /, *context: Any) -> Sequence[Issue]:
        """
        Return the issues *value* has.
        """


def changed(before: Any, after: Any) -> bool:
    """
    Tell whether a normalizer's *after* differs from *before* (``1`` and ``True`` differ).
    """
    if after is before:
        return False
    if type(after) is not type(before):
        return True
    try:
        return bool(after != before)
    except Exception:  # exotic values with a failing __eq__ count as changed
        return True


def make_issue(
    rule: Validator | Normalizer,
    code: str,
    message: str,
    value: Any,
    *,
    hint: str = "",
    severity: Severity = Severity.ERROR,
    field: str | None = None,
) -> Issue:
    """
    Build an `Issue` raised by *rule* (its id and version filled in).
    """
    return Issue(
        field=field,
        rule=rule.id,
        rule_version=rule.version,
        code=code,
        message=message,
        severity=severity,
        value=value,
        hint=hint,
    )


def crash_issue(rule: object, exc: BaseException, value: Any, field: str | None) -> Issue:
    """
    The issue reported when a rule itself fails: it names the rule, never stops the run.
    """
    rule_id = str(getattr(rule, "id", type(rule).__name__))
    version = getattr(rule, "version", 1)
    return Issue(
        field=field,
        rule=rule_id,
        rule_version=version if isinstance(version, int) else 1,
        code="rule.crashed",
        message=f"rule {rule_id} failed: {type(exc).__name__}: {shorten(str(exc), 120)}",
        severity=Severity.ERROR,
        value=value,
        hint="this is a bug in the rule, not in the data; report it to the rule's author",
    )


def flag(rule: object, name: str) -> bool:
    """
    Read a rule's optional boolean marker (``before_coerce``, ``on_missing``…).

    Wrappers and combinators have the marker when what they wrap has it.
    """
    own = getattr(rule, name, None)
    if isinstance(own, bool):
        return own
    inner = getattr(rule, "rule", None)
    if inner is not None:
        return flag(inner, name)
    rules = getattr(rule, "rules", None)
    if isinstance(rules, tuple) and rules:
        return any(flag(r, name) for r in rules)
    return False


def uses_of(rule: object) -> tuple[str, ...]:
    """
    The other fields *rule* reads (its optional ``uses`` attribute).
    """
    uses = getattr(rule, "uses", ())
    return tuple(uses) if isinstance(uses, tuple | list) else ()


# -- plain functions as rules ---------------------------------------------------------


@attrs.frozen
class _FunctionNormalizer:
    id: str
    function: Callable[..., Any] = attrs.field(eq=False)
    version: int = 1
    uses: tuple[str, ...] = ()
    before_coerce: bool = False

    def normalize(self, value: Any, /, *context: Any) -> tuple[Any, bool]:
        after = self.function(value, *context)
        return after, changed(value, after)


def normalizer(
    function: Callable[..., Any],
    *,
    id: str,
    version: int = 1,
    uses: Iterable[str] = (),
    before_coerce: bool = False,
) -> Normalizer:
    """
    Make a normalizer from a plain function ``value, *context -> new value``.

    Example:
        >>> upper = normalizer(lambda v: v.upper() if isinstance(v, str) else v, id="upper")
        >>> upper.normalize("ny")
        ('NY', True)

    Args:
        function: returns the standard form of its first argument.
        id: the rule's name, shown in every change it makes.
        version: bump it when the function's behaviour changes.
        uses: other fields whose values the function receives after the value.
        before_coerce: run on the raw value, before it is coerced to the field's type.

    .. versionadded:: 0.1.0
    """
    return _FunctionNormalizer(id, function, version, tuple(uses), before_coerce)


@attrs.frozen
class _FunctionValidator:
    id: str
    function: Callable[..., Any] = attrs.field(eq=False)
    code: str
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR
    version: int = 1
    uses: tuple[str, ...] = ()

    def validate(self, value: Any, /, *context: Any) -> Sequence[Issue]:
        verdict = self.function(value, *context)
        if verdict is True or verdict is None:
            return NO_ISSUES
        if isinstance(verdict, Issue):
            return (verdict,)
        if verdict is False:
            message = self.message
        elif isinstance(verdict, str):
            message = verdict
        else:
            return tuple(i for i in verdict if isinstance(i, Issue))
        issue = make_issue(self, self.code, message, value, hint=self.hint, severity=self.severity)
        return (issue,)


def validator(
    function: Callable[..., Any],
    *,
    id: str,
    code: str | None = None,
    message: str = "is not valid",
    hint: str = "",
    severity: Severity | str = Severity.ERROR,
    version: int = 1,
    uses: Iterable[str] = (),
) -> Validator:
    """
    Make a validator from a plain function, in the manner of pydantic's field validators.

    The function returns ``True`` or ``None`` when the value is fine, ``False`` (use
    *message*) or a message string when it is not, or `Issue` objects.

    Example:
        >>> even = validator(lambda v: v % 2 == 0, id="even", message="must be even")
        >>> [i.message for i in even.validate(3)]
        ['must be even']

    .. versionadded:: 0.1.0
    """
    return _FunctionValidator(
        id, function, code or id, message, hint, Severity(severity), version, tuple(uses)
    )


# -- combinators ----------------------------------------------------------------------


def _flat(kind: type[Any], rules: Iterable[Any]) -> tuple[Any, ...]:
    out: list[Any] = []
    for rule in rules:
        out.extend(rule.rules if isinstance(rule, kind) else (rule,))
    return tuple(out)


def _same_uses(rules: Sequence[Any]) -> tuple[str, ...]:
    uses: dict[str, None] = {}
    for rule in rules:
        uses.update(dict.fromkeys(uses_of(rule)))
    if uses and any(uses_of(r) != tuple(uses) for r in rules):
        raise ValueError("rules combined together must read the same other fields (uses)")
    return tuple(uses)


@attrs.frozen
class _Chain:
    rules: tuple[Normalizer, ...]
    version: int = 1

    @property
    def id(self) -> str:
        return "chain(" + ",".join(r.id for r in self.rules) + ")"

    @property
    def uses(self) -> tuple[str, ...]:
        return _same_uses(self.rules)

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
    return _Chain(_flat(_Chain, rules))


@attrs.frozen
class _AllOf:
    rules: tuple[Validator, ...]
    version: int = 1

    @property
    def id(self) -> str:
        return "all_of(" + ",".join(r.id for r in self.rules) + ")"

    @property
    def uses(self) -> tuple[str, ...]:
        return _same_uses(self.rules)

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
    return _AllOf(_flat(_AllOf, rules))


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@attrs.frozen
class _AnyOf:
    rules: tuple[Validator, ...]
    version: int = 1

    @property
    def id(self) -> str:
        return "any_of(" + ",".join(r.id for r in self.rules) + ")"

    @property
    def uses(self) -> tuple[str, ...]:
        return _same_uses(self.rules)

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
    return _AnyOf(_flat(_AnyOf, rules))


@attrs.frozen
class _WhenNormalizer:
    condition: Callable[..., Any] = attrs.field(eq=False)
    rule: Normalizer
    version: int = 1

    @property
    def id(self) -> str:
        return f"when({self.rule.id})"

    @property
    def uses(self) -> tuple[str, ...]:
        return uses_of(self.rule)

    def normalize(self, value: Any, /, *context: Any) -> tuple[Any, bool]:
        if self.condition(value, *context):
            return self.rule.normalize(value, *context)
        return value, False


@attrs.frozen
class _WhenValidator:
    condition: Callable[..., Any] = attrs.field(eq=False)
    rule: Validator
    version: int = 1

    @property
    def id(self) -> str:
        return f"when({self.rule.id})"

    @property
    def uses(self) -> tuple[str, ...]:
        return uses_of(self.rule)

    def validate(self, value: Any, /, *context: Any) -> Sequence[Issue]:
        if self.condition(value, *context):
            return self.rule.validate(value, *context)
        return NO_ISSUES


def when(condition: Callable[..., Any], rule: Any) -> Any:
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
        raise TypeError(f"a condition is a callable, got {type(condition).__name__}")
    if isinstance(rule, Normalizer):
        return _WhenNormalizer(condition, rule)
    if isinstance(rule, Validator):
        return _WhenValidator(condition, rule)
    raise TypeError(f"when() needs a normalizer or a validator, got {type(rule).__name__}")


@attrs.frozen
class _Tuned:
    rule: Validator
    severity: Severity | None = None
    message: str | None = None
    hint: str | None = None
    code: str | None = None

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def version(self) -> int:
        return self.rule.version

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

    Example:
        >>> from recordkit.rules import Check
        >>> soft = tuned(Check.pattern("[A-Z]{2}[0-9]+"), severity="warning",
        ...              hint="two letters, then digits")
        >>> soft.validate("x1")[0].severity
        <Severity.WARNING: 'warning'>

    .. versionadded:: 0.1.0
    """
    return _Tuned(rule, None if severity is None else Severity(severity), message, hint, code)
