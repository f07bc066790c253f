"""The point-of-entry Index: lookups with reasons, stable ids, the same clusters as batch."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recordkit import RecordkitError, SchemaError
from recordkit.match import ClusterMerge, Index, Match, Matcher, MatchExplanation
from tests.match.strategies import rules_matcher, tiny_fs_matcher
from tests.strategies import people

ADA = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.com",
    "phone": "2125550100",
}
ADA_2 = {"first_name": "Ada", "last_name": "Lovelace", "email": "ADA@example.com"}
ADA_PHONE = {"first_name": "Ada", "last_name": "Lovelace", "phone": "(212) 555-0100"}


class TestLookup:
    def test_says_which_record_how_sure_and_why(self) -> None:
        """
        A lookup names the matching record and its entity, explains the score and calls it a
        duplicate.
        """
        index = Index(rules_matcher())
        index.add(ADA, id="c1")
        hit = index.lookup(ADA_2)
        assert hit.best is not None
        assert ("c1", "c1", "exact", True) == (
            hit.best.record_id,
            hit.best.entity_id,
            hit.best.explanation.term("email").level,
            hit.is_duplicate,
        )

    def test_an_explanation_is_made_when_read_and_equals_the_direct_one(self) -> None:
        """
        A lookup's match explains itself when read: the same explanation as
        `Matcher.explain` of the pair, made once, and matches compare by it.
        """
        index = Index(rules_matcher())
        index.add(ADA, id="c1")
        best = index.lookup(ADA_2, record_id="n1").best
        again = index.lookup(ADA_2, record_id="n1").best
        assert best is not None
        assert again is not None
        first = best.explanation
        assert first is best.explanation  # made once, then kept
        assert (best, hash(best)) == (again, hash(again))
        assert "explanation=MatchExplanation(" in repr(best)
        assert [t.weight for t in first.terms] == [t.weight for t in again.explanation.terms]

    def test_a_match_given_a_function_calls_it_once(self) -> None:
        """A `Match` made with a function for its explanation calls it on first read only."""
        calls: list[int] = []
        made = MatchExplanation("a", "b", prior=-3.0)

        def explain() -> MatchExplanation:
            calls.append(1)
            return made

        match = Match("b", "b", 0.9, 3.0, explain)
        assert [] == calls
        assert (made, made, [1]) == (match.explanation, match.explanation, calls)
        assert match == Match("b", "b", 0.9, 3.0, made)

    def test_lookup_adds_nothing(self) -> None:
        """A lookup leaves the index as it was."""
        index = Index(rules_matcher())
        index.lookup(ADA)
        assert 0 == len(index)

    def test_a_record_with_nothing_to_block_on_has_no_candidates(self) -> None:
        """A record with no blocking key finds no candidates and is no duplicate."""
        index = Index(rules_matcher())
        index.add(ADA, id="c1")
        assert (0, False) == (
            index.lookup({"email": None}).candidates,
            index.lookup({}).is_duplicate,
        )

    def test_a_huge_block_is_skipped_and_reported(self) -> None:
        """A block larger than max_block is skipped, reported, and the other blocks still match."""
        index = Index(rules_matcher(), max_block=3)
        for i in range(5):
            index.add({"email": f"p{i}@x.com", "phone": "2125550100"}, id=f"c{i}")
        hit = index.lookup({"email": "p1@x.com", "phone": "2125550100"})
        assert hit.best is not None
        assert (("phone",), "c1") == (hit.skipped, hit.best.record_id)

    def test_another_schemas_record_is_refused(self) -> None:
        """A record with none of the matcher's fields is refused."""
        index = Index(rules_matcher())
        with pytest.raises(SchemaError, match="none of the fields"):
            index.lookup({"name": "Acme Corp", "industry": "Retail"})

    def test_needs_a_fitted_matcher(self) -> None:
        """An index refuses a matcher that has not been fitted."""
        with pytest.raises(RecordkitError, match="fitted"):
            Index(tiny_fs_matcher())


