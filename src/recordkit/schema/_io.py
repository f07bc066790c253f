"""
Schemas to and from YAML/JSON documents, structured through a cattrs converter instance.

Loading is safe (``yaml.SafeLoader``, no tags, no code) and strict: duplicate keys,
recursive aliases, unknown keys and wrongly typed values are refused with a `SchemaError`
naming the file and the path inside it, e.g. ``contact.yaml: at fields.phone.region: …``.
Reading text is ``_loader``'s part and structuring ``_converter``'s; this module knows what
a schema document holds.

A document looks like::

    schema: contact
    version: 1
    identity: [email, phone]
    owner_field: owner
    fields:
      email: {type: email, required: true, tags: [pii]}
      phone: {type: phone, region: US}
      lead_source: {type: picklist, values: [Web, Event], on_invalid: {import: clear}}
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal

import attrs
import yaml

from recordkit._errors import SchemaError, shorten
from recordkit._files import read_definition, source_name
from recordkit._suggest import close_matches
from recordkit.schema._converter import CONVERTER, kind_of, structure
from recordkit.schema._dumper import Dumper
from recordkit.schema._field import Field
from recordkit.schema._json import JSONObject
from recordkit.schema._loader import MAX_DOCUMENT_BYTES, check_tree, read_document
from recordkit.schema._schema import Catalog, Schema
from recordkit.schema._types import FIELD_TYPES, FieldType, Picklist
from recordkit.schema._values import NOT_GIVEN
from recordkit.schema._vocabulary import vocabulary

__all__ = [
    "bundled_catalog",
    "bundled_schema",
    "dump_schema",
    "load_schema",
    "parse_schema",
    "schema_from_dict",
    "schema_to_dict",
]

EXTENSION_KEYS: Final = ("rules", "lifecycle", "stages", "matching", "governance")
_SCHEMA_KEYS: Final = ("schema", "version", "description", "identity", "owner_field", "fields")
_FIELD_KEYS: Final = (
    "type", "required", "default", "description", "tags", "rules", "role", "on_invalid",
)  # fmt: skip
BUNDLED: Final = ("company", "contact", "deal")


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
    ftype = _type_from_dict(options, cls)
    doc = structure(common, _FieldDoc, _FIELD_KEYS)
    return Field(
        name,
        ftype,
        required=doc.required,
        default=doc.default,
        description=doc.description,
        tags=doc.tags,
        rules=doc.rules,
        role=doc.role,
        on_invalid=doc.on_invalid,
    )


def _type_from_dict(options: Mapping[str, Any], cls: type[FieldType]) -> FieldType:
    if cls is not Picklist or "vocabulary" not in options:
        result: FieldType = structure(options, cls, _type_options(cls))
        return result
    # values and synonyms are optional here: the vocabulary brings its own
    doc = structure(options, _PicklistDoc, _type_options(cls))
    return Picklist(
        values=doc.values,
        synonyms=doc.synonyms,
        restricted=doc.restricted,
        vocabulary=doc.vocabulary,
    )


@attrs.define
class _PicklistDoc:
    vocabulary: str
    values: list[str] = attrs.Factory(list)
    synonyms: dict[str, list[str]] = attrs.Factory(dict)
    restricted: bool = True


@attrs.define
class _FieldDoc:
    required: bool = False
    default: Any = NOT_GIVEN
    description: str = ""
    tags: list[str] = attrs.Factory(list)
    rules: list[Any] = attrs.Factory(list)
    role: str | None = None
    on_invalid: Any = "quarantine"  # checked by `Field`


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
            raise SchemaError(f"a schema document is a mapping, got {kind_of(data)}")
        check_tree(data)
        allowed = (*_SCHEMA_KEYS, *EXTENSION_KEYS)
        head = {k: v for k, v in data.items() if k not in EXTENSION_KEYS}
        doc = structure(head, _SchemaDoc, allowed)
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


def parse_schema(
    text: str | bytes, *, source: str = "<string>", format: Literal["yaml", "json"] = "yaml"
) -> Schema:
    """
    Parse a schema from YAML (default) or JSON text.

    .. versionadded:: 0.1.0
    """
    source = source_name(source)
    return schema_from_dict(read_document(text, source=source, format=format), source=source)


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
    if f.role:
        out["role"] = f.role
    actions = dict(f.on_invalid)
    if actions != {"default": "quarantine"}:
        out["on_invalid"] = actions["default"] if len(actions) == 1 else actions
    return out


def _type_to_dict(t: FieldType) -> dict[str, Any]:
    if isinstance(t, Picklist) and t.vocabulary is not None:
        return _vocabulary_picklist_to_dict(t, t.vocabulary)
    if isinstance(t, Picklist):
        data: dict[str, Any] = CONVERTER.unstructure(t, Picklist)
        return data
    defaults = {a.name: a.default for a in attrs.fields(type(t))}
    return {k: v for k, v in attrs.asdict(t).items() if v != defaults[k]}


def _vocabulary_picklist_to_dict(t: Picklist, name: str) -> dict[str, Any]:
    """
    The vocabulary's name and only what the picklist adds to it.
    """
    base = vocabulary(name)
    out: dict[str, Any] = {"vocabulary": name}
    extra = [v for v in t.values if v not in base.values]
    if extra:
        out["values"] = extra
    known = dict(base.synonyms)
    more = {k: [s for s in v if s not in known.get(k, ())] for k, v in t.synonyms}
    if any(more.values()):
        out["synonyms"] = {k: v for k, v in more.items() if v}
    if not t.restricted:
        out["restricted"] = False
    return out


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
