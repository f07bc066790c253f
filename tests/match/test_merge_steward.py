"""`Steward.merge` / `unmerge`: atomic in the store, audited, references re-pointed and back."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Collection
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import recordkit as rk
from recordkit.match import MERGED, MatchExplanation, WeightTerm
from tests.match.merge_examples import PERSON, PERSON_FLAT, T0, TICKET
from tests.strategies import MergeScript, merge_scripts


class Clock:
    """A clock that moves one minute per reading."""

    def __init__(self) -> None:
        self.ticks = itertools.count()

    def __call__(self) -> dt.datetime:
        return T0 + dt.timedelta(minutes=next(self.ticks))


BACKENDS = ["memory", "sqlite"]


def stewards(
    access: rk.AccessPolicy | None = None, *, shared: bool = True, backend: str = "memory"
) -> tuple[rk.Steward, rk.Steward]:
    """A person steward and a ticket steward whose tickets refer to persons."""
    clock, counter = Clock(), itertools.count()
    person = PERSON if backend == "memory" else PERSON_FLAT

    def store() -> rk.Store:
        if backend == "memory":
            return rk.MemoryStore()
        from recordkit.store import SQLStore

        return SQLStore("sqlite://", schemas=(person, TICKET))

    persons_store = store()
    tickets = rk.Steward(
        TICKET,
        store=persons_store if shared else store(),
        clock=clock,
        ids=lambda: f"t{next(counter)}",
        access=access,
    )
    persons = rk.Steward(
        person,
        store=persons_store,
        clock=clock,
        ids=lambda: f"x{next(counter)}",
        related=[tickets],
        access=access,
    )
    return persons, tickets


def fit(steward: rk.Steward, values: dict[str, Any]) -> dict[str, Any]:
    """*values* without the fields *steward*'s schema lacks."""
    return {k: v for k, v in values.items() if k in steward.schema}


def content(record: rk.Record) -> rk.Record:
    """The record without its bookkeeping (version, updated_at), which an unmerge moves on."""
    return record.evolve(version=0, updated_at=record.created_at)


def snapshot(*stewards_: rk.Steward) -> dict[str, rk.Record]:
    out: dict[str, rk.Record] = {}
    for s in stewards_:
        for batch in s.store.scan(s.schema.name):
            out.update((r.id, content(r)) for r in batch)
    return out


@pytest.fixture(params=BACKENDS)
def world(
    request: pytest.FixtureRequest,
) -> tuple[rk.Steward, rk.Steward, list[rk.Record], list[rk.Record]]:
    persons, tickets = stewards(backend=request.param)
    a = persons.capture(
        fit(persons, {"name": "Ada", "email": "ada@example.com", "tags": "vip"}), source="crm"
    )
    b = persons.capture(
        fit(persons, {"name": "Ada Lovelace", "city": "London", "tags": "b2b"}), source="web"
    )
    c = persons.capture({"name": "A. Lovelace", "score": "7"}, source="import")
    ts = [
        tickets.capture({"title": "refund", "person_id": b.id}, source="support"),
        tickets.capture({"title": "login", "person_id": c.id}, source="support"),
        tickets.capture({"title": "other", "person_id": a.id}, source="support"),
    ]
    return persons, tickets, [a, b, c], ts


World = tuple[rk.Steward, rk.Steward, list[rk.Record], list[rk.Record]]