class TestAdd:
    def test_a_duplicate_joins_the_existing_entity(self) -> None:
        """An added duplicate joins the entity of the record it matches."""
        index = Index(rules_matcher())
        index.add(ADA, id="c1")
        added = index.add(ADA_2, id="c2")
        assert ("c1", "c1") == (added.entity_id, index.entity_of("c2"))

    def test_a_bridging_record_makes_a_recorded_merge(self) -> None:
        """A record matching two entities joins them, and the merge says which survived and why."""
        index = Index(rules_matcher())
        index.add(ADA_2, id="c1")  # email only
        index.add(ADA_PHONE, id="c2")  # phone only: a second entity
        bridge = index.add(ADA, id="c3")  # both: joins them
        merge = bridge.merges[0]
        assert (ClusterMerge, "c1", ("c2",), {"c1", "c2", "c3"}) == (
            type(merge),
            merge.kept,
            merge.absorbed,
            set(merge.record_ids),
        )
        assert merge.explanation is not None
        assert merge.bridge is not None

    def test_ids_are_unique(self) -> None:
        """Adding an id already in the index is refused."""
        index = Index(rules_matcher())
        index.add(ADA, id="c1")
        with pytest.raises(RecordkitError, match="already in the index"):
            index.add(ADA, id="c1")

    @settings(max_examples=20)
    @given(people())
    def test_one_by_one_ends_with_the_batch_clusters(self, rows: list[dict[str, Any]]) -> None:
        """Adding rows one by one ends with the clusters a batch dedupe finds."""
        fitted = tiny_fs_matcher().fit(rows)
        index = Index(fitted)
        for row in rows:
            index.add(row)
        assert fitted.dedupe(rows).assignment.partition() == index.clusters().partition()

    @settings(max_examples=10)
    @given(people())
    def test_build_equals_adding(self, rows: list[dict[str, Any]]) -> None:
        """Index.build gives the clusters that adding the rows one by one gives."""
        m: Matcher = rules_matcher()
        index = Index(m)
        for row in rows:
            index.add(row)
        built = Index.build(m, rows)
        assert built.clusters().partition() == index.clusters().partition()


class TestRemoveAndReplace:
    def test_removing_a_bridge_splits_its_cluster(self) -> None:
        """Removing the record that bridged two entities splits them again and records the split."""
        index = Index(rules_matcher())
        index.add(ADA_2, id="c1")
        index.add(ADA_PHONE, id="c2")
        index.add(ADA, id="c3")
        splits = index.remove("c3")
        assert ("c1", 2, 2, False) == (
            index.entity_of("c1"),
            len(index.clusters().clusters),
            len(index),
            "c3" in index,
        )
        assert ("c1",) == tuple(s.entity_id for s in splits)

    def test_a_removed_record_is_never_found_again(self) -> None:
        """A removed record is gone from the index and from lookups."""
        index = Index(rules_matcher())
        index.add(ADA, id="c1")
        index.remove("c1")
        assert (0, False) == (len(index), index.lookup(ADA_2).is_duplicate)

    def test_replace_keeps_the_entity_while_the_record_still_matches(self) -> None:
        """Replacing a record's values keeps its entity while it still matches."""
        index = Index(rules_matcher())
        index.add(ADA, id="c1")
        index.add(ADA_2, id="c2")
        moved = index.replace({**ADA_2, "first_name": "Augusta Ada"}, id="c2")
        assert ("c1", "c1") == (moved.entity_id, index.entity_of("c2"))

    def test_replace_lets_a_record_leave_its_entity(self) -> None:
        """Replacing a record with values that no longer match gives it an entity of its own."""
        index = Index(rules_matcher())
        index.add(ADA, id="c1")
        index.add(ADA_2, id="c2")
        index.replace({"first_name": "Grace", "email": "grace@navy.mil"}, id="c2")
        assert ("c1", "c2") == (index.entity_of("c1"), index.entity_of("c2"))

    def test_unknown_ids_are_refused(self) -> None:
        """Removing or replacing an id not in the index is refused."""
        index = Index(rules_matcher())
        with pytest.raises(RecordkitError, match="not in the index"):
            index.remove("nope")
        with pytest.raises(RecordkitError, match="not in the index"):
            index.replace(ADA, id="nope")

    @settings(max_examples=25)
    @given(people(), st.data())
    def test_replacing_ends_with_the_batch_clusters_of_the_new_values(
        self, rows: list[dict[str, Any]], data: st.DataObject
    ) -> None:
        """After a record changes, the index partitions as a batch run over the new data."""
        m: Matcher = rules_matcher()
        ids = [f"r{i}" for i in range(len(rows))]
        index = Index(m)
        for rid, row in zip(ids, rows, strict=True):
            index.add(row, id=rid)
        i = data.draw(st.integers(0, len(rows) - 1))
        j = data.draw(st.integers(0, len(rows) - 1))
        final = [*rows[:i], dict(rows[j]), *rows[i + 1 :]]
        index.replace(final[i], id=ids[i])
        assert m.dedupe(final, ids=ids).assignment.partition() == index.clusters().partition()
