"""Clustering edges: connected components, and the guard against chaining."""

from __future__ import annotations

import numpy as np

from recordkit.match._graph import components, group_labels, guarded_groups


class TestComponents:
    def test_labels_are_the_smallest_member(self) -> None:
        labels = components(6, np.array([0, 2, 4]), np.array([1, 3, 3]))
        assert [0, 0, 2, 2, 2, 5] == labels.tolist()


class TestGuardedGroups:
    def test_one_weak_link_does_not_chain_two_groups(self) -> None:
        a = [("a1", "a2", 20.0), ("a1", "a3", 20.0), ("a2", "a3", 20.0)]
        b = [("b1", "b2", 20.0), ("b1", "b3", 20.0), ("b2", "b3", 20.0)]
        nodes = ["a1", "a2", "a3", "b1", "b2", "b3"]
        groups = guarded_groups(nodes, [*a, *b, ("a3", "b1", 4.0)], 0.3)
        assert [["a1", "a2", "a3"], ["b1", "b2", "b3"]] == groups

    def test_the_guard_can_be_turned_off(self) -> None:
        edges = [("a", "b", 9.0), ("b", "c", 9.0), ("c", "d", 9.0), ("d", "e", 9.0)]
        assert [["a", "b", "c", "d", "e"]] == guarded_groups(list("abcde"), edges, 0.0)

    def test_a_long_chain_of_single_links_is_cut(self) -> None:
        edges = [(x, y, 9.0) for x, y in zip("abcdefg", "bcdefgh", strict=False)]
        groups = guarded_groups(list("abcdefgh"), edges, 0.3)
        assert all(len(g) <= 4 for g in groups)


def _groups(ids: list[str], labels: np.ndarray) -> list[list[str]]:
    out: dict[int, list[str]] = {}
    for rid, label in zip(ids, labels.tolist(), strict=True):
        out.setdefault(label, []).append(rid)
    return sorted(sorted(g) for g in out.values())


class TestGroupLabels:
    def test_every_record_lands_in_exactly_one_group(self) -> None:
        ids = [f"r{i}" for i in range(7)]
        labels = group_labels(
            ids, np.array([0, 1, 4]), np.array([1, 2, 5]), np.array([9.0, 9.0, 9.0]), 0.3
        )
        assert [["r0", "r1", "r2"], ["r3"], ["r4", "r5"], ["r6"]] == _groups(ids, labels)

    def test_a_chained_component_is_split_as_guarded_groups_split_it(self) -> None:
        ids = ["a1", "a2", "a3", "b1", "b2", "b3", "x"]
        pos = {rid: i for i, rid in enumerate(ids)}
        edges = [
            ("a1", "a2", 20.0), ("a1", "a3", 20.0), ("a2", "a3", 20.0),
            ("b1", "b2", 20.0), ("b1", "b3", 20.0), ("b2", "b3", 20.0),
            ("a3", "b1", 4.0),
        ]  # fmt: skip
        left = np.array([pos[a] for a, _, _ in edges])
        right = np.array([pos[b] for _, b, _ in edges])
        weights = np.array([w for _, _, w in edges])
        labels = group_labels(ids, left, right, weights, 0.3)
        assert [["a1", "a2", "a3"], ["b1", "b2", "b3"], ["x"]] == _groups(ids, labels)
        unguarded = group_labels(ids, left, right, weights, 0.0)
        assert [["a1", "a2", "a3", "b1", "b2", "b3"], ["x"]] == _groups(ids, unguarded)
