"""
Errors raised by recordkit.

Every error recordkit raises derives from one root, so ``except RecordkitError`` catches
them all; each subclass also derives from the builtin that callers already catch::

    RecordkitError (Exception)
    ├── SchemaError (ValueError)        a schema, rule set or lifecycle definition is wrong
    ├── ValidationError (ValueError)    a record's values are not acceptable
    │   └── CoercionError               one raw value cannot become its field's type
    ├── AccessDenied (PermissionError)  an actor may not read or write what it asked for
    ├── TransitionError (ValueError)    a lifecycle move is not allowed
    ├── ConflictError                   a write was based on a stale version
    │   └── UnmergeConflict *           records changed since the merge being undone
    ├── NotFound (LookupError)          no record with that id
    ├── StoreError                      the storage backend failed or holds bad data
    ├── MergeError (ValueError) *       a merge or unmerge request makes no sense
    ├── DuplicateError (ValueError) *   capture refused: the record duplicates another
    └── BlockingError (ValueError) *    a blocking rule would make too many pairs

The errors marked * belong to one layer and live beside it, in ``recordkit.match``; all are
importable from ``recordkit``. Errors carry structured attributes (field, value, reason,
path) so programs can act on them; values are shown truncated so an error never carries a
whole record.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

__all__ = [
    "AccessDenied",
    "CoercionError",
    "ConflictError",
    "NotFound",
    "PartialResult",
    "RecordkitError",
    "SchemaError",
    "StoreError",
    "TransitionError",
    "ValidationError",
]

_MAX_SHOWN = 60
MAX_MESSAGE = 2_000
"""
The longest message an error carries, in characters; longer ones are cut.
"""


def shorten(value: object, limit: int = _MAX_SHOWN) -> str:
    """
    Render *value* for a message: ``repr`` with control characters escaped, cut at *limit*.

    A 1 MB string or a value with NUL bytes becomes a short, printable excerpt.
    """
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__ must not hide the real error
        text = f"<unprintable {type(value).__name__}>"
    if len(text) > limit:
        text = f"{text[: limit - 1]}…(+{len(text) - limit + 1} chars)"
    return text


class PartialResult(Protocol):
    """
    What a batch had done when it failed: a `BatchResult` (``Steward.capture_many``).

    .. versionadded:: 0.2.0
    """

    @property
    def total(self) -> int:
        """
        Rows handled (stored or quarantined, and committed) before the failure.
        """


class RecordkitError(Exception):
    """
    The root of every error recordkit raises.

    Attributes:
        partial: set when a batch (``Steward.capture_many``) failed part-way: the
            `BatchResult` of the rows handled before the failure (stored or quarantined,
            and committed), so the caller can resume after ``partial.total`` rows.
            ``None`` otherwise.

    .. versionadded:: 0.1.0
    """

    partial: PartialResult | None = None

    def __init__(self, *args: object) -> None:
        # A message is capped whatever built it: a 1 MB value never makes a 1 MB message.
        if args and isinstance(args[0], str) and len(args[0]) > MAX_MESSAGE:
            args = (f"{args[0][: MAX_MESSAGE - 1]}…", *args[1:])
        super().__init__(*args)


class SchemaError(RecordkitError, ValueError):
    """
    A schema (or rule set, or lifecycle) definition is wrong.

    Attributes:
        source: the file or object the definition came from, if known.
        path: where inside it, dotted (``fields.phone.region``).
        reason: what is wrong.
        suggestions: the closest valid names, for an unknown name.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        reason: str,
        *,
        path: str = "",
        source: str | None = None,
        suggestions: Sequence[str] = (),
    ) -> None:
        # A reason quotes user input; cap it so a 1 MB value never ends up in a message.
        if len(reason) > 300:
            reason = f"{reason[:299]}…"
        self.reason = reason
        self.path = path[:200]
        self.source = source
        self.suggestions = tuple(suggestions)
        where = ""
        if source:
            where = f"{source}: "
        if path:
            where += f"at {path}: "
        hint = ""
        if self.suggestions:
            hint = " (did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?)"
        super().__init__(f"{where}{reason}{hint}")

    def at(self, prefix: str, *, source: str | None = None) -> SchemaError:
        """
        Return a copy of this error whose path is prefixed with *prefix*.

        Used while walking nested definitions so the final message names the full path.
        """
        sep = "" if self.path.startswith("[") else "."
        path = f"{prefix}{sep}{self.path}" if self.path else prefix
        return SchemaError(
            self.reason,
            path=path,
            source=source if source is not None else self.source,
            suggestions=self.suggestions,
        )


