"""Picklists that start from a bundled vocabulary: merging, YAML, round trips, errors."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import recordkit as rk
from recordkit.rules import RuleSet
from recordkit.schema import VOCABULARIES, Picklist, vocabulary

LEAD_YAML = """
schema: lead
fields:
  email: {type: email, required: true}
  lead_source:
    type: picklist
    vocabulary: lead_source
    values: [Webinar Series]
    synonyms: {Paid Social: [Meta]}
"""


def _lead_source(schema: rk.Schema) -> Picklist:
    ftype = schema.field("lead_source").type
    assert isinstance(ftype, Picklist)
    return ftype


def _field_doc(schema: rk.Schema, name: str) -> dict[str, object]:
    fields = rk.schema_to_dict(schema)["fields"]
    assert isinstance(fields, dict)
    spec = fields[name]
    assert isinstance(spec, dict)
    return dict(spec)


class TestMerge:
    @pytest.mark.parametrize("name", VOCABULARIES)
    def test_vocabulary_alone_has_its_values_and_synonyms(self, name: str) -> None:
        base = vocabulary(name)
        p = Picklist(vocabulary=name)
        assert base.values == p.values
        assert base.synonyms == p.synonyms
        assert name == p.vocabulary

    def test_extra_values_are_appended(self) -> None:
        p = Picklist(vocabulary="lead_source", values=("Webinar Series", "Podcast"))
        base = vocabulary("lead_source").values
        assert (*base, "Webinar Series", "Podcast") == p.values

    def test_extra_synonyms_join_the_vocabulary_ones(self) -> None:
        p = Picklist(vocabulary="lead_source", synonyms={"Paid Social": ["Meta"]})
        spellings = dict(p.synonyms)["Paid Social"]
        assert "Meta" == spellings[-1]
        assert set(dict(vocabulary("lead_source").synonyms)["Paid Social"]) < set(spellings)

    def test_synonyms_for_an_extra_value(self) -> None:
        p = Picklist(
            vocabulary="lead_source", values=["Webinar Series"], synonyms={"Webinar Series": "W"}
        )
        assert "Webinar Series" == p.synonym_map["W"]

    def test_merging_is_idempotent(self) -> None:
        p = Picklist(vocabulary="industry", values=["Space"], synonyms={"Space": ["NewSpace"]})
        again = Picklist(vocabulary="industry", values=p.values, synonyms=p.synonyms)
        assert p == again
        assert p == attrs.evolve(p)
        assert p.values == attrs.evolve(p, restricted=False).values

    def test_a_vocabulary_value_given_again_is_not_doubled(self) -> None:
        p = Picklist(vocabulary="lead_source", values=["Web"], synonyms={"Web": ["Website"]})
        assert Picklist(vocabulary="lead_source") == p

    def test_restricted_is_kept(self) -> None:
        assert not Picklist(vocabulary="seniority", restricted=False).restricted

    def test_vocabulary_is_keyword_only(self) -> None:
        field = attrs.fields(Picklist).vocabulary
        assert field.kw_only


class TestRefused:
    def test_unknown_vocabulary_with_suggestions(self) -> None:
        with pytest.raises(rk.SchemaError) as info:
            Picklist(vocabulary="lead_sources")
        assert "vocabulary" == info.value.path
        assert "lead_source" == info.value.suggestions[0]

    @pytest.mark.parametrize("bad", [5, b"industry", ["industry"], "", "Industry"])
    def test_not_a_vocabulary_name(self, bad: object) -> None:
        with pytest.raises(rk.SchemaError) as info:
            Picklist(vocabulary=bad)  # type: ignore[arg-type]
        assert "vocabulary" == info.value.path

    def test_extra_listed_twice(self) -> None:
        with pytest.raises(rk.SchemaError, match="listed twice") as info:
            Picklist(vocabulary="lead_source", values=["Podcast", "Podcast"])
        assert "values" == info.value.path

    def test_synonym_of_two_values(self) -> None:
        # FB Ads is the vocabulary's spelling of Paid Social
        with pytest.raises(rk.SchemaError, match="means both"):
            Picklist(vocabulary="lead_source", synonyms={"Organic Social": ["FB Ads"]})

    def test_synonyms_for_something_not_a_value(self) -> None:
        with pytest.raises(rk.SchemaError) as info:
            Picklist(vocabulary="lead_source", synonyms={"Podcast": ["Pod"]})
        assert "synonyms.Podcast" == info.value.path

    def test_no_values_without_a_vocabulary(self) -> None:
        with pytest.raises(rk.SchemaError, match="at least one value"):
            Picklist()


class TestYaml:
    def test_load_merges(self) -> None:
        p = _lead_source(rk.parse_schema(LEAD_YAML))
        assert "lead_source" == p.vocabulary
        assert "Webinar Series" == p.values[-1]
        assert "Paid Social" == p.synonym_map["Meta"]
        assert "Paid Social" == p.synonym_map["FB Ads"]

    def test_dump_writes_only_the_extras(self) -> None:
        data = _field_doc(rk.parse_schema(LEAD_YAML), "lead_source")
        assert {
            "type": "picklist",
            "vocabulary": "lead_source",
            "values": ["Webinar Series"],
            "synonyms": {"Paid Social": ["Meta"]},
        } == data

    @pytest.mark.parametrize("fmt", ["yaml", "json"])
    def test_round_trip(self, fmt: str) -> None:
        schema = rk.parse_schema(LEAD_YAML)
        text = rk.dump_schema(schema, format=fmt)  # type: ignore[arg-type]
        assert schema == rk.parse_schema(text, format=fmt)  # type: ignore[arg-type]

    def test_vocabulary_alone_dumps_as_its_name(self) -> None:
        schema = rk.Schema("s", [rk.Field("seniority", Picklist(vocabulary="seniority"))])
        field = _field_doc(schema, "seniority")
        assert {"type": "picklist", "vocabulary": "seniority"} == field
        assert schema == rk.schema_from_dict(rk.schema_to_dict(schema))

    def test_unrestricted_round_trip(self) -> None:
        text = "schema: s\nfields:\n  i: {type: picklist, vocabulary: industry, restricted: false}"
        schema = rk.parse_schema(text)
        assert {"type": "picklist", "vocabulary": "industry", "restricted": False} == _field_doc(
            schema, "i"
        )
        assert schema == rk.parse_schema(rk.dump_schema(schema))

    @pytest.mark.parametrize(
        ("spec", "path", "reason"),
        [
            ("vocabulary: lead_sorce", "fields.f.vocabulary", "no bundled vocabulary"),
            ("vocabulary: 5", "fields.f.vocabulary", "expected text"),
            ("vocabulary: null", "fields.f.vocabulary", "expected text"),
            ("vocabulary: industry\n    values: Space", "fields.f.values", "expected a list"),
            ("vocabulary: industry\n    synonyms: [Space]", "fields.f.synonyms", "mapping"),
            ("vocabulary: industry\n    restricted: 'no'", "fields.f.restricted", "true or false"),
            ("vocabulary: industry\n    vocabularie: x", "fields.f.vocabularie", "unknown key"),
        ],
    )
    def test_refused_with_path(self, spec: str, path: str, reason: str) -> None:
        with pytest.raises(rk.SchemaError, match=reason) as info:
            rk.parse_schema(f"schema: s\nfields:\n  f:\n    type: picklist\n    {spec}\n")
        assert path == info.value.path
        assert "<string>" == info.value.source

    def test_unknown_vocabulary_suggests(self) -> None:
        with pytest.raises(rk.SchemaError) as info:
            rk.parse_schema("schema: s\nfields:\n  f: {type: picklist, vocabulary: industy}")
        assert ("industry",) == info.value.suggestions

    @given(
        extras=st.lists(st.sampled_from(["Podcast", "Webinar Series", "Trade Show", "Web"])),
        meta=st.lists(st.sampled_from(["Meta", "Insta Ads", "TikTok Ads"]), unique=True),
        restricted=st.booleans(),
    )
    def test_round_trip_property(
        self, extras: list[str], meta: list[str], restricted: bool
    ) -> None:
        values = list(dict.fromkeys(extras))
        p = Picklist(
            vocabulary="lead_source",
            values=values,
            synonyms={"Paid Social": meta},
            restricted=restricted,
        )
        schema = rk.Schema("s", [rk.Field("lead_source", p)])
        assert schema == rk.parse_schema(rk.dump_schema(schema))


class TestNormalization:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("FB Ads", "Paid Social"),
            ("adwords", "Paid Search"),
            ("Meta", "Paid Social"),
            ("webinar series", "Webinar Series"),
            ("LinkedIn", "Organic Social"),
        ],
    )
    def test_through_a_ruleset(self, raw: str, expected: str) -> None:
        rules = RuleSet.for_schema(rk.parse_schema(LEAD_YAML))
        outcome = rules.run({"email": "ada@example.com", "lead_source": raw})
        assert expected == outcome.values["lead_source"]
        assert not [i for i in outcome.issues if i.field == "lead_source"]

    def test_ambiguous_spelling_is_flagged_not_guessed(self) -> None:
        rules = RuleSet.for_schema(rk.parse_schema(LEAD_YAML))
        outcome = rules.run({"email": "ada@example.com", "lead_source": "Google"})
        assert [i for i in outcome.issues if i.field == "lead_source"]
