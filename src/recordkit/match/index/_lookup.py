"""
What a point-of-entry lookup answers: the matches, best first, each with its reasons.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import attrs

from recordkit.match._cluster import ClusterMerge, ClusterSplit
from recordkit.match._explain import MatchExplanation

__all__ = ["RULE_WEIGHT", "Added", "Lookup", "Match"]

RULE_WEIGHT: Final = 99.0
"""
The link weight of a pair a must-match rule joined (stronger than any score).
"""


@attrs.frozen(eq=False, repr=False)
class Match:
    """
    One existing record the new one matches: which, in which entity, how sure, and why.

    The explanation may be given as a function that makes it: it is then made the first
    time it is read (a batch check explains only the matches somebody looks at).

    .. versionadded:: 0.1.0
    """

    record_id: str
    entity_id: str
    probability: float
    weight: float
    _explanation: MatchExplanation | Callable[[], MatchExplanation] = attrs.field(
        alias="explanation"
    )

    @property
    def explanation(self) -> MatchExplanation:
        """
        The matcher's account of the score (`MatchExplanation`).
        """
        made = self._explanation
        if not isinstance(made, MatchExplanation):
            made = made()
            object.__setattr__(self, "_explanation", made)
        return made

    def _key(self) -> tuple[str, str, float, float, MatchExplanation]:
        return (self.record_id, self.entity_id, self.probability, self.weight, self.explanation)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Match):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Match(record_id={self.record_id!r}, entity_id={self.entity_id!r}, "
            f"probability={self.probability!r}, weight={self.weight!r}, "
            f"explanation={self.explanation!r})"
        )


@attrs.frozen
class Lookup:
    """
    The answer to "is this a duplicate?": the matches, best first, and what was skipped.

    Args:
        matches: records at or above the threshold, best first.
        candidates: how many records blocking proposed.
        skipped: blocking rules not used because their block for this record is larger
            than the index's ``max_block`` (a value shared by too many records).

    .. versionadded:: 0.1.0
    """

    matches: tuple[Match, ...]
    candidates: int
    skipped: tuple[str, ...] = ()

    @property
    def is_duplicate(self) -> bool:
        """
        Whether any existing record matches.
        """
        return bool(self.matches)

    @property
    def best(self) -> Match | None:
        """
        The strongest match, if any.
        """
        return self.matches[0] if self.matches else None

    @property
    def entity_ids(self) -> tuple[str, ...]:
        """
        The entities matched, strongest first, each once.
        """
        return tuple(dict.fromkeys(m.entity_id for m in self.matches))


@attrs.frozen
class Added:
    """
    What adding a record did: its entity, the lookup behind it, merges and splits.

    .. versionadded:: 0.1.0
    """

    record_id: str
    entity_id: str
    lookup: Lookup
    merges: tuple[ClusterMerge, ...] = ()
    splits: tuple[ClusterSplit, ...] = ()
