"""
`FieldType`, the base every field type shares, and the checks their options use.

``coerce`` turns a raw value (from a form, a CSV cell, an API payload) into the field's Python
type or refuses it with a reason; it does not *normalize* (phones to E.164, synonyms to
canonical values): that is the rule engine's job, so every change stays explained. Blank
strings and ``None`` coerce to ``None`` (no value). ``dump`` and ``load`` convert values to
and from JSON-safe data.
"""

from __future__ import annotations

from typing import Any, ClassVar, Final

import attrs

from recordkit._errors import RecordkitError, SchemaError, shorten
from recordkit.schema._values import (
    _Refused,
)

__all__ = ["MAX_CHARS", "FieldType"]

MAX_CHARS: Final = 65_536
"""
No field accepts a string longer than this; longer input is refused, not truncated.
"""


def _text(value: object) -> str | None:
    """
    The shared first step: ``None``/blank → ``None``, other strings checked for size.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Refused(f"expected text, got {type(value).__name__}")
    if len(value) > MAX_CHARS:
        raise _Refused(f"too long ({len(value)} characters; the limit is {MAX_CHARS})")
    if not value.strip():
        return None
    return value


def _optional(kind: type | tuple[type, ...], what: str, *, minimum: int | None = None) -> Any:
    """An attrs validator: ``None`` or a value of *kind* (bools are not numbers here)."""

    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None:
            return
        wrong_bool = isinstance(value, bool) and kind is int
        if wrong_bool or not isinstance(value, kind):
            raise SchemaError(
                f"{attribute.name} must be {what}, got {type(value).__name__}", path=attribute.name
            )
        if minimum is not None and value < minimum:  # type: ignore[operator]
            raise SchemaError(
                f"{attribute.name} must be at least {minimum}, got {shorten(value)}",
                path=attribute.name,
            )

    return check


@attrs.frozen
class FieldType:
    """
    Base of all field types.

    Subclasses set ``kind`` (the name used in YAML) and override ``_coerce``.

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = ""

    def coerce(self, value: object) -> Any:
        """
        Turn a raw value into this type, or ``None`` when it is blank.

        Raises:
            ValidationError: the value cannot be this type, with the reason (a
                `RecordkitError` and a ``ValueError``); `Field.coerce` turns it into a
                `CoercionError` naming the field.
        """
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str) and len(value) > MAX_CHARS:
            raise _Refused(f"too long ({len(value)} characters; the limit is {MAX_CHARS})")
        try:
            return self._coerce(value)
        except RecordkitError:
            raise
        except (TypeError, ValueError, ArithmeticError, RecursionError) as exc:
            # Exotic inputs (an odd __str__, a signalling NaN) still get a reason, not a crash.
            raise _Refused(f"unreadable ({type(exc).__name__})") from None

    def _coerce(self, value: object) -> Any:
        return _text(value)

    def dump(self, value: Any) -> Any:
        """
        Return *value* as JSON-safe data.
        """
        return value

    def load(self, data: Any) -> Any:
        """
        Return the value that `dump` produced *data* from.
        """
        return self.coerce(data)
