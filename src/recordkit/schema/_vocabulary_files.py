"""
Reading the bundled vocabulary files, for a `Picklist` that names one.

A field type cannot import `recordkit.schema._vocabulary` (that module builds picklists
and so imports the field types); the files themselves are read here, below both.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml

from recordkit._errors import SchemaError, shorten

__all__ = ["read_vocabulary", "vocabulary_names"]

Entries = tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]


def _folder() -> Any:
    return resources.files("recordkit.schema").joinpath("data").joinpath("vocabularies")


@functools.cache
def vocabulary_names() -> tuple[str, ...]:
    """
    The names of the bundled vocabularies, sorted: one per data file.
    """
    names = (e.name.removesuffix(".yaml") for e in _folder().iterdir())
    return tuple(sorted(n for n in names if not n.startswith(("_", "."))))


@functools.cache
def read_vocabulary(name: str) -> Entries:
    """
    A bundled vocabulary's values and, for each, its synonyms, in file order.

    Raises:
        SchemaError: the file is missing its name or values, or holds something other
            than text.
    """
    source = f"recordkit/schema/data/vocabularies/{name}.yaml"
    data: Any = yaml.safe_load(_folder().joinpath(f"{name}.yaml").read_text("utf-8"))
    entries = data.get("values") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or not entries or data.get("name") != name:
        raise SchemaError("a vocabulary file needs its name and its values", source=source)
    values: list[str] = []
    synonyms: list[tuple[str, tuple[str, ...]]] = []
    for value, spellings in entries.items():
        # YAML reads some bare words as other types (no → False): refuse them, never str().
        if not isinstance(value, str) or not isinstance(spellings, list):
            raise SchemaError(f"{shorten(value)} needs a list of synonyms", source=source)
        if not all(isinstance(s, str) for s in spellings):
            raise SchemaError(f"synonyms of {value!r} must all be text", source=source)
        values.append(value)
        synonyms.append((value, tuple(spellings)))
    return tuple(values), tuple(synonyms)
