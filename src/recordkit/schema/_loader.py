"""
Reading YAML and JSON text into plain data, safely and strictly.

Loading is safe (``yaml.SafeLoader``: no tags, no code) and strict: duplicate keys, keys that
are not text, recursive aliases and alias bombs are refused with a `SchemaError`, as is a
document over `MAX_DOCUMENT_BYTES` or with more than `MAX_NODES` values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final, Literal

import yaml

from recordkit._errors import SchemaError, shorten

__all__ = ["MAX_DOCUMENT_BYTES", "MAX_NODES", "check_tree", "read_document"]

MAX_DOCUMENT_BYTES: Final = 4 * 1024 * 1024
MAX_NODES: Final = 200_000


def check_tree(data: object) -> None:
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


def read_document(
    text: str | bytes, *, source: str, format: Literal["yaml", "json"] = "yaml"
) -> object:
    """
    Parse YAML (default) or JSON *text* into plain data.

    Raises:
        SchemaError: naming *source*: a format other than YAML or JSON, a value that is not
            text, a document too large, or text that does not parse (with its line and
            column when YAML knows them).
    """
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
    return data
