"""
What a point-of-entry lookup answers: the matches, best first, each with its reasons.
"""

from __future__ import annotations

from typing import Final

import attrs

from recordkit.match._cluster import ClusterMerge, ClusterSplit
from recordkit.match._explain import MatchExplanation

__all__ = ["RULE_WEIGHT", "Added", "Lookup", "Match"]

RULE_WEIGHT: Final = 99.0
"""
The link weight of a pair a must-match rule joined (stronger than any score).
"""


@attrs.frozen
class Match:
    """
    One existing record the new one matches: which, in which entity, how sure, and why.

    .. versionadded:: 0.1.0
    """

    record_id: str
    entity_id: str
    probability: float
    weight: float
    explanation: MatchExplanation


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
