"""Rules compose: function rules, chains, all_of, any_of, when, tuned, record rules."""

from __future__ import annotations

from typing import Any

import pytest

from recordkit import SchemaError
from recordkit.rules import (
    Issue,
    Normalizer,
    Normalizers,
    Severity,
    Validator,
    Validators,
    all_of,
    any_of,
    chain,
    normalizer,
    on_field,
    require,
    require_any,
    tuned,
    validator,
    when,
    where,
)


class TestFunctionRules:
    def test_normalizer_reports_a_change(self) -> None:
        upper = normalizer(str.upper, id="upper")
        assert ("NY", True) == upper.normalize("ny")
        assert ("NY", False) == upper.normalize("NY")

    def test_normalizer_tells_one_from_true(self) -> None:
        to_bool = normalizer(bool, id="to_bool")
        assert (True, True) == to_bool.normalize(1)

    @pytest.mark.parametrize(
        ("verdict", "messages"),
        [
            pytest.param(True, [], id="true"),
            pytest.param(None, [], id="none"),
            pytest.param(False, ["must be even"], id="false"),
            pytest.param("odd, not even", ["odd, not even"], id="message"),
        ],
    )
    def test_validator_verdicts(self, verdict: Any, messages: list[str]) -> None:
        rule = validator(lambda v: verdict, id="even", message="must be even")
        assert messages == [i.message for i in rule.validate(3)]

    def test_validator_issue_names_rule_and_version(self) -> None:
        rule = validator(lambda v: False, id="acme.x", version=3, code="x.bad", hint="fix")
        (issue,) = rule.validate("v")
        assert ("acme.x", 3, "x.bad", "fix", "v") == (
            issue.rule, issue.rule_version, issue.code, issue.hint, issue.value
        )

    def test_rules_satisfy_the_protocols(self) -> None:
        assert isinstance(normalizer(str.strip, id="s"), Normalizer)
        assert isinstance(validator(bool, id="b"), Validator)
        assert isinstance(Normalizers.phone(), Normalizer)
        assert isinstance(Validators.email(), Validator)


class TestChain:
    def test_each_gets_the_output_of_the_one_before(self) -> None:
        rule = chain(Normalizers.text(), Normalizers.case("upper"))
        assert ("ADA LOVELACE", True) == rule.normalize("  ada   lovelace ")

    def test_flattens_nested_chains(self) -> None:
        inner = chain(Normalizers.text(), Normalizers.name())
        outer = chain(inner, Normalizers.case("lower"))
        assert 3 == len(outer.rules)  # type: ignore[attr-defined]

    def test_id_names_the_parts(self) -> None:
        rule = chain(Normalizers.text(), Normalizers.name())
        assert "chain(normalize.text,normalize.name)" == rule.id


class TestAllOf:
    def test_reports_every_failure(self) -> None:
        rule = all_of(Validators.length(max=2), Validators.pattern("[0-9]+"))
        assert ["length", "pattern"] == [i.code for i in rule.validate("abc")]

    def test_passes_when_all_hold(self) -> None:
        rule = all_of(Validators.length(max=5), Validators.pattern("[a-z]+"))
        assert () == tuple(rule.validate("abc"))

    def test_flattens(self) -> None:
        rule = all_of(all_of(Validators.email(), Validators.length(max=9)), Validators.not_blank())
        assert 3 == len(rule.rules)  # type: ignore[attr-defined]


class TestAnyOf:
    def test_passes_when_one_holds(self) -> None:
        rule = any_of(Validators.email(), Validators.phone(region="US"))
        assert () == tuple(rule.validate("a@b.io"))

    def test_one_issue_lists_why_each_failed(self) -> None:
        (issue,) = any_of(Validators.email(), Validators.phone(region="US")).validate("nope")
        assert "any_of" == issue.code
        assert "none of these holds" in issue.message
        assert "phone" in issue.message

    def test_mildest_alternative_sets_severity(self) -> None:
        rule = any_of(Validators.email(), Validators.phone(severity="warning"))
        assert Severity.WARNING == rule.validate("nope")[0].severity


