"""
`Field`: one named, typed slot of a schema, and `field()` to declare one in class syntax.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, Final, cast

import attrs

from recordkit._errors import CoercionError, SchemaError, shorten
from recordkit._suggest import close_matches
from recordkit.schema._types import FieldType
from recordkit.schema._values import NOT_GIVEN, _Refused

__all__ = ["INVALID_ACTIONS", "ROLES", "Field", "field"]

NAME: Final = re.compile(r"[a-z][a-z0-9_]{0,62}")
"""
Field and schema names: lower-case identifiers that are also safe SQL column names.
"""

TAG: Final = re.compile(r"[a-z][a-z0-9_-]{0,31}")


def check_name(value: object, what: str) -> str:
    """
    Return *value* when it is a valid name, else raise `SchemaError`.
    """
    if not isinstance(value, str) or not NAME.fullmatch(value):
        raise SchemaError(
            f"{what} must be a lower-case identifier (a-z, 0-9, _; at most 63 characters), "
            f"got {shorten(value)}"
        )
    return value


def _field_name(value: object) -> str:
    return check_name(value, "a field name")


def _freeze_tags(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise SchemaError(f"tags must be a list of names, got {type(value).__name__}", path="tags")
    try:
        tags = frozenset(value)
    except TypeError:
        raise SchemaError("tags must be names (text)", path="tags") from None
    for tag in tags:
        if not isinstance(tag, str) or not TAG.fullmatch(tag):
            raise SchemaError(f"not a tag name: {shorten(tag)}", path="tags")
    return tags


def plain_data(value: Any, path: str) -> Any:
    """
    Check that *value* is JSON-like data (as rule and lifecycle sections are) and freeze it.

    Lists become tuples; mappings stay dicts with string keys.
    """
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise SchemaError(f"keys must be text, got {shorten(key)}", path=path)
            out[key] = plain_data(item, f"{path}.{key}" if path else key)
        return out
    if isinstance(value, list | tuple):
        return tuple(plain_data(item, f"{path}[{i}]") for i, item in enumerate(value))
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise SchemaError(f"expected plain data, got {type(value).__name__}", path=path)


ROLES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType({
    "given_name": ("text",),
    "family_name": ("text",),
    "full_name": ("text",),
    "email": ("email", "text"),
    "phone": ("phone", "text"),
    "birth_date": ("date", "text"),
    "postcode": ("text",),
    "street": ("text",),
    "city": ("text", "picklist"),
    "country": ("country", "text", "picklist"),
    "company": ("text",),
})  # fmt: skip
"""
What a field means, when its name does not say so plainly: role → the field types it fits.

The default matcher chooses its comparisons from roles first (then from field types and
common names): ``given_name`` and ``family_name`` (a first name compared with nicknames and
swaps, a family name), ``full_name`` (one field for the whole name), ``email``, ``phone``,
``birth_date``, ``postcode``, ``street`` (the street address), ``city``, ``country`` (whose
value says in which country the record's phone numbers are read) and ``company`` (the
employer's or organisation's name).

.. versionadded:: 0.2.0
"""


def _role(value: object) -> str | None:
    if value is None or (isinstance(value, str) and value in ROLES):
        return value
    if not isinstance(value, str):
        raise SchemaError(f"a role is text, got {shorten(value)}", path="role")
    raise SchemaError(
        f"unknown role {shorten(value)}; one of {', '.join(ROLES)}",
        path="role",
        suggestions=close_matches(value, ROLES),
    )


INVALID_ACTIONS: Final = ("quarantine", "clear", "keep")
"""
What capture does with a value its field's rules find an error in (a field's ``on_invalid``).

``quarantine`` holds the whole row back (the default); ``clear`` stores the row with the
field missing, the error kept as a warning that says the value was cleared; ``keep`` stores
the value as written, the error kept as a warning that flags it (only in fields whose type
holds text).

