"""
The rule protocol and the combinators that compose rules.

A rule has one job. A *normalizer* turns a value into its standard form and says whether
that changed it; a *validator* returns the issues it finds (none when the value is fine).
Both carry an ``id`` and a ``version``, which every `Change` and `Issue` they produce
names. A rule may read other fields of the record: it lists them in ``uses`` and receives
their (normalized) values as extra positional arguments.

Rules attached to a field see that field's value; rules attached to the record see a
mapping of all the record's values. The combinators (`chain`, `all_of`, `any_of`, `when`,
`tuned`, in the combinators module) work at both levels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, Protocol, runtime_checkable

import attrs

from recordkit._errors import SchemaError, shorten
from recordkit.rules._issue import Issue, Severity, _severity

__all__ = ["Normalizer", "Validator", "normalizer", "validator"]

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

MAX_RULE_VERSION: Final = 2**31 - 1
"""
The largest rule version: what every store's version column holds.
"""


class Wrapping:
    """
    Mixin for a rule that wraps one validator and answers with its id and version.
    """

    rule: Validator

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def version(self) -> int:
        return self.rule.version


def _function_rule(function: object, id: object, version: object, uses: object) -> tuple[str, ...]:
    """
    Check what a plain-function rule is built from; return its *uses* as a tuple.
    """
    if not callable(function):
        raise SchemaError(f"function must be callable, got {shorten(function)}")
    if not isinstance(id, str) or not id.strip():
        raise SchemaError(f"id must be a rule name (non-blank text), got {shorten(id)}")
    if isinstance(version, bool) or not isinstance(version, int):
        raise SchemaError(f"version must be a whole number, got {shorten(version)}")
    if not 1 <= version <= MAX_RULE_VERSION:
        raise SchemaError(f"version must be from 1 to {MAX_RULE_VERSION}, got {shorten(version)}")
    names = (uses,) if isinstance(uses, str) else uses
    if isinstance(names, bytes | Mapping) or not isinstance(names, Iterable):
        raise SchemaError(f"uses must be a list of field names, got {shorten(uses)}")
    out = tuple(names)
    for name in out:
        if not isinstance(name, str) or not name:
            raise SchemaError(f"uses must be a list of field names, got {shorten(name)} in it")
    return out


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
    function: Callable[..., object],
    *,
    id: str,
    version: int = 1,
    uses: Iterable[str] = (),
    before_coerce: bool = False,
) -> Normalizer:
    """
    Make a normalizer from a plain function ``value, *context -> new value``.

    Examples:
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
    names = _function_rule(function, id, version, uses)
    if not isinstance(before_coerce, bool):
        raise SchemaError(f"before_coerce must be true or false, got {shorten(before_coerce)}")
    return _FunctionNormalizer(id, function, version, names, before_coerce)


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
    function: Callable[..., object],
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

    Examples:
        >>> even = validator(lambda v: v % 2 == 0, id="even", message="must be even")
        >>> [i.message for i in even.validate(3)]
        ['must be even']

    .. versionadded:: 0.1.0
    """
    names = _function_rule(function, id, version, uses)
    for label, text in (("code", code), ("message", message), ("hint", hint)):
        if not isinstance(text, str) and not (label == "code" and text is None):
            raise SchemaError(f"{label} must be text, got {shorten(text)}")
    return _FunctionValidator(
        id, function, code or id, message, hint, _severity(severity), version, names
    )
