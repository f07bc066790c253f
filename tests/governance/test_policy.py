"""
Access policies: actors, roles and field permissions, record rules, deny by default.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recordkit import (
    AccessDenied,
    Action,
    Actor,
    Field,
    Policy,
    Record,
    Schema,
    SchemaError,
    Text,
    ValidationError,
    parse_schema,
)
from recordkit.governance import AllowAll, RecordRule, Role

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

GOVERNANCE: dict[str, Any] = {
    "roles": {
        "sales": {
            "actions": ["read", "create", "update"],
            "default": "read",
            "fields": {"name": "write", "territory": "write", "notes": "none"},
            "tags": {"pii": "masked"},
        },
        "admin": {"actions": "*", "default": "write"},
        "auditor": {"actions": ["read", "export"], "default": "read"},
    },
    "rules": [
        {"permit": ["read", "update"], "roles": ["sales"],
         "when": {"territory": {"actor": "territories"}}},
        {"permit": ["create"], "roles": ["sales"],
         "after": {"territory": {"actor": "territories"}}},
        {"forbid": ["update"], "roles": ["sales"],
         "after": {"record.owner": {"ne": {"actor": "id"}}}, "name": "no-give-away"},
    ],
    "masking": {"fields": {"phone": {"keep_last": 4}}, "tags": {"pii": "redact"}},
}  # fmt: skip

YAML = """
schema: lead
fields:
  name: {type: text}
  email: {type: email, tags: [pii]}
  phone: {type: text, tags: [pii]}
  territory: {type: text}
  notes: {type: text}
governance:
  roles:
    sales:
      actions: [read, create, update]
      default: read
      fields: {name: write, territory: write, notes: none}
      tags: {pii: masked}
    admin: {actions: "*", default: write}
    auditor: {actions: [read, export], default: read}
  rules:
    - permit: [read, update]
      roles: [sales]
      when: {territory: {actor: territories}}
    - permit: [create]
      roles: [sales]
      after: {territory: {actor: territories}}
    - forbid: [update]
      roles: [sales]
      after: {record.owner: {ne: {actor: id}}}
      name: no-give-away
  masking:
    fields: {phone: {keep_last: 4}}
    tags: {pii: redact}
