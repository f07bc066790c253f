"""
What the batch road gives back, on every engine: `RoadResult`; and `EngineError`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Final, Protocol

import attrs

from recordkit._errors import RecordkitError, shorten
from recordkit._frames import arrow_table, check_part, pandas_frame, polars_frame, rows_columns
from recordkit._notebook import html_block, html_table
from recordkit.engines._matching import MergeWork, golden_records
from recordkit.match import Cluster, Matcher, MatchResult, MergePlan, MergePolicy
from recordkit.rules import BatchOutcome, CompiledRules, Issue, RuleSet
from recordkit.schema import Record

if TYPE_CHECKING:
    import pandas  # type: ignore[import-untyped]
    import polars
    import pyarrow  # type: ignore[import-untyped]

__all__ = ["ROAD_PARTS", "Engine", "EngineError", "RoadResult", "check_run", "finish"]


class EngineError(RecordkitError):
    """
    An engine could not run the road: a worker died, an extra is missing, bad input.

    .. versionadded:: 0.2.0
    """


class Engine(Protocol):
    """
    What runs the batch road: `InProcess`, `DuckDBEngine`, or your own.

    An engine takes any source it can read, the rule set and the matcher, and gives a
    `RoadResult` equal to every other engine's for the same input: the same normalized
    values, issues, pairs, weights, clusters and golden records.

    .. versionadded:: 0.2.0
    """

    name: str
    """A short name for the engine (``"inprocess"``, ``"duckdb"``)."""

    def run(
        self,
        source: object,
        rules: RuleSet,
        *,
        matcher: Matcher | None = None,
        policy: MergePolicy | None = None,
        at: dt.datetime | None = None,
        chunk_size: int = 10_000,
        channel: str | None = None,
    ) -> RoadResult:
        """
        Clean, validate, match and merge *source*: the whole batch road.
        """
        ...


@attrs.frozen(eq=False, repr=False)
class RoadResult:
    """
    The batch road's outcome: normalized table, quarantine, matches, golden records.

    Every engine gives the same result for the same input and settings. Rows read are
    always the rows that passed plus the rows quarantined.

    Attributes:
        engine: the name of the engine that ran the road.
        outcome: the rules' outcome: the normalized rows that passed (``columns``,
            ``row_numbers``), the quarantine with reasons, every issue in row order.
        ids: the record id of each normalized row (its row number, as text).
        match: clusters with stable entity ids and the compared pairs with their weights.
        golden: one record per entity: a cluster merged by the merge policy, a lone
            record as it is; in entity order.
        merges: the merge plans behind the golden records of clusters (lineage per field).

    .. versionadded:: 0.2.0
    """

    engine: str
    outcome: BatchOutcome
    ids: tuple[str, ...]
    match: MatchResult
    golden: tuple[Record, ...]
    merges: tuple[MergePlan, ...]

    @property
    def total(self) -> int:
        """
        Rows read.
        """
        return self.outcome.total

    @property
    def quarantined(self) -> int:
        """
        Rows held back by errors.
        """
        return len(self.outcome.quarantine)

    @property
    def issues(self) -> list[Issue]:
        """
        Every issue of every row, in row order.
        """
        return self.outcome.issues

    @property
    def clusters(self) -> tuple[Cluster, ...]:
        """
        The clusters of the normalized rows, each with its entity id.
        """
        return self.match.clusters

    def pairs(self) -> list[tuple[str, str, float, bool]]:
        """
        Every compared pair: ``(left id, right id, match weight, is a match)``.
        """
        scored = self.match.scored
        ids = self.ids
        return [
            (ids[a], ids[b], w, m)
            for a, b, w, m in zip(
                scored.left.tolist(),
                scored.right.tolist(),
                scored.weight.tolist(),
                scored.match.tolist(),
                strict=True,
            )
        ]

    def summary(self) -> dict[str, int]:
        """
        Totals: rows read, passed, quarantined; pairs compared and matched; entities.
        """
        return {
            "rows": self.total,
            "passed": len(self.ids),
            "quarantined": self.quarantined,
            "pairs": len(self.match.scored.left),
            "matches": int(self.match.scored.match.sum()),
            "entities": len(self.golden),
        }

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in self.summary().items())
        return f"RoadResult(engine={self.engine!r}, {counts})"

    def _repr_html_(self) -> str:
        facts = [(k, f"{v:,}") for k, v in self.summary().items()]
        names = list(self.golden[0].values) if self.golden else []
        golden = html_table(
            ["_id", *names],
            ([r.id, *(r.values.get(n) for n in names)] for r in self.golden),
            total=len(self.golden),
        )
        return html_block(f"Batch road ({self.engine})", facts, golden)

    def _golden(self) -> dict[str, list[object]]:
        return rows_columns(
            [dict(r.values) for r in self.golden], {"_id": [r.id for r in self.golden]}
        )

    def to_pandas(self, *, part: str = "golden") -> pandas.DataFrame:
        """
        One part of the result as a pandas DataFrame.

        Args:
            part: ``golden`` (one row per entity: its golden record's id in ``_id``, then
                its values), ``rows`` (the normalized rows that passed, with ``_row``),
                ``issues``, ``quarantine`` (the rows held back as given, with ``_row``
                and ``_errors``), ``clusters`` (each row's entity id) or ``pairs`` (every
                compared pair with its weight).

        Raises:
            RecordkitError: *part* is none of those, or pandas is not installed (the
                ``pandas`` extra).

        .. versionadded:: 0.2.0
        """
        part = check_part(part, ROAD_PARTS)
        if part in _MATCH_PARTS:
            return self.match.to_pandas(part=part)
        if part != "golden":
            return self.outcome.to_pandas(part=part)
        return pandas_frame(self._golden(), "RoadResult.to_pandas")

    def to_polars(self, *, part: str = "golden") -> polars.DataFrame:
        """
        One part of the result as a polars DataFrame (the parts of `to_pandas`).

        Raises:
            RecordkitError: *part* is not a part, or polars is not installed.

        .. versionadded:: 0.2.0
        """
        part = check_part(part, ROAD_PARTS)
        if part in _MATCH_PARTS:
            return self.match.to_polars(part=part)
        if part != "golden":
            return self.outcome.to_polars(part=part)
        return polars_frame(self._golden(), "RoadResult.to_polars")

    def to_arrow(self, *, part: str = "golden") -> pyarrow.Table:
        """
        One part of the result as an Arrow table (the parts of `to_pandas`).

        Raises:
            RecordkitError: *part* is not a part, or pyarrow is not installed.

        .. versionadded:: 0.2.0
        """
        part = check_part(part, ROAD_PARTS)
        if part in _MATCH_PARTS:
            return self.match.to_arrow(part=part)
        if part != "golden":
            return self.outcome.to_arrow(part=part)
        return arrow_table(self._golden(), "RoadResult.to_arrow")


ROAD_PARTS: Final = ("golden", "rows", "issues", "quarantine", "clusters", "pairs")
"""The parts of a `RoadResult` as a table."""
_MATCH_PARTS: Final = ("clusters", "pairs")


def check_run(
    rules: object,
    matcher: object,
    policy: object,
    at: object,
    chunk_size: object,
    channel: object,
) -> tuple[RuleSet, Matcher, dt.datetime]:
    """
    The arguments every engine's ``run`` takes, checked; the matcher and time filled in.
    """
    if not isinstance(rules, RuleSet):
        raise RecordkitError(f"rules must be a RuleSet, got {shorten(rules)}")
    if matcher is None:
        matcher = Matcher.for_schema(rules.schema)
    elif not isinstance(matcher, Matcher):
        raise RecordkitError(f"matcher must be a Matcher or None, got {shorten(matcher)}")
    if policy is not None and not isinstance(policy, MergePolicy):
        raise RecordkitError(f"policy must be a MergePolicy or None, got {shorten(policy)}")
    if at is None:
        at = dt.datetime.now(dt.UTC)
    if not isinstance(at, dt.datetime) or at.tzinfo is None:
        raise RecordkitError(f"at must be a timezone-aware datetime, got {shorten(at)}")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise RecordkitError(
            f"chunk_size must be a positive whole number, got {shorten(chunk_size)}"
        )
    if channel is not None and (not isinstance(channel, str) or len(channel) > 200):
        raise RecordkitError(
            f"channel must be a source name (text, at most 200 characters) or None, "
            f"got {shorten(channel)}"
        )
    return rules, matcher, at


def finish(
    engine: str,
    rules: CompiledRules,
    outcome: BatchOutcome,
    match: MatchResult,
    policy: MergePolicy | None,
    at: dt.datetime,
    work: MergeWork | None = None,
) -> RoadResult:
    """
    The road's result, with the golden records of *match* (their merges planned by *work*).
    """
    ids = match.prepared.ids
    golden, merges = golden_records(
        rules.schema, outcome.columns, ids, match, at=at, policy=policy, work=work
    )
    return RoadResult(engine, outcome, tuple(ids), match, golden, merges)
