"""
Planning a merge: several records of one schema become one, with a lineage for every cell.

`plan_merge` is pure: it reads records and returns a `MergePlan` holding the records to
write (the merged survivor and the merged-away "tombstones"), the originals, the per-cell
lineage and the references to re-point. The facade previews or applies the plan; nothing
here touches a store.
"""

from __future__ import annotations

import datetime as dt
import json
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from recordkit._errors import shorten
from recordkit.match._check import instances
from recordkit.match.merge._lineage import CellLineage, CellValue, Repoint
from recordkit.match.merge._plan import MERGED, UNMERGEABLE_STATES, MergeError, MergePlan
from recordkit.match.merge._policy import MergePolicy
from recordkit.match.merge._survivorship import Candidate, SurvivorshipStrategy
from recordkit.schema import Field, Record, Schema, Transition

__all__ = ["find_repoints", "plan_merge"]

Validity = Callable[[str, Any], bool]
"""
Says whether a value of a field (by name) passes validation, for ``validated_only``.
"""


def _check(schema: Schema, records: Sequence[Record]) -> None:
    if isinstance(records, str | bytes | Mapping) or not isinstance(records, Sequence):
        raise MergeError(f"merge takes a list of records, got {type(records).__name__}")
    for r in records:
        if not isinstance(r, Record):
            raise MergeError(f"merge takes records, got {type(r).__name__}")
    ids = [r.id for r in records]
    twice = sorted(i for i, n in Counter(ids).items() if n > 1)
    if twice:
        raise MergeError(
            f"a record cannot be merged with itself: {', '.join(map(repr, twice))} "
            "is listed more than once",
            record_ids=twice,
        )
    if len(records) < 2:
        raise MergeError(f"a merge needs at least two records, got {len(records)}", record_ids=ids)
    foreign = [r for r in records if r.schema != schema.name]
    if foreign:
        kinds = ", ".join(f"{r.id!r} is a {r.schema!r}" for r in foreign[:5])
        raise MergeError(
            f"only records of one schema merge; this is a {schema.name!r} merge but {kinds}",
            record_ids=[r.id for r in foreign],
        )
    dead = [r for r in records if r.state in UNMERGEABLE_STATES]
    if dead:
        which = ", ".join(f"{r.id!r} is {r.state}" for r in dead[:5])
        raise MergeError(f"only live records merge: {which}", record_ids=[r.id for r in dead])


def _scores(health: object) -> Mapping[str, int]:
    if health is None:
        return {}
    if not isinstance(health, Mapping) or not all(
        isinstance(k, str) and type(v) is int and 0 <= v <= 100 for k, v in health.items()
    ):
        raise MergeError(f"health maps record ids to scores from 0 to 100, got {shorten(health)}")
    return health


def _checks_validity(strategy: SurvivorshipStrategy) -> bool:
    """
    Whether *strategy* (or one it falls back on) looks at `Candidate.valid`.
    """
    return "validated_only" in json.dumps(strategy.to_data())


_FieldPlan = tuple[Field, SurvivorshipStrategy, bool]

_PLANS: weakref.WeakKeyDictionary[MergePolicy, tuple[Schema, list[_FieldPlan]]] = (
    weakref.WeakKeyDictionary()
)
"""
Per policy (by identity: a policy is immutable), the schema it was last checked against and
each field's strategy, so clusters merged one after another check the policy once.
"""


def _field_plans(policy: MergePolicy, schema: Schema) -> list[_FieldPlan]:
    """
    Each field of *schema* with its strategy and whether that looks at validity.

    Raises:
        SchemaError: the policy does not fit *schema* (`MergePolicy.check`).
    """
    kept = _PLANS.get(policy)
    if kept is not None and kept[0] is schema:
        return kept[1]
    policy.check(schema)
    plans = []
    for f in schema.fields:
        strategy = policy.strategy_for(f.name)
        plans.append((f, strategy, _checks_validity(strategy)))
    _PLANS[policy] = (schema, plans)
    return plans


def _candidate(
    r: Record,
    name: str,
    rank: int,
    valid: Validity | None,
    health: Mapping[str, int],
    filled: int,
) -> Candidate:
    p = r.provenance.get(name)
    value = r.values[name]
    return Candidate(
        r.id,
        value,
        None if p is None else p.source,
        r.updated_at if p is None else p.observed_at,
        rank,
        filled,
        True if valid is None else bool(valid(name, value)),
        health.get(r.id),
    )


