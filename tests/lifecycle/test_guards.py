"""Guards refuse with issues that say which field and why; adapters turn rules into guards."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

import recordkit as rk
from recordkit.lifecycle import GuardIssue, Machine, guard_from_spec
from recordkit.rules import RuleSet
from tests.lifecycle.machines import DEAL, T0, deal


class TestRequiresFields:
    def test_missing_field_is_an_issue(self) -> None:
        issues = rk.requires_fields("contract_link", "amount")(deal(amount=5), DEAL)
        assert [("contract_link", "missing")] == [(i.field, i.code) for i in issues]

    def test_present_fields_pass(self) -> None:
        assert [] == list(rk.requires_fields("name")(deal(), DEAL))

    def test_needs_a_field(self) -> None:
        with pytest.raises(rk.SchemaError, match="at least one field"):
            rk.requires_fields()


class TestFieldEquals:
    def test_value_is_coerced_before_comparing(self) -> None:
        g = rk.field_equals("amount", "1,200.50")
        assert ([], ["not_equal"]) == (
            list(g(deal(amount=rk.Decimal().coerce("1200.50")), DEAL)),
            [i.code for i in g(deal(amount=rk.Decimal().coerce("3")), DEAL)],
        )

    def test_name_shows_the_value(self) -> None:
        assert "equals(owner='ana')" == rk.field_equals("owner", "ana").name


class TestRequiredFieldsValid:
    def test_missing_required_field(self) -> None:
        record = rk.Record("d1", "deal", {}, created_at=deal().created_at)
        issues = rk.required_fields_valid()(record, DEAL)
        assert [("name", "required")] == [(i.field, i.code) for i in issues]

    def test_invalid_value(self) -> None:
        issues = rk.required_fields_valid()(deal(last_contacted="someday"), DEAL)
        assert [("last_contacted", "invalid")] == [(i.field, i.code) for i in issues]


class TestRulesPass:
    def test_unbound_uses_the_schema_rules(self) -> None:
        contact = rk.bundled_schema("contact")
        record = rk.Record("c1", "contact", {"first_name": "Ada", "phone": "12"}, created_at=T0)
        issues = rk.rules_pass()(record, contact)
        assert (["last_name", "phone"], "unbound") == (
            sorted(i.field for i in issues),
            rk.rules_pass().version,
        )

    def test_bound_version_names_the_rule_set(self) -> None:
        rules = RuleSet.for_schema(DEAL)
        assert f"deal@1:{rules.fingerprint}" == rk.rules_pass(rules).version

    def test_machine_binds_its_rules(self) -> None:
        lc = rk.Lifecycle(
            "l",
            [rk.State("a"), rk.State("b", final=True, guards=[rk.rules_pass()])],
            [rk.Edge("a", "b")],
        )
        rules = RuleSet.for_schema(DEAL, version=7)
        m = Machine(lc, DEAL, rules=rules)
        moved = m.move(deal().evolve(state="a"), "b", actor="ana", at=T0)
        assert {"rules_pass": f"deal@7:{rules.fingerprint}"} == dict(moved.transition.rules)

    def test_not_a_rule_set(self) -> None:
        with pytest.raises(rk.SchemaError, match="RuleSet"):
            rk.rules_pass("contact")  # type: ignore[arg-type]


class TestGuardAdapter:
    def test_callable_receives_what_it_names(self) -> None:
        seen: list[Any] = []
        g = rk.guard(lambda schema: seen.append(schema.name), name="peek")
        assert ((), ["deal"]) == (g(deal(), DEAL), seen)

    def test_default_name_is_qualname(self) -> None:
        def has_owner(record: rk.Record) -> list[str]:
            return [] if record.get("owner") else ["no owner"]

        g = rk.guard(has_owner)
        assert ("has_owner", ("no owner",)) == (g.name.split(".")[-1], g(deal(), DEAL))

    def test_not_callable(self) -> None:
        with pytest.raises(rk.SchemaError, match="callable"):
            rk.guard("requires")  # type: ignore[arg-type]

    def test_wrong_return_is_reported(self) -> None:
        with pytest.raises(TypeError, match="sequence of issues"):
            rk.guard(lambda: "oops", name="bad")(deal(), DEAL)


@attrs.frozen
class _MinAmount:
    """A rule engine style validator: id, version, validate."""

    id: str = "acme.min_amount"
    version: int = 3

    def validate(self, value: Any) -> list[GuardIssue]:
        if value is None or value < 100:
            return [GuardIssue("amount", "too_small", "deals start at 100")]
        return []


class TestFromRule:
    def test_field_rule_becomes_a_guard(self) -> None:
        g = rk.from_rule(_MinAmount(), field="amount")
        assert ("amount:acme.min_amount", "3", ["too_small"]) == (
            g.name,
            g.version,
            [i.code for i in g(deal(amount=rk.Decimal().coerce("5")), DEAL)],
        )

    def test_not_a_rule(self) -> None:
        with pytest.raises(rk.SchemaError, match="validator"):
            rk.from_rule(object())


class TestGuardFromSpec:
    @pytest.mark.parametrize(
        ("spec", "name"),
        [
            pytest.param("required_fields_valid", "required_fields_valid", id="all-required"),
            pytest.param("rules_pass", "rules_pass", id="rules-pass"),
            pytest.param({"requires": ["a", "b"]}, "requires(a,b)", id="requires-list"),
            pytest.param({"requires": "a"}, "requires(a)", id="requires-one"),
            pytest.param({"equals": {"field": "a", "value": 1}}, "equals(a=1)", id="equals"),
        ],
    )
    def test_specs(self, spec: Any, name: str) -> None:
        assert name == guard_from_spec(spec).name

    @pytest.mark.parametrize(
        "spec",
        [None, "anything", {"requires": []}, {"equals": {"field": "a"}}, {"x": 1, "y": 2}, 5],
        ids=["none", "unknown-name", "empty-requires", "equals-no-value", "two-keys", "number"],
    )
    def test_garbage(self, spec: Any) -> None:
        with pytest.raises(rk.SchemaError):
            guard_from_spec(spec, "states.x.guards[0]")