class TestMerge:
    def test_merge_writes_survivor_tombstones_references_and_lineage(self, world: World) -> None:
        """
        A merge writes the survivor, marks the other record merged, re-points its references and
        keeps the lineage.
        """
        persons, tickets, (a, b, _), ts = world
        merge = persons.merge([b.id, a.id])
        assert (a.id, (b.id,), True) == (merge.survivor_id, merge.merged_ids, merge.active)
        survivor, gone = persons.get(a.id), persons.get(b.id)
        assert ("Ada Lovelace", "London", "ada@example.com", 2) == (
            survivor["name"],
            survivor["city"],
            survivor["email"],
            survivor.version,
        )
        if "tags" in persons.schema:
            assert ("vip", "b2b") == survivor["tags"]
        assert (MERGED, dict(b.values)) == (gone.state, dict(gone.values))
        moved = gone.history[-1]
        assert ("governance", "merge", merge.id, "captured") == (
            moved.lifecycle,
            moved.event,
            moved.reason,
            moved.source,
        )
        assert [a.id, ts[1].values["person_id"], a.id] == [
            tickets.get(t.id)["person_id"] for t in ts
        ]
        assert [merge] == persons.merges(b.id)
        assert merge == persons.get_merge(merge.id)

    def test_audit_names_every_record(self, world: World) -> None:
        """The merge's audit event names the merged records and the references it re-pointed."""
        persons, tickets, (a, b, _), ts = world
        merge = persons.merge([a.id, b.id])
        merged = [e for e in persons.audit.events() if e.action == "merge"]
        repointed = [
            e
            for e in tickets.audit.events()
            if e.detail.get("merge") == merge.id and e.schema == "ticket"
        ]
        assert [(a.id, b.id)] == [e.record_ids for e in merged]
        assert {"ticket": [ts[0].id]} == merged[0].detail["repointed"]
        assert [(ts[0].id,)] == [e.record_ids for e in repointed]
        assert persons.audit.verify()

    def test_dry_run_writes_nothing(self, world: World) -> None:
        """A dry run returns the plan, with its re-points, and writes nothing."""
        persons, tickets, (a, b, _), ts = world
        before, events = snapshot(persons, tickets), len(list(persons.audit.events()))
        plan = persons.merge([a.id, b.id], dry_run=True)
        assert isinstance(plan, rk.MergePlan)
        assert [(ts[0].id, b.id, a.id)] == [(p.record_id, p.old, p.new) for p in plan.repoints]
        assert (before, events) == (
            snapshot(persons, tickets),
            len(list(persons.audit.events())),
        )
        assert [] == persons.merges(a.id)

    def test_explanations_are_kept_in_the_store(self, world: World) -> None:
        """The match explanations given to a merge are stored with it."""
        persons, _, (a, b, _), _ = world
        e = MatchExplanation(a.id, b.id, prior=-4.0, terms=[WeightTerm("name", "close", 2, 6.0)])
        merge = persons.merge([a.id, b.id], explanation=e)
        assert (e,) == persons.get_merge(merge.id).explanations

    def test_picks_and_policy(self, world: World) -> None:
        """
        A policy chooses each value and picks override it, and the merge records the values that
        lost.
        """
        persons, _, (a, b, _), _ = world
        policy = rk.MergePolicy.from_schema(persons.schema).with_fields(
            {"name": rk.Survive.trusted_sources(["crm"])}
        )
        merge = persons.merge([a.id, b.id], policy=policy, picks={"city": a.id})
        assert ("Ada", None) == (persons.get(a.id)["name"], persons.get(a.id).get("city"))
        city = merge.cell("city")
        assert city is not None
        assert ["London"] == [c.value for c in city.losers]

    def test_resolve_follows_merges(self, world: World) -> None:
        """`resolve` follows chained merges to the surviving record."""
        persons, _, (a, b, c), _ = world
        persons.merge([a.id, b.id])
        persons.merge([c.id, a.id])
        assert (a.id, a.id, a.id) == tuple(persons.resolve(i).id for i in (a.id, b.id, c.id))

    def test_validated_only_asks_the_rules(self) -> None:
        """validated_only keeps the value that passes the steward's rules."""
        contacts = rk.Steward(rk.bundled_schema("contact"), clock=Clock())
        name = {"first_name": "Ada", "last_name": "Lovelace"}
        good = contacts.capture({**name, "phone": "+1 415 555 0100"}, source="crm")
        bad = contacts.capture({**name, "phone": "123"}, source="web", mode="warn")
        policy = rk.MergePolicy(fields={"phone": rk.Survive.validated_only()})
        assert ("+14155550100", "123") == (
            contacts.merge([good.id, bad.id], policy=policy, dry_run=True).survivor["phone"],
            contacts.merge([good.id, bad.id], dry_run=True).survivor["phone"],
        )

    def test_a_record_referring_twice_is_written_once(self) -> None:
        """
        A record holding two references to a merged record is re-pointed in one write and restored
        by unmerge.
        """
        handover = rk.Schema(
            "handover",
            [
                rk.Field("from_id", rk.Reference("person")),
                rk.Field("to_id", rk.Reference("person")),
            ],
        )
        store = rk.MemoryStore()
        handovers = rk.Steward(handover, store=store, clock=Clock())
        persons = rk.Steward(PERSON, store=store, clock=Clock(), related=[handovers])
        a = persons.capture({"name": "A"}, source="crm")
        b = persons.capture({"name": "B"}, source="crm")
        h = handovers.capture({"from_id": b.id, "to_id": b.id}, source="crm")
        before = snapshot(persons, handovers)
        merge = persons.merge([a.id, b.id])
        moved = handovers.get(h.id)
        assert (a.id, a.id, 2) == (moved["from_id"], moved["to_id"], moved.version)
        assert 2 == len(merge.repoints)
        persons.unmerge(merge.id)
        assert (before, 3) == (snapshot(persons, handovers), handovers.get(h.id).version)

    def test_references_in_another_store_are_refused(self) -> None:
        """Related stewards over another store could not merge in one transaction."""
        with pytest.raises(rk.RecordkitError, match="share this steward's store"):
            stewards(shared=False)


