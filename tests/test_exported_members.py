"""
The public surface follows one rule (docs/explanation/architecture.md, "Where public names live").

Every public name is importable from `recordkit` or from the one namespace of its concept,
each namespace's ``__all__`` is sorted and complete, every exported name is documented, no
generic word is exported bare, one name means one object everywhere, and no public signature
mentions `typing.Any` or a type a reader cannot import.
"""

from __future__ import annotations

import importlib
import inspect
import re
import types
import typing
from collections.abc import Callable, Iterator
from types import ModuleType

import pytest

import recordkit

NAMESPACES = (
    "recordkit",
    "recordkit.schema",
    "recordkit.rules",
    "recordkit.match",
    "recordkit.lifecycle",
    "recordkit.governance",
    "recordkit.store",
    "recordkit.engines",
    "recordkit.sources",
    "recordkit.quality",
    "recordkit.report",
)
"""
The documented namespaces: the top level, and one per concept.
"""

PARTS = {
    "recordkit.match.comparison": "recordkit.match",
    "recordkit.match.index": "recordkit.match",
    "recordkit.match.merge": "recordkit.match",
}
"""
Subpackages that group a concept's modules; their names are public through the concept's
namespace, as the same objects under the same names.
"""

LAZY = {
    "recordkit": {"SQLStore"},
    "recordkit.store": {"SQLAuditLog", "SQLStore", "sqlite_engine"},
}
"""
Names loaded on first use (they need an optional extra), so absent from ``vars()``.
"""

OWN_USE = {"annotations", "TYPE_CHECKING", "Any"}
"""
Names a namespace imports for its own code (typing helpers), never exported.
"""

BANNED = {
    "address", "build", "check", "compare", "create", "data", "date", "default", "email",
    "exact", "first_name", "get", "make", "name", "numeric", "on", "phone", "postcode",
    "run", "text", "value",
}  # fmt: skip
"""
Generic words that say nothing on their own: exported, they must carry what they are
(``email_comparison``, ``on_field``).
"""

KNOWN_ANY_IN_METHODS = 132
"""
Methods of exported classes whose signature still mentions `Any` (mostly ``to_dict``
results and plain-data inputs); this number only goes down. Functions have none.
"""


def _module(name: str) -> ModuleType:
    return importlib.import_module(name)


def _exports() -> Iterator[tuple[str, str, object]]:
    for namespace in NAMESPACES:
        module = _module(namespace)
        for name in module.__all__:
            yield namespace, name, getattr(module, name)


def _isort_key(name: str) -> tuple[int, str]:
    # isort order, as ruff keeps it: CONSTANTS, then Classes, then functions.
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


@pytest.mark.parametrize("namespace", NAMESPACES + tuple(PARTS))
def test_all_is_sorted_and_complete(namespace: str) -> None:
    """Each namespace's __all__ is sorted and lists exactly its public attributes."""
    module = _module(namespace)
    public = {
        name for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    } - OWN_USE | LAZY.get(namespace, set())  # fmt: skip
    assert sorted(module.__all__, key=_isort_key) == list(module.__all__)
    assert public == set(module.__all__)


@pytest.mark.parametrize(("part", "home"), sorted(PARTS.items()))
def test_parts_are_public_through_their_concept(part: str, home: str) -> None:
    """A concept's subpackage exports nothing its concept's namespace does not."""
    inner, outer = _module(part), _module(home)
    assert [] == [n for n in inner.__all__ if getattr(outer, n, None) is not getattr(inner, n)]


def test_every_exported_name_is_documented() -> None:
    """Every exported class and function has a docstring of its own."""
    undocumented = [
        f"{namespace}.{name}" for namespace, name, value in _exports()
        if (inspect.isclass(value) or inspect.isfunction(value)) and not value.__doc__
    ]  # fmt: skip
    assert [] == undocumented


def test_no_bare_generic_names() -> None:
    """No generic word is exported on its own."""
    assert [] == [f"{ns}.{name}" for ns, name, _ in _exports() if name in BANNED]


def test_one_name_is_one_object() -> None:
    """A name means the same object in every namespace, and an object has one name."""
    by_name: dict[str, set[int]] = {}
    by_object: dict[int, set[str]] = {}
    for _, name, value in _exports():
        if isinstance(value, str | int | float | bool | frozenset | tuple):
            continue  # constants compare by value
        by_name.setdefault(name, set()).add(id(value))
        by_object.setdefault(id(value), set()).add(name)
    assert {} == {n: len(ids) for n, ids in by_name.items() if len(ids) > 1}
    assert [] == [sorted(names) for names in by_object.values() if len(names) > 1]


