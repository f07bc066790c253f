"""RuleSet: defaults per field type, schema rules from Python and YAML, plugins by name,
record rules, versions, and what a run returns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import recordkit as rk
from recordkit.rules import Normalizers, RuleSet, Severity, Validators, normalizer, plugin_names

DEAL_YAML = """
schema: deal
fields:
  name: {type: text, required: true}
  stage:
    type: picklist
    values: [Prospecting, Proposal, Closed Won, Closed Lost]
    synonyms: {Closed Won: [Won]}
  contract_link: {type: url}
  amount: {type: money, currency: USD}
  vat: {type: text, rules: [{use: acme.vat_format}, {use: acme.vat_number, severity: warning}]}
  code:
    type: text
    rules:
      - {defaults: false}
      - {pattern: "[A-Z]{3}-[0-9]+", hint: "like ABC-123"}
rules:
  version: 4
  record:
    - when: {field: stage, equals: Closed Won}
      then: {require: [contract_link]}
      message: a deal cannot be Closed Won without a contract link
    - {field: amount, rule: {range: {min: 0}}}
"""


NAMED = {"first_name": "Ada", "last_name": "Byron"}
"""
A contact's required fields: without them every run has two errors besides the one tested.
"""


@pytest.fixture(scope="module")
def deal_rules() -> RuleSet:
    return RuleSet.for_schema(rk.parse_schema(DEAL_YAML))


@pytest.fixture(scope="module")
def contact_rules() -> RuleSet:
    return RuleSet.for_schema(rk.bundled_schema("contact"))


class TestDefaults:
    def test_every_field_type_contributes(self, contact_rules: RuleSet) -> None:
        ids = {f: [r.id for r in contact_rules.rules_for(f)] for f in ("email", "phone", "state")}
        assert ["check.placeholder", "normalize.email", "check.email"] == ids["email"]
        assert ["check.placeholder", "normalize.phone", "check.phone"] == ids["phone"]
        assert ["check.placeholder", "normalize.text", "normalize.subdivision",
                "check.subdivision"] == ids["state"]  # fmt: skip

    def test_normalizes_a_messy_contact(self, contact_rules: RuleSet) -> None:
        out = contact_rules.run({
            "first_name": "  Ada ", "email": " ADA@Example.COM ", "phone": "020 7946 0958",
            "country": "U.K.", "state": "London", "industry": "saas",
            "website": "Acme.COM/", "birth_date": "7th March 1985", "email_opt_in": "Oui",
        })  # fmt: skip
        expected = {
            "first_name": "Ada", "email": "ada@example.com", "phone": "+442079460958",
            "country": "GB", "state": "GB-LND", "industry": "Technology",
            "website": "https://acme.com", "birth_date": dt.date(1985, 3, 7),
            "email_opt_in": True,
        }  # fmt: skip
        assert expected == {k: out.values[k] for k in expected}

    def test_phone_region_follows_the_record_country(self, contact_rules: RuleSet) -> None:
        assert (
            "+33142685300"
            == contact_rules.run({"phone": "01 42 68 53 00", "country": "France"}).values["phone"]
        )

    def test_every_change_is_explained(self, contact_rules: RuleSet) -> None:
        out = contact_rules.run({"email": "A@B.IO", "country": "usa"})
        assert {("email", "A@B.IO", "a@b.io", "normalize.email"),
                ("country", "usa", "US", "normalize.country")} == {
            (c.field, c.before, c.after, c.rule) for c in out.changes
        }  # fmt: skip

    def test_a_blank_country_stays_blank(self, contact_rules: RuleSet) -> None:
        """No silent default: the bundled contact schema fills no country in."""
        assert None is contact_rules.run({"country": "  "}).values["country"]

    def test_defaults_fill_blanks(self) -> None:
        """A field's declared default fills a blank value."""
        schema = rk.Schema("s", [rk.Field("country", rk.Country(), default="FR")])
        assert "FR" == RuleSet.for_schema(schema).run({"country": "  "}).values["country"]

    def test_required_is_an_error(self, contact_rules: RuleSet) -> None:
        """A required field without a value is an error (not a warning) by default."""
        out = contact_rules.run({"email": "a@b.io"})
        assert not out.ok
        assert {("first_name", "required"), ("last_name", "required")} == {
            (i.field, i.code) for i in out.errors
        }
        assert not out.warnings

    def test_required_severity_is_configurable(self) -> None:
        """A field's own required rule replaces the default one, with its severity."""
        schema = rk.parse_schema(
            "schema: s\nfields:\n  name: {type: text, required: true, rules: "
            "[{required: {severity: warning}}]}\n"
        )
        out = RuleSet.for_schema(schema).run({})
        assert out.ok
        assert [("name", "required", Severity.WARNING)] == [
            (i.field, i.code, i.severity) for i in out.issues
        ]

    def test_coercion_failures_become_issues(self, contact_rules: RuleSet) -> None:
        (issue,) = contact_rules.run({**NAMED, "birth_date": "soon"}).errors
        assert ("birth_date", "coerce.date") == (issue.field, issue.code)

    def test_unknown_keys_are_errors_with_a_suggestion(self, contact_rules: RuleSet) -> None:
        (issue,) = contact_rules.run({**NAMED, "emial": "a@b.io"}).errors
        assert "unknown_field" == issue.code
        assert "did you mean 'email'" in issue.message

    def test_bad_values_are_explained(self, contact_rules: RuleSet) -> None:
        out = contact_rules.run(
            {**NAMED, "email": "ada(at)example", "phone": "12", "industry": "Mining"}
        )
        assert {"email": "email.invalid", "phone": "phone.invalid",
                "industry": "one_of"} == {i.field: i.code for i in out.errors}  # fmt: skip


