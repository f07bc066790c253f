"""A field's ``on_invalid``: declared in Python and YAML, per channel, and what the rule
engine makes of an invalid value under ``quarantine``, ``clear`` and ``keep``."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

import recordkit as rk
from recordkit.rules import RuleSet, Severity, run_chunk

LEAD = {"type": "picklist", "values": ["Web", "Event"]}


def schema(lead: Any = "quarantine", **more: Any) -> rk.Schema:
    fields: dict[str, Any] = {
        "name": {"type": "text", "required": True},
        "lead_source": {**LEAD, "on_invalid": lead},
        **more,
    }
    return rk.schema_from_dict({"schema": "lead", "fields": fields})


def parse(field: str) -> rk.Schema:
    return rk.parse_schema(f"schema: t\nfields:\n  dob: {field}\n")


class TestDeclared:
    def test_default_is_quarantine_everywhere(self) -> None:
        f = rk.Field("lead_source", rk.Text())
        assert {"default": "quarantine"} == dict(f.on_invalid)
        assert "quarantine" == f.invalid_action() == f.invalid_action("import")

    def test_one_action_covers_every_channel(self) -> None:
        f = rk.Field("lead_source", rk.Text(), on_invalid="clear")
        assert ("clear", "clear") == (f.invalid_action("api"), f.invalid_action())

    def test_channels_are_exact_source_names_else_default(self) -> None:
        f = rk.field(
            rk.Text(), on_invalid={"default": "clear", "import": "keep", "api": "quarantine"}
        )
        assert "keep" == f.invalid_action("import")
        assert "quarantine" == f.invalid_action("api")
        assert "clear" == f.invalid_action("Import")  # not the same name
        assert "clear" == f.invalid_action(None)

    def test_a_mapping_without_default_quarantines_other_channels(self) -> None:
        f = rk.Field("lead_source", rk.Text(), on_invalid={"import": "clear"})
        assert {"default": "quarantine", "import": "clear"} == dict(f.on_invalid)

    def test_equal_hashable_picklable(self) -> None:
        a = rk.Field("x", rk.Text(), on_invalid={"import": "clear"})
        b = rk.Field("x", rk.Text(), on_invalid={"default": "quarantine", "import": "clear"})
        assert a == b
        assert hash(a) == hash(b)
        assert a != rk.Field("x", rk.Text(), on_invalid="clear")
        assert a == pickle.loads(pickle.dumps(a))

    @pytest.mark.parametrize("kind", ["text", "email", "phone", "url", "country"])
    def test_keep_is_allowed_where_the_stored_value_is_text(self, kind: str) -> None:
        assert "keep" == parse(f"{{type: {kind}, on_invalid: keep}}").field("dob").invalid_action()

    @pytest.mark.parametrize("kind", ["date", "datetime", "integer", "decimal", "money", "boolean"])
    def test_keep_is_refused_where_the_stored_value_is_typed(self, kind: str) -> None:
        with pytest.raises(rk.SchemaError, match=rf"field 'dob'.*{kind} field cannot hold text"):
            parse(f"{{type: {kind}, on_invalid: {{api: keep}}}}")
        with pytest.raises(rk.SchemaError, match="'dob'") as caught:
            rk.Field("dob", rk.Date(), on_invalid="keep")
        assert "on_invalid" == caught.value.path

    @pytest.mark.parametrize(
        ("option", "path", "says"),
        [
            ("clar", "fields.dob.on_invalid", "got 'clar'"),
            ("{import: drop}", "fields.dob.on_invalid.import", "got 'drop'"),
            ("{import: 3}", "fields.dob.on_invalid.import", "got 3"),
            ("[clear]", "fields.dob.on_invalid", "got list"),
            ("{'': clear}", "fields.dob.on_invalid", "channel"),
            ("{default: null}", "fields.dob.on_invalid", "got None"),
            ("7", "fields.dob.on_invalid", "got int"),
        ],
    )
    def test_bad_values_name_the_field(self, option: str, path: str, says: str) -> None:
        with pytest.raises(rk.SchemaError) as caught:
            parse(f"{{type: text, on_invalid: {option}}}")
        assert path == caught.value.path
        assert "field 'dob'" in str(caught.value)
        assert says in str(caught.value)

    def test_a_misspelt_action_suggests_the_right_one(self) -> None:
        with pytest.raises(rk.SchemaError) as caught:
            rk.Field("x", rk.Text(), on_invalid="kep")
        assert ("keep",) == caught.value.suggestions[:1]

    def test_invalid_action_refuses_a_channel_that_is_not_text(self) -> None:
        with pytest.raises(rk.SchemaError, match="channel"):
            rk.Field("x", rk.Text()).invalid_action(3)  # type: ignore[arg-type]


class TestRoundTrip:
    @pytest.mark.parametrize(
        "lead", ["quarantine", "clear", "keep", {"import": "clear", "api": "keep"},
                 {"default": "clear", "form": "quarantine"}],
    )  # fmt: skip
    @pytest.mark.parametrize("fmt", ["yaml", "json"])
    def test_load_dump_load_is_equal(self, lead: Any, fmt: Any) -> None:
        first = schema(lead, dob={"type": "date", "on_invalid": {"import": "clear"}})
        text = rk.dump_schema(first, format=fmt)
        again = rk.parse_schema(text, format=fmt)
        assert first == again
        assert rk.dump_schema(again, format=fmt) == text

    def test_the_default_is_not_written(self) -> None:
        assert "on_invalid" not in rk.dump_schema(schema())
        assert "on_invalid: clear\n" in rk.dump_schema(schema("clear"))


class TestOneRecord:
    def test_quarantine_leaves_the_error(self) -> None:
        out = RuleSet.for_schema(schema()).run({"name": "Ada", "lead_source": "Fax"}, channel="x")
        assert not out.ok
        assert ["lead_source"] == [i.field for i in out.issues if i.severity is Severity.ERROR]

    def test_clear_makes_the_value_missing_and_says_so(self) -> None:
        rules = RuleSet.for_schema(schema({"import": "clear"}))
        out = rules.run({"name": "Ada", "lead_source": "Fax"}, channel="import")
        assert out.ok
        assert out.values["lead_source"] is None
        [issue] = out.issues
        assert (Severity.WARNING, "lead_source", "Fax") == (
            issue.severity,
            issue.field,
            issue.value,
        )
        assert issue.code == "one_of"
        assert "cleared" in issue.message
        # the same record through another channel is refused
        assert not rules.run({"name": "Ada", "lead_source": "Fax"}, channel="form").ok
        assert not rules.run({"name": "Ada", "lead_source": "Fax"}).ok

    def test_keep_stores_the_raw_text_flagged(self) -> None:
        rules = RuleSet.for_schema(schema("keep"))
        out = rules.run({"name": "Ada", "lead_source": " Fax Machine "})
        assert out.ok
        assert " Fax Machine " == out.values["lead_source"]
        [issue] = out.issues
        assert Severity.WARNING == issue.severity
        assert "kept as written" in issue.message
        assert " Fax Machine " == issue.value

    def test_keep_of_a_value_that_is_not_text_clears_it(self) -> None:
        out = RuleSet.for_schema(schema("keep")).run({"name": "Ada", "lead_source": 42})
        assert out.ok
        assert out.values["lead_source"] is None
        assert "not text" in out.issues[0].message
        assert 42 == out.issues[0].value

    def test_valid_values_are_untouched(self) -> None:
        out = RuleSet.for_schema(schema("clear")).run({"name": "Ada", "lead_source": "Web"})
        assert ("Web", ()) == (out.values["lead_source"], out.issues)

    def test_a_date_refused_is_cleared_with_its_coercion_issue(self) -> None:
        s = schema(dob={"type": "date", "order": "dmy", "on_invalid": "clear"})
        out = RuleSet.for_schema(s).run({"name": "Ada", "dob": "31/31/2023"})
        assert out.ok
        assert out.values["dob"] is None
        [issue] = out.issues
        assert issue.code.startswith(("coerce.date", "date."))
        assert "31/31/2023" == issue.value

    def test_a_required_field_cleared_is_still_missing(self) -> None:
        s = rk.schema_from_dict({"schema": "t", "fields": {
            "lead_source": {**LEAD, "required": True, "on_invalid": "clear"}}})  # fmt: skip
        out = RuleSet.for_schema(s).run({"lead_source": "Fax"})
        assert not out.ok
        assert out.values["lead_source"] is None
        severities = {i.code: i.severity for i in out.issues}
        assert Severity.ERROR == severities["required"]
        assert Severity.WARNING in severities.values()

    def test_a_placeholder_kept_counts_as_a_value(self) -> None:
        s = rk.schema_from_dict({"schema": "t", "fields": {
            "city": {"type": "text", "required": True, "on_invalid": "keep"}}})  # fmt: skip
        out = RuleSet.for_schema(s).run({"city": "n/a"})
        assert out.ok
        assert "n/a" == out.values["city"]
        assert all(i.severity is Severity.WARNING for i in out.issues)
        assert out.issues

    def test_a_bad_channel_is_refused(self) -> None:
        rules = RuleSet.for_schema(schema())
        with pytest.raises(rk.RecordkitError, match="channel"):
            rules.run({"name": "Ada"}, channel=3)  # type: ignore[arg-type]
        with pytest.raises(rk.RecordkitError, match="channel"):
            rules.run_batch([{"name": "Ada"}], channel=b"x")  # type: ignore[arg-type]


ROWS = [{"name": "Ada", "lead_source": v} for v in ("Web", "Fax", "Fax", "", "Event", "Tv")]


class TestBatch:
    def test_clear_passes_the_rows_quarantine_holds_them(self) -> None:
        rules = RuleSet.for_schema(schema({"import": "clear", "api": "keep"}))
        held = rules.run_batch(ROWS)
        assert [1, 2, 5] == [q.row for q in held.quarantine]
        cleared = rules.run_batch(ROWS, channel="import")
        assert [] == cleared.quarantine
        assert ["Web", None, None, None, "Event", None] == cleared.columns["lead_source"]
        assert {"errors": 0, "warnings": 3} == {
            k: cleared.summary()[k] for k in ("errors", "warnings")
        }
        kept = rules.run_batch(ROWS, channel="api")
        assert ["Web", "Fax", "Fax", None, "Event", "Tv"] == kept.columns["lead_source"]

    def test_one_memo_across_channels_keeps_their_results_apart(self) -> None:
        rules = RuleSet.for_schema(schema({"import": "clear"}))
        memo: dict[str, Any] = {}
        columns = {"name": ["Ada"], "lead_source": ["Fax"]}
        first = run_chunk(rules, columns, 1, memo=memo, channel="import")
        second = run_chunk(rules, columns, 1, memo=memo)
        assert {} == first.errors_by_row()
        assert [0] == list(second.errors_by_row())