class TestWhen:
    def test_field_level_condition(self) -> None:
        rule = when(lambda v: isinstance(v, str) and v.startswith("+"), Validators.phone())
        assert () == tuple(rule.validate("not a phone"))
        assert ["phone.unreadable"] == [i.code for i in rule.validate("+0")]

    def test_record_level_condition(self) -> None:
        rule = when(where("stage", equals="Closed Won"), require("contract_link"))
        assert [] == list(rule.validate({"stage": "Proposal"}))
        (issue,) = rule.validate({"stage": "Closed Won", "contract_link": None})
        assert ("contract_link", "required") == (issue.field, issue.code)

    def test_normalizer_under_condition(self) -> None:
        rule = when(lambda v: len(v) == 2, Normalizers.case("upper"))
        assert isinstance(rule, Normalizer)
        assert ("NY", True) == rule.normalize("ny")
        assert ("new york", False) == rule.normalize("new york")

    def test_refuses_what_is_not_a_rule(self) -> None:
        with pytest.raises(SchemaError, match="normalizer or a validator"):
            when(lambda v: True, "required")  # type: ignore[call-overload]


class TestWhere:
    @pytest.mark.parametrize(
        ("condition", "values", "expected"),
        [
            pytest.param(where("s", one_of=["a", "b"]), {"s": "b"}, True, id="one_of"),
            pytest.param(where("s", present=True), {"s": " "}, False, id="blank-not-present"),
            pytest.param(where("s", present=False), {}, True, id="absent"),
            pytest.param(where("s", matches="[A-Z]+"), {"s": "AB"}, True, id="matches"),
            pytest.param(where("s", matches="[A-Z]+"), {"s": 5}, False, id="matches-non-text"),
            pytest.param(where("s", equals=1), "not a mapping", False, id="not-mapping"),
        ],
    )
    def test_conditions(self, condition: Any, values: Any, expected: bool) -> None:
        assert expected == condition(values)


class TestRecordRules:
    def test_require_any(self) -> None:
        rule = require_any("phone", "email")
        assert [] == list(rule.validate({"email": "a@b.io"}))
        (issue,) = rule.validate({"phone": "", "email": None})
        assert "required_any" == issue.code
        assert "phone or email" in issue.message

    def test_on_lifts_a_field_validator(self) -> None:
        rule = on_field("amount", Validators.range(min=1))
        (issue,) = rule.validate({"amount": 0})
        assert ("amount", "range") == (issue.field, issue.code)


class TestTuned:
    def test_replaces_severity_message_hint_code(self) -> None:
        rule = tuned(
            Validators.required(), severity="warning", message="needed", hint="h", code="c"
        )
        (issue,) = rule.validate(None)
        assert (Severity.WARNING, "needed", "h", "c") == (
            issue.severity, issue.message, issue.hint, issue.code
        )

    def test_keeps_the_rule_id(self) -> None:
        assert "check.required" == tuned(Validators.required(), severity="info").id

    def test_refuses_unknown_severity(self) -> None:
        with pytest.raises(ValueError, match="severity"):
            Issue(field="f", rule="r", code="c", message="m", severity="fatal")


class TestIssue:
    def test_str_says_where_what_and_how_to_fix(self) -> None:
        issue = Issue(field="email", rule="check.email", code="email.invalid",
                      message="no @", hint="write name@example.com", row=4)
        assert "row 4, field 'email': no @ (write name@example.com)" in str(issue)

    def test_repr_shortens_huge_values(self) -> None:
        issue = Issue(field="f", rule="r", code="c", message="m", value="x" * 10_000)
        assert len(repr(issue)) < 200

    def test_to_dict_is_plain_data(self) -> None:
        issue = Issue(field="f", rule="r", code="c", message="m", value=object())
        assert {"field", "rule", "rule_version", "code", "severity", "message", "value",
                "hint", "row"} == set(issue.to_dict())  # fmt: skip
        assert "error" == issue.to_dict()["severity"]