def plan_merge(
    schema: Schema,
    records: Sequence[Record],
    *,
    merge_id: str,
    at: dt.datetime,
    actor: str = "system",
    lifecycle: str = "",
    policy: MergePolicy | None = None,
    picks: Mapping[str, str] | None = None,
    valid: Validity | None = None,
    explanation: object = None,
    health: Mapping[str, int] | None = None,
) -> MergePlan:
    """
    Work out the merge of *records* (of *schema*) without writing anything.

    Args:
        schema: the schema of the records.
        records: two or more distinct live records.
        merge_id: the id the merge will carry.
        at: when the merge is made (the written records' ``updated_at``).
        actor: who merges (named in the merged-away records' state transition).
        lifecycle: the name of the lifecycle driving ``state``, for that transition.
        policy: the merge policy (default: the schema's, see `MergePolicy.from_schema`).
        picks: manual picks, field name → record id, overriding the policy.
        valid: says whether a value passes validation, for ``validated_only``
            (default: every stored value does).
        explanation: the match explanation(s) behind the merge (one or a list of
            `MatchExplanation` or plain data), kept in the plan.
        health: record id → health score (0-100), for the ``healthiest`` strategy.

    Returns:
        The plan; its ``repoints`` are empty (see `find_repoints`).

    Raises:
        MergeError: fewer than two records, a record listed twice, records of another schema,
            a record already merged, retired or erased, or a manual pick naming a record not
            in the merge.
        SchemaError: the policy names unknown fields or misuses ``keep_all``.

    .. versionchanged:: 0.2.0 *health*.
    """
    if not isinstance(schema, Schema):
        raise MergeError(f"plan_merge needs a Schema, got {type(schema).__name__}")
    if not isinstance(merge_id, str) or not merge_id:
        raise MergeError(f"a merge id is non-empty text, got {shorten(merge_id)}")
    if not isinstance(at, dt.datetime) or at.tzinfo is None:
        raise MergeError(f"'at' is a timezone-aware datetime, got {shorten(at)}")
    _check(schema, records)
    policy = MergePolicy.from_schema(schema) if policy is None else policy
    if not isinstance(policy, MergePolicy):
        raise MergeError(f"policy must be a MergePolicy, got {type(policy).__name__}")
    if picks:
        policy = policy.with_picks(picks)
    plans = _field_plans(policy, schema)
    ids = {r.id for r in records}
    for name, strategy in policy.fields.items():
        picked = getattr(strategy, "record_id", None)
        if strategy.name == "from_record" and picked not in ids:
            raise MergeError(
                f"the pick for {name!r} names record {shorten(picked)}, which is not in "
                f"this merge ({', '.join(sorted(map(repr, ids)))})",
                record_ids=[str(picked)],
            )
    scores = _scores(health)
    ranked = policy.rank(records)
    by_id = {r.id: r for r in ranked}
    lineage: list[CellLineage] = []
    values: dict[str, Any] = {}
    provenance = {}
    filled = {r.id: sum(v is not None for v in r.values.values()) for r in ranked}
    for f, strategy, checks in plans:
        name = f.name
        check = valid if checks else None
        candidates = [
            _candidate(r, name, rank, check, scores, filled[r.id])
            for rank, r in enumerate(ranked)
            if r.values.get(name) is not None
        ]
        if not candidates:
            continue
        choice = strategy(f, candidates)
        if choice.value is not None:
            values[name] = choice.value
            first = by_id[choice.record_ids[0]] if choice.record_ids else None
            if first is not None and name in first.provenance:
                provenance[name] = first.provenance[name]
        lineage.append(
            CellLineage(
                name,
                choice.value,
                choice.record_ids,
                strategy.to_data(),
                choice.reason,
                tuple(
                    CellValue(c.record_id, c.value, by_id[c.record_id].provenance.get(name))
                    for c in candidates
                ),
            )
        )
    head = ranked[0]
    owner = head.owner
    if schema.owner_field is not None and isinstance(values.get(schema.owner_field), str):
        owner = values[schema.owner_field]
    survivor = head.evolve(
        values=values,
        provenance=provenance,
        owner=owner,
        version=head.version + 1,
        updated_at=at,
    )
    tombstones = [
        r.evolve(
            state=MERGED,
            version=r.version + 1,
            updated_at=at,
            history=(
                *r.history,
                Transition(
                    "state",
                    r.state,
                    MERGED,
                    at,
                    actor,
                    lifecycle=lifecycle,
                    event="merge",
                    reason=merge_id,
                ),
            ),
        )
        for r in ranked[1:]
    ]
    return MergePlan(
        merge_id,
        schema.name,
        at,
        survivor,
        tombstones,
        ranked,
        lineage,
        policy=policy,
        explanations=explanation,
    )


def find_repoints(
    plan: MergePlan, schema: Schema, field: str, records: Iterable[Record]
) -> list[Repoint]:
    """
    The references in *records* (of *schema*, through *field*) to re-point to the survivor.

    Records holding a merged-away id in *field* are re-pointed; the merged records
    themselves are left alone (their values are the merge's to decide).

    .. versionadded:: 0.1.0
    """
    if not isinstance(plan, MergePlan):
        raise MergeError(f"plan must be a MergePlan, got {shorten(plan)}")
    if not isinstance(schema, Schema):
        raise MergeError(f"schema must be a Schema, got {shorten(schema)}")
    if not isinstance(field, str):
        raise MergeError(f"field is a field name (text), got {shorten(field)}")
    records = instances(records, Record, "records")
    losers = set(plan.merged_ids)
    involved = set(plan.record_ids) if schema.name == plan.schema else set()
    return [
        Repoint(
            schema.name,
            r.id,
            field,
            r.values[field],
            plan.survivor_id,
            r.provenance.get(field),
            r.version,
        )
        for r in records
        if isinstance(r.values.get(field), str)
        and r.values[field] in losers
        and r.id not in involved
    ]
