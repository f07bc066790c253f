"""
Records made ready for a lookup, and the matches a lookup's scores give.

Shared by `Index` and `PersistentIndex`: one record or many prepared with the matcher (a
record of another schema refused first), and the scores of a new record against its
candidates turned into explained matches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import NamedTuple, cast

import numpy as np

from recordkit._errors import RecordkitError, SchemaError, shorten
from recordkit._suggest import close_matches
from recordkit.match._data import Prepared
from recordkit.match._explain import MatchExplanation
from recordkit.match._factored import Factored, Objects
from recordkit.match._matcher import Matcher
from recordkit.match._model import FellegiSunter
from recordkit.match._scoring import Scored
from recordkit.match.index._lookup import RULE_WEIGHT, Match
from recordkit.match.index._rows import KEY_SEP, Value
from recordkit.schema import Record

__all__ = [
    "batch_keys",
    "found_matches",
    "id_list",
    "ids_of",
    "prepare_batch",
    "prepare_check",
    "prepare_one",
    "prepared_value",
]


def prepare_one(matcher: Matcher, record: object, record_id: str | None) -> Prepared:
    """
    One record (a mapping or a `Record`) prepared for a lookup.

    Raises:
        SchemaError: the record has none of the fields *matcher* compares (another
            schema's record).
        RecordkitError: *record* is neither a mapping nor a `Record`.
    """
    prepare_check(matcher, record)
    ids = None if record_id is None else [record_id]
    return matcher.prepared([record], ids=ids, default_ids="new:")


def prepare_batch(matcher: Matcher, records: Sequence[object], *, ids: bool) -> Prepared:
    """
    Many records (mappings or `Record` values) prepared for lookups.

    With *ids*, every record must carry one (a `Record`'s, or an ``id`` key).

    Raises:
        SchemaError: a record is of another schema.
        RecordkitError: *records* is not a list of mappings or records, or an id is
            missing or repeated.
    """
    if isinstance(records, str | bytes | Mapping) or not isinstance(records, Sequence):
        raise RecordkitError(f"records must be a list of records, got {shorten(records)}")
    for record in records:
        prepare_check(matcher, record)
    if ids:
        found = [
            r.id if isinstance(r, Record) else r.get("id") if isinstance(r, Mapping) else None
            for r in records
        ]
        missing = next((i for i, rid in enumerate(found) if not isinstance(rid, str)), None)
        if missing is not None:
            raise RecordkitError(f"record {missing} has no id (text) to be indexed under")
        return matcher.prepared(list(records), ids=[str(rid) for rid in found])
    return matcher.prepared(list(records), default_ids="new:")


def prepare_check(matcher: Matcher, record: object) -> None:
    """
    Refuse a record that is not a mapping or a `Record`, or of another schema.

    Raises:
        SchemaError: the record has none of the fields *matcher* compares.
        RecordkitError: *record* is neither a mapping nor a `Record`.
    """
    if isinstance(record, Mapping):
        known = set(matcher.columns)
        given = {k for k, v in record.items() if v is not None and k != "id"}
        if given and not (given & known):
            sample = sorted(map(str, given))[0]
            raise SchemaError(
                f"the record has none of the fields this index matches on "
                f"({', '.join(matcher.columns)}); is it another schema's record?",
                suggestions=close_matches(sample, known),
            )
    elif not isinstance(record, Record):
        raise RecordkitError(f"a record is a mapping or a Record, got {type(record).__name__}")


def found_matches(
    matcher: Matcher,
    one: Prepared,
    them: Prepared,
    scored: Scored,
    entity_of: Callable[[str], str],
) -> tuple[list[Match], list[tuple[int, float]]]:
    """
    The matches of a lookup, best first, each with its explanation.

    From the scores of row 0 of *one* against rows of *them* (`score_against`); also each
    match's (row of *them*, link weight).
    """
    hits = np.flatnonzero(scored.match)
    if not len(hits):
        return [], []
    prob_of = (
        1.0 / (1.0 + np.exp2(-scored.weight))
        if isinstance(matcher.model, FellegiSunter)
        else scored.weight
    )
    matches = []
    edges = []
    names = list(one.columns)
    mine = [one.columns[name][0] for name in names]
    for k in hits[np.argsort(-scored.weight[hits], kind="stable")].tolist():
        j = int(scored.right[k])
        rid = them.ids[j]
        w = RULE_WEIGHT if scored.rule[k] == 1 else float(scored.weight[k])
        edges.append((j, w))
        prob = 1.0 if scored.rule[k] == 1 else float(prob_of[k])
        # the pair's values as they are now (the candidate's row may change later); the
        # explanation is made from them when read
        theirs = [them.columns[name][j] for name in names]
        pair = _Pair(one.ids[0], rid, names, mine, theirs, one.keys)
        explain = partial(_explain, matcher, pair, scored, k)
        matches.append(Match(rid, entity_of(rid), prob, float(scored.weight[k]), explain))
    return matches, edges


class _Pair(NamedTuple):
    """
    A new record and a candidate: ids, column names, both rows' values, feature keys.
    """

    new_id: str
    other_id: str
    names: list[str]
    mine: list[object]
    theirs: list[object]
    keys: dict[str, tuple[str, ...]]


def _explain(matcher: Matcher, pair: _Pair, scored: Scored, k: int) -> MatchExplanation:
    """
    The explanation of pair *k* of *scored*: the new record and its candidate, two rows.
    """
    columns: dict[str, Objects] = {}
    for name, a, b in zip(pair.names, pair.mine, pair.theirs, strict=True):
        both = np.empty(2, dtype=object)
        both[0], both[1] = a, b
        columns[name] = both
    prepared = Prepared([pair.new_id, pair.other_id], columns, {}, pair.keys)
    at = np.zeros(1, dtype=np.int64)
    kept = Scored(
        at,
        at + 1,
        {name: lv[k : k + 1] for name, lv in scored.levels.items()},
        scored.weight[k : k + 1],
        scored.match[k : k + 1],
        scored.rule[k : k + 1],
        scored.report,
    )
    return matcher.explain_scored(prepared, kept, 0)


def id_list(record_ids: object) -> list[str]:
    """
    *record_ids* if it is a list (or tuple) of record ids, else a `RecordkitError`.
    """
    if not isinstance(record_ids, list | tuple) or not all(
        isinstance(rid, str) for rid in record_ids
    ):
        raise RecordkitError(f"record_ids must be a list of record ids, got {shorten(record_ids)}")
    return list(record_ids)


def prepared_value(v: object) -> Value:
    """
    *v* as an index row keeps it (text, a number or None), else a `RecordkitError`.
    """
    if v is None or isinstance(v, str | int | float):
        return v
    if isinstance(v, np.generic):
        item = v.item()
        if item is None or isinstance(item, str | int | float):
            return item
    raise RecordkitError(f"a prepared value is not text or a number: {shorten(v)}")


def ids_of(records: Sequence[object]) -> list[str | None]:
    """
    The ids *records* carry (a `Record`'s, or an ``id`` key), ``None`` where none.
    """
    out: list[str | None] = []
    for r in records if isinstance(records, list | tuple) else ():
        found = r.id if isinstance(r, Record) else r.get("id") if isinstance(r, Mapping) else None
        out.append(found if isinstance(found, str) else None)
    return out


def batch_keys(matcher: Matcher, batch: Prepared) -> list[list[tuple[int, str]]]:
    """
    The blocking keys of every row of *batch*, as an index keeps them.

    ``(rule, key)`` pairs, each key part worked out once per distinct value.
    """
    out: list[list[tuple[int, str]]] = [[] for _ in range(len(batch))]
    for r, rule in enumerate(matcher.blocking):
        parts = []
        for k in rule.keys:
            column = Factored.of(batch.columns[k.column])
            per_value = [k.value(v) for v in column.uniques.tolist()]
            parts.append([per_value[c] for c in column.codes.tolist()])
        for row, key in zip(out, zip(*parts, strict=True), strict=True):
            if None not in key:
                row.append((r, KEY_SEP.join(cast("tuple[str, ...]", key))))
    return out
