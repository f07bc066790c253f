"""Clustering edges: connected components, and the guard against chaining."""

from __future__ import annotations

import numpy as np

from recordkit.match._graph import components, guarded_groups, partition


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


class TestPartition:
    def test_every_record_lands_in_exactly_one_group(self) -> None:
        ids = [f"r{i}" for i in range(7)]
        groups = partition(
            ids, np.array([0, 1, 4]), np.array([1, 2, 5]), np.array([9.0, 9.0, 9.0]), 0.3
        )
        assert [["r0", "r1", "r2"], ["r3"], ["r4", "r5"], ["r6"]] == sorted(groups)
