"""A steward under a policy, on every backend: refused writes change nothing, reads leak none."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import recordkit as rk
from recordkit.governance import RecordRule, Role, replay
from tests.governance.conftest import MakeStore

SCHEMA = rk.Schema(
    "lead",
    [
        rk.Field("name", rk.Text()),
        rk.Field("email", rk.Email(), tags={"pii"}),
        rk.Field("phone", rk.Text(), tags={"pii"}),
        rk.Field("territory", rk.Text()),
        rk.Field("notes", rk.Text()),
    ],
)

POLICY = rk.Policy(
    roles=[
        Role("sales", actions=["read", "create", "update"], default="read",
             fields={"name": "write", "territory": "write", "notes": "none"},
             tags={"pii": "masked"}),
        Role("admin", actions="*", default="write"),
    ],
    rules=[RecordRule.permit(["read", "update"], roles="sales",
                             when={"territory": {"actor": "territories"}})],
    masking={"fields": {"phone": {"keep_last": 4}}, "tags": {"pii": "redact"}},
    schema=SCHEMA,
)  # fmt: skip

ADMIN = rk.Actor("root", roles={"admin"})
ANA = rk.Actor("ana", roles={"sales"}, territories={"east"})
NOBODY = rk.Actor("eve", roles={"visitor"})

SECRETS = ("ada@example.com", "+12125550100", "2125550100", "private note")
"""Values no sales actor may see in clear (the phone's last four digits excepted)."""


def leaks(value: object) -> list[str]:
    """The secrets found anywhere in *value*'s text (repr and str of nested data)."""
    text = repr(value) + str(value)
    return [s for s in SECRETS if s in text]


@pytest.fixture
def steward(make_store: MakeStore) -> rk.Steward:
    return rk.Steward(SCHEMA, store=make_store(), access=POLICY)


def seed(steward: rk.Steward) -> tuple[rk.Record, rk.Record]:
    east = steward.capture(
        {"name": "Ada", "email": "ada@example.com", "phone": "+12125550100",
         "territory": "east", "notes": "private note"},
        source="crm", actor=ADMIN,
    )  # fmt: skip
    west = steward.capture(
        {"name": "Grace", "email": "grace@example.com", "territory": "west"},
        source="crm", actor=ADMIN,
    )  # fmt: skip
    return east, west


def snapshot(steward: rk.Steward) -> list[tuple[str, int, dict[str, Any]]]:
    records = steward.store.query(SCHEMA.name)
    return [(r.id, r.version, dict(r.values)) for r in records]


WRITES: list[tuple[str, Callable[[rk.Steward, rk.Record, rk.Record, rk.Actor], object]]] = [
    ("capture", lambda s, e, w, a: s.capture({"name": "X", "territory": "east"},
                                             source="web", actor=a)),
    ("update of a masked field", lambda s, e, w, a: s.update(e.id, {"email": "x@y.org"},
                                                             source="web", actor=a)),
    ("update out of territory", lambda s, e, w, a: s.update(w.id, {"name": "G"},
                                                            source="web", actor=a)),
    ("merge", lambda s, e, w, a: s.merge([e.id, w.id], actor=a)),
    ("retire", lambda s, e, w, a: s.retire(e.id, actor=a)),
]  # fmt: skip


@pytest.mark.parametrize(("name", "write"), WRITES, ids=[n for n, _ in WRITES])
def test_a_refused_write_changes_nothing(
    steward: rk.Steward,
    name: str,
    write: Callable[[rk.Steward, rk.Record, rk.Record, rk.Actor], object],
) -> None:
    east, west = seed(steward)
    actor = NOBODY if name == "capture" else ANA
    before = snapshot(steward)
    events = len(list(steward.audit.events()))
    with pytest.raises(rk.AccessDenied):
        write(steward, east, west, actor)
    assert (before, events) == (snapshot(steward), len(list(steward.audit.events())))


def attempt(read: Callable[[], object]) -> object:
    """The result of *read*, or the refusal it raised (whose message must not leak either)."""
    try:
        return read()
    except rk.AccessDenied as exc:
        return exc


def test_every_read_path_masks_what_the_actor_may_not_read(steward: rk.Steward) -> None:
    east, west = seed(steward)
    merged = steward.merge([east.id, west.id], actor=ADMIN)
    reads: dict[str, Callable[[], object]] = {
        "get": lambda: steward.get(east.id, actor=ANA),
        "get (other territory)": lambda: steward.get(west.id, actor=ANA),
        "query": lambda: steward.query(actor=ANA),
        "get_merge": lambda: steward.get_merge(merged.id, actor=ANA),
        "merges": lambda: steward.merges(east.id, actor=ANA),
        "resolve": lambda: steward.resolve(east.id, actor=ANA),
        "audit_events": lambda: list(steward.audit_events(actor=ANA)),
        "history": lambda: steward.history(east.id, actor=ANA),
        "find_duplicates": lambda: steward.find_duplicates(actor=ANA),
        "quarantined": lambda: steward.quarantined(actor=ANA),
    }
    found = {name: leaks(attempt(read)) for name, read in reads.items()}
    assert {name: [] for name in reads} == found
    originals = steward.get_merge(merged.id, actor=ANA).plan.originals
    assert ["•••••0100"] == [str(r.values["phone"]) for r in originals if r.id == east.id]


def test_the_values_a_write_returns_are_masked(steward: rk.Steward) -> None:
    east, _ = seed(steward)
    shown = steward.update(east.id, {"name": "Ada L."}, source="web", actor=ANA)
    assert [] == leaks(shown)
    assert ("Ada L.", "•••••0100") == (shown.values["name"], str(shown.values["phone"]))


def test_queries_hold_only_permitted_records(steward: rk.Steward) -> None:
    east, west = seed(steward)
    assert [east.id] == [r.id for r in steward.query(actor=ANA)]
    assert [east.id] == [r.id for r in steward.query({"name": "Ada"}, actor=ANA, limit=1)]
    assert [] == steward.query({"name": "Grace"}, actor=ANA)
    assert {east.id, west.id} == {r.id for r in steward.query(actor=ADMIN)}
    assert [] == steward.query(actor=NOBODY)
    with pytest.raises(rk.AccessDenied):
        steward.find_duplicates(actor=ANA)


def test_a_write_the_actor_cannot_read_returns_hidden_values(steward: rk.Steward) -> None:
    """A sales actor may create a lead in another territory, but not read it back."""
    made = steward.capture({"name": "Zed", "territory": "west"}, source="web", actor=ANA)
    assert {"name": "•••••", "territory": "•••••"} == {
        n: str(v) for n, v in made.values.items() if v is not None
    }
    assert "Zed" == steward.get(made.id, actor=ADMIN).values["name"]


def test_events_carry_values_that_replay_the_record(steward: rk.Steward) -> None:
    east, _ = seed(steward)
    steward.update(east.id, {"name": "Ada King", "notes": None}, source="web", actor=ADMIN)
    current = steward.get(east.id, actor=ADMIN)
    rebuilt = replay(steward.audit.events(east.id), east.id)
    assert {n: SCHEMA.field(n).type.dump(v) for n, v in current.values.items()
            if v is not None} == rebuilt  # fmt: skip
    assert steward.audit.verify().ok


def test_a_schema_with_a_governance_section_is_governed_by_it() -> None:
    """Declared in YAML, enforced without being passed: deny by default, SYSTEM included."""
    schema = rk.parse_schema(
        """
schema: lead
fields:
  name: {type: text}
  email: {type: email, tags: [pii]}
governance:
  roles:
    clerk: {actions: [create], default: write}
    sales: {actions: [read], default: read, tags: {pii: masked}}
    system: {actions: [read], default: read}
  masking: {tags: {pii: redact}}
"""
    )
    steward = rk.Steward(schema)
    clerk, sales = rk.Actor("cy", roles={"clerk"}), rk.Actor("kim", roles={"sales"})
    made = steward.capture({"name": "Ada", "email": "ada@example.com"}, source="web",
                           actor=clerk)  # fmt: skip
    assert "•••••" == str(made.values["name"])  # the clerk may not read what it made
    seen = steward.get(made.id, actor=sales)
    assert ("Ada", []) == (seen.values["name"], leaks(seen))
    assert "ada@example.com" == steward.get(made.id).values["email"]  # the system role reads
    with pytest.raises(rk.AccessDenied):
        steward.capture({"name": "Grace"}, source="web")  # but does not create


def test_the_quarantine_is_masked_for_an_actor_who_reads_everything(steward: rk.Steward) -> None:
    policy = rk.Policy(roles=[Role("auditor", actions=["read"], default="read",
                                   fields={"notes": "none"}, tags={"pii": "masked"})],
                       masking={"tags": {"pii": "redact"}}, schema=SCHEMA)  # fmt: skip
    steward.capture_many(
        [{"name": "Ada", "email": "ada@example.com", "notes": "private note", "bogus": 1}],
        source="import", actor=ADMIN,
    )  # fmt: skip
    (held,) = steward.quarantined(actor=ADMIN)
    assert "ada@example.com" == held.row["email"]
    audited = rk.Steward(SCHEMA, store=steward.store, access=policy)
    (seen,) = audited.quarantined(actor=rk.Actor("aud", roles={"auditor"}))
    assert ([], "Ada") == (leaks(seen), seen.row["name"])


def test_an_override_needs_its_own_permission(make_store: MakeStore) -> None:
    policy = rk.Policy(roles=[Role("ops", actions=["read", "create", "transition"],
                                   default="write"),
                              Role("lead", actions=["read", "transition", "override"])],
                       schema=rk.bundled_schema("contact"))  # fmt: skip
    steward = rk.Steward(rk.bundled_schema("contact"), store=make_store(), access=policy)
    ops, lead = rk.Actor("ops", roles={"ops"}), rk.Actor("lee", roles={"lead"})
    made = steward.capture({"first_name": "Ada", "last_name": "Byron"}, source="form", actor=ops)
    steward.advance(made.id, "mql", actor=ops)
    with pytest.raises(rk.AccessDenied, match="override"):
        steward.advance(made.id, "lead", actor=ops, override=True, reason="data_error")
    assert "mql" == steward.get(made.id, actor=ops).stage
    back = steward.advance(made.id, "lead", actor=lead, override=True, reason="data_error")
    assert "lead" == back.stage


def test_a_policy_change_is_checked_and_audited(steward: rk.Steward) -> None:
    with pytest.raises(rk.AccessDenied, match="policy"):
        steward.set_access(rk.AllowAll(), actor=ANA)
    assert steward.access is POLICY
    steward.set_access(rk.AllowAll(), actor=ADMIN)
    assert isinstance(steward.access, rk.AllowAll)
    (event,) = [e for e in steward.audit.events() if e.action == "policy"]
    assert ("root", "AllowAll") == (event.actor, event.detail["policy"]["policy"])
    assert steward.audit.verify().ok
