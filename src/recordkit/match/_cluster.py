"""
Clusters and entity ids: which records are one real-world entity, under a stable name.

A `Cluster` is a set of record ids under an entity id. `assign_entity_ids` names a new
partition so that ids survive re-runs: each cluster keeps the entity id most of its members
already had, and when one cluster covers several old entities that is recorded as an
explicit `ClusterMerge` (and the opposite as a `ClusterSplit`), never done silently.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from recordkit._errors import RecordkitError, shorten
from recordkit.match._check import instances, items, mapping, texts
from recordkit.match._explain import MatchExplanation
from recordkit.schema import JSONObject

Ints = npt.NDArray[np.int64]
Objects = npt.NDArray[np.object_]

__all__ = [
    "Assignment",
    "Cluster",
    "ClusterMerge",
    "ClusterSplit",
    "assign_entity_ids",
]


def _sorted_ids(value: Iterable[str]) -> tuple[str, ...]:
    kind = type(value)
    if kind is tuple or kind is list:  # the common cases: one or two records, in order
        seq: Any = value
        if len(seq) == 1 and type(seq[0]) is str:
            return seq if kind is tuple else (seq[0],)  # type: ignore[no-any-return,unused-ignore]
        if len(seq) == 2 and type(seq[0]) is str and type(seq[1]) is str and seq[0] < seq[1]:
            return (seq[0], seq[1])
    if isinstance(value, str):
        raise RecordkitError(f"record ids must be a collection, not one string {shorten(value)}")
    return tuple(sorted(set(texts(value, "record_ids"))))


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return texts(value, "entity ids")


@attrs.frozen
class Cluster:
    """
    One entity: its id and the ids of the records that describe it (sorted).

    .. versionadded:: 0.1.0
    """

    entity_id: str
    record_ids: tuple[str, ...] = attrs.field(converter=_sorted_ids)

    def __len__(self) -> int:
        return len(self.record_ids)

    @classmethod
    def _checked(cls, entity_id: str, record_ids: tuple[str, ...]) -> Cluster:
        # record ids already checked and sorted by assign_entity_ids: skip the converter
        # (a first run over a million records builds most clusters here)
        made = object.__new__(cls)
        object.__setattr__(made, "entity_id", entity_id)
        object.__setattr__(made, "record_ids", record_ids)
        return made

    def __contains__(self, record_id: object) -> bool:
        return record_id in self.record_ids

    def to_dict(self) -> JSONObject:
        """
        The cluster as plain data.
        """
        return {"entity_id": self.entity_id, "record_ids": list(self.record_ids)}


@attrs.frozen
class ClusterMerge:
    """
    A recorded merge of entities: ``absorbed`` entity ids now live on as ``kept``.

    Args:
        kept: the entity id that survives.
        absorbed: the entity ids that stopped existing.
        record_ids: the records of the merged cluster.
        bridge: the pair of record ids whose match joined the clusters, when known.
        explanation: why that pair matched, when known.

    .. versionadded:: 0.1.0
    """

    kept: str
    absorbed: tuple[str, ...] = attrs.field(converter=_names)
    record_ids: tuple[str, ...] = attrs.field(converter=_sorted_ids)
    bridge: tuple[str, str] | None = None
    explanation: MatchExplanation | None = None

    def to_dict(self) -> JSONObject:
        """
        The merge as plain data (the explanation included).
        """
        return {
            "kept": self.kept,
            "absorbed": list(self.absorbed),
            "record_ids": list(self.record_ids),
            "bridge": list(self.bridge) if self.bridge else None,
            "explanation": self.explanation.to_dict() if self.explanation else None,
        }


@attrs.frozen
class ClusterSplit:
    """
    A recorded split: the records of entity ``entity_id`` now form clusters ``into``.

    .. versionadded:: 0.1.0
    """

    entity_id: str
    into: tuple[str, ...] = attrs.field(converter=_names)


class Assignment:
    """
    A partition of records into named clusters, with the merges and splits it implies.

    Args:
        clusters: the named clusters (disjoint).
        merges: the entity merges the partition implies.
        splits: the entity splits it implies.

    A batch run over a million records builds its assignment from arrays (`from_labels`);
    the `Cluster` values are then made only when `clusters` is first read.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_clusters", "_labelled", "merges", "splits")

    merges: tuple[ClusterMerge, ...]
    splits: tuple[ClusterSplit, ...]

    def __init__(
        self,
        clusters: Iterable[Cluster],
        merges: Iterable[ClusterMerge] = (),
        splits: Iterable[ClusterSplit] = (),
    ) -> None:
        self._clusters: tuple[Cluster, ...] | None = instances(clusters, Cluster, "clusters")
        self._labelled: tuple[Objects, Objects, Ints] | None = None
        self.merges = instances(merges, ClusterMerge, "merges")
        self.splits = instances(splits, ClusterSplit, "splits")

    @classmethod
    def from_labels(cls, ids: Sequence[str], labels: Ints) -> Assignment:
        """
        Records ``ids[i]`` grouped by ``labels[i]``, each group named by its smallest id.

        This is `assign_entity_ids` on a first run (no earlier ids), done with arrays.

        Raises:
            RecordkitError: the ids are not distinct text, or the lengths differ.
        """
        ids = items(ids, "ids")
        names = np.empty(len(ids), dtype=object)
        names[:] = list(ids)
        try:
            labels = np.asarray(labels)
        except (TypeError, ValueError, OverflowError):
            raise RecordkitError(
                f"labels are one whole number per record, got {shorten(labels)}"
            ) from None
        if labels.ndim != 1 or (len(labels) and labels.dtype.kind not in "iu"):
            raise RecordkitError(f"labels are one whole number per record, got {shorten(labels)}")
        if len(labels) != len(names):
            raise RecordkitError(f"{len(labels)} labels for {len(names)} records")
        if not set(map(type, ids)) <= {str} or len(set(ids)) != len(ids):
            raise RecordkitError("record ids must be distinct text")
        made = cls(())
        made._clusters = None
        if not len(names):
            made._clusters = ()
            return made
        order = np.argsort(labels, kind="stable")
        lab = labels[order]
        starts = np.flatnonzero(np.r_[True, lab[1:] != lab[:-1]])
        smallest = np.minimum.reduceat(names[order], starts)  # object arrays compare as str
        group = np.empty(len(names), dtype=np.int64)
        group[order] = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(names)]))
        made._labelled = (names, smallest[group], group)
        return made

    @property
    def clusters(self) -> tuple[Cluster, ...]:
        """
        The clusters, ordered by entity id for a first run, each with sorted record ids.
        """
        if self._clusters is None:
            assert self._labelled is not None
            names, _, group = self._labelled
            order = np.argsort(group, kind="stable")
            cuts = np.flatnonzero(np.diff(group[order])) + 1
            members = [sorted(g) for g in np.split(names[order], cuts)]
            members.sort(key=lambda ids: ids[0])
            self._clusters = tuple(Cluster._checked(ids[0], tuple(ids)) for ids in members)
        return self._clusters

    @property
    def entity_of(self) -> dict[str, str]:
        """
        Record id → entity id.
        """
        if self._labelled is not None:
            names, entity, _ = self._labelled
            return dict(zip(names.tolist(), entity.tolist(), strict=True))
        return {rid: c.entity_id for c in self.clusters for rid in c.record_ids}

    def partition(self) -> frozenset[frozenset[str]]:
        """
        The clusters as a set of sets of record ids (names left out), for comparisons.
        """
        return frozenset(frozenset(c.record_ids) for c in self.clusters)

    def pairs(self) -> set[tuple[str, str]]:
        """
        Every pair of record ids that share a cluster, each as ``(smaller, larger)``.
        """
        out: set[tuple[str, str]] = set()
        for c in self.clusters:
            ids = c.record_ids
            for i, a in enumerate(ids):
                out.update((a, b) for b in ids[i + 1 :])
        return out

    def _key(self) -> tuple[Any, ...]:
        return (self.clusters, self.merges, self.splits)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Assignment):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Assignment({len(self.clusters)} clusters, {len(self.merges)} merges, "
            f"{len(self.splits)} splits)"
        )


