"""
The shape of the package: imports run one way, privacy holds, and modules fit in a head.

The import graph is read from the source with `ast`, not by importing anything: every
``import`` and ``from … import`` anywhere in a module counts, at module level, inside a
function (a deferred import is still a dependency, only a hidden one) and inside an
``if TYPE_CHECKING:`` block. Type-only imports count because they couple two modules just
the same: neither can be read or type-checked without the other, and a cycle of them is a
cycle of concepts. Counting them does not make the rule impossible: where two modules named
each other's types, the shared part moved down (`MatchSettings` below the `Matcher`,
`CompiledRules` below the `RuleSet`), which is the structure the rule asks for.

Relative imports are resolved against the importing module's package. ``from p import x``
is an edge to the module ``p.x`` when that is a module, else to ``p``. Importing
``recordkit.a._x`` also runs ``recordkit.a/__init__``; that implicit edge is not counted (it
would make every package that re-exports its own modules a cycle).

The rules, from the design:

- no cycles between modules;
- a private module (a name starting with ``_``) belongs to the package that holds it:
  ``recordkit.a._x`` may be imported from within ``recordkit.a`` (subpackages included),
  and from nowhere else. Root-level ``recordkit._x`` modules are the shared homes and may
  be imported from anywhere their layer allows;
- layers, lowest first: ``schema`` < ``rules`` < ``match``, ``lifecycle``, ``quality`` <
  ``governance``, ``store``, ``engines`` < the facade (``recordkit``, ``recordkit._steward*``)
  < ``io``, ``report``, ``cli``. A module may import its own layer or a lower one. The
  shared root modules sit below ``schema`` unless `SHARED_LAYERS` places one higher;
- no module reaches `MAX_LINES` lines (the aim is 400); `LONG_MODULES` lists the exceptions,
  each with its reason.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest

ROOT: Final = Path(__file__).parent.parent / "src"
PACKAGE: Final = "recordkit"

SHARED: Final = -1
FACADE: Final = 4
LAYERS: Final[dict[str, int]] = {
    "sources": 0,
    "schema": 0,
    "rules": 1,
    "match": 2,
    "lifecycle": 2,
    "quality": 2,
    "governance": 3,
    "store": 3,
    "engines": 3,
    "io": 5,
    "report": 5,
    "cli": 5,
    "__main__": 5,
}
"""Top-level package (or root module) → layer; the facade and the shared homes apart."""

SHARED_LAYERS: Final[dict[str, tuple[int, str]]] = {
    "recordkit._resolve": (
        LAYERS["store"],
        "the per-field resolution rule the store and the facade share; it reads Records",
    ),
}
"""Root-level shared modules that sit above the bottom layer, with the reason."""

MAX_LINES: Final = 500
LONG_MODULES: Final[dict[str, str]] = {}
"""Module → why it may reach `MAX_LINES` lines. Empty: every module fits."""


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES: Final = _modules()


def _is_package(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def _imports(source: str, module: str, is_package: bool) -> Iterator[tuple[str, int]]:
    """
    The modules of the package that *source* (the text of *module*) imports, with lines.
    """
    tree = ast.parse(source)
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _known(alias.name)
                if target is not None:
                    yield target, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module or ""
            for alias in node.names:
                target = _known(f"{origin}.{alias.name}") if alias.name != "*" else None
                target = target if target in MODULES else _known(origin)
                if target is not None:
                    yield target, node.lineno


def _known(name: str) -> str | None:
    """
    The longest prefix of *name* that is a module of the package, if any.
    """
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _graph() -> dict[str, dict[str, int]]:
    graph: dict[str, dict[str, int]] = {}
    for module in MODULES:
        edges: dict[str, int] = {}
        text = MODULES[module].read_text(encoding="utf-8")
        for target, line in _imports(text, module, _is_package(module)):
            if target != module:
                edges[target] = min(line, edges.get(target, line))
        graph[module] = edges
    return graph


GRAPH: Final = _graph()


def _components(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """
    The strongly connected components of more than one module (Tarjan, iterative).
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """
    Import cycles, each as a path, until none is left.

    One cycle per tangle at a time: its shortest cycle through its first module is
    reported and one of its edges set aside (an upward one if there is one, the likely
    culprit), then the rest is searched again, so independent cycles in one tangle each
    get reported.
    """
    graph = {module: dict(edges) for module, edges in graph.items()}
    found = []
    while components := _components(graph):
        for members in components:
            path = _cycle_through(graph, members[0], set(members))
            found.append(path)
            steps = list(itertools.pairwise(path))
            a, b = next(((a, b) for a, b in steps if _layer(b) > _layer(a)), steps[-1])
            del graph[a][b]
    return found


