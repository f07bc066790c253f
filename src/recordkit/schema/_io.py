"""
Schemas to and from YAML/JSON documents, structured through a cattrs converter instance.

Loading is safe (``yaml.SafeLoader``, no tags, no code) and strict: duplicate keys,
recursive aliases, unknown keys and wrongly typed values are refused with a `SchemaError`
naming the file and the path inside it, e.g. ``contact.yaml: at fields.phone.region: …``.

A document looks like::

    schema: contact
    version: 1
    identity: [email, phone]
    owner_field: owner
    fields:
      email: {type: email, required: true, tags: [pii]}
      phone: {type: phone, region: US}
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal

import attrs
import cattrs
import yaml
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError

from recordkit._errors import SchemaError, shorten
from recordkit._files import read_definition, source_name
from recordkit._suggest import close_matches
from recordkit.schema._dumper import Dumper
from recordkit.schema._field import Field
from recordkit.schema._json import JSONObject
from recordkit.schema._schema import Catalog, Schema
from recordkit.schema._types import FIELD_TYPES, FieldType, Picklist
from recordkit.schema._values import NOT_GIVEN

__all__ = [
    "bundled_catalog",
    "bundled_schema",
    "dump_schema",
    "load_schema",
    "parse_schema",
    "schema_from_dict",
    "schema_to_dict",
]

MAX_DOCUMENT_BYTES: Final = 4 * 1024 * 1024
MAX_NODES: Final = 200_000
EXTENSION_KEYS: Final = ("rules", "lifecycle", "stages", "matching", "governance")
_SCHEMA_KEYS: Final = ("schema", "version", "description", "identity", "owner_field", "fields")
_FIELD_KEYS: Final = ("type", "required", "default", "description", "tags", "rules")
BUNDLED: Final = ("company", "contact", "deal")


# -- a strict converter: no silent str(5) or bool("no") -------------------------------------


def _strict(kind: type, name: str) -> Any:
    def hook(value: Any, _: Any) -> Any:
        if type(value) is not kind:
            raise TypeError(f"expected {name}, got {type(value).__name__} {shorten(value)}")
        return value

    return hook


def _strict_list(value: Any, kind: Any) -> Any:
    if not isinstance(value, list | tuple):
        raise TypeError(f"expected a list, got {_kind(value)}")
    (item,) = getattr(kind, "__args__", (Any,))
    return [v if item is Any else _sub(v, item, f"[{i}]") for i, v in enumerate(value)]


def _strict_dict(value: Any, kind: Any) -> Any:
    if not isinstance(value, Mapping):
        raise TypeError(f"expected a mapping, got {_kind(value)}")
    _, item = kind.__args__
    return {k: v if item is Any else _sub(v, item, str(k)) for k, v in value.items()}


def _sub(value: Any, kind: Any, key: str) -> Any:
    """
    Structure one part of a document, prefixing any error's path with *key*.
    """
    try:
        return _CONVERTER.structure(value, kind)
    except SchemaError as exc:
        raise exc.at(key) from None
    except (ClassValidationError, IterableValidationError, TypeError, ValueError) as exc:
        raise _translate(exc).at(key) from None


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=False)
    conv.register_structure_hook(str, _strict(str, "text"))
    conv.register_structure_hook(bool, _strict(bool, "true or false"))
    conv.register_structure_hook(int, _strict(int, "a whole number"))
    conv.register_structure_hook_func(
        lambda t: getattr(t, "__origin__", None) is list, _strict_list
    )
    conv.register_structure_hook_func(
        lambda t: getattr(t, "__origin__", None) is dict, _strict_dict
    )
    conv.register_structure_hook(
        Picklist,
        lambda d, _: Picklist(
            values=_sub(d.get("values", ()), list[str], "values"),
            synonyms=_sub(d.get("synonyms", {}), dict[str, list[str]], "synonyms"),
            restricted=_sub(d.get("restricted", True), bool, "restricted"),
        ),
    )
    conv.register_unstructure_hook(
        Picklist,
        lambda p: {
            "values": list(p.values),
            **({"synonyms": {k: list(v) for k, v in p.synonyms}} if p.synonyms else {}),
            **({} if p.restricted else {"restricted": False}),
        },
    )
    return conv


_CONVERTER: Final = _make_converter()


def _path(cattrs_path: str) -> str:
    """
    ``$.values[2]`` → ``values[2]``; ``$['x'].y`` → ``x.y``.
    """
    path = re.sub(r"\['([^']*)'\]", r".\1", cattrs_path).removeprefix("$")
    return path.lstrip(".")


def _structure(data: Mapping[str, Any], cls: type[Any], allowed: tuple[str, ...]) -> Any:
    """
    Structure *data* into *cls*; the first problem becomes a `SchemaError` with its path.
    """
    for key in data:
        if key not in allowed:
            raise SchemaError(
                f"unknown key {key!r}", path=str(key), suggestions=close_matches(key, allowed)
            )
    if cls is Picklist:  # its hook structures and checks each part itself
        return _CONVERTER.structure(data, cls)
    missing = [
        a.name for a in attrs.fields(cls) if a.default is attrs.NOTHING and a.name not in data
    ]
    if missing:
        raise SchemaError(f"missing key {missing[0]!r}", path=missing[0])
    kwargs = {}
    hints = attrs.resolve_types(cls)
    for a in attrs.fields(hints):
        if a.name in data:
            kwargs[a.name] = _sub(data[a.name], a.type, a.name)
    try:
        return cls(**kwargs)
    except SchemaError:
        raise
    except (TypeError, ValueError) as exc:
        raise SchemaError(str(exc)[:300]) from None


def _translate(exc: BaseException) -> SchemaError:
    """
    Turn a structuring failure into a `SchemaError`, keeping the path cattrs found.
    """
    if isinstance(exc, SchemaError):
        return exc
    if isinstance(exc, ClassValidationError | IterableValidationError):
        for inner in exc.exceptions:
            if isinstance(inner, SchemaError):
                return inner
        messages = cattrs.transform_error(exc, path="$")
        first = messages[0] if messages else str(exc)
        reason, _, where = first.rpartition(" @ ")
        return SchemaError(reason or first, path=_path(where))
    if isinstance(exc, ForbiddenExtraKeysError):
        return SchemaError(f"unknown keys {sorted(exc.extra_fields)}")
    return SchemaError(str(exc)[:300])


# -- documents → Schema ---------------------------------------------------------------------


def _type_options(cls: type[FieldType]) -> tuple[str, ...]:
    return tuple(a.name for a in attrs.fields(cls))


def _field_from_dict(name: str, spec: object) -> Field:
    if isinstance(spec, str):
        spec = {"type": spec}  # shorthand: `name: text`
    if not isinstance(spec, Mapping):
        raise SchemaError(f"a field is a mapping with a 'type', got {type(spec).__name__}")
    kind = spec.get("type", NOT_GIVEN)
    if kind is NOT_GIVEN:
        raise SchemaError("missing 'type'", path="type")
    if not isinstance(kind, str) or kind not in FIELD_TYPES:
        raise SchemaError(
            f"unknown field type {shorten(kind)}",
            path="type",
            suggestions=close_matches(kind, FIELD_TYPES) if isinstance(kind, str) else (),
        )
    cls = FIELD_TYPES[kind]
    options = {k: v for k, v in spec.items() if k not in _FIELD_KEYS}
    common = {k: v for k, v in spec.items() if k in _FIELD_KEYS and k != "type"}
    for key in options:
        if key not in _type_options(cls):
            raise SchemaError(
                f"unknown key {key!r} for a {kind} field",
                path=str(key),
                suggestions=close_matches(key, (*_FIELD_KEYS, *_type_options(cls))),
            )
    ftype = _structure(options, cls, _type_options(cls))
    doc = _structure(common, _FieldDoc, _FIELD_KEYS)
    return Field(
        name,
        ftype,
        required=doc.required,
        default=doc.default,
        description=doc.description,
        tags=doc.tags,
        rules=doc.rules,
    )


@attrs.define
class _FieldDoc:
    required: bool = False
    default: Any = NOT_GIVEN
    description: str = ""
    tags: list[str] = attrs.Factory(list)
    rules: list[Any] = attrs.Factory(list)


@attrs.define
class _SchemaDoc:
    schema: str
    fields: dict[str, Any]
    version: int = 1
    description: str = ""
    identity: list[Any] = attrs.Factory(list)
    owner_field: str | None = None


def schema_from_dict(data: object, *, source: str | None = None) -> Schema:
    """
    Build a `Schema` from a parsed YAML/JSON document.

    Raises:
        SchemaError: naming *source*, the path inside the document and what is wrong.

    .. versionadded:: 0.1.0
    """
    source = None if source is None else source_name(source)
    try:
        if not isinstance(data, Mapping):
            raise SchemaError(f"a schema document is a mapping, got {_kind(data)}")
        _check_tree(data)
        allowed = (*_SCHEMA_KEYS, *EXTENSION_KEYS)
        head = {k: v for k, v in data.items() if k not in EXTENSION_KEYS}
        doc = _structure(head, _SchemaDoc, allowed)
        fields = []
        for name, spec in doc.fields.items():
            try:
                fields.append(_field_from_dict(name, spec))
            except SchemaError as exc:
                raise exc.at(f"fields.{name}") from None
        extensions = {k: data[k] for k in EXTENSION_KEYS if k in data}
        return Schema(
            doc.schema,
            fields,
            version=doc.version,
            description=doc.description,
            identity=doc.identity,
            owner_field=doc.owner_field,
            extensions=extensions,
        )
    except SchemaError as exc:
        raise SchemaError(
            exc.reason, path=exc.path, source=source or exc.source, suggestions=exc.suggestions
        ) from None


def _kind(data: object) -> str:
    return {list: "a list", str: "text", type(None): "nothing"}.get(type(data), type(data).__name__)


def _check_tree(data: object) -> None:
    """
    Refuse recursive aliases and alias bombs before anything walks the document.
    """
    count = 0
    stack: list[tuple[object, frozenset[int]]] = [(data, frozenset())]
    while stack:
        node, ancestors = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise SchemaError(f"document too large (more than {MAX_NODES} values)")
        if isinstance(node, Mapping | list | tuple):
            if id(node) in ancestors:
                raise SchemaError("document contains itself (a recursive YAML alias)")
            inner = ancestors | {id(node)}
            for key, child in node.items() if isinstance(node, Mapping) else enumerate(node):
                if isinstance(node, Mapping) and not isinstance(key, str):
                    raise SchemaError(f"keys must be text, got {shorten(key)}")
                stack.append((child, inner))


class _StrictLoader(yaml.SafeLoader):
    """
    SafeLoader that refuses duplicate keys instead of keeping the last one.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be plain text", key_node.start_mark
                ) from None
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise SchemaError(f"duplicate key {key!r}", path=key)
        out[key] = value
    return out


