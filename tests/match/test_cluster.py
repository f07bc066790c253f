"""Entity ids: stable across runs, merges and splits recorded, independent of order."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recordkit import RecordkitError
from recordkit.match import Assignment, Cluster, ClusterMerge, ClusterSplit, assign_entity_ids


class TestAssignEntityIds:
    def test_new_groups_are_named_by_their_smallest_record(self) -> None:
        """A new group's entity id is its smallest record id."""
        a = assign_entity_ids([["r2", "r1"], ["r3"]])
        assert (Cluster("r1", ("r1", "r2")), Cluster("r3", ("r3",))) == a.clusters

    def test_ids_survive_a_rerun(self) -> None:
        """Records keep the entity ids of the previous run, and a newcomer takes its group's."""
        a = assign_entity_ids(
            [["r1", "r2", "r9"], ["r3"]], previous={"r1": "E1", "r2": "E1", "r3": "E7"}
        )
        assert {"r1": "E1", "r2": "E1", "r9": "E1", "r3": "E7"} == a.entity_of

    def test_covering_two_entities_is_a_recorded_merge(self) -> None:
        """A group spanning two previous entities keeps one id and records the merge."""
        a = assign_entity_ids([["r1", "r2", "r3"]], previous={"r1": "E1", "r2": "E1", "r3": "E2"})
        assert (ClusterMerge("E1", ("E2",), ("r1", "r2", "r3")),) == a.merges

    def test_spreading_one_entity_is_a_recorded_split(self) -> None:
        """A previous entity spread over two groups is recorded as a split, not a merge."""
        a = assign_entity_ids([["r1", "r2"], ["r3"]], previous={"r1": "E1", "r2": "E1", "r3": "E1"})
        assert ((ClusterSplit("E1", ("E1", "r3")),), ()) == (a.splits, a.merges)

    def test_a_fresh_id_never_reuses_a_taken_one(self) -> None:
        """A fresh id that an existing entity already holds gets a suffix."""
        a = assign_entity_ids([["r1"], ["r2"]], previous={"r1": "r2"})
        assert {"r1": "r2", "r2": "r2~2"} == a.entity_of

    def test_a_record_in_two_groups_is_refused(self) -> None:
        """A record in two groups is refused."""
        with pytest.raises(RecordkitError, match="in two clusters"):
            assign_entity_ids([["r1", "r2"], ["r2"]])

    @pytest.mark.parametrize(
        "groups",
        [pytest.param(["r1"], id="string-not-group"), pytest.param([[1, 2]], id="int-ids")],
    )
    def test_garbage_is_refused(self, groups: list[object]) -> None:
        """Groups that are not lists of text ids are refused."""
        with pytest.raises(RecordkitError):
            assign_entity_ids(groups)  # type: ignore[arg-type]

    @given(
        st.lists(st.sets(st.sampled_from([f"r{i}" for i in range(12)]), min_size=1), max_size=6),
        st.randoms(),
    )
    def test_order_of_groups_and_members_does_not_matter(
        self, raw: list[set[str]], rnd: random.Random
    ) -> None:
        """Shuffling the groups and their members gives the same assignment."""
        seen: set[str] = set()
        groups: list[list[str]] = []
        for drawn in raw:
            fresh = drawn - seen
            seen |= fresh
            if fresh:
                groups.append(sorted(fresh))
        shuffled = [list(g) for g in groups]
        rnd.shuffle(shuffled)
        for g in shuffled:
            rnd.shuffle(g)
        assert assign_entity_ids(groups) == assign_entity_ids(shuffled)


class TestAssignment:
    def test_pairs_are_every_pair_within_a_cluster(self) -> None:
        """The pairs of an assignment are every pair of records within one cluster."""
        a = Assignment([Cluster("e", ("a", "b", "c")), Cluster("d", ("d",))])
        assert {("a", "b"), ("a", "c"), ("b", "c")} == a.pairs()

    def test_an_assignment_is_equal_to_one_built_the_same(self) -> None:
        """Assignments of the same clusters are equal and hash alike, whatever the member order."""
        a = Assignment([Cluster("e", ("a", "b"))])
        assert (a == Assignment([Cluster("e", ("b", "a"))]), hash(a)) == (
            True,
            hash(Assignment(a.clusters)),
        )


class TestFromLabels:
    @given(st.lists(st.integers(0, 5), max_size=30), st.randoms())
    def test_labels_give_what_assign_entity_ids_gives_the_groups(
        self, raw: list[int], rnd: random.Random
    ) -> None:
        """
        An assignment from cluster labels equals the one assign_entity_ids makes of the same groups.
        """
        ids = [f"r{i:02d}" for i in range(len(raw))]
        rnd.shuffle(ids)
        groups: dict[int, list[str]] = {}
        for rid, label in zip(ids, raw, strict=True):
            groups.setdefault(label, []).append(rid)
        made = Assignment.from_labels(ids, np.array(raw, dtype=np.int64))
        expected = assign_entity_ids(groups.values())
        assert (expected, expected.entity_of) == (made, made.entity_of)

    @pytest.mark.parametrize(
        ("ids", "labels"),
        [
            pytest.param(["a", "a"], [0, 1], id="repeated-id"),
            pytest.param(["a", 1], [0, 1], id="int-id"),
            pytest.param(["a", "b"], [0], id="short-labels"),
            pytest.param(["a", "b"], [0.5, 1.0], id="float-labels"),
            pytest.param(["a", "b"], [[0, 1]], id="2d-labels"),
        ],
    )
    def test_garbage_is_refused(self, ids: list[object], labels: list[int]) -> None:
        """Repeated or non-text ids and labels of the wrong length, type or shape are refused."""
        with pytest.raises(RecordkitError):
            Assignment.from_labels(ids, np.array(labels))  # type: ignore[arg-type]