class _Deny:
    """Refuses one action."""

    def __init__(self, action: rk.Action) -> None:
        self.action = action

    def check(
        self,
        actor: rk.Actor,
        action: rk.Action,
        schema: rk.Schema,
        record: rk.Record | None,
        fields: Collection[str],
        *,
        after: rk.Record | None = None,
    ) -> None:
        if action == self.action and actor.id != "system":
            record_id = None if record is None else record.id
            raise rk.AccessDenied(actor.id, str(action), record_id=record_id)


class _EditsWhileChecking:
    """An access policy that lets a 'concurrent writer' edit a ticket mid-merge."""

    def __init__(self) -> None:
        self.tickets: rk.Steward | None = None

    def check(
        self,
        actor: rk.Actor,
        action: rk.Action,
        schema: rk.Schema,
        record: rk.Record | None,
        fields: Collection[str],
        *,
        after: rk.Record | None = None,
    ) -> None:
        if self.tickets is not None and schema.name == "ticket" and record is not None:
            tickets, self.tickets = self.tickets, None
            tickets.update(record.id, {"title": "edited meanwhile"}, source="agent")


class TestMergeRefusals:
    @pytest.mark.parametrize(
        ("ids", "error", "message"),
        [
            pytest.param(["p9"], rk.NotFound, "no record with id 'p9'", id="missing"),
            pytest.param([0, 1], rk.MergeError, "record ids are text", id="not-text"),
            pytest.param("ab", rk.MergeError, "list of record ids, got str", id="one-string"),
            pytest.param(None, rk.MergeError, "got NoneType", id="none"),
            pytest.param([], rk.MergeError, "at least two records, got 0", id="empty"),
        ],
    )
    def test_bad_ids(self, world: World, ids: Any, error: type[Exception], message: str) -> None:
        """Missing, non-text, too few or wrongly wrapped ids are refused with the reason."""
        persons = world[0]
        with pytest.raises(error, match=message):
            persons.merge(ids)

    def test_one_record_and_itself(self, world: World) -> None:
        """A merge of one record, or of a record with itself, is refused."""
        persons, _, (a, *_), _ = world
        with pytest.raises(rk.MergeError, match="at least two records, got 1"):
            persons.merge([a.id])
        with pytest.raises(rk.MergeError, match="cannot be merged with itself"):
            persons.merge([a.id, a.id])

    def test_other_schema(self, world: World) -> None:
        """A record of another schema is refused."""
        persons, _, (a, *_), ts = world
        with pytest.raises(rk.RecordkitError, match="is a 'ticket', not a 'person'"):
            persons.merge([a.id, ts[0].id])

    def test_already_merged_names_the_survivor(self, world: World) -> None:
        """Merging a record merged already is refused, naming the survivor to merge instead."""
        persons, _, (a, b, c), _ = world
        persons.merge([a.id, b.id])
        with pytest.raises(rk.MergeError, match=f"merged into '{a.id}' already; merge '{a.id}'"):
            persons.merge([b.id, c.id])

    def test_retired(self, world: World) -> None:
        """A retired record cannot be merged."""
        persons, _, (a, b, _), _ = world
        persons.retire(b.id, actor=rk.Actor("ops"))
        with pytest.raises(rk.MergeError, match="is retired"):
            persons.merge([a.id, b.id])

    def test_access_denied_writes_nothing(self) -> None:
        """An actor refused the merge action leaves every record as it was."""
        persons, tickets = stewards(_Deny(rk.Action.MERGE))
        a = persons.capture({"name": "A"}, source="crm")
        b = persons.capture({"name": "B"}, source="crm")
        before = snapshot(persons, tickets)
        with pytest.raises(rk.AccessDenied):
            persons.merge([a.id, b.id], actor=rk.Actor("intern"))
        assert before == snapshot(persons, tickets)

    def test_failed_write_leaves_nothing(self) -> None:
        """A reference changing mid-merge aborts the whole merge: records, lineage, audit."""
        policy = _EditsWhileChecking()
        persons, tickets = stewards(policy)
        a = persons.capture({"name": "A"}, source="crm")
        b = persons.capture({"name": "B"}, source="crm")
        t = tickets.capture({"title": "x", "person_id": b.id}, source="support")
        policy.tickets = tickets
        before = {k: v for k, v in snapshot(persons).items() if k != t.id}
        merges_before = [e for e in persons.audit.events() if e.action == "merge"]
        with pytest.raises(rk.ConflictError):
            persons.merge([a.id, b.id])
        after = {k: v for k, v in snapshot(persons).items() if k != t.id}
        assert (before, [], merges_before) == (
            after,
            persons.merges(a.id),
            [e for e in persons.audit.events() if e.action == "merge"],
        )
        assert (b.id, "edited meanwhile") == (
            tickets.get(t.id)["person_id"],
            tickets.get(t.id)["title"],
        )