def _fresh(members: tuple[str, ...], taken: set[str]) -> str:
    base = members[0]
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}~{n}"
    return candidate


def assign_entity_ids(
    groups: Iterable[Iterable[str]],
    *,
    previous: Mapping[str, str] | None = None,
    new_id: Callable[[tuple[str, ...]], str] | None = None,
) -> Assignment:
    """
    Name each group of record ids, keeping the entity ids that *previous* gave its members.

    Each old entity id goes to the group holding most of its records (ties: the group with
    the smallest record id); a group covering several old entities keeps the id covering
    most of its members and records a `ClusterMerge`; an old entity spread over several
    groups records a `ClusterSplit`. Groups with no old id get ``new_id(sorted members)``,
    by default their smallest record id, so the result never depends on input order.

    Args:
        groups: the partition, as collections of record ids (disjoint).
        previous: record id → entity id from the last run (records new to it get new ids).
        new_id: names a group that has no old id.

    Raises:
        RecordkitError: a record id appears in two groups.

    .. versionadded:: 0.1.0
    """
    previous = mapping(previous, "previous") if previous is not None else {}
    if not all(type(k) is str and type(v) is str for k, v in previous.items()):
        raise RecordkitError("previous maps record ids to entity ids, both text")
    if new_id is not None and not callable(new_id):
        raise RecordkitError(f"new_id must be a function or None, got {shorten(new_id)}")
    members = sorted((_sorted_ids(g) for g in items(groups, "groups")), key=lambda ids: ids[:1])
    members = [m for m in members if m]
    seen = set(itertools.chain.from_iterable(members))
    if len(seen) != sum(map(len, members)):
        counts = Counter(itertools.chain.from_iterable(members))
        twice = next(rid for rid, n in counts.items() if n > 1)
        raise RecordkitError(f"record {shorten(twice)} is in two clusters")
    if not previous and new_id is None:
        # a first run: every group is named by its smallest record, which is unique
        return Assignment([Cluster._checked(ids[0], ids) for ids in members])
    claims: list[tuple[int, str, int]] = []
    for gi, ids in enumerate(members):
        counts = Counter(previous[r] for r in ids if r in previous)
        claims.extend((-n, eid, gi) for eid, n in counts.items())
    claims.sort()
    named: dict[int, str] = {}
    used: set[str] = set()
    for _, eid, gi in claims:
        if gi not in named and eid not in used:
            named[gi] = eid
            used.add(eid)
    taken = used | set(previous.values())
    clusters: list[Cluster] = []
    merges: list[ClusterMerge] = []
    spread: dict[str, set[str]] = {}
    for gi, ids in enumerate(members):
        if gi in named:
            eid = named[gi]
        else:
            eid = new_id(ids) if new_id is not None else _fresh(ids, taken)
            if not isinstance(eid, str):
                raise RecordkitError(f"new_id must return text, got {shorten(eid)}")
            if eid in taken:
                eid = _fresh((eid,), taken)
            taken.add(eid)
        clusters.append(Cluster(eid, ids))
        olds = sorted({previous[r] for r in ids if r in previous})
        for old in olds:
            spread.setdefault(old, set()).add(eid)
        # an old id that lives on in another cluster was split, not absorbed
        absorbed = tuple(o for o in olds if o != eid and o not in used)
        if absorbed:
            merges.append(ClusterMerge(eid, absorbed, ids))
    splits = [
        ClusterSplit(old, tuple(sorted(into)))
        for old, into in sorted(spread.items())
        if len(into) > 1
    ]
    return Assignment(clusters, merges, splits)
