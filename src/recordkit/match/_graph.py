"""
From scored edges to groups: connected components with a guard against chaining.

Plain connected components let one weak link join two unrelated groups (A1-A2-A3 ~ B1-B2
through A3 ~ B1). The guard joins groups strongest edge first and only when enough of the
pairs between them are edges (``density``, a share of those pairs): a record joining a
pair needs one edge, one joining a group of four needs two at the default 0.3.

That alone cuts a person whose many noisy copies each link to one good record only (a
star: A~B, B~C, A and C share little). So, given a ``strong`` weight, a pair that is no
edge is still *vouched for* when both records are linked by strong edges to one common
record of the two groups, and two groups also join when at least two thirds of the pairs
between them (``VOUCHED_SHARE``, or ``density`` if higher) are edges or vouched for. The
star joins; a chain does not (its far end is vouched for by nobody), and weak links (a
shared common name, little else) vouch for nothing beyond themselves. Ties are broken by
record ids, never by input position, so the result does not depend on the order records
came in.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["components", "group_labels", "guarded_groups"]

Ints = npt.NDArray[np.int64]
# The share of cross pairs that must be vouched for when strong links vouch: two groups
# that only a chain joins (a record far from most of the other group) stay apart.
VOUCHED_SHARE = 2 / 3


def components(n: int, left: Ints, right: Ints) -> Ints:
    """
    The connected-component label of each of *n* nodes (the smallest node index in it).
    """
    labels = np.arange(n, dtype=np.int64)
    if len(left) == 0:
        return labels
    while True:
        low = np.minimum(labels[left], labels[right])
        new = labels.copy()
        np.minimum.at(new, left, low)
        np.minimum.at(new, right, low)
        while True:  # pointer jumping: every node points at its label's label
            jumped = new[new]
            if np.array_equal(jumped, new):
                break
            new = jumped
        if np.array_equal(new, labels):
            return labels
        labels = new


def guarded_groups(
    nodes: Sequence[str],
    edges: Sequence[tuple[str, str, float]],
    density: float,
    *,
    strong: float | None = None,
) -> list[list[str]]:
    """
    Split one connected component into groups, refusing merges that rest on too few edges.

    Args:
        nodes: the record ids of the component.
        edges: ``(id, id, weight)`` above the match threshold.
        density: the share of cross pairs that must be vouched for to join two groups
            (0 turns the guard off: the component is one group).
        strong: the weight from which an edge vouches for its neighbours too (``None``:
            only edges vouch for pairs).
    """
    if density <= 0 or len(nodes) <= 2:
        return [sorted(nodes)]
    linked = {(a, b) if a < b else (b, a) for a, b, _ in edges}
    friends: dict[str, set[str]] = {}  # record → the records it is strongly linked to
    if strong is not None:
        for a, b, w in edges:
            if w >= strong:
                friends.setdefault(a, set()).add(b)
                friends.setdefault(b, set()).add(a)
    parent = {n: n for n in nodes}
    members = {n: [n] for n in nodes}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    ordered = sorted(
        ((w, min(a, b), max(a, b)) for a, b, w in edges), key=lambda e: (-e[0], e[1], e[2])
    )
    for _, a, b in ordered:
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        ga, gb = members[ra], members[rb]
        if len(ga) > 1 or len(gb) > 1:
            pairs = len(ga) * len(gb)
            direct = [((x, y) if x < y else (y, x)) in linked for x in ga for y in gb]
            found = sum(direct)
            if found < density * pairs and friends:
                # strong links may vouch for the rest, when they vouch for most of it
                found += _vouched(ga, gb, direct, friends)
                if found < max(density, VOUCHED_SHARE) * pairs:
                    continue
            elif found < density * pairs:
                continue
        keep, drop = (ra, rb) if ra < rb else (rb, ra)
        parent[drop] = keep
        members[keep] = ga + gb if keep == ra else gb + ga
        del members[drop]
    return sorted(sorted(g) for g in members.values())


def _vouched(ga: list[str], gb: list[str], direct: list[bool], friends: dict[str, set[str]]) -> int:
    """
    The cross pairs that are no edge but share a strong neighbour in ``ga`` or ``gb``.
    """
    inside = set(ga) | set(gb)
    near = {x: friends.get(x, set()) & inside for x in inside}
    out = 0
    k = 0
    for x in ga:
        nx = near[x]
        for y in gb:
            if not direct[k] and nx and not nx.isdisjoint(near[y]):
                out += 1
            k += 1
    return out


def group_labels(
    ids: Sequence[str],
    left: Ints,
    right: Ints,
    weights: npt.NDArray[np.float64],
    density: float,
    *,
    strong: float | None = None,
) -> Ints:
    """
    The group of each record, from edges ``(left[k], right[k], weights[k])`` over ``ids``.

    A group's label is the position of one of its records. Components of one or two
    records, and components where every pair is an edge (no chain is possible), are groups
    as they are; only the others go through `guarded_groups` (with *strong*).
    """
    n = len(ids)
    labels = components(n, left, right)
    sizes = np.bincount(labels, minlength=n)[labels]
    big = sizes > 2
    if not big.any():
        return labels
    edges_in = np.bincount(labels[left], minlength=n)[labels]
    big &= edges_in != sizes * (sizes - 1) // 2
    if not big.any():
        return labels
    node_order = np.flatnonzero(big)
    node_order = node_order[np.argsort(labels[node_order], kind="stable")]
    node_lab = labels[node_order]
    n_starts = np.flatnonzero(np.r_[True, node_lab[1:] != node_lab[:-1]])
    e_order = np.flatnonzero(big[left])
    e_order = e_order[np.argsort(labels[left[e_order]], kind="stable")]
    e_lab = labels[left[e_order]]
    for s, e in zip(n_starts, [*n_starts[1:], len(node_order)], strict=True):
        comp = int(node_lab[s])
        lo, hi = np.searchsorted(e_lab, [comp, comp + 1])
        idx = e_order[lo:hi]
        edges = [
            (ids[a], ids[b], float(w))
            for a, b, w in zip(
                left[idx].tolist(), right[idx].tolist(), weights[idx].tolist(), strict=True
            )
        ]
        rows = node_order[s:e].tolist()
        position = {ids[i]: i for i in rows}
        for group in guarded_groups([ids[i] for i in rows], edges, density, strong=strong):
            members = [position[x] for x in group]
            labels[members] = members[0]
    return labels