class TestGarbage:
    @pytest.mark.parametrize(
        ("call", "error", "message"),
        [
            pytest.param(
                lambda p, ids: p.merge(ids, policy="oldest"),
                rk.MergeError,
                "policy must be a MergePolicy",
                id="policy-string",
            ),
            pytest.param(
                lambda p, ids: p.merge(ids, picks="email"),
                rk.SchemaError,
                "picks maps field names to record ids",
                id="picks-string",
            ),
            pytest.param(
                lambda p, ids: p.merge(ids, picks={"emial": ids[0]}),
                rk.SchemaError,
                "did you mean 'email'",
                id="picks-typo",
            ),
            pytest.param(
                lambda p, ids: p.merge(ids, explanation=object()),
                rk.MergeError,
                "explanation",
                id="explanation-object",
            ),
            pytest.param(
                lambda p, ids: p.merge(["x\x00" * 500_000, ids[0]]),
                rk.NotFound,
                "chars",
                id="1mb-nul-id",
            ),
            pytest.param(
                lambda p, ids: p.unmerge(None),
                rk.MergeError,
                "merge ids are text",
                id="unmerge-none",
            ),
            pytest.param(
                lambda p, ids: rk.Steward(PERSON, related="tickets"),  # type: ignore[arg-type]
                rk.RecordkitError,
                "related takes stewards",
                id="related-string",
            ),
        ],
    )
    def test_refused_with_a_recordkit_error(
        self, call: Any, error: type[Exception], message: str
    ) -> None:
        """Hostile arguments raise a short RecordkitError and write nothing."""
        persons, tickets = stewards()
        ids = [persons.capture({"name": n}, source="crm").id for n in ("A", "B")]
        before = snapshot(persons, tickets)
        with pytest.raises(error, match=message) as info:
            call(persons, ids)
        assert len(str(info.value)) < 400
        assert before == snapshot(persons, tickets)

    def test_unknown_conflict_mode(self, world: World) -> None:
        """An unknown on_conflict mode is refused and writes nothing."""
        persons, tickets, (a, b, _), _ = world
        merge = persons.merge([a.id, b.id])
        before = snapshot(persons, tickets)
        with pytest.raises(rk.MergeError, match="on_conflict must be 'refuse' or 'reconcile'"):
            persons.unmerge(merge.id, on_conflict="force")  # type: ignore[arg-type]
        assert before == snapshot(persons, tickets)

    def test_merge_of_another_schema(self, world: World) -> None:
        """A steward refuses to undo a merge of another schema's records."""
        persons, tickets, (a, b, _), _ = world
        merge = persons.merge([a.id, b.id])
        with pytest.raises(rk.MergeError, match="merged 'person' records, not 'ticket'"):
            tickets.unmerge(merge.id)

    def test_unmerge_access_denied(self) -> None:
        """Undoing a merge is checked as its own action, ``unmerge``."""
        persons, tickets = stewards(_Deny(rk.Action.UNMERGE))
        a = persons.capture({"name": "A"}, source="crm")
        b = persons.capture({"name": "B"}, source="crm")
        merge = persons.merge([a.id, b.id])
        before = snapshot(persons, tickets)
        with pytest.raises(rk.AccessDenied):
            persons.unmerge(merge.id, actor=rk.Actor("intern"))
        assert (before, True) == (snapshot(persons, tickets), persons.get_merge(merge.id).active)


