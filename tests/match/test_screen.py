"""Point-of-entry checks in the facade: flag, block or merge a duplicate on capture."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

import recordkit as rk
from recordkit.match import DuplicateCheck, DuplicateError, Index, Verdict
from tests.match.strategies import rules_matcher

BOB = {"first_name": "Robert", "last_name": "Smith", "email": "bob.smith@gmail.com"}
BOB_2 = {"first_name": "Bob", "last_name": "Smith", "email": "bobsmith+crm@gmail.com"}
OTHER = {"first_name": "Ann", "last_name": "Lee", "email": "ann@lee.org"}


def steward(**thresholds: float | None) -> rk.Steward:
    check = DuplicateCheck(Index(rules_matcher(schema="contact")), **thresholds)
    return rk.Steward(rk.bundled_schema("contact"), matcher=check)


class TestCapture:
    def test_flags_a_duplicate_and_keeps_why(self) -> None:
        """Capturing a duplicate audits a flag naming both records, with the explanation."""
        s = steward()
        a = s.capture(BOB, source="web")
        b = s.capture(BOB_2, source="web")
        flags = [e for e in s.audit.events() if e.action == "flag_duplicate"]
        assert (1, [b.id, a.id]) == (len(flags), list(flags[0].record_ids))
        [flag] = flags[0].detail["flags"]
        assert (b.id, a.id) == (flag["record"], flag["other"])
        why = {comparison for comparison, _, _ in flag["why"]}
        assert "email" in why
        [review] = s.reviews()
        assert (review.id, "terms") == (
            flag["review"],
            next(iter(review.explanation)) and "terms",
        )

    def test_blocks_a_duplicate_and_stores_nothing(self) -> None:
        """Above block_at, capturing a duplicate raises DuplicateError and stores nothing."""
        s = steward(block_at=9)
        a = s.capture(BOB, source="web")
        with pytest.raises(DuplicateError, match=f"record '{a.id}'") as err:
            s.capture(BOB_2, source="web")
        assert (1, "block") == (
            len(s.find_duplicates().assignment.entity_of),
            err.value.verdict.action,
        )

    def test_merges_a_sure_duplicate(self) -> None:
        """Above merge_at, a captured duplicate is merged with the record it matches."""
        s = steward(merge_at=9)
        a = s.capture(BOB, source="web")
        b = s.capture(BOB_2, source="web")
        merges = s.merges(a.id)
        ids = set(merges[0].record_ids)
        assert (1, 2, True, True) == (len(merges), len(ids), a.id in ids, b.id in ids)

    def test_a_new_person_passes(self) -> None:
        """A record that matches nobody is captured as an entity of its own."""
        s = steward(block_at=9)
        s.capture(BOB, source="web")
        s.capture(OTHER, source="web")
        assert 2 == len(s.find_duplicates().clusters)

    def test_a_batch_joins_the_index(self) -> None:
        """Records taken in by capture_many are what later captures are checked against."""
        s = steward(block_at=9)
        (a,) = s.capture_many([BOB], source="import").records
        with pytest.raises(DuplicateError, match=f"record '{a.id}'"):
            s.capture(BOB_2, source="web")

    def test_an_update_is_what_later_captures_see(self) -> None:
        """Later captures are checked against a record's updated values, not its old ones."""
        s = steward(block_at=9)
        a = s.capture(BOB, source="web")
        s.update(
            a.id, {"first_name": "Ann", "last_name": "Lee", "email": "ann@lee.org"}, source="crm"
        )
        s.capture(BOB_2, source="web")  # Bob's old values are gone from the index
        with pytest.raises(DuplicateError, match=f"record '{a.id}'"):
            s.capture(OTHER, source="web")

    def test_retired_and_merged_records_leave_the_index_and_unmerge_restores_them(
        self,
    ) -> None:
        """Merged and retired records leave the duplicate index, and unmerge puts them back."""
        s = steward()
        a = s.capture(BOB, source="web")
        b = s.capture(OTHER, source="web")
        merge = s.merge([a.id, b.id], actor=rk.Actor("ops"))
        assert s.matcher is not None
        index = s.matcher.index
        assert ([merge.survivor_id], 1) == (
            [rid for rid in (a.id, b.id) if rid in index],
            len(index),
        )
        s.unmerge(merge.id, actor=rk.Actor("ops"))
        assert {a.id, b.id} == {rid for rid in (a.id, b.id) if rid in index}
        s.retire(a.id, actor=rk.Actor("ops"), reason="gdpr_request")
        assert (False, 1) == (a.id in index, len(index))

    def test_no_matcher_no_check(self) -> None:
        """Without a matcher, duplicates are captured and find_duplicates says what it needs."""
        s = rk.Steward(rk.bundled_schema("contact"))
        s.capture(BOB, source="web")
        s.capture(BOB, source="web")
        with pytest.raises(rk.RecordkitError, match="needs Steward"):
            s.find_duplicates()