"""

SCHEMA = parse_schema(YAML)
POLICY = Policy.from_schema(SCHEMA)
ANA = Actor("ana", roles={"sales"}, territories={"east"})
BOSS = Actor("boss", roles={"admin"})


def lead(id: str = "r1", *, territory: str | None = "east", owner: str | None = "ana",
         **values: Any) -> Record:  # fmt: skip
    """A lead record."""
    base = {"name": "Ada", "email": "ada@example.com", "phone": "5550100", "territory": territory}
    return Record(id, "lead", {**base, **values}, owner=owner, created_at=T0)


class TestActor:
    """Actor fields."""

    def test_old_spelling_still_works(self) -> None:
        """Actor(id, roles=...) keeps working; the new fields default to empty."""
        actor = Actor("a", roles="x")
        assert (frozenset({"x"}), frozenset(), frozenset(), {}) == (
            actor.roles,
            actor.teams,
            actor.territories,
            dict(actor.attributes),
        )

    def test_new_fields_are_frozen_and_hashable(self) -> None:
        """Teams, territories and attributes are frozen; an actor is hashable."""
        actor = Actor("a", teams=["t1"], territories="east", attributes={"region": "eu"})
        assert frozenset({"t1"}) == actor.teams
        assert frozenset({"east"}) == actor.territories
        with pytest.raises(TypeError):
            actor.attributes["region"] = "us"  # type: ignore[index]
        assert hash(actor) == hash(Actor("a", teams=["t1"], territories="east",
                                          attributes={"region": "eu"}))  # fmt: skip

    @pytest.mark.parametrize(
        "kwargs",
        [
            pytest.param({"teams": [1]}, id="team-not-text"),
            pytest.param({"territories": [" "]}, id="blank-territory"),
            pytest.param({"attributes": {"a": 1}}, id="attribute-not-text"),
            pytest.param({"attributes": ["a"]}, id="attributes-not-mapping"),
        ],
    )
    def test_bad_fields_are_refused(self, kwargs: dict[str, Any]) -> None:
        """Bad teams, territories or attributes raise ValidationError."""
        with pytest.raises(ValidationError):
            Actor("a", **kwargs)


def test_new_actions() -> None:
    """export, override and policy are actions; the old values are kept."""
    assert ["read", "create", "update", "merge", "unmerge", "transition", "erase", "export",
            "override", "policy"] == [a.value for a in Action]  # fmt: skip


class TestCheck:
    """Policy.check."""

    def test_role_grants_actions(self) -> None:
        """An action none of the actor's roles grants is refused, naming it."""
        with pytest.raises(AccessDenied, match="no role of theirs grants 'erase'"):
            POLICY.check(ANA, Action.ERASE, SCHEMA, lead(), ())

    def test_deny_by_default_for_unknown_roles(self) -> None:
        """Roles the policy does not know grant nothing."""
        with pytest.raises(AccessDenied):
            POLICY.check(Actor("x", roles={"ghost"}), Action.READ, SCHEMA, lead(), ())
        with pytest.raises(AccessDenied):
            Policy().check(BOSS, Action.READ, SCHEMA, lead(), ())

    def test_permit_rule_narrows_reads(self) -> None:
        """Sales read records of their territories only; admins read all."""
        POLICY.check(ANA, Action.READ, SCHEMA, lead(), ["email"])
        with pytest.raises(AccessDenied, match="no record rule permits it") as info:
            POLICY.check(ANA, Action.READ, SCHEMA, lead(territory="west"), ())
        assert ("ana", "read", "r1") == (info.value.actor, info.value.action,
                                          info.value.record_id)  # fmt: skip
        POLICY.check(BOSS, Action.READ, SCHEMA, lead(territory="west"), ())

    def test_writes_need_write_permission(self) -> None:
        """Every field a write names must be writable; the refusal names the field."""
        before = lead()
        POLICY.check(ANA, Action.UPDATE, SCHEMA, before, ["name"], after=before)
        with pytest.raises(AccessDenied, match="field 'email'") as info:
            POLICY.check(ANA, Action.UPDATE, SCHEMA, before, ["name", "email"], after=before)
        assert "email" == info.value.field
        assert "ada@example.com" not in str(info.value)

    def test_forbid_on_after_beats_permit(self) -> None:
        """An update that gives the record away is forbidden, naming the rule."""
        before = lead()
        given_away = before.evolve(owner="bob")
        with pytest.raises(AccessDenied, match="forbidden by rule no-give-away"):
            POLICY.check(ANA, Action.UPDATE, SCHEMA, before, ["name"], after=given_away)

    def test_create_only_in_own_territory(self) -> None:
        """A create is judged on the record as it will be."""
        POLICY.check(ANA, Action.CREATE, SCHEMA, None, ["name"], after=lead())
        with pytest.raises(AccessDenied):
            POLICY.check(ANA, Action.CREATE, SCHEMA, None, ["name"],
                         after=lead(territory="west"))  # fmt: skip

    def test_teams_and_attributes(self) -> None:
        """Conditions compare with one of the actor's teams and with its attributes."""
        policy = Policy(
            roles=[Role("rep", actions="read", default="read")],
            rules=[RecordRule.permit("read", when={"notes": {"actor": "teams"}}),
                   RecordRule.forbid("read", when={"name": {"actor": "attributes.banned"}})],
        )  # fmt: skip
        rep = Actor("r", roles="rep", teams={"blue", "red"}, attributes={"banned": "Eve"})
        policy.check(rep, Action.READ, SCHEMA, lead(notes="red"), ())
        with pytest.raises(AccessDenied):
            policy.check(rep, Action.READ, SCHEMA, lead(notes="green"), ())
        with pytest.raises(AccessDenied):
            policy.check(rep, Action.READ, SCHEMA, lead(notes="red", name="Eve"), ())
        # an actor without the attribute matches no record on it: the forbid never applies
        policy.check(Actor("s", roles="rep", teams={"red"}), Action.READ, SCHEMA,
                     lead(notes="red", name="Eve"), ())  # fmt: skip

    def test_allow_all_has_the_same_methods(self) -> None:
        """AllowAll masks nothing and scopes nothing."""
        record = lead()
        assert record is AllowAll().mask(ANA, SCHEMA, record)
        assert {"a": 1} == AllowAll().mask_values(ANA, SCHEMA, {"a": 1})
        assert AllowAll().scope(ANA, SCHEMA) is None


