"""Clustering edges: connected components, and the guard against chaining."""

from __future__ import annotations

import collections
import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scripts.contacts import COLUMNS
from scripts.make_contacts import Noise, noisy_columns

import recordkit as rk
from recordkit.match import Assignment, Matcher
from recordkit.match._dedupe import strong_weight
from recordkit.match._graph import components, group_labels, guarded_groups

# A person with many records, each copy linked strongly to the first record only: the
# shape noisy copies take (each copy lost or swapped a different field).
STAR = [("c", f"x{i}", 20.0) for i in range(5)]


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

    def test_strong_links_vouch_for_transitive_duplicates(self) -> None:
        """Copies strongly linked to one record are one group, though no two copies link."""
        nodes = ["c", *(f"x{i}" for i in range(5))]
        assert [sorted(nodes)] == guarded_groups(nodes, STAR, 0.3, strong=10.0)

    def test_without_a_strong_weight_a_star_is_cut_as_before(self) -> None:
        """With only edges vouching, a record joining a group of four needs two edges."""
        nodes = ["c", *(f"x{i}" for i in range(5))]
        groups = guarded_groups(nodes, STAR, 0.3)
        assert 1 < len(groups)

    def test_weak_links_do_not_vouch(self) -> None:
        """A star of links below the strong weight is cut: weak links vouch only for themselves."""
        nodes = ["c", *(f"x{i}" for i in range(5))]
        weak = [(a, b, 5.0) for a, b, _ in STAR]
        assert 1 < len(guarded_groups(nodes, weak, 0.3, strong=10.0))

    def test_a_weak_bridge_between_two_people_stays_cut(self) -> None:
        """Strong groups joined by one weak link (a shared common name) stay apart."""
        a = [("a1", "a2", 20.0), ("a1", "a3", 20.0), ("a2", "a3", 20.0)]
        b = [("b1", "b2", 20.0), ("b1", "b3", 20.0), ("b2", "b3", 20.0)]
        nodes = ["a1", "a2", "a3", "b1", "b2", "b3"]
        groups = guarded_groups(nodes, [*a, *b, ("a3", "b1", 4.0)], 0.3, strong=10.0)
        assert [["a1", "a2", "a3"], ["b1", "b2", "b3"]] == groups

    def test_a_weak_hub_joins_one_person_not_both(self) -> None:
        """A record with little in it, weakly like two people, does not chain them together."""
        a = [("a1", "a2", 20.0), ("a1", "a3", 20.0), ("a2", "a3", 20.0)]
        b = [("b1", "b2", 20.0), ("b1", "b3", 20.0), ("b2", "b3", 20.0)]
        hub = [("h", "a1", 5.0), ("h", "b1", 5.0), ("h", "a2", 5.0), ("h", "b2", 5.0)]
        nodes = ["a1", "a2", "a3", "b1", "b2", "b3", "h"]
        groups = guarded_groups(nodes, [*a, *b, *hub], 0.3, strong=10.0)
        assert not any({"a1", "b1"} <= set(g) for g in groups)

    @given(st.integers(min_value=5, max_value=12), st.floats(min_value=0.5, max_value=9.5))
    def test_a_chain_of_weak_links_never_vouches(self, n: int, weight: float) -> None:
        """A chain of links below the strong weight is cut as if no weight were strong."""
        nodes = [f"r{i:02d}" for i in range(n)]
        edges = [(a, b, weight) for a, b in itertools.pairwise(nodes)]
        groups = guarded_groups(nodes, edges, 0.3, strong=10.0)
        assert guarded_groups(nodes, edges, 0.3) == groups
        assert all(len(g) <= 4 for g in groups)

    @given(st.integers(min_value=5, max_value=12))
    def test_a_chain_of_strong_links_is_still_cut(self, n: int) -> None:
        """
        Strong links vouch one step only: a long chain never becomes one group.
        """
        nodes = [f"r{i:02d}" for i in range(n)]
        edges = [(a, b, 20.0) for a, b in itertools.pairwise(nodes)]
        groups = guarded_groups(nodes, edges, 0.3, strong=10.0)
        assert 1 < len(groups)
        assert sorted(nodes) == sorted(x for g in groups for x in g)


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


class TestOnGeneratedPeople:
    """
    The default matcher on generated contacts, grouped with and without strong links.
    """

    @staticmethod
    def _figures(cols: dict[str, list[str]], strong: bool) -> tuple[float, float]:
        columns = [cols[c] for c in COLUMNS]
        rows = [dict(zip(COLUMNS, v, strict=True)) for v in zip(*columns, strict=True)]
        ids = cols["source_id"]
        result = Matcher.for_schema(rk.bundled_schema("contact")).dedupe(rows, ids=ids)
        scored, matcher = result.scored, result.matcher
        keep = scored.match
        weights = np.where(scored.rule[keep] == 1, 99.0, scored.weight[keep])
        labels = group_labels(
            ids,
            scored.left[keep],
            scored.right[keep],
            weights,
            matcher.chain_guard,
            strong=strong_weight(matcher, matcher.fitted()) if strong else None,
        )
        if strong:  # the batch run itself groups with strong links
            assert Assignment.from_labels(ids, labels) == result.assignment
        found = Assignment.from_labels(ids, labels).pairs()
        truth = dict(zip(ids, cols["entity_id"], strict=True))
        right = sum(truth[a] == truth[b] for a, b in found)
        true_pairs = sum(n * (n - 1) // 2 for n in collections.Counter(cols["entity_id"]).values())
        return right / max(1, len(found)), right / true_pairs

    def test_transitive_duplicates_are_found_on_small_noisy_data(self) -> None:
        """Many noisy copies per person: strong links raise recall, precision holds."""
        noise = Noise(copies=5, swap_names=0.2, swap_day_month=0.2, drop_email=0.4, drop=0.3)
        cols = noisy_columns(200, seed=3, dup_rate=0.6, noise=noise)
        plain_p, plain_r = self._figures(cols, strong=False)
        p, r = self._figures(cols, strong=True)
        assert plain_r < r
        assert plain_p <= p

    def test_namesakes_with_little_else_are_not_chained(self) -> None:
        """Common names and missing fields: strong links cost no precision."""
        noise = Noise(drop_email=0.9, drop=0.9, namesakes=0.9)
        cols = noisy_columns(1500, seed=12, dup_rate=0.3, noise=noise)
        plain_p, _ = self._figures(cols, strong=False)
        p, _ = self._figures(cols, strong=True)
        assert plain_p <= p
