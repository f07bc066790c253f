"""
Pure walks over a lifecycle graph: states are names, edges are ``(source, target)`` pairs.

Nothing here knows about records, guards or hooks, so the build-time checks and the
machine share one tested implementation.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence

__all__ = ["dead_ends", "reachable", "successors", "unreachable"]


def successors(edges: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """
    Map each source to its targets, in declaration order, without repeats.
    """
    out: dict[str, list[str]] = {}
    for source, target in edges:
        targets = out.setdefault(source, [])
        if target not in targets:
            targets.append(target)
    return out


def reachable(start: str, nexts: Mapping[str, Sequence[str]]) -> Iterator[str]:
    """
    Yield the states reachable from *start* (itself first), breadth first.
    """
    seen: set[str] = set()
    todo = deque([start])
    while todo:
        state = todo.popleft()
        if state in seen:
            continue
        seen.add(state)
        yield state
        todo.extend(nexts.get(state, ()))


def unreachable(states: Sequence[str], initial: str, edges: Iterable[tuple[str, str]]) -> list[str]:
    """
    The states no walk from *initial* ever enters, in declaration order.
    """
    seen = set(reachable(initial, successors(edges)))
    return [s for s in states if s not in seen]


def dead_ends(
    states: Sequence[str], finals: Iterable[str], edges: Iterable[tuple[str, str]]
) -> list[str]:
    """
    The non-final states a record could never leave, in declaration order.

    That is every state from which no final state is reachable (a trap), which includes the
    states with no way out at all.
    """
    final = set(finals)
    nexts = successors(edges)
    if not final:
        return [s for s in states if not nexts.get(s)]
    return [
        s for s in states if s not in final and not any(r in final for r in reachable(s, nexts))
    ]
