"""
The entities of an `Index`: the match edges between its records, and who is one entity.

Records are nodes (their positions in the index) joined by the matches found when they were
added. When an edge comes or goes, each connected component it touches is re-formed with
the guarded rule the batch run uses (`guarded_groups`), and entity ids stay stable: each
group keeps the id most of its members had, and a bridge between two entities or a break
in one is recorded as an explicit `ClusterMerge` or `ClusterSplit`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import attrs

from recordkit._errors import RecordkitError, shorten
from recordkit.match._cluster import Assignment, ClusterMerge, ClusterSplit, assign_entity_ids
from recordkit.match._graph import guarded_groups
from recordkit.match.index._lookup import Lookup
from recordkit.match.index._rows import IndexRows

__all__ = ["Entities", "recluster_rows"]


class Entities:
    """
    Match edges between records, each record's entity id, and each entity's records.

    Args:
        chain_guard: the share of cross pairs that must match to join two groups.
        strong: the link weight from which a link vouches for its neighbours (as in the
            batch run; ``None``: links never vouch).
        taken: whether an entity id is in use outside these records (a persistent
            index holds only the records at hand), so a new one is not given twice.
    """

    def __init__(
        self,
        chain_guard: float,
        *,
        strong: float | None = None,
        taken: Callable[[str], bool] | None = None,
    ) -> None:
        self.chain_guard = chain_guard
        self.strong = strong
        self._taken = taken
        self.edges: dict[int, dict[int, float]] = {}
        self.entity: dict[str, str] = {}
        self.members: dict[str, set[str]] = {}
        self.events: list[ClusterMerge | ClusterSplit] = []

    def __len__(self) -> int:
        return len(self.members)

    def link(self, a: int, b: int, weight: float) -> None:
        """
        Record a match of weight *weight* between nodes *a* and *b*.
        """
        self.edges.setdefault(a, {})[b] = weight
        self.edges.setdefault(b, {})[a] = weight

    def adopt(self, assignment: Assignment) -> None:
        """
        Take the clusters of a batch run as the entities.
        """
        for c in assignment.clusters:
            self.members[c.entity_id] = set(c.record_ids)
            for rid in c.record_ids:
                self.entity[rid] = c.entity_id

    def unlink(self, node: int) -> None:
        """
        Drop every match of *node*.
        """
        for other in self.edges.pop(node, {}):
            self.edges.get(other, {}).pop(node, None)

    def entity_of(self, record_id: str) -> str:
        """
        The entity id of a record.

        Raises:
            RecordkitError: the record is not in the index.
        """
        try:
            return self.entity[record_id]
        except (KeyError, TypeError):
            raise RecordkitError(f"record {shorten(record_id)} is not in the index") from None

    def leave(self, record_id: str) -> set[str]:
        """
        Take *record_id* out of its entity; the others keep the entity id, for now.

        Returns:
            The records left in that entity, to re-form.
        """
        entity = self.entity.pop(record_id)
        rest = self.members.pop(entity, set()) - {record_id}
        if rest:
            for rid in rest:
                self.entity[rid] = entity
            self.members[entity] = rest
        return rest

    def clusters(self) -> Assignment:
        """
        The current clusters, with their entity ids.
        """
        return assign_entity_ids(self.members.values(), previous=self.entity, new_id=self._fresh)

    def recluster(
        self, ids: Sequence[str], seeds: Sequence[int], lookup: Lookup | None
    ) -> tuple[list[ClusterMerge], list[ClusterSplit]]:
        """
        Re-form the components that *seeds* reach, and name the groups.

        Args:
            ids: the record id of every node.
            seeds: the nodes whose components changed.
            lookup: the lookup of the record just added (the first seed), whose matches
                explain the merges it causes; ``None`` when a record was taken out.
        """
        seen: set[int] = set()
        groups: list[list[str]] = []
        for seed in seeds:  # each connected component the seeds reach, re-formed on its own
            if seed in seen:
                continue
            component = self._component(seed)
            seen |= component
            edges = [
                (ids[a], ids[b], w)
                for a in component
                for b, w in self.edges.get(a, {}).items()
                if a < b
            ]
            members = [ids[i] for i in component]
            groups.extend(guarded_groups(members, edges, self.chain_guard, strong=self.strong))
        nodes = [ids[i] for i in seen]
        previous = {rid: self.entity[rid] for rid in nodes if rid in self.entity}
        result = assign_entity_ids(groups, previous=previous, new_id=self._fresh)
        for old in set(previous.values()):
            self.members.pop(old, None)
        for c in result.clusters:
            self.members[c.entity_id] = set(c.record_ids)
            for rid in c.record_ids:
                self.entity[rid] = c.entity_id
        merges = list(result.merges)
        if lookup is not None:
            new_id = ids[seeds[0]]
            merges = [self._bridged(m, new_id, lookup) for m in merges]
        self.events.extend(merges)
        self.events.extend(result.splits)
        return merges, list(result.splits)

    def _component(self, seed: int) -> set[int]:
        component = {seed}
        todo = [seed]
        while todo:
            node = todo.pop()
            for other in self.edges.get(node, {}):
                if other not in component:
                    component.add(other)
                    todo.append(other)
        return component

    @staticmethod
    def _bridged(merge: ClusterMerge, new_id: str, lookup: Lookup) -> ClusterMerge:
        """
        *merge* with the match that bridged it: the new record and what it matched.
        """
        bridge = next(
            (x for x in lookup.matches if x.entity_id in (merge.kept, *merge.absorbed)), None
        )
        return attrs.evolve(
            merge,
            bridge=(new_id, bridge.record_id) if bridge else None,
            explanation=bridge.explanation if bridge else None,
        )

    def _fresh(self, members: tuple[str, ...]) -> str:
        candidate, n = members[0], 1
        while candidate in self.members or (self._taken is not None and self._taken(candidate)):
            n += 1
            candidate = f"{members[0]}~{n}"
        return candidate


def recluster_rows(
    rows: IndexRows,
    chain_guard: float,
    strong: float | None,
    seeds: Sequence[str],
    lookup: Lookup | None,
    known: Mapping[str, Mapping[str, float]] | None = None,
) -> tuple[list[ClusterMerge], list[ClusterSplit], dict[str, str]]:
    """
    Re-form the components *seeds* reach among stored index *rows*; keep the entity ids.

    Only those components are read (their matches a step at a time, then their rows);
    the entity ids that change are written back. *known*, when given, holds every match
    of every seed (new records, whose matches were just found): the first step is not
    read. Returns the merges, the splits, and record id → entity id for every record read.
    """
    links: dict[str, dict[str, float]] = {}
    order = list(dict.fromkeys(seeds))
    seen = set(order)
    frontier = list(order)
    given = known
    while frontier:  # the connected components of the seeds, one read per step
        if given is not None:  # the first step, known
            found = {rid: dict(given.get(rid, {})) for rid in frontier}
            given = None
        else:
            found = rows.links(frontier)
        step: list[str] = []
        for rid in frontier:
            links[rid] = others = found.get(rid, {})
            for other in others:
                if other not in seen:
                    seen.add(other)
                    order.append(other)
                    step.append(other)
        frontier = step
    pos = {rid: i for i, rid in enumerate(order)}
    before = rows.entity_ids(order)
    # entity ids named after these records that records elsewhere hold (one read):
    # a new entity is named after one of its records, so these are the clashes
    mine = {e for e in before.values() if e is not None}
    elsewhere = rows.taken(order) - mine

    def taken(entity: str) -> bool:
        return entity in elsewhere or (entity not in pos and rows.entity_taken(entity))

    entities = Entities(chain_guard, strong=strong, taken=taken)
    for a, others in links.items():
        for b, w in others.items():
            if a in pos and b in pos:
                entities.link(pos[a], pos[b], w)
    for rid, entity in before.items():
        if entity is not None:
            entities.entity[rid] = entity
            entities.members.setdefault(entity, set()).add(rid)
    merges, splits = entities.recluster(order, [pos[s] for s in seeds], lookup)
    changed = {rid: e for rid, e in entities.entity.items() if rid in before and before[rid] != e}
    if changed:
        rows.set_entities(changed)
    return merges, splits, entities.entity
