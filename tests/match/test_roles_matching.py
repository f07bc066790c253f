"""The default matcher reads roles, types and names; phones are read in their record's country."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import recordkit as rk
from recordkit import SchemaError
from recordkit.match import Index, Matcher, Prep
from recordkit.match._prepare import with_record_regions
from recordkit.rules import normalize_phone


def _schema(*fields: rk.Field) -> rk.Schema:
    return rk.Schema("person", [rk.Field("email", rk.Email()), *fields])


def _kinds(m: Matcher) -> dict[str, tuple[str, ...]]:
    return {c.name: tuple(c.labels) for c in m.comparisons}


class TestBirthDates:
    @pytest.mark.parametrize(
        "name", ["dob", "date_of_birth", "birthdate", "birthday", "born", "birth_date", "born_on"]
    )
    def test_a_date_with_a_common_birth_date_name_is_compared(self, name: str) -> None:
        """A date field named as birth dates are is compared as a birth date."""
        m = Matcher.for_schema(_schema(rk.Field(name, rk.Date())))
        assert "day and month swapped" in _kinds(m)[name]

    def test_a_role_makes_any_name_a_birth_date(self) -> None:
        """role: birth_date makes a field with any name (text included) a birth date."""
        m = Matcher.for_schema(_schema(rk.Field("d1", rk.Text(), role="birth_date")))
        assert ("date", "day and month swapped") == (m.prepare["d1"].kind, _kinds(m)["d1"][2])

    def test_other_dates_are_not_birth_dates(self) -> None:
        """A date field with another name (a signup date) is not compared."""
        m = Matcher.for_schema(_schema(rk.Field("signed_up", rk.Date())))
        assert "signed_up" not in _kinds(m)

    def test_a_birth_date_blocks_with_the_names(self) -> None:
        """A birth date is a blocking key with each name."""
        m = Matcher.for_schema(_schema(rk.Field("surname", rk.Text()), rk.Field("dob", rk.Date())))
        assert ("surname", "dob") in {r.columns for r in m.blocking}


class TestNames:
    @pytest.mark.parametrize(
        ("first", "last"),
        [("forename", "surname"), ("given_name", "family_name"), ("firstname", "lastname")],
    )
    def test_given_and_family_name_variants(self, first: str, last: str) -> None:
        """Common given and family name spellings are compared, swaps checked between them."""
        m = Matcher.for_schema(_schema(rk.Field(first, rk.Text()), rk.Field(last, rk.Text())))
        kinds = _kinds(m)
        assert (f"swapped with {last}", "jaro_winkler >= 0.92") == (kinds[first][3], kinds[last][2])
        assert (first, last) in {r.columns for r in m.blocking}

    def test_roles_win_over_names(self) -> None:
        """Declared roles choose the fields; a field with a role is not taken by its name."""
        m = Matcher.for_schema(
            _schema(
                rk.Field("given", rk.Text(), role="given_name"),
                rk.Field("fam", rk.Text(), role="family_name"),
                rk.Field("name", rk.Text(), role="full_name"),
            )
        )
        kinds = _kinds(m)
        assert ("swapped with fam", {"given", "fam", "name"}) == (
            kinds["given"][3],
            {"given", "fam", "name"} & set(kinds),
        )
        assert "exact" == kinds["name"][1]

    def test_a_given_name_alone_has_no_swap_level(self) -> None:
        """Without a family name, the given name has no swapped level, and still its priors."""
        m = Matcher.for_schema(_schema(rk.Field("first_name", rk.Text())))
        assert not any(lv.startswith("swapped") for lv in _kinds(m)["first_name"])
        assert m.model is not None

    def test_a_full_name_alone_is_compared_and_blocked(self) -> None:
        """A full-name field is compared as a name and is a blocking key."""
        m = Matcher.for_schema(
            rk.Schema("p", [rk.Field("full_name", rk.Text()), rk.Field("city", rk.Text())])
        )
        assert ("full_name", "city") in {r.columns for r in m.blocking}

    def test_every_default_matcher_gets_priors_for_each_comparison(self) -> None:
        """Whatever fields are picked, each comparison has prior figures (no refusal)."""
        fields = [
            rk.Field("forename", rk.Text()), rk.Field("surname", rk.Text()),
            rk.Field("full_name", rk.Text()), rk.Field("dob", rk.Date()),
            rk.Field("zip", rk.Text()), rk.Field("address", rk.Text()),
            rk.Field("town", rk.Text()), rk.Field("employer", rk.Text()),
            rk.Field("mobile", rk.Phone()), rk.Field("country", rk.Country()),
        ]  # fmt: skip
        m = Matcher.for_schema(_schema(*fields))
        assert m.model is not None
        assert {c.name for c in m.comparisons} == {"email", *(f.name for f in fields)} - {"country"}


ROWS = [
    {"id": "gb", "email": "a@x.org", "phone": "020 7946 0958", "country": "GB"},
    {"id": "gb2", "email": "b@x.org", "phone": "+44 20 7946 0958", "country": "United Kingdom"},
    {"id": "us", "email": "c@x.org", "phone": "(212) 555-0100", "country": "US"},
    {"id": "none", "email": "d@x.org", "phone": "212 555 0100", "country": None},
    {"id": "odd", "email": "e@x.org", "phone": "212 555 0100", "country": "Atlantis"},
]


class TestPhonesByCountry:
    SCHEMA = rk.Schema(
        "lead",
        [
            rk.Field("email", rk.Email()),
            rk.Field("phone", rk.Phone(region="US")),
            rk.Field("country", rk.Country()),
        ],
    )

    def test_a_national_number_is_read_in_its_records_country(self) -> None:
        """A UK number written nationally is read in the UK; no or an unknown country: US."""
        m = Matcher.for_schema(self.SCHEMA)
        prepared = m.prepared(ROWS)
        assert [
            "+442079460958", "+442079460958", "+12125550100", "+12125550100", "+12125550100"
        ] == prepared.columns["phone"].tolist()  # fmt: skip
        assert "country" not in prepared.columns

    def test_the_defaults_use_the_country_field(self) -> None:
        """The default phone preparation names the schema's country field."""
        m = Matcher.for_schema(self.SCHEMA)
        assert Prep("phone", region="US", region_from="country") == m.prepare["phone"]

    def test_columns_without_the_country_column_fall_back_to_the_region(self) -> None:
        """Column data without a country column is read in the field's region."""
        m = Matcher.for_schema(self.SCHEMA)
        prepared = m.prepared({"email": ["a@x.org"], "phone": ["212 555 0100"]})
        assert ["+12125550100"] == prepared.columns["phone"].tolist()

    def test_an_index_finds_the_same_number_written_two_ways(self) -> None:
        """A national UK number and its international form are the same phone."""
        index = Index(Matcher.for_schema(self.SCHEMA))
        index.add(ROWS[0], id="gb")
        hit = index.lookup({"phone": "+44 20 7946 0958", "country": "GB"})
        assert hit.best is not None
        assert ("gb", "exact") == (hit.best.record_id, hit.best.explanation.term("phone").level)

    @given(
        st.lists(
            st.tuples(
                st.sampled_from(["020 7946 0958", "212 555 0100", "030 123456", "+33 1 23", ""]),
                st.sampled_from(["GB", "DE", "US", "France", None, "nowhere"]),
            ),
            max_size=12,
        )
    )
    def test_each_row_is_read_as_alone(self, rows: list[tuple[str, Any]]) -> None:
        """Reading a column at once gives, row by row, what each row gives alone."""
        prep = {"phone": Prep("phone", region="US", region_from="country")}
        raw = {"phone": [p for p, _ in rows], "country": [c for _, c in rows]}
        whole = with_record_regions(raw, prep)["phone"]
        for i, (p, c) in enumerate(rows):
            alone = with_record_regions({"phone": [p], "country": [c]}, prep)["phone"][0]
            assert alone == whole[i]
            if alone != p:  # re-read: it is what phonenumbers reads in that country
                assert alone == normalize_phone(p, region=rk.rules.country_code(c))

    def test_region_from_round_trips_and_is_checked(self) -> None:
        """region_from survives plain data; it is for phones only, and a column name."""
        p = Prep("phone", region="US", region_from="country")
        assert p == Prep.from_dict(p.to_dict())
        with pytest.raises(SchemaError, match="phone columns"):
            Prep("name", region_from="country")
        with pytest.raises(SchemaError, match="column name"):
            Prep("phone", region_from="")
        with pytest.raises(SchemaError, match="unknown column options: regoin"):
            Prep.from_dict({"kind": "phone", "regoin": "US"})