class TestSchemaRules:
    def test_version_comes_from_the_rules_section(self, deal_rules: RuleSet) -> None:
        assert 4 == deal_rules.version

    def test_closed_won_needs_a_contract_link(self, deal_rules: RuleSet) -> None:
        out = deal_rules.run({"name": "Big", "stage": "won"})
        (issue,) = out.errors
        assert ("contract_link", "a deal cannot be Closed Won without a contract link") == (
            issue.field,
            issue.message,
        )
        assert deal_rules.run(
            {"name": "Big", "stage": "won", "contract_link": "docs.example.com/c/1"}
        ).ok

    def test_record_rule_on_a_field(self, deal_rules: RuleSet) -> None:
        (issue,) = deal_rules.run({"name": "x", "amount": "-5 USD"}).errors
        assert ("amount", "range") == (issue.field, issue.code)

    def test_defaults_false_replaces_type_rules(self, deal_rules: RuleSet) -> None:
        assert ["check.pattern"] == [r.id for r in deal_rules.rules_for("code")]
        out = deal_rules.run({"name": "Big", "code": " abc-1 "})
        assert "like ABC-123" == out.errors[0].hint
        assert " abc-1 " == out.values["code"]

    def test_plugin_rules_by_name(self, deal_rules: RuleSet) -> None:
        out = deal_rules.run({"name": "Big", "vat": "de 123.456.789"})
        assert "DE123456789" == out.values["vat"]
        assert out.ok
        (issue,) = [i for i in deal_rules.run({"vat": "XX1"}).issues if i.field == "vat"]
        assert ("acme.vat_number", Severity.WARNING, "vat") == (
            issue.rule,
            issue.severity,
            issue.field,
        )

    def test_python_overrides_and_extensions(self) -> None:
        schema = rk.bundled_schema("contact")
        rules = RuleSet.for_schema(
            schema,
            fields={"last_name": [Normalizers.name()]},
            extend={"city": [Validators.length(min=3, severity="warning")]},
            record=[{"require_any": ["phone", "email"]}],
            version=9,
        )
        out = rules.run({"last_name": "o'NEIL", "city": "LA"})
        assert "o'NEIL" == out.values["last_name"]  # mixed case: written with care, kept
        assert "LA" == out.values["city"]
        assert {"check.length", "record.require_any"} <= {i.rule for i in out.issues}
        assert 9 == rules.version
        # the override takes the field's role (a family name): the surname list applies
        assert "McDonald" == rules.run({"last_name": "MCDONALD"}).values["last_name"]
        assert (
            "Mcdonald"
            == RuleSet.for_schema(schema, fields={"first_name": [Normalizers.name()]})
            .run({"first_name": "MCDONALD"})
            .values["first_name"]
        )


