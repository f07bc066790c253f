"""
From scored edges to groups: connected components with a guard against chaining.

Plain connected components let one weak link join two unrelated groups (A1-A2-A3 ~ B1-B2
through A3 ~ B1). The guard joins groups strongest edge first and only when enough of the
pairs between them are edges themselves (``density``); a record joining a pair needs one
edge, one joining a group of four needs two at the default 0.3. Ties are broken by record
ids, never by input position, so the result does not depend on the order records came in.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["components", "guarded_groups", "partition"]

Ints = npt.NDArray[np.int64]


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
    nodes: Sequence[str], edges: Sequence[tuple[str, str, float]], density: float
) -> list[list[str]]:
    """
    Split one connected component into groups, refusing merges that rest on too few edges.

    Args:
        nodes: the record ids of the component.
        edges: ``(id, id, weight)`` above the match threshold.
        density: the share of cross pairs that must be edges to join two groups
            (0 turns the guard off: the component is one group).
    """
    if density <= 0 or len(nodes) <= 2:
        return [sorted(nodes)]
    linked = {(a, b) if a < b else (b, a) for a, b, _ in edges}
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
            cross = sum(1 for x in ga for y in gb if ((x, y) if x < y else (y, x)) in linked)
            if cross < density * len(ga) * len(gb):
                continue
        keep, drop = (ra, rb) if ra < rb else (rb, ra)
        parent[drop] = keep
        members[keep] = ga + gb if keep == ra else gb + ga
        del members[drop]
    return sorted(sorted(g) for g in members.values())


def partition(
    ids: Sequence[str], left: Ints, right: Ints, weights: npt.NDArray[np.float64], density: float
) -> list[list[str]]:
    """
    Groups of record ids from edges ``(left[k], right[k], weights[k])`` over ``ids``.
    """
    n = len(ids)
    labels = components(n, left, right)
    sizes = np.bincount(labels, minlength=n)
    size_of = sizes[labels]
    names = np.empty(n, dtype=object)
    names[:] = list(ids)
    # one record, or two: no guard needed, and no Python step per row beyond the list
    out: list[list[str]] = [[x] for x in names[size_of == 1].tolist()]
    two = np.flatnonzero(size_of == 2)
    two = two[np.argsort(labels[two], kind="stable")]
    out.extend(sorted(p) for p in names[two].reshape(-1, 2).tolist())
    big = size_of > 2
    # a component where every pair is an edge cannot be a chain: it needs no guard
    edges_in = np.bincount(labels[left], minlength=n)
    complete = big & (edges_in[labels] == sizes[labels] * (sizes[labels] - 1) // 2)
    if complete.any():
        rows = np.flatnonzero(complete)
        rows = rows[np.argsort(labels[rows], kind="stable")]
        lab = labels[rows]
        cuts = np.flatnonzero(lab[1:] != lab[:-1]) + 1
        out.extend(sorted(g) for g in np.split(names[rows], cuts) if len(g))
        big &= ~complete
    order = np.argsort(labels, kind="stable")
    if big.any():
        edge_label = labels[left]
        in_big = big[left]
        e_order = np.flatnonzero(in_big)
        e_order = e_order[np.argsort(edge_label[e_order], kind="stable")]
        node_order = order[big[order]]
        node_lab = labels[node_order]
        n_starts = np.flatnonzero(np.r_[True, node_lab[1:] != node_lab[:-1]])
        e_lab = edge_label[e_order]
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
            out.extend(guarded_groups([ids[i] for i in node_order[s:e]], edges, density))
    return out