def parse_schema(
    text: str | bytes, *, source: str = "<string>", format: Literal["yaml", "json"] = "yaml"
) -> Schema:
    """
    Parse a schema from YAML (default) or JSON text.

    .. versionadded:: 0.1.0
    """
    source = source_name(source)
    if format not in ("yaml", "json"):
        raise SchemaError(f"format must be 'yaml' or 'json', got {shorten(format)}", source=source)
    if not isinstance(text, str | bytes):
        raise SchemaError(f"expected YAML or JSON text, got {type(text).__name__}", source=source)
    if len(text) > MAX_DOCUMENT_BYTES:
        raise SchemaError(f"document too large ({len(text)} bytes)", source=source)
    try:
        if format == "json":
            data = json.loads(text, object_pairs_hook=_no_duplicates)
        else:
            data = yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise SchemaError(f"{where}{exc.problem or exc}", source=source) from None
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        if isinstance(exc, SchemaError):
            raise SchemaError(exc.reason, path=exc.path, source=source) from None
        raise SchemaError(f"not valid {format.upper()}: {exc}"[:300], source=source) from None
    return schema_from_dict(data, source=source)


def load_schema(path: str | os.PathLike[str]) -> Schema:
    """
    Load a schema from a ``.yaml``/``.yml`` or ``.json`` file.

    Only a regular file is read, and at most `MAX_DOCUMENT_BYTES` of it: a directory, a
    FIFO or a device is refused without being opened for a blocking read.

    Raises:
        SchemaError: the file cannot be read or the document is wrong (naming the file).

    .. versionadded:: 0.1.0
    """
    data = read_definition(path, limit=MAX_DOCUMENT_BYTES, what="schema")
    suffix = Path(path).suffix.lower()
    fmt: Literal["yaml", "json"] = "json" if suffix == ".json" else "yaml"
    return parse_schema(data, source=source_name(path), format=fmt)


