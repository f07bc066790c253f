"""
The strict cattrs converter schema documents are structured with, and its errors.

An instance of its own, never cattrs' global one, and strict: text, booleans and whole
numbers are taken only as themselves (no silent ``str(5)`` or ``bool("no")``), unknown keys
are refused, and the first problem becomes a `SchemaError` with its path in the document
(``values[2]``, ``synonyms.x``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError

from recordkit._errors import SchemaError, shorten
from recordkit._suggest import close_matches
from recordkit.schema._types import Picklist

__all__ = ["CONVERTER", "kind_of", "structure", "translate"]


def kind_of(data: object) -> str:
    """
    How a document names the type of *data* in an error (``a list``, ``text``).
    """
    return {list: "a list", str: "text", type(None): "nothing"}.get(type(data), type(data).__name__)


def _strict(kind: type, name: str) -> Any:
    def hook(value: Any, _: Any) -> Any:
        if type(value) is not kind:
            raise TypeError(f"expected {name}, got {type(value).__name__} {shorten(value)}")
        return value

    return hook


def _strict_list(value: Any, kind: Any) -> Any:
    if not isinstance(value, list | tuple):
        raise TypeError(f"expected a list, got {kind_of(value)}")
    (item,) = getattr(kind, "__args__", (Any,))
    return [v if item is Any else _sub(v, item, f"[{i}]") for i, v in enumerate(value)]


def _strict_dict(value: Any, kind: Any) -> Any:
    if not isinstance(value, Mapping):
        raise TypeError(f"expected a mapping, got {kind_of(value)}")
    _, item = kind.__args__
    return {k: v if item is Any else _sub(v, item, str(k)) for k, v in value.items()}


def _sub(value: Any, kind: Any, key: str) -> Any:
    """
    Structure one part of a document, prefixing any error's path with *key*.
    """
    try:
        return CONVERTER.structure(value, kind)
    except SchemaError as exc:
        raise exc.at(key) from None
    except (ClassValidationError, IterableValidationError, TypeError, ValueError) as exc:
        raise translate(exc).at(key) from None


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


CONVERTER: Final = _make_converter()


def _path(cattrs_path: str) -> str:
    """
    ``$.values[2]`` → ``values[2]``; ``$['x'].y`` → ``x.y``.
    """
    path = re.sub(r"\['([^']*)'\]", r".\1", cattrs_path).removeprefix("$")
    return path.lstrip(".")


def structure(data: Mapping[str, Any], cls: type[Any], allowed: tuple[str, ...]) -> Any:
    """
    Structure *data* into *cls*; the first problem becomes a `SchemaError` with its path.
    """
    for key in data:
        if key not in allowed:
            raise SchemaError(
                f"unknown key {key!r}", path=str(key), suggestions=close_matches(key, allowed)
            )
    if cls is Picklist:  # its hook structures and checks each part itself
        return CONVERTER.structure(data, cls)
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


def translate(exc: BaseException) -> SchemaError:
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
