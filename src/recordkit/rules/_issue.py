"""
What a rule run says: `Issue` (something wrong), `Change` (something fixed), `Outcome`.
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Mapping
from typing import Any, Final

import attrs

from recordkit._errors import SchemaError, shorten
from recordkit.schema import JSONObject

__all__ = ["Change", "Issue", "Outcome", "Severity"]


class Severity(enum.StrEnum):
    """
    How much an issue matters: an ``error`` blocks, a ``warning`` flags, ``info`` informs.

    .. versionadded:: 0.1.0
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @classmethod
    def _missing_(cls, value: object) -> Severity:
        raise SchemaError(f"severity must be 'error', 'warning' or 'info', got {shorten(value)}")


def _severity(value: object) -> Severity:
    if not isinstance(value, str):  # Severity members are text too
        raise SchemaError(f"severity must be 'error', 'warning' or 'info', got {shorten(value)}")
    return Severity(value)


@attrs.frozen(repr=False)
class Issue:
    """
    One thing wrong with a value or a record, said so a person can fix it.

    Examples:
        >>> Issue(field="email", rule="email.valid", code="email.syntax",
        ...       message="there is no @", value="ada.example.com",
        ...       hint="write it as name@domain")
        Issue(error email email.syntax: there is no @ (value 'ada.example.com'))

    Args:
        field: the field concerned (``None`` for a rule about the whole record).
        rule: the id of the rule that raised it.
        code: a stable, machine-readable reason (``phone.invalid``, ``coerce.date``).
        message: what is wrong, for people.
        severity: `Severity.ERROR` blocks, `Severity.WARNING` flags for review,
            `Severity.INFO` informs.
        value: the value the rule saw.
        hint: how to fix it.
        rule_version: the version of the rule that raised it.
        row: the row of a batch it comes from (``None`` outside batches).

    .. versionadded:: 0.1.0
    """

    field: str | None = attrs.field(kw_only=True)
    rule: str = attrs.field(kw_only=True)
    code: str = attrs.field(kw_only=True)
    message: str = attrs.field(kw_only=True)
    severity: Severity = attrs.field(default=Severity.ERROR, converter=_severity, kw_only=True)
    value: Any = attrs.field(default=None, kw_only=True)
    hint: str = attrs.field(default="", kw_only=True)
    rule_version: int = attrs.field(default=1, kw_only=True)
    row: int | None = attrs.field(default=None, kw_only=True)

    def __repr__(self) -> str:
        where = "" if self.row is None else f"row {self.row} "
        seen = "" if self.value is None else f" (value {shorten(self.value, 40)})"
        return (
            f"Issue({where}{self.severity.value} {self.field or '<record>'} {self.code}: "
            f"{self.message}{seen})"
        )

    def __str__(self) -> str:
        where = "" if self.row is None else f"row {self.row}, "
        field = f"field {self.field!r}" if self.field else "record"
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{field}: {self.message}{hint} [{self.code}, rule {self.rule}]"

    @property
    def blocking(self) -> bool:
        """
        True for errors, which stop a record under a blocking enforcement mode.
        """
        return self.severity is Severity.ERROR

    def to_dict(self) -> JSONObject:
        """
        Return the issue as JSON-safe data (the value shortened to its repr).
        """
        return {
            "field": self.field,
            "rule": self.rule,
            "rule_version": self.rule_version,
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "value": None if self.value is None else shorten(self.value),
            "hint": self.hint,
            "row": self.row,
        }


def at_row(issue: Issue, row: int) -> Issue:
    """
    Return *issue* placed at batch row *row* (a fast `attrs.evolve` for the batch loop).
    """
    return _copy(issue, "row", row)


def for_field(issue: Issue, field: str) -> Issue:
    """
    Return *issue* about *field* (a fast `attrs.evolve` for the pipeline).
    """
    return _copy(issue, "field", field)


def _copy(issue: Issue, name: str, value: Any) -> Issue:
    # every slot read at once and written through its descriptor (a frozen class's
    # __setattr__ refuses); then the one that changes
    placed = object.__new__(Issue)
    for put, held in zip(_ISSUE_PUTS, _ISSUE_GET(issue), strict=True):
        put(placed, held)
    _ISSUE_PUT[name](placed, value)
    return placed


_ISSUE_SLOTS: Final = tuple(a.name for a in attrs.fields(Issue))
_ISSUE_GET: Final = operator.attrgetter(*_ISSUE_SLOTS)
_ISSUE_PUT: Final[dict[str, Any]] = {n: getattr(Issue, n).__set__ for n in _ISSUE_SLOTS}
_ISSUE_PUTS: Final = tuple(_ISSUE_PUT.values())


@attrs.frozen
class Change:
    """
    One value a normalizer changed: before → after, and by which rule.

    .. versionadded:: 0.1.0
    """

    field: str
    before: Any
    after: Any
    rule: str
    rule_version: int = 1

    def __str__(self) -> str:
        return f"{self.field}: {shorten(self.before)} → {shorten(self.after)} ({self.rule})"


@attrs.frozen
class Outcome:
    """
    What running a rule set over one record gave.

    Args:
        values: the normalized values, by field.
        changes: every change normalizers made, in the order they made them.
        issues: every issue validators (and coercion) found.

    .. versionadded:: 0.1.0
    """

    values: Mapping[str, Any]
    changes: tuple[Change, ...] = ()
    issues: tuple[Issue, ...] = ()

    @property
    def ok(self) -> bool:
        """
        True when no issue is an error.
        """
        return not any(i.severity is Severity.ERROR for i in self.issues)

    @property
    def errors(self) -> tuple[Issue, ...]:
        """
        The issues of severity ``error``.
        """
        return tuple(i for i in self.issues if i.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Issue, ...]:
        """
        The issues of severity ``warning``.
        """
        return tuple(i for i in self.issues if i.severity is Severity.WARNING)