# -- Schema → documents ---------------------------------------------------------------------


def _field_to_dict(f: Field) -> dict[str, Any]:
    out: dict[str, Any] = {"type": f.type.kind}
    out.update(_type_to_dict(f.type))
    if f.required:
        out["required"] = True
    if f.default is not NOT_GIVEN:
        out["default"] = f.default
    if f.description:
        out["description"] = f.description
    if f.tags:
        out["tags"] = sorted(f.tags)
    if f.rules:
        out["rules"] = _thaw(f.rules)
    return out


def _type_to_dict(t: FieldType) -> dict[str, Any]:
    if isinstance(t, Picklist):
        data: dict[str, Any] = _CONVERTER.unstructure(t, Picklist)
        return data
    defaults = {a.name: a.default for a in attrs.fields(type(t))}
    return {k: v for k, v in attrs.asdict(t).items() if v != defaults[k]}


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_thaw(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    return value


def schema_to_dict(schema: Schema) -> JSONObject:
    """
    Return the document for *schema*; `schema_from_dict` turns it back into an equal schema.

    .. versionadded:: 0.1.0
    """
    if not isinstance(schema, Schema):
        raise SchemaError(f"schema must be a Schema, got {shorten(schema)}")
    out: dict[str, Any] = {"schema": schema.name, "version": schema.version}
    if schema.description:
        out["description"] = schema.description
    if schema.identity:
        out["identity"] = [k[0] if len(k) == 1 else list(k) for k in schema.identity]
    if schema.owner_field:
        out["owner_field"] = schema.owner_field
    out["fields"] = {f.name: _field_to_dict(f) for f in schema.fields}
    out.update(_thaw(schema.extensions))
    return out


def dump_schema(schema: Schema, *, format: Literal["yaml", "json"] = "yaml") -> str:
    """
    Write *schema* as YAML (default) or JSON text.

    .. versionadded:: 0.1.0
    """
    data = schema_to_dict(schema)
    if format not in ("yaml", "json"):
        raise SchemaError(f"format must be 'yaml' or 'json', got {shorten(format)}")
    if format == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)


def bundled_schema(name: str) -> Schema:
    """
    Load one of the schemas shipped with recordkit: ``contact``, ``company`` or ``deal``.

    .. versionadded:: 0.1.0
    """
    if not isinstance(name, str) or name not in BUNDLED:
        raise SchemaError(
            f"no bundled schema named {shorten(name)}",
            suggestions=close_matches(name, BUNDLED) if isinstance(name, str) else (),
        )
    resource = resources.files("recordkit").joinpath("data").joinpath(f"{name}.yaml")
    return parse_schema(resource.read_text(encoding="utf-8"), source=f"recordkit/data/{name}.yaml")


def bundled_catalog() -> Catalog:
    """
    The bundled ``company``, ``contact`` and ``deal`` schemas, checked together.

    .. versionadded:: 0.1.0
    """
    return Catalog(bundled_schema(n) for n in BUNDLED)
