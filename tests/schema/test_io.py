"""Schema documents: loading, dumping, round-trips, and precise errors for broken ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

import recordkit as rk
from tests import strategies as rks

CONTACT_PY = """
fields:
  email: {type: email, required: true, tags: [pii]}
  phone: {type: phone, region: US}
  industry:
    type: picklist
    values: [Technology, Finance]
    synonyms: {Technology: [Software, SaaS, Tech]}
"""


class Lead(rk.Model, name="lead", identity=["email"]):
    """A prospect."""

    email = rk.field(rk.Email(), required=True, tags={"pii"})
    phone = rk.Phone(region="US")
    industry = rk.Picklist(
        values=["Technology", "Finance"], synonyms={"Technology": ["Software", "SaaS", "Tech"]}
    )


class TestParity:
    def test_python_and_yaml_declarations_are_equal(self) -> None:
        """The class syntax and the YAML document build the same Schema object."""
        doc = "schema: lead\ndescription: A prospect.\nidentity: [email]\n" + CONTACT_PY
        assert Lead.schema == rk.parse_schema(doc)

    def test_json_and_yaml_are_equal(self) -> None:
        """The JSON form of the document builds the same schema as the class."""
        doc = yaml.safe_load("schema: lead\ndescription: A prospect.\nidentity: [email]\n"
                             + CONTACT_PY)
        assert rk.parse_schema(json.dumps(doc), format="json") == Lead.schema

    @pytest.mark.parametrize("name", ["contact", "company", "deal"])
    def test_bundled_schemas_round_trip(self, name: str) -> None:
        """Bundled schemas survive a dump and reload, in YAML and in JSON."""
        schema = rk.bundled_schema(name)
        assert schema == rk.parse_schema(rk.dump_schema(schema))
        assert schema == rk.parse_schema(rk.dump_schema(schema, format="json"), format="json")

    def test_bundled_catalog_resolves_references(self) -> None:
        """The bundled catalog lists its schemas, and a reference names the schema it points at."""
        catalog = rk.bundled_catalog()
        assert ("company", "contact", "deal") == catalog.names
        reference = catalog["deal"].field("contact_id").type
        assert isinstance(reference, rk.Reference)
        assert "contact" == reference.to

    def test_load_from_file(self, tmp_path: Path) -> None:
        """A dumped schema loads back from a file."""
        path = tmp_path / "lead.yaml"
        path.write_text(rk.dump_schema(Lead.schema))
        assert Lead.schema == rk.load_schema(path)


LINE_BREAKS = rk.Schema(
    "a",
    [rk.Field("a", rk.Picklist(values=["0"], synonyms={"0": ["\x85", "x\u2028y", "a\r\nb"]}),
              description="two\nlines")],
)


@given(rks.schemas())
@example(LINE_BREAKS)  # YAML folds unquoted line breaks, NEL and LS included
def test_schema_yaml_round_trip(schema: rk.Schema) -> None:
    """YAML → schema → YAML gives back the same schema and the same text."""
    text = rk.dump_schema(schema)
    again = rk.parse_schema(text)
    assert schema == again
    assert text == rk.dump_schema(again)


@given(rks.schemas())
def test_schema_json_round_trip(schema: rk.Schema) -> None:
    """Schema → JSON → schema gives back the same schema."""
    assert schema == rk.parse_schema(rk.dump_schema(schema, format="json"), format="json")


def _doc(fields: str, head: str = "schema: c\n") -> str:
    return f"{head}fields:\n{fields}"


BROKEN = [
    pytest.param("- a\n- b\n", "", "mapping, got a list", id="list-document"),
    pytest.param("just text\n", "", "mapping, got text", id="scalar-document"),
    pytest.param("", "", "mapping, got nothing", id="empty-document"),
    pytest.param("fields: {a: text}\n", "schema", "missing key 'schema'", id="no-name"),
    pytest.param("schema: c\n", "fields", "missing key 'fields'", id="no-fields"),
    pytest.param("schema: c\nfeilds: {a: text}\n", "feilds", "did you mean 'fields'",
                 id="typo-top-key"),
    pytest.param("schema: 5\nfields: {a: text}\n", "schema", "expected text", id="name-number"),
    pytest.param("schema: Contact\nfields: {a: text}\n", "", "lower-case identifier",
                 id="name-case"),
    pytest.param("schema: c\nversion: 0\nfields: {a: text}\n", "version", "positive",
                 id="version-zero"),
    pytest.param("schema: c\nversion: '2'\nfields: {a: text}\n", "version", "whole number",
                 id="version-text"),
    pytest.param("schema: c\nfields: [a, b]\n", "fields", "expected a mapping",
                 id="fields-list"),
    pytest.param("schema: c\nfields: {}\n", "fields", "at least one field", id="no-field"),
    pytest.param(_doc("  a: {required: true}\n"), "fields.a.type", "missing 'type'",
                 id="no-type"),
    pytest.param(_doc("  a: {type: phne}\n"), "fields.a.type", "did you mean 'phone'",
                 id="unknown-type"),
    pytest.param(_doc("  phone: {type: phone, regin: US}\n"), "fields.phone.regin",
                 "did you mean 'region'", id="typo-option"),
    pytest.param(_doc("  phone: {type: phone, region: XX}\n"), "fields.phone.region",
                 "unknown phone region 'XX'", id="bad-region"),
    pytest.param(_doc("  a: {type: text, required: yes please}\n"), "fields.a.required",
                 "true or false", id="required-text"),
    pytest.param(_doc("  a: {type: text, tags: pii}\n"), "fields.a.tags", "expected a list",
                 id="tags-string"),
    pytest.param(_doc("  a: {type: text, tags: [PII!]}\n"), "fields.a.tags", "not a tag",
                 id="bad-tag"),
    pytest.param(_doc("  a: {type: picklist, values: x}\n"), "fields.a.values",
                 "expected a list", id="picklist-values-string"),
    pytest.param(_doc("  a: {type: picklist, values: [x, 3]}\n"), "fields.a.values[1]",
                 "expected text", id="picklist-value-number"),
    pytest.param(_doc("  a: {type: picklist, values: [x, x]}\n"), "fields.a.values",
                 "listed twice", id="picklist-duplicate"),
    pytest.param(_doc("  a: {type: picklist, values: []}\n"), "fields.a.values",
                 "at least one value", id="picklist-empty"),
    pytest.param(_doc("  a: {type: picklist, values: [x], synonyms: {y: [z]}}\n"),
                 "fields.a.synonyms.y", "not one of the values", id="synonym-unknown-value"),
    pytest.param(_doc("  a: {type: picklist, values: [x, y], synonyms: {x: [z], y: [z]}}\n"),
                 "fields.a.synonyms.y", "means both", id="synonym-ambiguous"),
    pytest.param(_doc("  a: {type: money, currency: XYZ}\n"), "fields.a.currency",
                 "ISO 4217", id="bad-currency"),
    pytest.param(_doc("  a: {type: reference}\n"), "fields.a.to", "missing key 'to'",
                 id="reference-no-target"),
    pytest.param(_doc("  a: {type: date, default: 99/99/2020}\n"), "fields.a.default",
                 "bad default", id="bad-default"),
    pytest.param(_doc("  a: {type: text, default: [1]}\n"), "fields.a.default", "bad default",
                 id="default-list"),
    pytest.param(_doc("  Bad: text\n"), "fields.Bad", "lower-case identifier",
                 id="bad-field-name"),
    pytest.param(_doc("  a: text\n  a: email\n"), "", "duplicate key 'a'",
                 id="duplicate-field"),
    pytest.param("schema: c\nidentity: [emial]\nfields: {email: email}\n", "identity[0]",
                 "did you mean 'email'", id="identity-typo"),
    pytest.param("schema: c\nowner_field: ownr\nfields: {owner: text}\n", "owner_field",
                 "did you mean 'owner'", id="owner-typo"),
    pytest.param(_doc("  st: {type: subdivision, country_field: cntry}\n  country: country\n"),
                 "fields.st.country_field", "did you mean 'country'", id="country-field-typo"),
    pytest.param(_doc("  st: {type: subdivision, country_field: name}\n  name: text\n"),
                 "fields.st.country_field", "not a country field", id="country-field-type"),
    pytest.param("a: &a [*a]\n", "", "contains itself", id="recursive-alias"),
    pytest.param(_doc("  a: !!python/object:os.system {}\n"), "", "could not determine",
                 id="python-tag"),
    pytest.param("schema: c\nfields: {a: text\n", "", "line", id="bad-yaml"),
    pytest.param("{schema: c, fields: {a: text}, 3: x}\n", "", "keys must be text",
                 id="number-key"),
    pytest.param(_doc("  a: {type: text, rules: [{use: !!binary aGk=}]}\n"),
                 "fields.a.rules[0].use", "plain data", id="binary-in-rules"),
]


@pytest.mark.parametrize(("text", "path", "reason"), BROKEN)
def test_broken_documents(text: str, path: str, reason: str) -> None:
    """Every broken document names the file, the path inside it and what is wrong."""
    with pytest.raises(rk.SchemaError) as info:
        rk.parse_schema(text, source="broken.yaml")
    assert path == info.value.path
    assert reason in str(info.value)
    assert str(info.value).startswith("broken.yaml: ")


def test_broken_json_duplicate_key() -> None:
    """A JSON document with a repeated key is refused, naming it."""
    with pytest.raises(rk.SchemaError, match="duplicate key 'schema'"):
        rk.parse_schema('{"schema": "a", "schema": "b", "fields": {}}', format="json")


def test_missing_file_names_it(tmp_path: Path) -> None:
    """A missing file is refused, naming the path."""
    with pytest.raises(rk.SchemaError) as info:
        rk.load_schema(tmp_path / "nope.yaml")
    assert str(tmp_path / "nope.yaml") == info.value.source


def test_unknown_bundled_schema_suggests() -> None:
    """An unknown bundled schema name is refused with the closest name as a suggestion."""
    with pytest.raises(rk.SchemaError, match="did you mean 'contact'"):
        rk.bundled_schema("contcat")


def test_huge_document_is_refused() -> None:
    """A document over the size limit is refused as too large."""
    with pytest.raises(rk.SchemaError, match="too large"):
        rk.parse_schema("x" * (5 * 1024 * 1024))


def test_alias_bomb_is_refused() -> None:
    """YAML aliases that expand exponentially are refused as too large."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 7)]
    with pytest.raises(rk.SchemaError, match="too large"):
        rk.parse_schema("\n".join(lines))


@given(st.text(max_size=200))
def test_any_text_gives_schema_or_schema_error(text: str) -> None:
    """Any text parses to a Schema or raises SchemaError with a reason."""
    try:
        result = rk.parse_schema(text)
    except rk.SchemaError as exc:
        assert exc.reason
    else:
        assert isinstance(result, rk.Schema)


@given(rks.json_like)
def test_any_data_gives_schema_or_schema_error(data: object) -> None:
    """Any JSON-shaped data builds a Schema or raises SchemaError with a reason."""
    try:
        rk.schema_from_dict(data)
    except rk.SchemaError as exc:
        assert exc.reason


@given(rks.garbage)
def test_parse_and_load_refuse_non_text(value: object) -> None:
    """parse_schema and load_schema refuse any value that is not text or bytes."""
    if isinstance(value, str | bytes):
        return
    with pytest.raises(rk.SchemaError):
        rk.parse_schema(value)  # type: ignore[arg-type]
    with pytest.raises(rk.SchemaError):
        rk.load_schema(value)  # type: ignore[arg-type]
