"""
A `MatchResult` as tables and as people see it: clusters and pairs, HTML and a short repr.

The tables are columns of plain values (`result_columns`), built from the result's arrays
without a Python object per pair beyond the values themselves; `MatchResult` turns them
into a pandas or polars DataFrame or an Arrow table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Final

import numpy as np

from recordkit._frames import check_part
from recordkit._notebook import html_block, html_table, short_list
from recordkit.match._blocking import BlockingReport
from recordkit.match._cluster import Assignment
from recordkit.match._scoring import Scored

__all__ = ["RESULT_PARTS", "result_columns", "result_html", "result_repr"]

RESULT_PARTS: Final = ("clusters", "pairs")
_RULES: Final = (None, "must_match", "never_match")


def result_columns(
    part: object, ids: Sequence[str], assignment: Assignment, scored: Scored, weighted: bool
) -> dict[str, list[object]]:
    """
    One table of a result: its clusters or its compared pairs.

    The ``clusters`` table has one row per record, in the data's order: ``record_id``,
    ``entity_id``, ``cluster_size``; the ``pairs`` table (one row per compared pair:
    ``left_id``, ``right_id``, ``match_weight``, ``match_probability`` (``None`` for
    weighted rules), ``is_match``, ``decided_by``).

    Raises:
        RecordkitError: *part* is not ``clusters`` or ``pairs``.
    """
    part = check_part(part, RESULT_PARTS)
    if part == "clusters":
        entity_of = assignment.entity_of
        entities = [entity_of[i] for i in ids]
        sizes = Counter(entities)
        return {
            "record_id": list(ids),
            "entity_id": list(entities),
            "cluster_size": [sizes[e] for e in entities],
        }
    names = np.asarray(ids, dtype=object)
    weight = scored.weight
    if weighted:
        probability: list[object] = [None] * len(weight)
    else:
        clipped = np.clip(weight, -60.0, 60.0)
        probability = (1.0 / (1.0 + np.exp2(-clipped))).tolist()
    return {
        "left_id": names[scored.left].tolist(),
        "right_id": names[scored.right].tolist(),
        "match_weight": weight.tolist(),
        "match_probability": probability,
        "is_match": scored.match.tolist(),
        "decided_by": [_RULES[r] for r in scored.rule.tolist()],
    }


def result_repr(assignment: Assignment, records: int, scored: Scored) -> str:
    """
    Counts and the largest clusters, in well under a thousand characters.
    """
    clusters = assignment.clusters
    multi = sorted((c for c in clusters if len(c) > 1), key=lambda c: (-len(c), c.entity_id))
    shown = [f"{c.entity_id}: {len(c)} records" for c in multi[:3]]
    largest = f", largest: {short_list(shown, len(multi))}" if shown else ""
    return (
        f"MatchResult(records={records}, entities={len(clusters)}, "
        f"with duplicates={len(multi)}, pairs compared={len(scored.left)}, "
        f"matches={int(scored.match.sum())}{largest})"
    )


def result_html(
    assignment: Assignment, records: int, scored: Scored, report: BlockingReport
) -> str:
    """
    Counts, the largest clusters and the strongest pairs, a few rows each.
    """
    clusters = assignment.clusters
    multi = sorted((c for c in clusters if len(c) > 1), key=lambda c: (-len(c), c.entity_id))
    facts = [
        ("records", f"{records:,}"),
        ("entities", f"{len(clusters):,}"),
        ("entities with duplicates", f"{len(multi):,}"),
        ("pairs compared", f"{len(scored.left):,}"),
        ("matches", f"{int(scored.match.sum()):,}"),
    ]
    table = html_table(
        ("entity", "records", "record ids"),
        ((c.entity_id, len(c), ", ".join(c.record_ids[:5])) for c in multi),
        total=len(multi),
    )
    rules = html_table(
        ("blocking rule", "pairs"),
        ((r.rule, r.pairs) for r in report.rules),
        total=len(report.rules),
    )
    return html_block("Match result", facts, table if multi else "", rules)
