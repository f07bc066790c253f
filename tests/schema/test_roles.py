"""Field roles: what a field means, declared in Python, checked when declared."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import recordkit as rk
from recordkit import SchemaError
from recordkit.schema import FIELD_TYPES, ROLES


class TestDeclaring:
    def test_a_role_is_kept_and_shown(self) -> None:
        """A field keeps its role and shows it in its repr."""
        f = rk.Field("dob", rk.Date(), role="birth_date")
        assert ("birth_date", "Field('dob', date, role='birth_date')") == (f.role, repr(f))

    def test_class_syntax_takes_a_role(self) -> None:
        """field(..., role=) declares the role in a Model class body."""

        class Person(rk.Model, name="person"):
            surname = rk.field(rk.Text(), role="family_name")

        assert "family_name" == Person.schema.field("surname").role

    def test_no_role_by_default(self) -> None:
        """A field without a role has None."""
        assert None is rk.Field("email", rk.Email()).role

    @pytest.mark.parametrize("role", sorted(ROLES))
    def test_every_role_fits_the_field_types_it_lists(self, role: str) -> None:
        """Each role is accepted on the field types it lists."""
        for kind in ROLES[role]:
            ftype: Any = FIELD_TYPES[kind]
            made = ftype(values=["A"]) if kind == "picklist" else ftype()
            assert role == rk.Field("f", made, role=role).role


class TestRefusing:
    def test_an_unknown_role_suggests_the_closest(self) -> None:
        """A misspelt role is refused at 'role', with the closest roles."""
        with pytest.raises(SchemaError, match="unknown role") as err:
            rk.Field("dob", rk.Date(), role="birthdate")
        assert ("role", ("birth_date",)) == (err.value.path, err.value.suggestions)

    def test_a_role_on_a_field_type_it_does_not_fit_is_refused(self) -> None:
        """A birth date held in an integer field is refused, naming the types that fit."""
        with pytest.raises(SchemaError, match="date or text fields, not integer"):
            rk.Field("born", rk.Integer(), role="birth_date")

    @pytest.mark.parametrize("bad", [3, ["email"], b"email"])
    def test_a_role_that_is_not_text_is_refused(self, bad: Any) -> None:
        """A role is text."""
        with pytest.raises(SchemaError, match="role"):
            rk.Field("email", rk.Email(), role=bad)

    @given(st.text(max_size=30).filter(lambda t: t not in ROLES))
    def test_any_other_text_is_refused(self, text: str) -> None:
        """Only the documented roles are roles."""
        with pytest.raises(SchemaError):
            rk.Field("x", rk.Text(), role=text)


class TestSchemaByRole:
    SCHEMA = rk.Schema(
        "person",
        [
            rk.Field("forename", rk.Text(), role="given_name"),
            rk.Field("work_email", rk.Email(), role="email"),
            rk.Field("home_email", rk.Email(), role="email"),
            rk.Field("note", rk.Text()),
        ],
    )

    def test_with_role_lists_the_fields_in_order(self) -> None:
        """with_role gives every field declared with the role, in declaration order."""
        assert (("work_email", "home_email"), ()) == (
            tuple(f.name for f in self.SCHEMA.with_role("email")),
            self.SCHEMA.with_role("phone"),
        )

    def test_with_an_unknown_role_is_refused(self) -> None:
        """An unknown role is refused with suggestions."""
        with pytest.raises(SchemaError) as err:
            self.SCHEMA.with_role("emails")
        assert "email" in err.value.suggestions

    def test_a_role_survives_class_syntax_and_evolve(self) -> None:
        """Naming a field declared with field() keeps its role."""

        class Lead(rk.Model, name="lead"):
            dob = rk.field(rk.Date(), role="birth_date")

        assert ("dob",) == tuple(f.name for f in Lead.schema.with_role("birth_date"))


class TestDocuments:
    YAML = (
        "schema: person\nfields:\n"
        "  dob: {type: date, role: birth_date}\n"
        "  forename: {type: text, role: given_name}\n"
        "  email: email\n"
    )

    def test_roles_round_trip_through_yaml_and_dicts(self) -> None:
        """A role is read from YAML, written back, and read again the same."""
        s = rk.parse_schema(self.YAML)
        assert ("birth_date", "given_name") == (s.field("dob").role, s.field("forename").role)
        assert s == rk.parse_schema(rk.dump_schema(s))
        assert s == rk.schema_from_dict(rk.schema_to_dict(s))
        assert s == rk.parse_schema(rk.dump_schema(s, format="json"), format="json")

    def test_an_unknown_role_in_a_document_names_where(self) -> None:
        """A misspelt role in a document is refused at its path, with suggestions."""
        with pytest.raises(SchemaError, match=r"fields\.dob\.role") as err:
            rk.parse_schema(self.YAML.replace("role: birth_date", "role: birthdate"))
        assert ("birth_date",) == err.value.suggestions

    def test_the_default_matcher_reads_roles_from_yaml(self) -> None:
        """A YAML role reaches the default matcher."""
        from recordkit.match import Matcher

        m = Matcher.for_schema(rk.parse_schema(self.YAML))
        assert {"dob", "forename"} <= {c.name for c in m.comparisons}
