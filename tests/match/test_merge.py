"""Merge planning and unmerge planning: the pure domain part, no store involved."""

from __future__ import annotations

import json
import random
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import recordkit as rk
from recordkit.match import (
    MERGED,
    MatchExplanation,
    Survive,
    WeightTerm,
    find_repoints,
    plan_merge,
    plan_unmerge,
)
from tests.match.merge_examples import PERSON, TICKET, at, person
from tests.strategies import merge_policies, person_groups

NOW = at(30)


def plan(records: list[rk.Record], **options: Any) -> rk.MergePlan:
    return plan_merge(PERSON, records, merge_id="m1", at=NOW, **options)


def content(record: rk.Record) -> rk.Record:
    """The record without its bookkeeping (version, updated_at), which an unmerge moves on."""
    return record.evolve(version=0, updated_at=record.created_at)


ADA = person("a", {"name": "Ada", "email": "ada@example.com", "tags": "vip"}, seen=1)
ADA_WEB = person(
    "b",
    {"name": "Ada Lovelace", "city": "London", "tags": "b2b;vip"},
    source="web",
    seen=4,
    created=2,
)


class TestPlanMerge:
    def test_values_lineage_and_provenance(self) -> None:
        """
        The survivor takes each field's winning value with its provenance, and the lineage keeps the
        losers.
        """
        p = plan([ADA_WEB, ADA])
        assert ("a", ("b",)) == (p.survivor_id, p.merged_ids)
        assert {
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "city": "London",
            "tags": ("vip", "b2b"),
        } == dict(p.survivor.values)
        assert "web" == p.survivor.provenance["name"].source
        name = p.cell("name")
        assert name is not None
        assert (("b",), "web", "most_recent") == (name.record_ids, name.source, name.strategy)
        assert ["Ada"] == [c.value for c in name.losers]
        assert None is p.cell("score")

    def test_written_records(self) -> None:
        """
        The plan writes a new survivor version and tombstones that keep their values and record the
        merge.
        """
        p = plan([ADA, ADA_WEB])
        tomb = p.tombstones[0]
        assert (2, NOW, "captured") == (p.survivor.version, p.survivor.updated_at, p.survivor.state)
        assert (MERGED, 2, ADA_WEB.values) == (tomb.state, tomb.version, tomb.values)
        assert ("captured", MERGED, "merge", "m1") == (
            tomb.history[-1].source,
            tomb.history[-1].target,
            tomb.history[-1].event,
            tomb.history[-1].reason,
        )
        assert (ADA, ADA_WEB) == p.originals

    def test_owner_follows_the_owner_field(self) -> None:
        """The survivor's owner follows the winning value of the owner field."""
        a = person("a", {"owner": "rep-1"}, seen=0)
        b = person("b", {"owner": "rep-2"}, seen=5, created=1)
        assert "rep-2" == plan([a, b]).survivor.owner

    def test_picks_override_the_policy(self) -> None:
        """A pick overrides the policy and the lineage says it was picked by hand."""
        p = plan([ADA, ADA_WEB], picks={"name": "a"})
        name = p.cell("name")
        assert name is not None
        assert ("Ada", "picked by hand from record 'a'") == (p.survivor["name"], name.reason)

    def test_identical_records_merge(self) -> None:
        """Identical records merge into the same values with no losers."""
        twin = attrs.evolve(ADA, id="a2")
        p = plan([ADA, twin])
        assert dict(ADA.values) == dict(p.survivor.values)
        assert [] == [c for cell in p.lineage for c in cell.losers]

    def test_records_with_every_field_missing_merge(self) -> None:
        """Records with no values merge into a survivor with no values and no lineage."""
        p = plan([person("a", {}), person("b", {}, created=1)])
        assert ({}, ()) == (dict(p.survivor.values), p.lineage)

    def test_validity_check_feeds_validated_only(self) -> None:
        """validated_only keeps the value the validity check accepts."""
        p = plan(
            [ADA, ADA_WEB],
            policy=rk.MergePolicy(fields={"name": Survive.validated_only(), "tags": "keep_all"}),
            valid=lambda field, value: value != "Ada Lovelace",
        )
        assert "Ada" == p.survivor["name"]

    @pytest.mark.parametrize(
        ("records", "message"),
        [
            pytest.param([ADA], "at least two records, got 1", id="one"),
            pytest.param([], "at least two records, got 0", id="none"),
            pytest.param([ADA, ADA], "cannot be merged with itself", id="itself"),
            pytest.param(
                [ADA, rk.Record("t", "ticket", {}, created_at=at(0))],
                "'t' is a 'ticket'",
                id="other-schema",
            ),
            pytest.param([ADA, ADA_WEB.evolve(state=MERGED)], "'b' is merged", id="merged"),
            pytest.param([ADA, ADA_WEB.evolve(state="retired")], "'b' is retired", id="retired"),
            pytest.param([ADA, ADA_WEB.evolve(state="erased")], "'b' is erased", id="erased"),
            pytest.param("ab", "list of records, got str", id="string"),
            pytest.param([ADA, {"id": "b"}], "takes records, got dict", id="not-a-record"),
            pytest.param(None, "list of records, got NoneType", id="null"),
        ],
    )
    def test_bad_input(self, records: Any, message: str) -> None:
        """
        Too few records, repeats, other schemas, records no longer live and non-records are refused.
        """
        with pytest.raises(rk.MergeError, match=message):
            plan(records)

    @pytest.mark.parametrize(
        ("options", "message"),
        [
            pytest.param({"merge_id": ""}, "merge id is non-empty text", id="blank-id"),
            pytest.param({"merge_id": None}, "merge id is non-empty text", id="none-id"),
            pytest.param({"at": "2026-01-01"}, "timezone-aware datetime", id="text-time"),
            pytest.param(
                {"at": NOW.replace(tzinfo=None)}, "timezone-aware datetime", id="naive-time"
            ),
        ],
    )
    def test_bad_options(self, options: dict[str, Any], message: str) -> None:
        """A blank merge id or a time that is not timezone-aware is refused with a short message."""
        with pytest.raises(rk.MergeError, match=message) as info:
            plan_merge(PERSON, [ADA, ADA_WEB], **{"merge_id": "m1", "at": NOW, **options})
        assert len(str(info.value)) < 200

    def test_pick_outside_the_merge(self) -> None:
        """A pick naming a record outside the merge is refused."""
        with pytest.raises(rk.MergeError, match="not in this merge"):
            plan([ADA, ADA_WEB], picks={"name": "zz"})

    def test_policy_naming_unknown_field(self) -> None:
        """A policy naming an unknown field is refused with the name."""
        with pytest.raises(rk.SchemaError, match="unknown field 'nmae'"):
            plan([ADA, ADA_WEB], policy=rk.MergePolicy(fields={"nmae": "longest"}))

    def test_explanations_are_kept(self) -> None:
        """Explanations given to the plan are kept in order."""
        e = MatchExplanation("a", "b", prior=-3.0, terms=[WeightTerm("email", "exact", 3, 9.5)])
        p = plan([ADA, ADA_WEB], explanation=[e, {"rule": "same email"}])
        assert (e, {"rule": "same email"}) == p.explanations

    @pytest.mark.parametrize(
        "explanation",
        [pytest.param(object(), id="object"), pytest.param({"x": {1, 2}}, id="set-inside")],
    )
    def test_explanations_must_be_plain(self, explanation: Any) -> None:
        """An explanation that is not plain data is refused."""
        with pytest.raises(rk.MergeError, match="explanation"):
            plan([ADA, ADA_WEB], explanation=explanation)


