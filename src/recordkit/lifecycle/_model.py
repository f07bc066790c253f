"""
Lifecycle definitions: a `Lifecycle` of `State`, `Edge` and `Timer` parts, checked when built.

A `Lifecycle` is plain, immutable data (plus the guard and hook objects it carries); the
same object comes from Python and from YAML (`lifecycle_from_dict`). Building one checks the
graph: unknown states, unreachable states, dead ends that are not final, backward edges in a
forward-only lifecycle, timers without a matching edge, hooks on unknown states. Each
problem raises `SchemaError` naming every offender.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

import attrs

from recordkit._errors import SchemaError, shorten
from recordkit._suggest import close_matches
from recordkit.lifecycle import _graph
from recordkit.lifecycle._guards import Guard
from recordkit.lifecycle._hooks import Hook
from recordkit.lifecycle._parts import (
    Edge,
    State,
    Timer,
    check_flag,
    check_text,
    identifier,
    state_or_none,
)

__all__ = ["ATTRIBUTES", "Lifecycle"]

ATTRIBUTES: Final = ("state", "stage")


def _tuple(value: object, kind: type) -> tuple[Any, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise SchemaError(f"expected a list of {kind.__name__}, got {shorten(value)}")
    items = tuple(value)
    for item in items:
        if not isinstance(item, kind):
            raise SchemaError(f"expected a {kind.__name__}, got {shorten(item)}")
    return items


def _states(value: Iterable[State]) -> tuple[State, ...]:
    return _tuple(value, State)


def _edges(value: Iterable[Edge]) -> tuple[Edge, ...]:
    return _tuple(value, Edge)


def _timers(value: Iterable[Timer]) -> tuple[Timer, ...]:
    return _tuple(value, Timer)


def _hooks(value: Iterable[Hook]) -> tuple[Hook, ...]:
    return _tuple(value, Hook)


@attrs.frozen
class _Index:
    """
    Lookups a lifecycle answers on every move, computed once when it is built.
    """

    names: tuple[str, ...]
    by_name: dict[str, State]
    rank: dict[str, int]
    finals: tuple[str, ...]
    edges: dict[tuple[str, str], Edge]
    exits: dict[str, tuple[Edge, ...]]
    timers: dict[str, tuple[Timer, ...]]

    @classmethod
    def of(cls, lc: Lifecycle) -> _Index:
        names = tuple(s.name for s in lc.states)
        exits: dict[str, list[Edge]] = {}
        for e in lc.edges:
            exits.setdefault(e.source, []).append(e)
        timers: dict[str, list[Timer]] = {}
        for t in lc.timers:
            timers.setdefault(t.source, []).append(t)
        return cls(
            names,
            {s.name: s for s in lc.states},
            {n: i for i, n in enumerate(names)},
            tuple(s.name for s in lc.states if s.final),
            {(e.source, e.target): e for e in reversed(lc.edges)},
            {k: tuple(v) for k, v in exits.items()},
            {k: tuple(v) for k, v in timers.items()},
        )


def _lifecycle_name(value: object) -> str:
    return identifier(value, "a lifecycle name")


def _codes(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise SchemaError(
            f"reason_codes must be a list of names, got {shorten(value)}", path="reason_codes"
        )
    return tuple(identifier(v, "a reason code") for v in value)


@attrs.frozen(repr=False)
class Lifecycle:
    """
    A state machine definition: states, edges, timers, policy and hooks.

    Examples:
        >>> lc = Lifecycle(
        ...     "deal",
        ...     [State("open"), State("won", final=True), State("lost", final=True)],
        ...     [Edge("open", "won", event="win"), Edge("open", "lost", event="lose")],
        ...     attribute="stage",
        ... )
        >>> lc.initial.name, lc.finals
        ('open', ('won', 'lost'))

    Args:
        name: the lifecycle's name (``governance``, ``business``).
        states: the states in order; in a forward-only lifecycle the order is the rank.
        edges: the declared transitions.
        timers: time-based transitions.
        attribute: the record attribute it drives: ``state`` or ``stage``.
        forward_only: declared edges only go forward; moving back is an audited override
            that needs a reason code, and a forward move may skip stages.
        reason_codes: the reason codes overrides may give (empty: any identifier).
        hooks: callbacks on exit / transition / enter.
        description: what the lifecycle is for.

    Raises:
        SchemaError: the definition is inconsistent; names every offending state or edge.

    .. versionadded:: 0.1.0
    """

    name: str = attrs.field(converter=_lifecycle_name)
    states: tuple[State, ...] = attrs.field(converter=_states)
    edges: tuple[Edge, ...] = attrs.field(converter=_edges)
    timers: tuple[Timer, ...] = attrs.field(factory=tuple, converter=_timers, kw_only=True)
    attribute: str = attrs.field(default="state", kw_only=True)
    forward_only: bool = attrs.field(default=False, kw_only=True, validator=check_flag)
    reason_codes: tuple[str, ...] = attrs.field(factory=tuple, converter=_codes, kw_only=True)
    hooks: tuple[Hook, ...] = attrs.field(factory=tuple, converter=_hooks, kw_only=True)
    description: str = attrs.field(default="", kw_only=True, validator=check_text)
    _index: _Index = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.attribute not in ATTRIBUTES:
            raise SchemaError(
                f"attribute must be 'state' or 'stage', got {shorten(self.attribute)}",
                path="attribute",
            )
        if not self.states:
            raise SchemaError("a lifecycle needs at least one state", path="states")
        names = [s.name for s in self.states]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise SchemaError(f"states declared twice: {', '.join(twice)}", path="states")
        object.__setattr__(self, "_index", _Index.of(self))
        initials = [s.name for s in self.states if s.initial]
        if len(initials) > 1:
            raise SchemaError(
                f"only one state may be initial, got {', '.join(initials)}", path="states"
            )
        self._check_edges(names)
        pairs = [(e.source, e.target) for e in self.edges]
        lost = _graph.unreachable(names, self.initial.name, pairs)
        if lost:
            raise SchemaError(
                f"unreachable from {self.initial.name!r}: {', '.join(lost)}", path="states"
            )
        exits = {e.source for e in self.edges}
        leaving_final = [s for s in self.finals if s in exits]
        if leaving_final:
            raise SchemaError(
                f"final states cannot have transitions out: {', '.join(leaving_final)}",
                path="edges",
            )
        traps = _graph.dead_ends(names, self.finals, pairs)
        if traps:
            raise SchemaError(
                "dead ends that are not final (no way on to a final state): "
                f"{', '.join(traps)}; add a transition or mark them final",
                path="states",
            )
        self._check_timers(pairs)
        for i, hook in enumerate(self.hooks):
            for state in (hook.source, hook.target):
                if state is not None:
                    self._known(state, f"hooks[{i}] ({hook.name})")

    def _known(self, name: str, path: str) -> State:
        found = self._index.by_name.get(name) if isinstance(name, str) else None
        if found is not None:
            return found
        raise SchemaError(
            f"unknown state {shorten(name)}",
            path=path,
            suggestions=close_matches(name, self.names),
        )

    def _check_edges(self, names: Sequence[str]) -> None:
        seen: dict[tuple[str, str], str] = {}
        rank = {n: i for i, n in enumerate(names)}
        backward: list[str] = []
        for i, e in enumerate(self.edges):
            self._known(e.source, f"edges[{i}].from")
            self._known(e.target, f"edges[{i}].to")
            if e.source == e.target:
                raise SchemaError(f"{e.source} → itself is not a transition", path=f"edges[{i}]")
            if (e.source, e.event) in seen and seen[(e.source, e.event)] != e.target:
                raise SchemaError(
                    f"event {e.event!r} from {e.source!r} leads to both "
                    f"{seen[(e.source, e.event)]!r} and {e.target!r}",
                    path=f"edges[{i}]",
                )
            seen[(e.source, e.event)] = e.target
            if self.forward_only and rank[e.target] < rank[e.source]:
                backward.append(f"{e.source} → {e.target}")
        if backward:
            raise SchemaError(
                "a forward-only lifecycle declares no backward edges (going back is an "
                f"override with a reason): {', '.join(backward)}",
                path="edges",
            )

    def _check_timers(self, pairs: Sequence[tuple[str, str]]) -> None:
        for i, t in enumerate(self.timers):
            self._known(t.source, f"timers[{i}].from")
            self._known(t.target, f"timers[{i}].to")
            if (t.source, t.target) not in pairs:
                raise SchemaError(
                    f"timer {t.source} → {t.target} has no matching transition; declare it",
                    path=f"timers[{i}]",
                )

    def __repr__(self) -> str:
        return f"Lifecycle({self.name!r}, {self.attribute}, states={list(self.names)})"

    @property
    def names(self) -> tuple[str, ...]:
        """
        The state names, in order.
        """
        return self._index.names

    @property
    def initial(self) -> State:
        """
        The state records start in.
        """
        return next((s for s in self.states if s.initial), self.states[0])

    @property
    def finals(self) -> tuple[str, ...]:
        """
        The names of the final states.
        """
        return self._index.finals

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._index.rank

    def state(self, name: str) -> State:
        """
        The state called *name*.

        Raises:
            SchemaError: for an unknown name, with the closest declared names.
        """
        return self._known(name, f"{self.name}.states")

    def rank(self, name: str) -> int:
        """
        The position of state *name* in declaration order.
        """
        return self._index.rank[self.state(name).name]

    def edges_from(self, source: str | None) -> tuple[Edge, ...]:
        """
        The declared edges leaving *source*.
        """
        return self._index.exits.get(state_or_none(source), ()) if source is not None else ()

    def edge(self, source: str | None, target: str) -> Edge | None:
        """
        The declared edge from *source* to *target*, if any.
        """
        source, target = state_or_none(source), state_or_none(target)
        if source is None or target is None:
            return None
        return self._index.edges.get((source, target))

    def timers_from(self, source: str) -> tuple[Timer, ...]:
        """
        The timers that apply to records in *source*, in declaration order.
        """
        return self._index.timers.get(state_or_none(source), ())

    def with_hooks(self, *hooks: Hook) -> Lifecycle:
        """
        A copy with *hooks* added after the existing ones (checked like the rest).
        """
        return attrs.evolve(self, hooks=(*self.hooks, *hooks))

    def with_guards(self, state: str, *guards: Guard) -> Lifecycle:
        """
        A copy where entering *state* also requires *guards* (for example rule-based ones).
        """
        target = self.state(state)
        states = tuple(
            attrs.evolve(s, guards=(*s.guards, *guards)) if s is target else s for s in self.states
        )
        return attrs.evolve(self, states=states)
