"""Lifecycles as data: YAML, JSON and Python give the same object; bad documents say where."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import recordkit as rk
from recordkit.lifecycle import lifecycle_for
from tests.lifecycle.machines import DEAL_STAGES, DEAL_YAML


class TestFormatParity:
    def test_yaml_equals_python(self) -> None:
        """The YAML document builds the lifecycle the Python declaration builds."""
        assert DEAL_STAGES == rk.lifecycle_from_dict(yaml.safe_load(DEAL_YAML))

    def test_json_file_equals_python(self, tmp_path: Path) -> None:
        """A JSON file of the same document loads as the same lifecycle."""
        path = tmp_path / "pipeline.json"
        path.write_text(json.dumps(yaml.safe_load(DEAL_YAML)), encoding="utf-8")
        assert DEAL_STAGES == rk.load_lifecycle(path)

    @pytest.mark.parametrize("name", ["governance", "business"])
    def test_bundled_round_trip(self, name: str) -> None:
        """A bundled lifecycle survives to_dict, JSON and from_dict unchanged."""
        lc = rk.bundled_lifecycle(name)
        data = json.loads(json.dumps(rk.lifecycle_to_dict(lc)))
        assert lc == rk.lifecycle_from_dict(data)

    def test_code_guards_have_no_plain_form(self) -> None:
        """
        A lifecycle with a guard written in code refuses to become plain data, naming the guard.
        """
        lc = DEAL_STAGES.with_guards("proposal", rk.guard(list, name="custom"))
        with pytest.raises(rk.SchemaError, match="'custom' is code"):
            rk.lifecycle_to_dict(lc)


class TestBundled:
    def test_governance(self) -> None:
        """
        The governance lifecycle drives the state, with its initial, final states, guards and
        timers.
        """
        lc = rk.bundled_lifecycle("governance")
        assert (
            "state",
            "captured",
            ("retired", "merged"),
            ["rules_pass"],
            [
                ("active", "stale", 180.0),
                ("active", "retiring", 365.0),
                ("stale", "retiring", 365.0),
            ],
        ) == (
            lc.attribute,
            lc.initial.name,
            lc.finals,
            [g.name for g in lc.state("active").guards],
            [(t.source, t.target, t.after.days * 1.0) for t in lc.timers],
        )

    def test_business(self) -> None:
        """The business lifecycle drives the stage forward only, from subscriber to customer."""
        lc = rk.bundled_lifecycle("business")
        assert ("stage", True, "subscriber") == (lc.attribute, lc.forward_only, lc.initial.name)
        assert ("subscriber", "lead", "mql", "sql", "opportunity", "customer") == lc.names[:6]

    def test_unknown_name_suggests(self) -> None:
        """An unknown bundled name is refused with the closest name as a suggestion."""
        with pytest.raises(rk.SchemaError) as caught:
            rk.bundled_lifecycle("governanse")
        assert ("governance",) == caught.value.suggestions


BAD = [
    pytest.param({"states": {}}, "states", id="no-states"),
    pytest.param({"statez": {"a": {}}}, "(did you mean 'states'?)", id="unknown-top-key"),
    pytest.param({"states": {"a": {"finale": True}}}, "states.a", id="unknown-state-key"),
    pytest.param({"states": {"a": {"final": "yes"}}}, "true or false", id="final-not-bool"),
    pytest.param(
        {"states": {"a": {}}, "transitions": [{"from": "a"}]}, "'from' and 'to'", id="edge-no-to"
    ),
    pytest.param({"states": {"a": {}}, "transitions": "a->b"}, "transitions", id="edges-string"),
    pytest.param(
        {"states": {"a": {}, "b": {"final": True}}, "transitions": [{"from": "a", "to": "c"}]},
        "unknown state 'c'",
        id="edge-unknown-target",
    ),
    pytest.param(
        {"states": {"a": {"guards": [{"eval": "1"}]}}}, "unknown guard", id="unknown-guard"
    ),
    pytest.param(
        {"states": {"a": {}}, "timers": [{"from": "a", "to": "a"}]},
        "after_days",
        id="timer-no-after",
    ),
    pytest.param({"states": {"a": {}}, "forward_only": "true"}, "forward_only", id="flag-string"),
    pytest.param(["states"], "expected a mapping", id="not-a-mapping"),
    pytest.param({"states": {"a": {}}, "lifecycle": "Has Spaces"}, "lifecycle name", id="bad-name"),
    pytest.param({"states": {"a": {}}, "reason_codes": "oops"}, "reason_codes", id="codes-string"),
]


class TestBadDocuments:
    @pytest.mark.parametrize(("data", "message"), BAD)
    def test_bad_document(self, data: Any, message: str) -> None:
        """A bad document is refused with the file name and what is wrong where."""
        with pytest.raises(rk.SchemaError) as caught:
            rk.lifecycle_from_dict(data, source="test.yaml")
        assert message in str(caught.value)
        assert str(caught.value).startswith("test.yaml: ")

    def test_unreadable_file(self, tmp_path: Path) -> None:
        """A missing file is a SchemaError saying it cannot be read."""
        with pytest.raises(rk.SchemaError, match="cannot read"):
            rk.load_lifecycle(tmp_path / "missing.yaml")

    def test_yaml_is_loaded_safely(self, tmp_path: Path) -> None:
        """YAML tags that would run code are refused, not run."""
        path = tmp_path / "evil.yaml"
        path.write_text("!!python/object/apply:os.system ['echo hi']\n", encoding="utf-8")
        with pytest.raises(rk.SchemaError, match="not valid YAML"):
            rk.load_lifecycle(path)


class TestSchemaSections:
    def test_section_by_bundled_name(self) -> None:
        """Schema sections may name bundled lifecycles."""
        schema = rk.parse_schema(
            "schema: lead\nfields: {email: {type: email}}\nlifecycle: governance\n"
            "stages: business\n"
        )
        state, stage = lifecycle_for(schema, "state"), lifecycle_for(schema, "stage")
        assert state is not None
        assert stage is not None
        assert ("governance", "business") == (state.name, stage.name)

    def test_inline_section_takes_the_schema_name(self) -> None:
        """
        An inline section without a name or attribute takes the schema's name and the section's
        attribute.
        """
        doc = yaml.safe_load(DEAL_YAML)
        del doc["lifecycle"], doc["attribute"]
        schema = rk.schema_from_dict(
            {"schema": "deal", "fields": {"contract_link": {"type": "url"}}, "stages": doc}
        )
        lc = lifecycle_for(schema, "stage")
        assert lc is not None
        assert ("deal", "stage") == (lc.name, lc.attribute)

    def test_wrong_kind_of_bundled_lifecycle(self) -> None:
        """A bundled lifecycle under the other attribute's section is refused."""
        schema = rk.parse_schema(
            "schema: lead\nfields: {email: {type: email}}\nstages: governance\n"
        )
        with pytest.raises(rk.SchemaError, match="drives 'state', not 'stage'"):
            lifecycle_for(schema, "stage")

    def test_bad_inline_section_names_its_path(self) -> None:
        """A bad inline section is refused with the schema and the path."""
        schema = rk.parse_schema(
            "schema: lead\nfields: {email: {type: email}}\nlifecycle: {states: 3}\n"
        )
        with pytest.raises(rk.SchemaError, match=r"schema lead: at lifecycle\.states"):
            lifecycle_for(schema, "state")

    def test_no_section(self) -> None:
        """A schema without a section has no lifecycle for that attribute."""
        assert None is lifecycle_for(rk.bundled_schema("contact"), "stage")
