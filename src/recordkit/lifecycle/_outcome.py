"""
What moves and sweeps did.

`Moved` is one move of one record, `Swept` one record's sweep, `SweepResult` a sweep over a
whole store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import attrs

from recordkit._errors import TransitionError
from recordkit.lifecycle._parts import Timer
from recordkit.schema import Record, Transition

__all__ = ["Moved", "SweepResult", "Swept"]


@attrs.frozen
class Moved:
    """
    The outcome of one move: the new record, its transition and the fields hooks changed.

    .. versionadded:: 0.1.0
    """

    record: Record
    transition: Transition
    changed: tuple[str, ...] = ()


@attrs.frozen
class Swept:
    """
    What a sweep did to one record: the moves made and the due moves guards refused.

    .. versionadded:: 0.1.0
    """

    record: Record
    moves: tuple[Moved, ...] = ()
    refused: tuple[tuple[Timer, TransitionError], ...] = ()


@attrs.frozen
class SweepResult:
    """
    The time-based moves one sweep made, and the due moves that guards refused.

    Args:
        now: the time the sweep ran for.
        moved: record id → the transitions taken, in order.
        refused: record id → why each due move was refused (the record stayed put).

    .. versionadded:: 0.1.0
    """

    now: dt.datetime
    moved: Mapping[str, tuple[Transition, ...]] = attrs.field(factory=dict)
    refused: Mapping[str, tuple[TransitionError, ...]] = attrs.field(factory=dict)

    @property
    def count(self) -> int:
        """
        How many transitions the sweep took.
        """
        return sum(len(ts) for ts in self.moved.values())

    def by_target(self) -> dict[str, int]:
        """
        How many moves entered each state (``{"stale": 12, "retiring": 3}``).
        """
        counts: dict[str, int] = {}
        for ts in self.moved.values():
            for t in ts:
                counts[t.target] = counts.get(t.target, 0) + 1
        return counts
