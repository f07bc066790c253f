"""
Diagrams: a lifecycle extracted to a small intermediate form, then rendered as text.

`diagram` builds the `Diagram` (nodes and arrows, with guard and timer labels);
`to_mermaid` and `to_dot` render it as Mermaid ``stateDiagram-v2`` and Graphviz DOT. No
rendering library is needed and nothing touches the network.
"""

from __future__ import annotations

import re
from typing import Final

import attrs

from recordkit._errors import SchemaError
from recordkit.lifecycle._model import Lifecycle

__all__ = ["Arrow", "Diagram", "Node", "diagram", "to_dot", "to_mermaid"]

_UNSAFE: Final = re.compile(r"[\"\\<>{}|\[\]\n\r\t:;#]")


def _clean(text: str) -> str:
    """
    Labels come from user definitions; keep them from breaking the diagram syntax.
    """
    return _UNSAFE.sub(" ", text).strip()[:80]


@attrs.frozen
class Node:
    """
    A state in a diagram.

    .. versionadded:: 0.1.0
    """

    id: str
    label: str
    initial: bool = False
    final: bool = False
    guards: tuple[str, ...] = ()


@attrs.frozen
class Arrow:
    """
    A transition in a diagram: a declared edge or a timer.

    .. versionadded:: 0.1.0
    """

    source: str
    target: str
    label: str
    timer: bool = False


@attrs.frozen
class Diagram:
    """
    The drawable form of a lifecycle.

    .. versionadded:: 0.1.0
    """

    name: str
    nodes: tuple[Node, ...]
    arrows: tuple[Arrow, ...]
    forward_only: bool = False


def diagram(lifecycle: Lifecycle) -> Diagram:
    """
    Extract the drawable form of *lifecycle*.

    .. versionadded:: 0.1.0
    """
    if not isinstance(lifecycle, Lifecycle):
        raise SchemaError(f"expected a Lifecycle, got {type(lifecycle).__name__}")
    nodes = tuple(
        Node(
            s.name,
            _clean(s.title),
            initial=s.name == lifecycle.initial.name,
            final=s.final,
            guards=tuple(_clean(g.name) for g in s.guards),
        )
        for s in lifecycle.states
    )
    arrows = [
        Arrow(
            e.source,
            e.target,
            _clean(e.event + (f" if {' and '.join(g.name for g in e.guards)}" if e.guards else "")),
        )
        for e in lifecycle.edges
    ]
    arrows += [
        Arrow(t.source, t.target, _clean(f"after {t.event[6:]} ({t.since})"), timer=True)
        for t in lifecycle.timers
    ]
    return Diagram(lifecycle.name, nodes, tuple(arrows), lifecycle.forward_only)


def to_mermaid(lifecycle: Lifecycle) -> str:
    """
    The lifecycle as a Mermaid ``stateDiagram-v2``; timers are drawn as dotted notes.

    Examples:
        >>> from recordkit.lifecycle import bundled_lifecycle
        >>> to_mermaid(bundled_lifecycle("business")).splitlines()[0]
        'stateDiagram-v2'

    .. versionadded:: 0.1.0
    """
    d = diagram(lifecycle)
    lines = ["stateDiagram-v2", "    direction LR"]
    for n in d.nodes:
        label = n.label + (f" (requires {', '.join(n.guards)})" if n.guards else "")
        lines.append(f'    state "{label}" as {n.id}')
    for n in d.nodes:
        if n.initial:
            lines.append(f"    [*] --> {n.id}")
    for a in d.arrows:
        label = f"⏱ {a.label}" if a.timer else a.label
        lines.append(f"    {a.source} --> {a.target}: {label}")
    for n in d.nodes:
        if n.final:
            lines.append(f"    {n.id} --> [*]")
    return "\n".join(lines) + "\n"


def to_dot(lifecycle: Lifecycle) -> str:
    """
    The lifecycle as Graphviz DOT text.

    Final states are double circles; timers are dashed arrows.

    .. versionadded:: 0.1.0
    """
    d = diagram(lifecycle)
    lines = [
        f'digraph "{_clean(d.name)}" {{',
        "    rankdir=LR;",
        '    node [shape=box, style=rounded, fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
        '    __start__ [shape=point, label=""];',
    ]
    for n in d.nodes:
        label = n.label + (f"\\n(requires {', '.join(n.guards)})" if n.guards else "")
        shape = ", shape=doublecircle" if n.final else ""
        lines.append(f'    {n.id} [label="{label}"{shape}];')
    for n in d.nodes:
        if n.initial:
            lines.append(f"    __start__ -> {n.id};")
    for a in d.arrows:
        style = ", style=dashed" if a.timer else ""
        lines.append(f'    {a.source} -> {a.target} [label="{a.label}"{style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"