class TestMergeInvariants:
    @given(person_groups(), merge_policies)
    def test_no_value_is_lost(self, records: list[rk.Record], policy: rk.MergePolicy) -> None:
        """Every non-empty input cell is in the survivor or in the lineage."""
        p = plan(records, policy=policy)
        for r in records:
            for name, value in r.present.items():
                cell = p.cell(name)
                assert cell is not None
                assert any(c.record_id == r.id and c.value == value for c in cell.candidates)
                in_survivor = p.survivor.values.get(name) == value or (
                    name == "tags" and set(value) <= set(p.survivor.values[name])
                )
                assert in_survivor or any(c.record_id == r.id for c in cell.losers)

    @given(person_groups(), merge_policies, st.randoms(use_true_random=False))
    def test_order_of_ids_does_not_matter(
        self, records: list[rk.Record], policy: rk.MergePolicy, rnd: random.Random
    ) -> None:
        """Shuffling the records gives the same plan."""
        shuffled = list(records)
        rnd.shuffle(shuffled)
        assert plan(records, policy=policy) == plan(shuffled, policy=policy)

    @given(person_groups(), merge_policies)
    def test_plan_round_trips_through_json(
        self, records: list[rk.Record], policy: rk.MergePolicy
    ) -> None:
        """A plan survives to_dict, JSON and from_dict unchanged."""
        e = MatchExplanation("p0", "p1", terms=[WeightTerm("email", "exact", 3, 9.5, m=0.9)])
        p = plan(records, policy=policy, explanation=e)
        data = json.loads(json.dumps(p.to_dict(PERSON)))
        assert p == rk.MergePlan.from_dict(data, PERSON)

    def test_first_survivor_depends_on_order(self) -> None:
        """With survivor='first', the first record given survives."""
        policy = rk.MergePolicy(survivor="first", fields={"tags": "keep_all"})
        assert ("b", "a") == (
            plan([ADA_WEB, ADA], policy=policy).survivor_id,
            plan([ADA, ADA_WEB], policy=policy).survivor_id,
        )


def ticket(record_id: str, person_id: str) -> rk.Record:
    return rk.Record(
        record_id,
        "ticket",
        {"title": "help", "person_id": person_id},
        provenance={"person_id": rk.Provenance("support", at(0), person_id)},
        created_at=at(0),
    )


