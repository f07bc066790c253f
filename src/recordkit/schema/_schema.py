"""
Schemas: `Schema`, the `Model` class syntax that builds one, and `Catalog`.

A catalog is a set of schemas whose references are checked against each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Final

import attrs

from recordkit._errors import SchemaError, shorten
from recordkit._suggest import close_matches
from recordkit.schema._field import ROLES, Field, check_name, plain_data
from recordkit.schema._types import Country, FieldType, Reference, Subdivision

__all__ = ["MAX_VERSION", "Catalog", "Model", "Schema"]

MAX_VERSION: Final = 2**31 - 1
"""
The largest schema version: what every store's version column holds.
"""


def _schema_name(value: object) -> str:
    return check_name(value, "a schema name")


def _freeze_fields(value: Iterable[Field]) -> tuple[Field, ...]:
    if isinstance(value, Mapping | str | bytes) or not isinstance(value, Iterable):
        raise SchemaError("fields must be a sequence of Field objects", path="fields")
    return tuple(value)


def _freeze_identity(value: Iterable[Any]) -> tuple[tuple[str, ...], ...]:
    if isinstance(value, Mapping | str | bytes) or not isinstance(value, Iterable):
        raise SchemaError("identity is a list of keys", path="identity")
    keys: list[tuple[str, ...]] = []
    for i, key in enumerate(value):
        names = (key,) if isinstance(key, str) else key
        if not isinstance(names, Sequence) or not names:
            raise SchemaError(
                "an identity key is a field name or a list of them", path=f"identity[{i}]"
            )
        keys.append(tuple(names))
    return tuple(keys)


def _freeze_extensions(value: Mapping[str, Any]) -> dict[str, Any]:
    frozen = plain_data(value, "")
    if not isinstance(frozen, dict):
        raise SchemaError("extensions must be a mapping")
    return frozen


@attrs.frozen(repr=False)
class Schema:
    """
    A named record type: its fields, identity keys, owner field and extension sections.

    The same object comes from Python (`Schema(...)` or a `Model` class) and from YAML/JSON
    (`load_schema`); it is checked when built, and every problem names its path.

    Examples:
        >>> from recordkit import Schema, Field, Email, Text
        >>> s = Schema("lead", [Field("name", Text()), Field("email", Email())],
        ...            identity=["email"])
        >>> s.field_names
        ('name', 'email')

    Args:
        name: a lower-case identifier (``contact``).
        fields: the fields, in order.
        version: bumped when the schema changes.
        description: what a record of this type is.
        identity: keys that identify a record; each is a field name or a tuple of them.
        owner_field: the field whose value becomes the record's owner.
        extensions: sections for the other layers (``rules``, ``lifecycle``, ``matching``),
            kept as plain data and compiled by them.

    .. versionadded:: 0.1.0
    """

    name: str = attrs.field(converter=_schema_name)
    fields: tuple[Field, ...] = attrs.field(converter=_freeze_fields)
    version: int = attrs.field(default=1, kw_only=True)
    description: str = attrs.field(default="", kw_only=True)
    identity: tuple[tuple[str, ...], ...] = attrs.field(
        factory=tuple, converter=_freeze_identity, kw_only=True
    )
    owner_field: str | None = attrs.field(default=None, kw_only=True)
    extensions: dict[str, Any] = attrs.field(
        factory=dict, converter=_freeze_extensions, kw_only=True, hash=False
    )
    _by_name: dict[str, Field] = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        v = self.version
        if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= MAX_VERSION:
            got = shorten(v)
            raise SchemaError(
                f"version must be a positive whole number, at most {MAX_VERSION}, got {got}",
                path="version",
            )
        if not isinstance(self.description, str):
            raise SchemaError("description must be text", path="description")
        by_name: dict[str, Field] = {}
        for i, f in enumerate(self.fields):
            if not isinstance(f, Field):
                raise SchemaError(f"expected a Field, got {type(f).__name__}", path=f"fields[{i}]")
            if f.name in by_name:
                raise SchemaError(f"field {f.name!r} is declared twice", path=f"fields.{f.name}")
            by_name[f.name] = f
        if not by_name:
            raise SchemaError("a schema needs at least one field", path="fields")
        object.__setattr__(self, "_by_name", by_name)
        for i, key in enumerate(self.identity):
            for name in key:
                self._known(name, f"identity[{i}]")
        if self.owner_field is not None:
            self._known(self.owner_field, "owner_field")
        for f in self.fields:
            if isinstance(f.type, Subdivision) and f.type.country_field is not None:
                other = self._known(f.type.country_field, f"fields.{f.name}.country_field")
                if not isinstance(other.type, Country):
                    raise SchemaError(
                        f"{other.name!r} is a {other.type.kind} field, not a country field",
                        path=f"fields.{f.name}.country_field",
                    )

    def _known(self, name: object, path: str) -> Field:
        if not isinstance(name, str) or name not in self._by_name:
            raise SchemaError(
                f"unknown field {shorten(name)}",
                path=path,
                suggestions=close_matches(name, self._by_name) if isinstance(name, str) else (),
            )
        return self._by_name[name]

    def __repr__(self) -> str:
        return f"Schema({self.name!r}, v{self.version}, fields={list(self.field_names)})"

    def __iter__(self) -> Iterator[Field]:
        return iter(self.fields)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    @property
    def field_names(self) -> tuple[str, ...]:
        """
        The field names, in declaration order.
        """
        return tuple(self._by_name)

    def field(self, name: str) -> Field:
        """
        Return the field called *name*.

        Raises:
            SchemaError: for an unknown name, with the closest valid names.
        """
        path = f"{self.name}.{name[:60]}" if isinstance(name, str) else self.name
        return self._known(name, path)

    def tagged(self, tag: str) -> tuple[Field, ...]:
        """
        The fields carrying *tag* (``schema.tagged("pii")``).

        Raises:
            SchemaError: *tag* is not text.
        """
        if not isinstance(tag, str):
            raise SchemaError(f"a tag is text, got {shorten(tag)}")
        return tuple(f for f in self.fields if tag in f.tags)

    def with_role(self, role: str) -> tuple[Field, ...]:
        """
        The fields declared with *role* (``schema.with_role("birth_date")``).

        Raises:
            SchemaError: *role* is not one of `ROLES`, with the closest ones.

        .. versionadded:: 0.2.0
        """
        if not isinstance(role, str) or role not in ROLES:
            raise SchemaError(
                f"unknown role {shorten(role)}; one of {', '.join(ROLES)}",
                suggestions=close_matches(role, ROLES) if isinstance(role, str) else (),
            )
        return tuple(f for f in self.fields if f.role == role)

    @property
    def required(self) -> tuple[Field, ...]:
        """
        The required fields.
        """
        return tuple(f for f in self.fields if f.required)

    @property
    def references(self) -> tuple[Field, ...]:
        """
        The fields that link to records of other schemas.
        """
        return tuple(f for f in self.fields if isinstance(f.type, Reference))


class Model:
    """
    Class syntax for a schema, in the style of attrs and pandera models.

    Examples:
        >>> from recordkit import Model, Email, Phone, Text, field
        >>> class Contact(Model, name="contact", identity=["email"]):
        ...     '''A person we sell to.'''
        ...     name = Text()
        ...     email = field(Email(), required=True, tags={"pii"})
        ...     phone = Phone(region="US")
        >>> Contact.schema.field_names
        ('name', 'email', 'phone')

    The class attribute ``schema`` holds the `Schema`; it equals the one loaded from the same
    declaration in YAML.

    .. versionadded:: 0.1.0
    """

    schema: ClassVar[Schema]

    def __init_subclass__(
        cls,
        *,
        name: str,
        version: int = 1,
        identity: Iterable[Any] = (),
        owner_field: str | None = None,
        extensions: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        fields: list[Field] = []
        for attr, value in vars(cls).items():
            try:
                if isinstance(value, Field):
                    fields.append(attrs.evolve(value, name=attr))
                elif isinstance(value, FieldType):
                    fields.append(Field(attr, value))
            except SchemaError as exc:
                raise exc.at(f"fields.{attr}", source=cls.__qualname__) from None
        doc = " ".join((cls.__doc__ or "").split())
        try:
            cls.schema = Schema(
                name,
                fields,
                version=version,
                description=doc,
                identity=identity,
                owner_field=owner_field,
                extensions=extensions or {},
            )
        except SchemaError as exc:
            raise SchemaError(
                exc.reason, path=exc.path, source=cls.__qualname__, suggestions=exc.suggestions
            ) from None


def _freeze_schemas(value: Iterable[Schema]) -> tuple[Schema, ...]:
    if isinstance(value, Mapping | str | bytes) or not isinstance(value, Iterable):
        raise SchemaError(f"a catalog takes a list of schemas, got {type(value).__name__}")
    return tuple(value)


@attrs.frozen(repr=False)
class Catalog:
    """
    A set of schemas that may reference each other, checked as a whole.

    Every reference must name a schema in the catalog, and required references must not form
    a cycle (no record of any schema in it could ever be created first).

    .. versionadded:: 0.1.0
    """

    schemas: tuple[Schema, ...] = attrs.field(converter=_freeze_schemas)

    def __attrs_post_init__(self) -> None:
        names: dict[str, Schema] = {}
        for s in self.schemas:
            if not isinstance(s, Schema):
                raise SchemaError(f"expected a Schema, got {type(s).__name__}")
            if s.name in names:
                raise SchemaError(f"schema {s.name!r} appears twice in the catalog")
            names[s.name] = s
        for s in self.schemas:
            for f in s.references:
                assert isinstance(f.type, Reference)
                if f.type.to not in names:
                    raise SchemaError(
                        f"references unknown schema {f.type.to!r}",
                        path=f"fields.{f.name}.to",
                        source=s.name,
                        suggestions=close_matches(f.type.to, names),
                    )
        self._check_required_cycles(names)

    def _check_required_cycles(self, names: Mapping[str, Schema]) -> None:
        edges = {
            s.name: [
                (f.name, f.type.to)
                for f in s.references
                if f.required and isinstance(f.type, Reference)
            ]
            for s in self.schemas
        }
        state: dict[str, int] = {}
        trail: list[str] = []

        def visit(name: str) -> None:
            state[name] = 1
            trail.append(name)
            for field_name, target in edges[name]:
                if state.get(target) == 1:
                    loop = [*trail[trail.index(target) :], target]
                    raise SchemaError(
                        "required references form a cycle, so no record could be created "
                        f"first: {' → '.join(loop)}",
                        path=f"fields.{field_name}.required",
                        source=name,
                    )
                if target not in state:
                    visit(target)
            trail.pop()
            state[name] = 2

        for name in names:
            if name not in state:
                visit(name)

    def __repr__(self) -> str:
        return f"Catalog({[s.name for s in self.schemas]})"

    def __getitem__(self, name: str) -> Schema:
        for s in self.schemas:
            if s.name == name:
                return s
        raise SchemaError(
            f"no schema named {shorten(name)}",
            suggestions=close_matches(name, self.names) if isinstance(name, str) else (),
        )

    def __iter__(self) -> Iterator[Schema]:
        return iter(self.schemas)

    @property
    def names(self) -> tuple[str, ...]:
        """
        The schema names.
        """
        return tuple(s.name for s in self.schemas)