class TestFindDuplicates:
    def test_batch_clusters_keep_the_index_entity_ids(self) -> None:
        """A batch run of find_duplicates keeps the entity ids the index gave."""
        s = steward()
        a = s.capture(BOB, source="web")
        b = s.capture(BOB_2, source="web")
        assert {a.id: a.id, b.id: a.id} == s.find_duplicates().entity_of

    def test_a_matcher_must_be_a_duplicate_check(self) -> None:
        """A bare matcher given as the steward's matcher is refused."""
        with pytest.raises(rk.RecordkitError, match="DuplicateCheck"):
            rk.Steward(rk.bundled_schema("contact"), matcher=rules_matcher())  # type: ignore[arg-type]


class TestUpdate:
    def test_an_edit_into_a_duplicate_is_blocked_and_stores_nothing(self) -> None:
        """
        An update that makes a record a duplicate above block_at is refused and stores nothing.
        """
        s = steward(block_at=9)
        a = s.capture(BOB, source="web")
        b = s.capture(OTHER, source="web")
        with pytest.raises(DuplicateError, match=f"record '{a.id}'"):
            s.update(b.id, BOB_2, source="crm")
        assert (1, OTHER["email"]) == (s.get(b.id).version, s.get(b.id).values["email"])

    def test_an_edit_into_a_duplicate_is_flagged_not_merged(self) -> None:
        """An update that makes a record a duplicate above merge_at is flagged, never merged."""
        s = steward(merge_at=9)
        a = s.capture(BOB, source="web")
        b = s.capture(OTHER, source="web")
        updated = s.update(b.id, BOB_2, source="crm")
        flags = [e for e in s.audit.events() if e.action == "flag_duplicate"]
        assert ([[b.id, a.id]], [], 2) == (
            [list(e.record_ids) for e in flags],
            s.merges(a.id),
            updated.version,
        )

    def test_a_known_duplicate_is_not_flagged_again(self) -> None:
        """Editing a record already in its duplicate's entity raises no new flag."""
        s = steward()
        s.capture(BOB, source="web")
        b = s.capture(BOB_2, source="web")
        s.update(b.id, {"first_name": "Bobby"}, source="crm")
        flags = [e for e in s.audit.events() if e.action == "flag_duplicate"]
        assert 1 == len(flags)  # the capture's flag only

    def test_only_edits_of_matched_fields_are_checked(self) -> None:
        """Only an update of a field the matcher compares is screened."""
        s = steward(block_at=9)
        check = s.matcher
        assert check is not None
        seen: list[str] = []
        real = check.screen_change

        def counting(record: rk.Record, *, never: Iterable[str] = ()) -> Verdict:
            seen.append(record.id)
            return real(record, never=never)

        check.screen_change = counting  # type: ignore[method-assign]
        b = s.capture(OTHER, source="web")
        s.update(b.id, {"job_title": "CTO"}, source="crm")
        s.update(b.id, {"last_name": "Lee-Park"}, source="crm")
        assert [b.id] == seen