.. versionadded:: 0.2.0
"""

DEFAULT_CHANNEL: Final = "default"

_HOLDS_TEXT: Final = frozenset(
    {"text", "email", "phone", "picklist", "url", "country", "subdivision"}
)
"""
The field kinds whose stored value is the text itself, so a value kept as written fits.
"""


class _Actions(Mapping[str, str]):
    """
    Channel → action: an immutable, hashable and picklable mapping (a field's ``on_invalid``).
    """

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str]) -> None:
        self._items = dict(items)

    def __getitem__(self, key: str) -> str:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(frozenset(self._items.items()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    def __repr__(self) -> str:
        return repr(self._items)


def _freeze_on_invalid(value: object) -> Mapping[str, str]:
    # Only frozen here; `_check_on_invalid` checks it, once the field's name is known.
    if isinstance(value, _Actions):
        return value
    if isinstance(value, str):
        return _Actions({DEFAULT_CHANNEL: value})
    if isinstance(value, Mapping):
        return _Actions({DEFAULT_CHANNEL: "quarantine", **value})
    return cast("Mapping[str, str]", value)


def _check_on_invalid(name: str, kind: str, actions: object) -> None:
    """
    Refuse an ``on_invalid`` that is not an action or a channel → action mapping.
    """
    if not isinstance(actions, _Actions):
        raise SchemaError(
            f"field {name!r}: on_invalid is an action (quarantine, clear, keep) or a mapping "
            f"of channel → action, got {type(actions).__name__}",
            path="on_invalid",
        )
    for channel, action in actions.items():
        if not isinstance(channel, str) or not channel.strip() or len(channel) > 200:
            raise SchemaError(
                f"field {name!r}: an on_invalid channel is a source name (non-blank text, at "
                f"most 200 characters), got {shorten(channel)}",
                path="on_invalid",
            )
        path = "on_invalid" if len(actions) == 1 else f"on_invalid.{channel}"
        if not isinstance(action, str) or action not in INVALID_ACTIONS:
            raise SchemaError(
                f"field {name!r}: on_invalid must be one of {', '.join(INVALID_ACTIONS)}, "
                f"got {shorten(action)}",
                path=path,
                suggestions=close_matches(action, INVALID_ACTIONS)
                if isinstance(action, str)
                else (),
            )
        if action == "keep" and kind not in _HOLDS_TEXT:
            raise SchemaError(
                f"field {name!r}: on_invalid 'keep' stores the value as written, and a {kind} "
                "field cannot hold text; use 'clear' or 'quarantine'",
                path=path,
            )


def _freeze_rules(value: Iterable[Any]) -> tuple[Any, ...]:
    if isinstance(value, str | Mapping):
        value = [value]
    if not isinstance(value, Iterable):
        raise SchemaError(f"rules must be a list, got {type(value).__name__}", path="rules")
    return tuple(plain_data(list(value), "rules"))


@attrs.frozen(repr=False)
class Field:
    """
    One field of a schema.

    Examples:
        >>> from recordkit import Field, Email
        >>> Field("email", Email(), required=True, tags={"pii"})
        Field('email', email, required, tags=['pii'])

    Args:
        name: a lower-case identifier.
        type: the `FieldType`.
        required: a record must have a value here to be activated.
        default: the raw value used when capture gives none (``NOT_GIVEN`` for no default).
        description: what the field means, for people.
        tags: sensitivity and grouping tags (``pii``, ``financial``…).
        rules: extra rule specifications for the rule engine (plain data).
        role: what the field means, one of `ROLES` (``birth_date`` for a field named
            ``dob``); ``None`` when its type and name say enough.
        on_invalid: what capture does with a value the rules find an error in, one of
            `INVALID_ACTIONS`, or a mapping of channel → action: the channel is the
            ``source`` a verb is given, matched exactly, and ``default`` covers the
            others (``{"default": "quarantine", "import": "clear"}``). ``keep`` is only
            for fields whose type holds text (not dates, numbers, money or booleans).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``role`` and ``on_invalid``.
    """

    name: str = attrs.field(converter=_field_name)
    type: FieldType = attrs.field()
    required: bool = attrs.field(default=False, kw_only=True)
    default: Any = attrs.field(default=NOT_GIVEN, kw_only=True)
    description: str = attrs.field(default="", kw_only=True)
    tags: frozenset[str] = attrs.field(factory=frozenset, converter=_freeze_tags, kw_only=True)
    rules: tuple[Any, ...] = attrs.field(factory=tuple, converter=_freeze_rules, kw_only=True)
    role: str | None = attrs.field(default=None, converter=_role, kw_only=True)
    on_invalid: Mapping[str, str] = attrs.field(
        default="quarantine", converter=_freeze_on_invalid, kw_only=True
    )

    @type.validator
    def _check_type(self, _: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, FieldType):
            raise SchemaError(
                f"a field type is needed (Text(), Email()…), got {type(value).__name__}",
                path="type",
            )

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.required, bool):
            raise SchemaError("required must be true or false", path="required")
        if not isinstance(self.description, str):
            raise SchemaError("description must be text", path="description")
        if self.role is not None and self.type.kind not in ROLES[self.role]:
            raise SchemaError(
                f"role {self.role!r} fits {' or '.join(ROLES[self.role])} fields, "
                f"not {self.type.kind} ones",
                path="role",
            )
        _check_on_invalid(self.name, self.type.kind, self.on_invalid)
        if self.default is not NOT_GIVEN:
            try:
                json.dumps(self.default)
                self.type.coerce(self.default)
            except (TypeError, ValueError) as exc:
                reason = str(exc) if isinstance(exc, _Refused) else "not plain data"
                raise SchemaError(
                    f"bad default {shorten(self.default)}: {reason}", path="default"
                ) from None

    def __repr__(self) -> str:
        bits = [repr(self.name), self.type.kind]
        if self.required:
            bits.append("required")
        if self.role:
            bits.append(f"role={self.role!r}")
        if self.tags:
            bits.append(f"tags={sorted(self.tags)}")
        if self.on_invalid != {DEFAULT_CHANNEL: "quarantine"}:
            bits.append(f"on_invalid={dict(self.on_invalid)}")
        return f"Field({', '.join(bits)})"

    def invalid_action(self, channel: str | None = None) -> str:
        """
        What to do with an invalid value captured through *channel* (a source name).

        Examples:
            >>> from recordkit import Field, Text
            >>> f = Field("lead_source", Text(), on_invalid={"import": "clear"})
            >>> f.invalid_action("import"), f.invalid_action("web-form"), f.invalid_action()
            ('clear', 'quarantine', 'quarantine')

        Args:
            channel: the source name; ``None`` for the ``default`` channel.

        Returns:
            One of `INVALID_ACTIONS`: the channel's own action, else the default one.

        Raises:
            SchemaError: *channel* is not text.

        .. versionadded:: 0.2.0
        """
        if channel is None:
            return self.on_invalid[DEFAULT_CHANNEL]
        if not isinstance(channel, str):
            raise SchemaError(f"a channel is a source name (text), got {shorten(channel)}")
        return self.on_invalid.get(channel, self.on_invalid[DEFAULT_CHANNEL])

    def coerce(self, raw: object) -> Any:
        """
        Turn a raw value into this field's type.

        Raises:
            CoercionError: naming this field, the value and the reason.
        """
        try:
            return self.type.coerce(raw)
        except _Refused as exc:
            code, hint = getattr(exc, "code", None), getattr(exc, "hint", None)
            if isinstance(code, str) and isinstance(hint, str):
                raise _Explained(self.name, raw, str(exc), code=code, hint=hint) from None
            raise CoercionError(self.name, raw, str(exc)) from None
        except (TypeError, ValueError, ArithmeticError) as exc:
            # Exotic inputs (objects with odd __str__, etc.) must still say where they broke.
            raise CoercionError(self.name, raw, f"{type(exc).__name__}: {exc}"[:200]) from None


class _Explained(CoercionError):
    """
    A refusal the field type explained further: an issue code and a hint.

    A date in the wrong order, for one, names the reading it would have had.
    """

    def __init__(self, field: str, value: object, reason: str, *, code: str, hint: str) -> None:
        super().__init__(field, value, reason)
        self.code = code
        self.hint = hint


def field(
    type: FieldType,
    *,
    required: bool = False,
    default: object = NOT_GIVEN,
    description: str = "",
    tags: Iterable[str] = (),
    rules: Iterable[object] = (),
    role: str | None = None,
    on_invalid: str | Mapping[str, str] = "quarantine",
) -> Field:
    """
    Declare a field in a `Model` class body; the attribute name becomes the field name.

    Returns:
        A `Field` named ``field`` until the class it is declared in names it.

    Examples:
        >>> from recordkit import Model, Email, field
        >>> class Lead(Model, name="lead"):
        ...     email = field(Email(), required=True, tags={"pii"})
        >>> Lead.schema.field("email").required
        True

    Args:
        type: the field type.
        required: a record must have a value here to be activated.
        default: the raw value used when capture gives none.
        description: what the field means, for people.
        tags: sensitivity and grouping tags.
        rules: extra rule specifications for the rule engine.
        role: what the field means, one of `ROLES`.
        on_invalid: what capture does with an invalid value (see `Field`).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``role`` and ``on_invalid``.
    """
    # Checked now, with a stand-in name, so a mistake points at this line, not at the class.
    return Field(
        "field", type, required=required, default=default, description=description,
        tags=tags, rules=rules, role=role, on_invalid=on_invalid,
    )  # fmt: skip