class TestUnmerge:
    def test_restores_records_and_references(self, world: World) -> None:
        """Unmerge restores the records and references and audits the undo."""
        persons, tickets, (a, b, _), _ = world
        before = snapshot(persons, tickets)
        merge = persons.merge([a.id, b.id])
        undo = persons.unmerge(merge.id)
        assert before == snapshot(persons, tickets)
        assert ((a.id, b.id), ()) == (undo.record_ids, undo.conflicts)
        assert (3, False) == (persons.get(a.id).version, persons.get_merge(merge.id).active)
        assert ["merge", "unmerge"] == [
            e.action for e in persons.audit.events() if e.schema == "person"
        ][-2:]
        assert ["update", "update"] == [
            e.action for e in tickets.audit.events() if e.schema == "ticket"
        ][-2:]

    def test_chained_merges_undo_newest_first(self, world: World) -> None:
        """Chained merges undo newest first, and an older one refuses to go first."""
        persons, tickets, (a, b, c), _ = world
        before = snapshot(persons, tickets)
        first = persons.merge([a.id, b.id])
        second = persons.merge([a.id, c.id])
        with pytest.raises(rk.MergeError, match=f"undo '{second.id}' first"):
            persons.unmerge(first.id)
        persons.unmerge(second.id)
        persons.unmerge(first.id)
        assert before == snapshot(persons, tickets)

    def test_chain_order_does_not_depend_on_the_clock(self) -> None:
        """Merges made in the same instant still undo newest first (told by versions)."""
        names = iter(["m9", "m1", "m5", "m0"])  # merge ids sort against their order
        counter = itertools.count()

        def ids() -> str:
            n = next(counter)
            return next(names) if n >= 3 else f"p{n}"

        persons = rk.Steward(PERSON, clock=lambda: T0, ids=ids)
        a, b, c = (persons.capture({"name": n}, source="crm") for n in "ABC")
        before = snapshot(persons)
        first = persons.merge([a.id, b.id])
        second = persons.merge([a.id, c.id])
        with pytest.raises(rk.MergeError, match=f"undo '{second.id}' first"):
            persons.unmerge(first.id)
        persons.unmerge(second.id)
        persons.unmerge(first.id)
        assert before == snapshot(persons)

    def test_twice(self, world: World) -> None:
        """A merge undone already, or an unknown merge id, is refused."""
        persons, _, (a, b, _), _ = world
        merge = persons.merge([a.id, b.id])
        persons.unmerge(merge.id)
        with pytest.raises(rk.MergeError, match="undone already"):
            persons.unmerge(merge.id)
        with pytest.raises(rk.NotFound):
            persons.unmerge("no-such-merge")

    def test_later_edit_refused_then_reconciled(self, world: World) -> None:
        """An edit made after the merge makes unmerge refuse, and reconcile keeps the edit."""
        persons, tickets, (a, b, _), _ = world
        merge = persons.merge([a.id, b.id])
        persons.update(a.id, {"city": "Paris"}, source="crm")
        edited = snapshot(persons, tickets)
        with pytest.raises(rk.UnmergeConflict) as info:
            persons.unmerge(merge.id)
        assert ["values.city"] == [c.path for c in info.value.conflicts]
        assert edited == snapshot(persons, tickets)
        undo = persons.unmerge(merge.id, on_conflict="reconcile")
        assert ("Paris", "Ada", None) == (
            persons.get(a.id)["city"],
            persons.get(a.id)["name"],
            persons.get(b.id).get("email"),
        )
        assert ["kept the later edit"] == [c.resolution for c in undo.conflicts]

    def test_reference_moved_since_is_left_alone(self, world: World) -> None:
        """
        A reference moved elsewhere since the merge is left where it is by a reconciling unmerge.
        """
        persons, tickets, (a, b, c), ts = world
        merge = persons.merge([a.id, b.id])
        tickets.update(ts[0].id, {"person_id": c.id}, source="support")
        with pytest.raises(rk.UnmergeConflict):
            persons.unmerge(merge.id)
        persons.unmerge(merge.id, on_conflict="reconcile")
        assert c.id == tickets.get(ts[0].id)["person_id"]

    def test_needs_the_related_steward(self, world: World) -> None:
        """Unmerge without the steward that holds re-pointed references is refused, naming it."""
        persons, _, (a, b, _), _ = world
        merge = persons.merge([a.id, b.id])
        alone = rk.Steward(persons.schema, store=persons.store)
        with pytest.raises(rk.MergeError, match="give the 'ticket' steward"):
            alone.unmerge(merge.id)


