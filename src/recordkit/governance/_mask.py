"""
Masking: what an actor sees of a value it may not read in clear.

A masked value is a `Masked`: which field, which strategy, and the text shown; it never
holds the original. Strategies are small frozen classes behind one protocol, found by name
in a registry that is a plain dict built here (``redact``, ``keep_last``, ``hash``,
``null``), and spelled as plain data in a policy: ``"hash"``, ``{"keep_last": 4}``,
``{"redact": "[hidden]"}``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Final, Protocol

import attrs

from recordkit._errors import SchemaError, ValidationError, shorten

__all__ = ["BULLETS", "REDACT", "Masked", "Strategy", "masked", "needs_key", "strategy_from_data"]

BULLETS: Final = "•••••"
"""
What stands for the hidden part of a value (a fixed width, so length does not leak).
"""


def _text(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise ValidationError(f"Masked.{attribute.name} must be text, got {shorten(value)}")


@attrs.frozen
class Masked:
    """
    A value an actor may not read in clear, as it is shown to them.

    Examples:
        >>> m = Masked("phone", "keep_last", "•••••0100")
        >>> str(m)
        '•••••0100'

    Args:
        field: the field the value belongs to.
        kind: the strategy that masked it (``redact``, ``keep_last``, ``hash``, ``null``).
        text: what is shown instead of the value (``str()`` gives it).

    Raises:
        ValidationError: an argument is not text.

    .. versionadded:: 0.2.0
    """

    field: str = attrs.field(validator=_text)
    kind: str = attrs.field(validator=_text)
    text: str = attrs.field(validator=_text)

    def __str__(self) -> str:
        return self.text

    @classmethod
    def hidden(cls, field: str) -> Masked:
        """
        The value of *field* wholly hidden: what an actor who may not read it sees.

        Examples:
            >>> str(Masked.hidden("email"))
            '•••••'

        .. versionadded:: 0.2.0
        """
        return cls(field, "redact", BULLETS)


def masked(field: str, kind: str, text: str) -> Masked:
    """
    A `Masked` from text recordkit made itself: built without re-checking (a hot path).
    """
    out = object.__new__(Masked)
    object.__setattr__(out, "field", field)
    object.__setattr__(out, "kind", kind)
    object.__setattr__(out, "text", text)
    return out


class Strategy(Protocol):
    """
    How a value is masked; each strategy turns back into its plain-data spelling.
    """

    kind: str

    def shown(self, field: str, value: object, key: bytes | None) -> str:
        """
        The text shown for *value* of *field*.
        """

    def to_data(self) -> object:
        """
        The plain-data spelling of this strategy.
        """


def _plain(value: object) -> str:
    # The text a value is masked from: the same value always gives the same text.
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str, sort_keys=True, ensure_ascii=False)


@attrs.frozen
class _Redact:
    text: str = "[redacted]"

    kind = "redact"

    def shown(self, field: str, value: object, key: bytes | None) -> str:
        return self.text

    def to_data(self) -> object:
        return "redact" if self.text == "[redacted]" else {"redact": self.text}


@attrs.frozen
class _KeepLast:
    length: int

    kind = "keep_last"

    def shown(self, field: str, value: object, key: bytes | None) -> str:
        text = _plain(value)
        return BULLETS + (text[-self.length :] if 0 < self.length < len(text) else "")

    def to_data(self) -> object:
        return {"keep_last": self.length}


@attrs.frozen
class _Hash:
    kind = "hash"

    def shown(self, field: str, value: object, key: bytes | None) -> str:
        # Keyed, so a dictionary of likely values cannot be hashed to reverse it; the field
        # name is mixed in, so equal values of two fields do not give equal digests.
        assert key is not None  # a policy with a hash strategy always holds a key
        digest = hmac.new(key, f"{field}\x00{_plain(value)}".encode(), hashlib.sha256)
        return digest.hexdigest()[:16]

    def to_data(self) -> object:
        return "hash"


@attrs.frozen
class _Null:
    kind = "null"

    def shown(self, field: str, value: object, key: bytes | None) -> str:
        return ""

    def to_data(self) -> object:
        return "null"


FIXED: Final = frozenset({"redact", "null"})
"""
Strategies whose text does not depend on the value (their `Masked` values can be shared).
"""


def fixed_mask(field: str, strategy: Strategy) -> Masked | None:
    """
    The one `Masked` value of *field* under *strategy*, when its text ignores the value.
    """
    if strategy.kind not in FIXED:
        return None
    return masked(field, strategy.kind, strategy.shown(field, None, None))


REDACT: Final = _Redact()
"""
The strategy for fields an actor may not read at all.
"""


def strategy_from_data(data: object, path: str) -> Strategy:
    """
    The strategy *data* spells.

    ``"redact"``, ``"hash"``, ``"null"``, ``"keep_last"`` (4), ``{"keep_last": n}`` or
    ``{"redact": text}``.

    Raises:
        SchemaError: an unknown strategy or a bad argument, naming *path*.
    """
    name, arg = (data, None) if isinstance(data, str) else _single(data, path)
    if name == "redact":
        if arg is None:
            return REDACT
        if not isinstance(arg, str) or not arg or len(arg) > 40:
            raise SchemaError(f"redact shows text (1 to 40 chars), got {shorten(arg)}", path=path)
        return _Redact(arg)
    if name == "keep_last":
        n = 4 if arg is None else arg
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= 32:
            raise SchemaError(f"keep_last keeps 0 to 32 characters, got {shorten(n)}", path=path)
        return _KeepLast(n)
    simple = _SIMPLE.get(name) if isinstance(name, str) else None
    if simple is not None and arg is None:
        return simple
    if simple is not None:
        raise SchemaError(f"{name} takes no argument, got {shorten(arg)}", path=path)
    raise SchemaError(
        f"unknown masking strategy {shorten(name)}; use one of "
        "'redact', 'keep_last', 'hash', 'null'",
        path=path,
    )


def _single(data: object, path: str) -> tuple[object, object]:
    if isinstance(data, Mapping) and len(data) == 1:
        ((name, arg),) = data.items()
        return name, arg
    raise SchemaError(
        f"a masking strategy is a name or a one-key mapping, got {shorten(data)}", path=path
    )


_SIMPLE: Final[Mapping[str, Strategy]] = {"hash": _Hash(), "null": _Null()}


def needs_key(strategy: Strategy) -> bool:
    """
    Whether *strategy* needs the policy's key.
    """
    return isinstance(strategy, _Hash)