class TestRepoints:
    def test_references_to_merged_away_ids_move(self) -> None:
        """References to a merged-away id move to the survivor, and reverting restores them."""
        p = plan([ADA, ADA_WEB])
        tickets = [ticket("t1", "b"), ticket("t2", "a"), ticket("t3", "zz")]
        moves = find_repoints(p, TICKET, "person_id", tickets)
        assert [("t1", "b", "a")] == [(m.record_id, m.old, m.new) for m in moves]
        moved = moves[0].apply(tickets[0], at=NOW)
        assert ("a", 2) == (moved["person_id"], moved.version)
        assert content(tickets[0]) == content(moves[0].revert(moved, at=NOW))

    def test_merged_records_are_not_repointed(self) -> None:
        """References held by the merged records themselves are not re-pointed."""
        a = person("a", {"manager_id": "b"})
        b = person("b", {}, created=1)
        c = person("c", {"manager_id": "b"}, created=2)
        p = plan([a, b])
        assert ["c"] == [m.record_id for m in find_repoints(p, PERSON, "manager_id", [a, b, c])]


def applied(p: rk.MergePlan) -> dict[str, rk.Record | None]:
    return {r.id: r for r in (p.survivor, *p.tombstones)}


class TestPlanUnmerge:
    @given(person_groups(), merge_policies)
    def test_restores_the_originals(
        self, records: list[rk.Record], policy: rk.MergePolicy
    ) -> None:
        """Unmerge restores the original records, two versions on."""
        p = plan(records, policy=policy)
        undo = plan_unmerge(p, applied(p), {}, at=at(40))
        assert sorted(map(content, records), key=lambda r: r.id) == sorted(
            map(content, undo.restored), key=lambda r: r.id
        )
        assert all(r.version == records_by(records)[r.id].version + 2 for r in undo.restored)
        assert () == undo.conflicts

    def test_later_edit_refused(self) -> None:
        """An edit made after the merge is an UnmergeConflict naming the field and both values."""
        p = plan([ADA, ADA_WEB])
        edited = p.survivor.evolve(
            values={**p.survivor.values, "city": "Paris"},
            provenance={**p.survivor.provenance, "city": rk.Provenance("web", at(35))},
            version=3,
        )
        with pytest.raises(rk.UnmergeConflict) as info:
            plan_unmerge(p, {**applied(p), "a": edited}, {}, at=at(40))
        assert isinstance(info.value, rk.ConflictError)
        assert [("a", "values.city", "London", "Paris", "refused")] == [
            (c.record_id, c.path, c.merged, c.current, c.resolution)
            for c in info.value.conflicts
        ]
        assert "on_conflict='reconcile'" in str(info.value)

    def test_later_edit_reconciled(self) -> None:
        """Reconciling keeps the later edit and state and lists what it kept."""
        p = plan([ADA, ADA_WEB])
        edited = p.survivor.evolve(
            values={**p.survivor.values, "city": "Paris"},
            provenance={**p.survivor.provenance, "city": rk.Provenance("web", at(35))},
            state="active",
            version=3,
        )
        undo = plan_unmerge(p, {**applied(p), "a": edited}, {}, at=at(40), on_conflict="reconcile")
        restored = undo.restored[0]
        assert ("Paris", "active", 4, dict(ADA.values) | {"city": "Paris"}) == (
            restored["city"],
            restored.state,
            restored.version,
            dict(restored.values),
        )
        assert {"values.city", "state"} == {c.path for c in undo.conflicts}

    def test_erased_record_cannot_come_back(self) -> None:
        """A merged record no longer stored cannot be restored."""
        p = plan([ADA, ADA_WEB])
        with pytest.raises(rk.MergeError, match="no longer stored"):
            plan_unmerge(p, {**applied(p), "b": None}, {}, at=at(40))

    def test_unknown_mode(self) -> None:
        """An unknown on_conflict mode is refused."""
        p = plan([ADA, ADA_WEB])
        with pytest.raises(rk.MergeError, match="on_conflict"):
            plan_unmerge(p, applied(p), {}, at=at(40), on_conflict="merge")  # type: ignore[arg-type]

    def test_reference_edited_since(self) -> None:
        """
        A reference moved since the merge is a conflict, and reconciling leaves it where it is.
        """
        p = plan([ADA, ADA_WEB])
        t = ticket("t1", "b")
        p = attrs.evolve(p, repoints=find_repoints(p, TICKET, "person_id", [t]))
        moved = p.repoints[0].apply(t, at=NOW)
        undo = plan_unmerge(p, applied(p), {("ticket", "t1"): moved}, at=at(40))
        assert [content(t)] == [content(r) for r in undo.references]
        changed = moved.evolve(values={**moved.values, "person_id": "zz"})
        with pytest.raises(rk.UnmergeConflict):
            plan_unmerge(p, applied(p), {("ticket", "t1"): changed}, at=at(40))
        undo = plan_unmerge(
            p, applied(p), {("ticket", "t1"): changed}, at=at(40), on_conflict="reconcile"
        )
        assert ((), 1) == (undo.references, len(undo.conflicts))


def records_by(records: list[rk.Record]) -> dict[str, rk.Record]:
    return {r.id: r for r in records}
