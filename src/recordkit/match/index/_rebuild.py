"""
A persistent index rebuilt from a batch run: its rows and matches written in bounded pieces.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np

from recordkit.match._matcher import MatchResult
from recordkit.match.index._lookup import RULE_WEIGHT
from recordkit.match.index._prepared import prepared_value
from recordkit.match.index._rows import KEY_SEP, IndexRow, IndexRows

__all__ = ["write_rows"]

_PUT_AT_ONCE: Final = 20_000
"""
Rows a rebuild writes at a time (so memory stays bounded whatever the data's size).
"""


def write_rows(rows: IndexRows, result: MatchResult, columns_of: Sequence[str]) -> int:
    """
    Write *result*'s records and matches into *rows*, a piece at a time.

    Each record's prepared values, blocking keys and entity; returns how many records.
    """
    prepared = result.prepared
    entity = {rid: c.entity_id for c in result.assignment.clusters for rid in c.record_ids}
    columns = {c: prepared.columns[c].tolist() for c in columns_of}
    rules = list(enumerate(result.matcher.blocking))
    for start in range(0, len(prepared.ids), _PUT_AT_ONCE):  # bounded memory
        piece = []
        for i in range(start, min(start + _PUT_AT_ONCE, len(prepared.ids))):
            rid = prepared.ids[i]
            keys = []
            for r, rule in rules:
                key = rule.key_of({c: columns[c][i] for c in rule.columns})
                if key is not None:
                    keys.append((r, KEY_SEP.join(key)))
            values = {c: prepared_value(columns[c][i]) for c in columns_of}
            piece.append(IndexRow(rid, values, tuple(keys), entity.get(rid, rid)))
        rows.put(piece)
    scored = result.scored
    edges: list[tuple[str, str, float]] = []
    for k in np.flatnonzero(scored.match).tolist():
        w = RULE_WEIGHT if scored.rule[k] == 1 else float(scored.weight[k])
        a, b = prepared.ids[int(scored.left[k])], prepared.ids[int(scored.right[k])]
        edges.append((a, b, w))
    if edges:
        rows.link(edges)
    return len(prepared.ids)
