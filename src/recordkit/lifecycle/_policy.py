"""
The move policy: whether a move is a declared transition, a skip forward or an override.

Pure decisions over one `Lifecycle`; no record, guard or hook is involved. The rules:

- a declared edge is always a move (its guards and the target's guards run);
- a record with no stage yet may enter the initial stage, or, in a forward-only lifecycle,
  any stage (a skip);
- in a forward-only lifecycle a record may skip forward to any stage reachable from where it
  is; going backwards is an override, which needs ``override=True`` and a reason code
  (one of the lifecycle's, when it declares them), and may leave a final stage;
- nothing else leaves a final state; nothing moves to where it already is.
"""

from __future__ import annotations

from typing import Final

from recordkit._errors import TransitionError, shorten
from recordkit._suggest import close_matches
from recordkit.lifecycle import _graph
from recordkit.lifecycle._guards import Guard
from recordkit.lifecycle._model import Lifecycle

__all__ = ["Policy", "label"]

_MAX_REASON: Final = 200


def label(state: str | None) -> str:
    """
    How a state reads in a message (``(no stage)`` for none).
    """
    return "(no stage)" if state is None else state


class Policy:
    """
    Decides what kind of move source → target is in one lifecycle, or refuses it.
    """

    def __init__(self, lifecycle: Lifecycle) -> None:
        self.lifecycle = lifecycle
        nexts = _graph.successors((e.source, e.target) for e in lifecycle.edges)
        self._ahead = {s: frozenset(_graph.reachable(s, nexts)) - {s} for s in lifecycle.names}

    def plan(
        self, source: str | None, to: object, *, override: bool, reason: str | None
    ) -> tuple[str, tuple[Guard, ...]]:
        """
        Decide whether source → to is a declared move, a skip or an override.

        Returns the event name and the guards to run; raises `TransitionError` otherwise.
        """
        lc = self.lifecycle
        if not isinstance(to, str) or to not in lc:
            hint = close_matches(to, lc.names) if isinstance(to, str) else []
            did = f" (did you mean {' or '.join(map(repr, hint))}?)" if hint else ""
            raise TransitionError(f"{lc.name}: unknown state {shorten(to)}{did}")
        if not isinstance(override, bool):
            raise TransitionError(f"override must be true or false, got {shorten(override)}")
        if reason is not None and (
            not isinstance(reason, str) or not reason.strip() or len(reason) > _MAX_REASON
        ):
            raise TransitionError(f"reason must be short non-blank text, got {shorten(reason)}")
        if source is not None and source not in lc:
            raise TransitionError(f"{lc.name}: the record is in unknown state {shorten(source)}")
        target = lc.state(to)
        if source == to:
            raise TransitionError(f"{lc.name}: the record is already in {to!r}")
        backwards = lc.forward_only and source is not None and lc.rank(to) < lc.rank(source)
        if override and not backwards:
            raise TransitionError(
                f"{lc.name}: override is only for going back in a forward-only lifecycle; "
                f"{label(source)} → {to} is not"
            )
        if backwards:
            self._check_override(source, to, override=override, reason=reason)
            return "override", target.guards
        if source in lc.finals:
            raise TransitionError(f"{lc.name}: {source!r} is final; no transition leaves it")
        edge = lc.edge(source, to)
        if edge is not None:
            return edge.event, (*edge.guards, *target.guards)
        if source is None and to == lc.initial.name:
            return "enter", target.guards
        if lc.forward_only and (source is None or to in self._ahead.get(source, ())):
            return "skip", target.guards
        allowed = [e.target for e in lc.edges_from(source)]
        if source is None:
            allowed = [lc.initial.name]
        raise TransitionError(
            f"{lc.name}: no transition {label(source)} → {to}; allowed: "
            f"{', '.join(allowed) or 'none'}"
        )

    def _check_override(
        self, source: str | None, to: str, *, override: bool, reason: str | None
    ) -> None:
        lc = self.lifecycle
        if not override:
            raise TransitionError(
                f"{lc.name}: {source} → {to} goes backwards; a regression is an explicit "
                "override: pass override=True and a reason code"
            )
        if reason is None:
            raise TransitionError(f"{lc.name}: an override needs a reason code")
        if lc.reason_codes and reason not in lc.reason_codes:
            raise TransitionError(
                f"{lc.name}: unknown reason code {shorten(reason)}; use one of "
                f"{', '.join(lc.reason_codes)}"
            )