def _cycle_through(graph: dict[str, dict[str, int]], start: str, members: set[str]) -> list[str]:
    """
    A shortest import path from *start* back to itself, inside one component.
    """
    parents: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            for child in sorted(graph[node]):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(parents[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if child in members and child not in parents:
                    parents[child] = node
                    nxt.append(child)
        frontier = nxt
    raise AssertionError(f"{start} is on no cycle")  # a component always has one


def _describe(path: list[str]) -> str:
    steps = [f"{a} (line {GRAPH[a][b]})" for a, b in itertools.pairwise(path)]
    return " → ".join([*steps, path[-1]])


def _listed(problems: list[str]) -> str:
    return "\n" + "\n".join(problems)


def _owner(module: str) -> str | None:
    """
    The package a private module belongs to (``None`` for a public one or a shared home).
    """
    parts = module.split(".")
    for i, part in enumerate(parts[1:], start=1):
        if part.startswith("_") and part != "__main__":
            return ".".join(parts[:i]) if i > 1 else None
    return None


def _layer(module: str) -> int:
    if module == PACKAGE:
        return FACADE
    top = module.split(".")[1]
    if top in LAYERS:
        return LAYERS[top]
    if top.startswith("_steward"):
        return FACADE
    root = f"{PACKAGE}.{top}"
    if top.startswith("_"):
        return SHARED_LAYERS.get(root, (SHARED, ""))[0]
    raise AssertionError(f"{root} is in no layer: add it to LAYERS in {__name__}")


class TestImportGraph:
    """
    The import graph of ``src/recordkit``.
    """

    def test_every_import_counts(self) -> None:
        """
        Imports in functions and type-only blocks count; relative ones resolve; others drop.
        """
        source = (
            "from typing import TYPE_CHECKING\n"
            "from recordkit.schema import Record\n"
            "from . import _plan\n"
            "from .._errors import shorten\n"
            "if TYPE_CHECKING:\n"
            "    from recordkit.rules._batch import BatchOutcome\n"
            "def f() -> None:\n"
            "    import recordkit.match._matcher\n"
        )
        expected = [
            ("recordkit.schema", 2),
            ("recordkit.rules._plan", 3),
            ("recordkit._errors", 4),
            ("recordkit.rules._batch", 6),
            ("recordkit.match._matcher", 8),
        ]
        assert expected == list(_imports(source, "recordkit.rules._chunk", False))

    def test_no_cycles(self) -> None:
        """
        No module imports, however indirectly and wherever in its body, one that imports it.
        """
        cycles = [_describe(path) for path in _cycles(GRAPH)]
        assert [] == cycles, _listed(cycles)

    def test_private_modules_stay_in_their_package(self) -> None:
        """
        A package's private modules are imported only from inside that package.
        """
        crossings = [
            f"{module} (line {line}) imports {target}, private to {owner}"
            for module, edges in GRAPH.items()
            for target, line in edges.items()
            if (owner := _owner(target)) is not None
            and module != owner
            and not module.startswith(owner + ".")
        ]
        assert [] == crossings, _listed(crossings)

    def test_layers_import_downwards(self) -> None:
        """
        No module imports a module of a higher layer.
        """
        upward = [
            f"{module} (layer {_layer(module)}, line {line}) imports {target} "
            f"(layer {_layer(target)})"
            for module, edges in GRAPH.items()
            for target, line in edges.items()
            if _layer(target) > _layer(module)
        ]
        assert [] == upward, _listed(upward)

    def test_shared_layers_name_shared_modules(self) -> None:
        """
        Every entry of SHARED_LAYERS is a root-level private module that exists.
        """
        stale = [m for m in SHARED_LAYERS if m not in MODULES or _owner(m) is not None]
        assert [] == stale


class TestModuleSize:
    """
    Modules fit in a head.
    """

    @pytest.mark.parametrize("module", sorted(MODULES))
    def test_under_the_limit(self, module: str) -> None:
        """
        A module has fewer than MAX_LINES lines, unless LONG_MODULES says why not.
        """
        lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
        assert lines < MAX_LINES or module in LONG_MODULES, f"{module}: {lines} lines"

    def test_exceptions_are_current(self) -> None:
        """
        Every module LONG_MODULES excuses exists and still needs the excuse.
        """
        stale = [
            m
            for m in LONG_MODULES
            if m not in MODULES or len(MODULES[m].read_text().splitlines()) < MAX_LINES
        ]
        assert [] == stale