class TestUnmergeInvariant:
    @settings(max_examples=25)
    @given(merge_scripts(), st.sampled_from(rk.match.SURVIVOR_RULES))
    def test_unmerge_of_merges_is_identity(self, script: MergeScript, survivor: str) -> None:
        """Merging (chained) and unmerging newest first restores records and references."""
        self.check_identity(script, survivor, "memory")

    @settings(max_examples=8)
    @given(merge_scripts(), st.sampled_from(rk.match.SURVIVOR_RULES))
    def test_unmerge_of_merges_is_identity_in_sql(self, script: MergeScript, survivor: str) -> None:
        """The same, with records, lineage and references kept in SQLite."""
        self.check_identity(script, survivor, "sqlite")

    @staticmethod
    def check_identity(script: MergeScript, survivor: str, backend: str) -> None:
        rows, groups = script
        persons, tickets = stewards(backend=backend)
        ids = [persons.capture(fit(persons, values), source=source).id for values, source in rows]
        for i, rid in enumerate(ids):
            tickets.capture({"title": f"t{i}", "person_id": rid}, source="support")
        before = snapshot(persons, tickets)
        policy = attrs.evolve(rk.MergePolicy.from_schema(persons.schema), survivor=survivor)
        done = []
        for group in groups:
            targets = [persons.resolve(ids[i]).id for i in group]
            if len(set(targets)) < 2:
                continue
            done.append(persons.merge(list(dict.fromkeys(targets)), policy=policy))
        for merge in reversed(done):
            persons.unmerge(merge.id)
        assert before == snapshot(persons, tickets)