class TestSpecErrors:
    @pytest.mark.parametrize(
        ("rules", "suggestion"),
        [
            pytest.param(["not_blnk"], "not_blank", id="builtin-typo"),
            pytest.param([{"use": "acme.vat_numbr"}], "acme.vat_number", id="plugin-typo"),
            pytest.param([{"lenght": {"max": 3}}], "length", id="mapping-typo"),
        ],
    )
    def test_unknown_names_list_close_matches(self, rules: list[Any], suggestion: str) -> None:
        schema = rk.Schema("lead", [rk.Field("code", rk.Text(), rules=rules)])
        with pytest.raises(rk.SchemaError) as info:
            RuleSet.for_schema(schema)
        assert suggestion in info.value.suggestions
        assert "fields.code.rules[0]" in info.value.path

    @pytest.mark.parametrize(
        "rules",
        [
            pytest.param([{"length": {"maximum": 3}}], id="bad-argument"),
            pytest.param([{"length": 3, "pattern": "x"}], id="two-names"),
            pytest.param([42], id="not-a-spec"),
            pytest.param([{"when": {"field": "code"}}], id="when-without-then"),
            pytest.param([{"when": {"feild": "code"}, "then": "required"}], id="bad-condition"),
            pytest.param([{"all_of": []}], id="empty-all-of"),
            pytest.param([{"pattern": "("}], id="bad-regex"),
            pytest.param([{"valid_phone": {"types": ["pager2"]}}], id="bad-phone-type"),
            pytest.param([{"person_name": None, "severity": "warning"}], id="normalizer-severity"),
        ],
    )
    def test_malformed_specs_are_schema_errors(self, rules: list[Any]) -> None:
        schema = rk.Schema("lead", [rk.Field("code", rk.Text(), rules=rules)])
        with pytest.raises(rk.SchemaError):
            RuleSet.for_schema(schema)

    def test_rules_for_unknown_fields(self) -> None:
        with pytest.raises(rk.SchemaError) as info:
            RuleSet.for_schema(rk.bundled_schema("contact"), extend={"emial": ["required"]})
        assert "email" in info.value.suggestions

    def test_cycles_between_fields_are_refused(self) -> None:
        reads = normalizer(lambda v, other: v, id="reads", uses=["b"])
        back = normalizer(lambda v, other: v, id="back", uses=["a"])
        schema = rk.Schema("t", [rk.Field("a", rk.Text()), rk.Field("b", rk.Text())])
        with pytest.raises(rk.SchemaError, match="cycle"):
            RuleSet.for_schema(schema, extend={"a": [reads], "b": [back]})


class TestPlugins:
    def test_the_example_plugin_is_installed(self) -> None:
        assert {"acme.vat_number", "acme.vat_format"} <= set(plugin_names())


class TestVersioning:
    def test_describe_lists_rule_ids_and_versions(self, deal_rules: RuleSet) -> None:
        described = deal_rules.describe()
        fields = described["fields"]
        assert isinstance(fields, dict)
        assert (4, ["check.pattern@1"]) == (described["version"], fields["code"])

    def test_fingerprint_changes_with_the_rules(self) -> None:
        schema = rk.bundled_schema("contact")
        plain = RuleSet.for_schema(schema)
        assert plain.fingerprint == RuleSet.for_schema(schema).fingerprint
        more = RuleSet.for_schema(schema, extend={"city": [Validators.length(max=3)]})
        assert plain.fingerprint != more.fingerprint


class TestCrashingRules:
    def test_a_crashing_rule_is_an_issue_naming_it(self) -> None:
        boom = normalizer(lambda v: 1 / 0, id="acme.boom")
        rules = RuleSet.for_schema(rk.bundled_schema("contact"), extend={"city": [boom]})
        out = rules.run({**NAMED, "city": "Paris", "email": "A@B.IO"})
        (issue,) = out.errors
        assert ("city", "acme.boom", "rule.crashed") == (issue.field, issue.rule, issue.code)
        assert "ZeroDivisionError" in issue.message
        assert ("Paris", "a@b.io") == (out.values["city"], out.values["email"])