class ValidationError(RecordkitError, ValueError):
    """
    A record's values are not acceptable.

    Attributes:
        issues: the problems found (``recordkit.Issue`` objects once rules are in play).
        record_id: the record concerned, if it has one.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self, message: str, *, issues: Sequence[Any] = (), record_id: str | None = None
    ) -> None:
        self.issues = tuple(issues)
        self.record_id = record_id
        super().__init__(message)


class CoercionError(ValidationError):
    """
    A raw value cannot be turned into its field's type.

    Attributes:
        field: the field name.
        value: the offending raw value (only its truncated repr appears in the message).
        reason: why it was refused.

    .. versionadded:: 0.1.0
    """

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"field {field!r}: cannot accept {shorten(value)}: {reason}")


class AccessDenied(RecordkitError, PermissionError):
    """
    An actor may not perform an action on a record or field.

    Attributes:
        actor: the actor's id.
        action: what it asked to do.
        record_id: the record, when one was concerned.
        field: the field, when one was concerned.
        reason: why, when more than the permission is to say (never a value).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 *reason*.
    """

    def __init__(
        self,
        actor: str,
        action: str,
        *,
        record_id: str | None = None,
        field: str | None = None,
        reason: str | None = None,
    ) -> None:
        self.actor = actor
        self.action = action
        self.record_id = record_id
        self.field = field
        self.reason = reason
        target = f" record {record_id!r}" if record_id else ""
        if field:
            target += f" field {field!r}"
        because = f": {reason}" if reason else ""
        super().__init__(f"{actor!r} may not {action}{target}{because}")


class TransitionError(RecordkitError, ValueError):
    """
    A lifecycle transition was refused; nothing changed.

    Attributes:
        issues: the failing guard issues, if the refusal came from rules.

    .. versionadded:: 0.1.0
    """

    def __init__(self, message: str, *, issues: Sequence[Any] = ()) -> None:
        self.issues = tuple(issues)
        super().__init__(message)


class ConflictError(RecordkitError):
    """
    A write was based on a version of the record that is no longer current.

    .. versionadded:: 0.1.0
    """

    def __init__(self, record_id: str, *, expected: int, actual: int | None) -> None:
        self.record_id = record_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"record {record_id!r} changed: write expected version {expected}, store has {actual}"
        )


class NotFound(RecordkitError, LookupError):
    """
    No record with the given id exists in the store.

    .. versionadded:: 0.1.0
    """

    def __init__(self, record_id: object, *, message: str | None = None) -> None:
        self.record_id = record_id
        super().__init__(message or f"no record with id {shorten(record_id)}")


class StoreError(RecordkitError):
    """
    The storage backend failed, or holds data recordkit cannot read.

    The driver's exception, when there is one, is chained as ``__cause__``. After a failed
    write (the COMMIT's included) nothing of it is stored and the store stays usable.

    Attributes:
        unstorable: the failure comes from a value the database cannot hold (text that is
            not Unicode, a NUL byte in PostgreSQL text, a number out of range): the data's
            fault, not the database's. A batch quarantines such a row instead of failing.

    .. versionadded:: 0.1.0
    """

    unstorable: bool = False
