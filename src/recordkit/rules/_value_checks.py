"""
Validators about what a value is at all: a placeholder, or a name without letters.

The `Validators` namespace offers them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, Final

import attrs

from recordkit._errors import SchemaError, shorten
from recordkit.rules._issue import Issue, Severity, _severity
from recordkit.rules._placeholders import is_placeholder, placeholder_key
from recordkit.rules._rule import NO_ISSUES, make_issue

__all__: list[str] = []  # the `Validators` namespace is the public face


def spellings(values: object, what: str) -> frozenset[str]:
    """
    *values* (a list of text) as a set, refusing anything else with a `SchemaError`.
    """
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise SchemaError(f"{what} must be a list of text, got {shorten(values)}")
    items = tuple(values)
    for item in items:
        if not isinstance(item, str):
            raise SchemaError(f"{what} must be a list of text, got {shorten(item)} in it")
    return frozenset(items)


def _keys(values: Iterable[str]) -> frozenset[str]:
    return frozenset(placeholder_key(v) for v in values)


_sev = attrs.field(default=Severity.ERROR, converter=_severity)

_BLANK_HINT: Final = "leave the field blank when the value is not known"


@attrs.frozen
class _Placeholder:
    """
    A screen: it reads the raw value before any normalizer, so ``n.a`` is never a code.

    ``allow`` holds values the field really takes (a picklist's ``Unknown``), compared as
    placeholders are (ignoring case and punctuation); ``exact`` holds values taken only as
    written (a country field's ``NA``, Namibia).
    """

    allow: frozenset[str] = attrs.field(default=frozenset(), converter=_keys)
    exact: frozenset[str] = frozenset()
    severity: Severity = _sev
    id: ClassVar[str] = "check.placeholder"
    version: ClassVar[int] = 1
    screen: ClassVar[bool] = True

    def validate(self, value: Any, /) -> Sequence[Issue]:
        if not is_placeholder(value) or value in self.exact:
            return NO_ISSUES
        key = placeholder_key(value)
        if key in self.allow:
            return NO_ISSUES
        hint = _BLANK_HINT
        if key == "na" and "NA" in self.exact:
            hint += "; for Namibia write NA (capitals, nothing else) or Namibia"
        return (
            make_issue(self, "value.placeholder", f"{shorten(value, 40)} is a placeholder, "
                       "not a value", value, hint=hint, severity=self.severity),
        )  # fmt: skip


@attrs.frozen
class _PersonName:
    severity: Severity = _sev
    id: ClassVar[str] = "check.name"
    version: ClassVar[int] = 1

    def validate(self, value: Any, /) -> Sequence[Issue]:
        if isinstance(value, str) and any(c.isalpha() for c in value[:1000]):
            return NO_ISSUES
        return (
            make_issue(self, "name.letters", "a name needs letters", value,
                       hint="write the person's name, or leave the field blank",
                       severity=self.severity),
        )  # fmt: skip


def placeholder_check(
    *,
    allow: Iterable[str] = (),
    exact: Iterable[str] = (),
    severity: Severity | str = Severity.ERROR,
) -> _Placeholder:
    """
    The placeholder screen with its options checked.
    """
    return _Placeholder(spellings(allow, "allow"), spellings(exact, "exact"), _severity(severity))


def name_check(*, severity: Severity | str = Severity.ERROR) -> _PersonName:
    """
    The name check with its severity checked.
    """
    return _PersonName(_severity(severity))