class TestDeclaration:
    """Python and YAML declare the same policy; bad declarations name their path."""

    def test_python_equals_yaml(self) -> None:
        """The same policy declared in Python writes the same plain data as the YAML one."""
        python = Policy(
            roles=[
                Role("sales", actions=["read", "create", "update"], default="read",
                     fields={"name": "write", "territory": "write", "notes": "none"},
                     tags={"pii": "masked"}),
                Role("admin", actions="*", default="write"),
                Role("auditor", actions=["read", "export"], default="read"),
            ],
            rules=[
                RecordRule.permit(["read", "update"], roles=["sales"],
                                  when={"territory": {"actor": "territories"}}),
                RecordRule.permit("create", roles="sales",
                                  after={"territory": {"actor": "territories"}}),
                RecordRule.forbid("update", roles=["sales"], name="no-give-away",
                                  after={"record.owner": {"ne": {"actor": "id"}}}),
            ],
            masking={"fields": {"phone": {"keep_last": 4}}, "tags": {"pii": "redact"}},
            schema=SCHEMA,
        )  # fmt: skip
        assert POLICY.to_dict() == python.to_dict()

    def test_round_trip(self) -> None:
        """to_dict reads back into a policy with the same plain data."""
        data = POLICY.to_dict()
        assert data == Policy.from_dict(data, SCHEMA).to_dict()

    @pytest.mark.parametrize(
        ("change", "path"),
        [
            pytest.param({"roles": {"sales": {"fields": {"emial": "read"}}}},
                         "governance.roles.sales.fields.emial", id="unknown-field"),
            pytest.param({"roles": {"sales": {"fields": {"email": "peek"}}}},
                         "governance.roles.sales.fields.email", id="unknown-permission"),
            pytest.param({"roles": {"sales": {"tags": {"secret": "none"}}}},
                         "governance.roles.sales.tags.secret", id="unknown-tag"),
            pytest.param({"roles": {"sales": {"actions": ["read", "fly"]}}},
                         "governance.roles.sales.actions[1]", id="unknown-action"),
            pytest.param({"masking": {"fields": {"phone": "scramble"}}},
                         "governance.masking.fields.phone", id="unknown-strategy"),
            pytest.param({"masking": {"fields": {"phone": {"keep_last": -1}}}},
                         "governance.masking.fields.phone", id="bad-keep-last"),
            pytest.param({"rules": [{"permit": "read", "when": {"nope": 1}}]},
                         "governance.rules[0].when.nope", id="unknown-rule-field"),
            pytest.param({"rules": [{"permit": "read", "when": {"name": {"actor": "x"}}}]},
                         "governance.rules[0].when.name.actor", id="unknown-actor-ref"),
            pytest.param({"rules": [{"permit": "read", "roles": ["sales"]},
                                    {"forbid": "read", "roles": ["sales"]}]},
                         "governance.rules[1]", id="contradiction"),
            pytest.param({"rules": [{"allow": "read"}]}, "governance.rules[0]", id="no-effect"),
        ],
    )  # fmt: skip
    def test_bad_input_names_the_path(self, change: dict[str, Any], path: str) -> None:
        """Each problem raises SchemaError whose path says where."""
        data: dict[str, Any] = {"roles": {"sales": {"actions": ["read"]}}}
        for key, value in change.items():
            data[key] = {**data.get(key, {}), **value} if key == "roles" else value
        with pytest.raises(SchemaError) as info:
            Policy.from_dict(data, SCHEMA)
        assert path == info.value.path

    def test_yaml_errors_name_the_path(self) -> None:
        """A policy in a schema document reports the same path."""
        governance = {"roles": {"sales": {"fields": {"email": "read"}}}}
        schema = Schema("lead", [Field("name", Text())], extensions={"governance": governance})
        with pytest.raises(SchemaError) as info:
            Policy.from_schema(schema)
        assert "governance.roles.sales.fields.email" == info.value.path

    def test_hash_needs_a_key(self) -> None:
        """A hash strategy without a key (or a short key) is refused."""
        with pytest.raises(SchemaError, match="needs a key"):
            Policy(masking={"tags": {"pii": "hash"}})
        with pytest.raises(SchemaError, match="16 bytes"):
            Policy(masking={"tags": {"pii": "hash"}}, key=b"short")

    def test_key_is_never_written(self) -> None:
        """to_dict never holds the key."""
        key = b"k" * 32
        policy = Policy(masking={"tags": {"pii": "hash"}}, key=key)
        assert "k" * 32 not in repr(policy.to_dict())