def test_top_level_names_come_from_one_namespace() -> None:
    """Every top-level name is the facade's, an error, or exported by its concept's namespace."""
    concept = {id(value) for ns, _, value in _exports() if ns != "recordkit"}
    facade = {"Steward", "BatchResult", "QuarantinedRow", "ErasureReceipt", "Consent",
              "VariantEdit", "VariantEdits",
              "collector_pause", "__version__"}
    errors = {  # the one error tree lives at the top level
        name for name in recordkit.__all__
        if getattr(getattr(recordkit, name), "__module__", "") == "recordkit._errors"
    }  # fmt: skip
    orphans = [
        name for name in recordkit.__all__
        if id(getattr(recordkit, name)) not in concept and name not in facade | errors
        and not isinstance(getattr(recordkit, name), str | int | float | bool)
    ]  # fmt: skip
    assert [] == orphans


def test_errors_share_one_root() -> None:
    """Every exported exception derives from RecordkitError."""
    errors = [value for _, _, value in _exports()
              if isinstance(value, type) and issubclass(value, BaseException)]
    assert len(errors) >= 9
    assert all(issubclass(e, recordkit.RecordkitError) for e in errors)


# -- signatures -----------------------------------------------------------------------


def _exported_objects() -> set[int]:
    return {id(value) for _, _, value in _exports()}


def _walk(hint: object) -> Iterator[object]:
    yield hint
    for arg in typing.get_args(hint):
        yield from _walk(arg)


def _problems(hints: dict[str, object], raw: str, exported: set[int]) -> set[str]:
    found: set[str] = set()
    if not hints:
        # The hints name something importable only while type checking: read the text.
        found |= {"Any"} if re.search(r"\bAny\b", raw) else set()
        found |= set(re.findall(r"(?<![\w.])_[A-Za-z]\w*", raw)) - {"_"}
        return found
    for hint in hints.values():
        for part in _walk(hint):
            if part is typing.Any:
                found.add("Any")
            elif isinstance(part, type) and part.__module__.startswith("recordkit"):
                private_module = any(p.startswith("_") for p in part.__module__.split("."))
                if part.__name__.startswith("_") or (private_module and id(part) not in exported):
                    found.add(part.__qualname__)
    return found


def _signature_problems(fn: Callable[..., object], exported: set[int]) -> set[str]:
    try:
        raw = str(inspect.signature(fn))
    except (TypeError, ValueError):
        return set()
    raw = re.sub(r"=[^,)]*", "", raw)  # defaults are values, not types
    try:
        hints = typing.get_type_hints(fn)
    except (NameError, TypeError, AttributeError):
        hints = {}
    return _problems(hints, raw, exported)


def _members(value: type) -> Iterator[tuple[str, Callable[..., object]]]:
    for name, member in vars(value).items():
        if name.startswith("_") and name != "__init__":
            continue
        if isinstance(member, property) and member.fget is not None:
            yield name, member.fget
        elif isinstance(member, staticmethod | classmethod):
            yield name, member.__func__
        elif inspect.isfunction(member):
            yield name, member


def _all_signature_problems() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    exported = _exported_objects()
    functions: dict[str, set[str]] = {}
    methods: dict[str, set[str]] = {}
    seen: set[int] = set()
    for namespace, name, value in _exports():
        if id(value) in seen:
            continue
        seen.add(id(value))
        if inspect.isfunction(value):
            if found := _signature_problems(value, exported):
                functions[f"{namespace}.{name}"] = found
        elif inspect.isclass(value) and not issubclass(value, BaseException):
            for member, fn in _members(value):
                if found := _signature_problems(fn, exported):
                    methods[f"{namespace}.{name}.{member}"] = found
    return functions, methods


def test_no_private_type_in_a_public_signature() -> None:
    """No exported function or method names a type that no public namespace exports."""
    functions, methods = _all_signature_problems()
    private = {
        where: found - {"Any"} for where, found in {**functions, **methods}.items()
        if found - {"Any"}
    }  # fmt: skip
    assert {} == private


def test_no_any_in_a_public_function_signature() -> None:
    """No exported function mentions Any; the methods that still do only get fewer."""
    functions, methods = _all_signature_problems()
    assert [] == sorted(where for where, found in functions.items() if "Any" in found)
    with_any = sorted(where for where, found in methods.items() if "Any" in found)
    assert len(with_any) <= KNOWN_ANY_IN_METHODS, with_any


def test_values_of_public_constants_have_public_types() -> None:
    """A constant's type is importable too (NOT_GIVEN is a NotGiven)."""
    exported = _exported_objects()
    hidden = [
        f"{ns}.{name}" for ns, name, value in _exports()
        if not callable(value) and not isinstance(value, types.GenericAlias)
        and type(value).__module__.startswith("recordkit") and id(type(value)) not in exported
    ]  # fmt: skip
    assert [] == hidden