def test_record_column_literals_are_text() -> None:
    """A record column compared with something other than text is refused at its path."""
    with pytest.raises(SchemaError) as info:
        Policy.from_dict({"rules": [{"permit": "read", "when": {"record.owner": 5}}]}, SCHEMA)
    assert "governance.rules[0].when.record.owner" == info.value.path


ROLE_DATA = st.fixed_dictionaries(
    {"actions": st.lists(st.sampled_from([a.value for a in Action]), unique=True)},
    optional={
        "default": st.sampled_from(["none", "masked", "read", "write"]),
        "fields": st.dictionaries(st.sampled_from(["name", "email", "notes"]),
                                  st.sampled_from(["none", "masked", "read", "write"])),
        "tags": st.dictionaries(st.just("pii"), st.sampled_from(["masked", "none"])),
    },
)  # fmt: skip
TESTS = st.one_of(
    st.just({"territory": {"actor": "territories"}}),
    st.just({"record.owner": {"ne": {"actor": "id"}}}),
    st.just({"name": ["Ada", "Grace"], "notes": None}),
    st.just({"record.stage": {"in": ["lead", "mql"]}}),
)
RULE_DATA = st.builds(
    lambda effect, actions, roles, when, after: {
        effect: actions, **({"roles": roles} if roles else {}),
        **({"when": when} if when else {}), **({"after": after} if after else {}),
    },
    st.sampled_from(["permit", "forbid"]),
    st.lists(st.sampled_from(["read", "update", "create"]), min_size=1, unique=True),
    st.lists(st.sampled_from(["sales", "admin"]), unique=True),
    TESTS,
    st.none() | TESTS,
)  # fmt: skip
MASK_DATA = st.sampled_from(["redact", "null", {"keep_last": 2}, {"redact": "***"}])


@given(
    st.dictionaries(st.sampled_from(["sales", "admin", "ops"]), ROLE_DATA, max_size=3),
    st.lists(RULE_DATA, max_size=4),
    st.dictionaries(st.sampled_from(["phone", "email"]), MASK_DATA),
)
def test_plain_data_round_trips(roles: dict[str, Any], rules: list[dict[str, Any]],
                                masks: dict[str, Any]) -> None:  # fmt: skip
    """Any policy's plain data reads back into a policy that writes the same data."""
    data = {"roles": roles, "rules": rules, "masking": {"fields": masks}}
    policy = Policy.from_dict(data, SCHEMA)
    assert policy.to_dict() == Policy.from_dict(policy.to_dict(), SCHEMA).to_dict()
    assert set(roles) == set(policy.to_dict()["roles"])  # type: ignore[call-overload]
