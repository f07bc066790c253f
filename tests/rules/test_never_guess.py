"""Never guess: placeholders are no value in any field type, unreadable values are flagged
with a hint instead of repaired, and what a normalizer reads its validator accepts.

Each test names the guess it rules out; the tables state the convention they follow
(docs/normalization.md, "How values are normalized")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import recordkit as rk
from recordkit._controls import strip_controls
from recordkit.rules import (
    Issue,
    RuleSet,
    Severity,
    Validators,
    normalize_boolean,
    normalize_country,
    normalize_date,
    normalize_email,
    normalize_subdivision,
    normalize_url,
)
from recordkit.rules._contact import email_fix, email_verdict, url_verdict
from recordkit.rules._placeholders import PLACEHOLDERS, is_placeholder
from tests.strategies import messy_text

# One field of every kind, none required, so a run's issues are the value's own.
KINDS: dict[str, rk.FieldType] = {
    "text": rk.Text(),
    "email": rk.Email(),
    "phone": rk.Phone(region="US"),
    "picklist": rk.Picklist(values=("Web", "Unknown", "Event")),
    "date": rk.Date(),
    "datetime": rk.DateTime(),
    "integer": rk.Integer(),
    "decimal": rk.Decimal(),
    "money": rk.MoneyType(currency="USD"),
    "boolean": rk.Boolean(),
    "url": rk.URL(),
    "country": rk.Country(),
    "state": rk.Subdivision(country_field="country"),
    "reference": rk.Reference(to="company"),
}
SCHEMA = rk.Schema("kinds", [rk.Field(name, t) for name, t in KINDS.items()])
RULES = RuleSet.for_schema(SCHEMA)


def issues_of(out: rk.Outcome, field: str) -> list[Issue]:
    return [i for i in out.issues if i.field == field]


def codes(out: rk.Outcome, field: str) -> list[str]:
    return [i.code for i in issues_of(out, field)]


# -- placeholders ------------------------------------------------------------------------------

# Convention: the words of PLACEHOLDERS in any case and punctuation, runs of dashes, question
# marks and dots, and runs of two or more x's mean "no value".
PLACEHOLDER_SPELLINGS = [
    "n/a", "N/A", "n.a", "N.A.", "na", "NA", "#N/A", "<NA>", "n-a", "NaN", "nan", "none",
    "None", "NONE", "null", "NULL", "nil", "undefined", "tbd", "TBD", "tba", "t.b.c.",
    "unknown", "Unknown", "UNKNOWN", "not applicable", "Not Available", "not known",
    "not provided", "not specified", "no data", "-", "--", "---", "—", "?", "??", "???",
    ".", "...", "/", "*", "#", "~", "_", "xx", "XXX", "xxx-xxx-xxxx", " n/a ",
]  # fmt: skip
NOT_PLACEHOLDERS = [
    "x", "X", "0", "1", "Nadia", "Namibia", "Ana", "Nan Goldin", "nano", "noname", "test",
    "other", "TBD Ltd", "Unknown Pleasures", "n/a please", "-1", "Xavier", "xylophone",
    "", "   ", "1-800", "A.", "Mr.",
]  # fmt: skip


@pytest.mark.parametrize("raw", PLACEHOLDER_SPELLINGS)
def test_is_a_placeholder(raw: str) -> None:
    assert is_placeholder(raw)


@pytest.mark.parametrize("raw", NOT_PLACEHOLDERS)
def test_is_not_a_placeholder(raw: str) -> None:
    assert not is_placeholder(raw)


def test_the_token_set_is_closed_and_folded() -> None:
    """Every listed word is already folded (lower case, letters and digits only)."""
    assert all(w == "".join(c for c in w.casefold() if c.isalnum()) for w in PLACEHOLDERS)
    assert not {"x", "test", "other", "0"} & PLACEHOLDERS


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "picklist"])
@pytest.mark.parametrize("raw", ["n/a", "N.A.", "none", "NULL", "tbd", "unknown", "-", "???"])
def test_a_placeholder_is_no_value_in_every_field_type(kind: str, raw: str) -> None:
    """The field holds nothing and the issue says placeholder, whatever its type reads."""
    out = RULES.run({kind: raw})
    assert None is out.values[kind]
    (issue,) = issues_of(out, kind)
    assert ("value.placeholder", Severity.ERROR, raw) == (issue.code, issue.severity, issue.value)
    assert "blank" in issue.hint


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "picklist"])
@pytest.mark.parametrize("raw", ["/\x1b", "\x1b[31mN/A\x1b[0m", "n\u200ba", "-\x00"])
def test_a_placeholder_wrapped_in_control_characters_is_no_value(kind: str, raw: str) -> None:
    """Read as cleaning leaves it: a placeholder once its control characters are gone."""
    assert is_placeholder(raw)
    out = RULES.run({kind: raw})
    assert (None, ["value.placeholder"]) == (out.values[kind], codes(out, kind))


def test_a_picklist_value_that_looks_like_a_placeholder_is_a_value() -> None:
    """A picklist's own value (Unknown) is taken, in any spelling; other placeholders are not."""
    assert "Unknown" == RULES.run({"picklist": "unknown"}).values["picklist"]
    assert ["value.placeholder"] == codes(RULES.run({"picklist": "n/a"}), "picklist")


def test_a_placeholder_is_never_a_picklist_typo() -> None:
    """'nan' is not read as a near spelling of a value by fuzzy matching."""
    rules = RuleSet.for_schema(rk.Schema("s", [rk.Field("p", rk.Picklist(values=("Nan",)))]))
    assert "Nan" == rules.run({"p": "nan"}).values["p"]  # its own value, exactly
    near = RuleSet.for_schema(rk.Schema("s", [rk.Field("p", rk.Picklist(values=("Nano",)))]))
    assert ["value.placeholder"] == codes(near.run({"p": "nan"}), "p")


class TestNamibia:
    """'n.a' is not Namibia, and does not drive the phone region or the state lookup."""

    @pytest.mark.parametrize("raw", ["n.a", "N.A.", "n/a", "na", "#N/A"])
    def test_no_country_code(self, raw: str) -> None:
        assert raw == normalize_country(raw)
        assert None is rk.rules.country_code(raw)

    def test_the_code_written_exactly_is_namibia(self) -> None:
        """NA in capitals is the stored form of Namibia, so it reads back the same."""
        assert ("NA", "NA") == (normalize_country("Namibia"), normalize_country("NA"))
        out = RULES.run({"country": "NA"})
        assert ("NA", []) == (out.values["country"], codes(out, "country"))

    def test_the_hint_names_namibia(self) -> None:
        (issue,) = issues_of(RULES.run({"country": "n.a"}), "country")
        assert "Namibia" in issue.hint

    def test_no_phone_region_and_no_state_from_a_placeholder(self) -> None:
        contact = RuleSet.for_schema(rk.bundled_schema("contact"))
        out = contact.run({"first_name": "Ada", "last_name": "Byron", "country": "n.a",
                           "phone": "061 123 4567", "state": "Khomas"})  # fmt: skip
        assert None is out.values["country"]
        assert not str(out.values["phone"]).startswith("+264")
        assert "NA-KH" != out.values["state"]
        assert "NA-KH" == normalize_subdivision("Khomas", country="Namibia")

    def test_no_subdivision_from_a_placeholder(self) -> None:
        assert "n/a" == normalize_subdivision("n/a", country="US")


def test_severity_of_the_placeholder_screen_is_configurable() -> None:
    """A field's own placeholder rule replaces the default: a warning keeps the row."""
    schema = rk.Schema("s", [rk.Field("city", rk.Text())])
    soft = Validators.placeholder(severity="warning")
    rules = RuleSet.for_schema(schema, fields={"city": [soft]})
    out = rules.run({"city": "N/A"})
    assert (None, True) == (out.values["city"], out.ok)
    assert [Severity.WARNING] == [i.severity for i in out.issues]


# -- email: never repaired ------------------------------------------------------------------

# Convention: trimmed, unwrapped (mailto:, <>), the domain as email-validator writes it, the
# local part lower-cased unless the field keeps it; anything else is left as given, flagged.
EMAIL_GUESSES = [
    ("mary smith@example.org", "marysmith@example.org"),
    ("ada @ example.com", "ada@example.com"),
    ("ada@@example.com", "ada@example.com"),
    ("ada@example,com", "ada@example.com"),
    ("ada@example.com.", "ada@example.com"),
    ("ada@example.com,", "ada@example.com"),
    (";ada@example.com", "ada@example.com"),
    ("ada@exam ple.com", "ada@example.com"),
]


@pytest.mark.parametrize(("raw", "fix"), EMAIL_GUESSES)
def test_an_email_is_flagged_with_the_fix_in_the_hint(raw: str, fix: str) -> None:
    """The value stays as given; check.email flags it and offers the fix, never applies it."""
    assert raw == normalize_email(raw)
    out = RULES.run({"email": raw})
    assert raw == out.values["email"]
    (issue,) = issues_of(out, "email")
    assert ("email.invalid", f"did you mean {fix}?") == (issue.code, issue.hint)
    assert fix == email_fix(raw)


@pytest.mark.parametrize("raw", ["ada@work@example.com", "ada", "@example.com", "ada@"])
def test_an_email_with_no_likely_fix_gets_the_generic_hint(raw: str) -> None:
    (issue,) = issues_of(RULES.run({"email": raw}), "email")
    assert ("email.invalid", "write it as name@example.com") == (issue.code, issue.hint)


@pytest.mark.parametrize(
    ("raw", "lower", "kept"),
    [
        ("Ada.Lovelace@Example.COM", "ada.lovelace@example.com", "Ada.Lovelace@example.com"),
        (" <Ada@EXAMPLE.com> ", "ada@example.com", "Ada@example.com"),
        ("mailto:ADA@example.com", "ada@example.com", "ADA@example.com"),
        ("info@xn--mller-kva.de", "info@müller.de", "info@müller.de"),
        ("JÖRG@MÜLLER.DE", "jörg@müller.de", "JÖRG@müller.de"),
    ],
)
def test_the_email_storage_form_is_a_field_option(raw: str, lower: str, kept: str) -> None:
    """Email(lowercase=False) keeps the local part as typed; the domain is always normalized."""
    schema = rk.Schema("s", [rk.Field("a", rk.Email()), rk.Field("b", rk.Email(lowercase=False))])
    out = RuleSet.for_schema(schema).run({"a": raw, "b": raw})
    assert (lower, kept) == (out.values["a"], out.values["b"])
    assert out.ok


def test_the_email_option_is_checked() -> None:
    with pytest.raises(rk.SchemaError, match="lowercase"):
        rk.Email(lowercase="no")  # type: ignore[arg-type]


# -- URLs: http(s), a dotted domain, nothing else -----------------------------------------------

URLS_REFUSED = [
    ("hello world", "url.whitespace"),
    ("https://example.com/a b", "url.whitespace"),
    ("localhost", "url.host"),
    ("http://localhost:3000", "url.host"),
    ("http://intranet/", "url.host"),
    ("data:text/html,hi", "url.scheme"),
    ("mailto:sales@example.org", "url.scheme"),
    ("javascript:alert(1)", "url.scheme"),
    ("ftp://files.example.com", "url.scheme"),
    ("sales@example.org", "url.userinfo"),
    ("https://user:pw@example.com", "url.userinfo"),
    ("https://user@example.com/x", "url.userinfo"),
    ("http://1.2.3.4/x", "url.host"),
    ("http://[::1]/", "url.host"),
    ("http://exa_mple.com", "url.host"),
    ("http://example..com", "url.host"),
    ("http://-example.com", "url.host"),
    ("http://example.123", "url.host"),
    ("https://example.com:99999", "url.invalid"),
]
URLS_READ = [
    ("www.example.com", "https://www.example.com"),
    ("example.com", "https://example.com"),
    ("HTTP://EXAMPLE.COM/", "http://example.com"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("example.com:8080/x", "https://example.com:8080/x"),
    ("//cdn.example.com/x", "https://cdn.example.com/x"),
    ("https://müller.de/über", "https://müller.de/über"),
    ("example.com.", "https://example.com"),
    ("https://example.com/?q=a%20b#top", "https://example.com/?q=a%20b#top"),
]


@pytest.mark.parametrize(("raw", "code"), URLS_REFUSED)
def test_a_url_that_is_no_web_address_is_an_error(raw: str, code: str) -> None:
    """Unchanged by the normalizer, an error of the check (the default severity)."""
    assert raw == normalize_url(raw)
    assert [code] == [i.code for i in Validators.url().validate(raw)]
    out = RULES.run({"url": raw})
    # A scheme other than http(s) is refused by the URL field type itself, before the check.
    in_field = "coerce.url" if code == "url.scheme" else code
    assert [(in_field, Severity.ERROR)] == [(i.code, i.severity) for i in issues_of(out, "url")]


def test_an_email_in_a_url_field_says_so() -> None:
    (issue,) = issues_of(RULES.run({"url": "sales@example.org"}), "url")
    assert "email" in issue.hint


@pytest.mark.parametrize(("raw", "expected"), URLS_READ)
def test_a_web_address_is_read_and_passes(raw: str, expected: str) -> None:
    """The check accepts the value as given too: www.example.com is a website."""
    assert expected == normalize_url(raw)
    assert () == tuple(Validators.url().validate(raw))
    out = RULES.run({"url": raw})
    assert (expected, []) == (out.values["url"], issues_of(out, "url"))


# -- dates: strict in the field's order ----------------------------------------------------------

ORDERED = rk.Schema(
    "d",
    [rk.Field("mdy", rk.Date(order="mdy")), rk.Field("dmy", rk.Date(order="day-first")),
     rk.Field("ymd", rk.Date(order="ymd")), rk.Field("either", rk.Date(dayfirst=None)),
     rk.Field("legacy", rk.Date())],
)  # fmt: skip
DATE_RULES = RuleSet.for_schema(ORDERED)
D = dt.date

# (raw, field, expected date or the issue code)
DATE_TABLE: list[tuple[str, str, D | str]] = [
    ("31/12/2023", "mdy", "date.order"),
    ("31/12/2023", "legacy", "date.order"),
    ("31/12/2023", "dmy", D(2023, 12, 31)),
    ("31/12/2023", "either", D(2023, 12, 31)),
    ("31/12/2023", "ymd", "date.order"),
    ("12/31/2023", "mdy", D(2023, 12, 31)),
    ("12/31/2023", "dmy", "date.order"),
    ("03/04/2024", "mdy", D(2024, 3, 4)),
    ("03/04/2024", "dmy", D(2024, 4, 3)),
    ("03/04/2024", "either", "date.ambiguous"),
    ("04/04/2024", "either", D(2024, 4, 4)),
    ("13.01.1991", "mdy", "date.order"),
    ("13.01.1991", "dmy", D(1991, 1, 13)),
    ("85/03/07", "ymd", D(1985, 3, 7)),
    ("2024-03-12", "mdy", D(2024, 3, 12)),
    ("2024-03-12", "dmy", D(2024, 3, 12)),
    ("2024/3/12", "ymd", D(2024, 3, 12)),
    ("20240312", "dmy", D(2024, 3, 12)),
    ("2024-02-30", "mdy", "date.invalid"),
    ("02/30/2024", "mdy", "date.invalid"),
    ("13/13/2024", "mdy", "date.invalid"),
    ("March 2024", "mdy", "date.partial"),
    ("Mar 2024", "dmy", "date.partial"),
    ("2024 March", "mdy", "date.partial"),
    ("Q1 2024", "mdy", "date.partial"),
    ("2024-Q1", "dmy", "date.partial"),
    ("H2 2023", "mdy", "date.partial"),
    ("2024", "mdy", "date.partial"),
    ("2024-03", "ymd", "date.partial"),
    ("03/2024", "mdy", "date.partial"),
    ("Tue, 12 Mar 2024 10:00:00 +0000", "mdy", D(2024, 3, 12)),
    ("Tue, 12 Mar 2024 10:00:00 +0000", "dmy", D(2024, 3, 12)),
    ("12 Mar 2024 23:59:59 -0800", "mdy", D(2024, 3, 12)),
    ("Wed, 1 Jan 2025 00:00 GMT", "ymd", D(2025, 1, 1)),
    ("Tue, 31 Feb 2024 10:00:00 +0000", "mdy", "date.invalid"),
    ("2024-03-12T10:00:00Z", "mdy", D(2024, 3, 12)),
    ("2024-03-12T23:30:00-05:00", "dmy", D(2024, 3, 12)),
    ("2024-03-12 10:00", "mdy", D(2024, 3, 12)),
    ("2024-03-12T10:00:00.123456+01:00", "mdy", D(2024, 3, 12)),
    ("03/12/2024 10:00 AM", "mdy", D(2024, 3, 12)),
    ("03/12/2024 10:00 PM", "dmy", D(2024, 12, 3)),
    ("12.03.2024 14:30", "dmy", D(2024, 3, 12)),
    ("March 12, 2024 at 10:00", "dmy", D(2024, 3, 12)),
    ("12 March 2024", "mdy", D(2024, 3, 12)),
    ("March 12, 2024", "dmy", D(2024, 3, 12)),
    ("12-Mar-24", "mdy", D(2024, 3, 12)),
    ("2024-Mar-12", "mdy", D(2024, 3, 12)),
    ("Thursday, March 7, 1985", "dmy", D(1985, 3, 7)),
    ("7th of March 1985", "mdy", D(1985, 3, 7)),
    ("7 Smarch 1985", "mdy", "coerce.date"),
    ("yesterday", "mdy", "coerce.date"),
    ("soon", "dmy", "coerce.date"),
]


@pytest.mark.parametrize(("raw", "field", "expected"), DATE_TABLE)
def test_dates_in_the_fields_order(raw: str, field: str, expected: D | str) -> None:
    """A date is read in the field's order, or refused with a code and a hint: never guessed."""
    out = DATE_RULES.run({field: raw})
    if isinstance(expected, D):
        assert (expected, []) == (out.values[field], codes(out, field))
        order = {"legacy": "mdy", "either": None}.get(field, field)
        assert expected.isoformat() == normalize_date(raw, order=order, dayfirst=None)
    else:
        assert (None, [expected]) == (out.values[field], codes(out, field))
        (issue,) = issues_of(out, field)
        assert issue.hint
        assert raw == issue.value


def test_the_wrong_order_names_the_other_reading() -> None:
    (issue,) = issues_of(DATE_RULES.run({"mdy": "31/12/2023"}), "mdy")
    assert "2023-12-31" in issue.message
    assert "2023-12-31" in issue.hint
    assert "order" in issue.hint


@pytest.mark.parametrize(
    ("kwargs", "order"),
    [({}, "mdy"), ({"dayfirst": True}, "dmy"), ({"dayfirst": False}, "mdy"),
     ({"dayfirst": None}, None), ({"order": "YMD"}, "ymd"), ({"order": "month-first"}, "mdy"),
     ({"order": "dmy", "dayfirst": True}, "dmy")],
)  # fmt: skip
def test_dayfirst_still_names_an_order(kwargs: dict[str, Any], order: str | None) -> None:
    assert order == rk.Date(**kwargs).reading_order


@pytest.mark.parametrize(
    "kwargs", [{"order": "mdY!"}, {"order": 1}, {"order": "mdy", "dayfirst": True}]
)
def test_a_bad_order_is_a_schema_error(kwargs: dict[str, Any]) -> None:
    with pytest.raises(rk.SchemaError, match="order"):
        rk.Date(**kwargs)


def test_the_order_round_trips_through_yaml() -> None:
    schema = rk.parse_schema("schema: s\nfields:\n  d: {type: date, order: day-first}\n")
    assert "dmy" == schema.field("d").type.order  # type: ignore[attr-defined]
    assert "dmy" == rk.parse_schema(rk.dump_schema(schema)).field("d").type.order  # type: ignore[attr-defined]


# -- booleans: a documented, configurable word set ---------------------------------------------

BOOLEANS = [
    *((w, True) for w in ("yes", "Y", "TRUE", "t", "1", "on", "x", "checked", "Sí", "oui", "ja",
                          "Yes.")),
    *((w, False) for w in ("no", "N", "false", "F", "0", "off", "unchecked", "non", "nein")),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "expected"), BOOLEANS)
def test_the_default_boolean_words(raw: str, expected: bool) -> None:
    """The normalizer and the field type read the same words (one set, on Boolean)."""
    assert expected is normalize_boolean(raw)
    assert expected is rk.Boolean().coerce(raw)


@pytest.mark.parametrize("raw", ["maybe", "2", "yes please", "nope", "vrai"])
def test_other_words_are_refused(raw: str) -> None:
    out = RULES.run({"boolean": raw})
    assert (None, ["coerce.boolean"]) == (out.values["boolean"], codes(out, "boolean"))


def test_the_words_are_configurable() -> None:
    """Boolean(true_words=, false_words=) replace the default sets, for the normalizer too."""
    schema = rk.parse_schema(
        "schema: s\nfields:\n  ok: {type: boolean, true_words: [vrai, oui],\n"
        "       false_words: [faux, non]}\n"
    )
    rules = RuleSet.for_schema(schema)
    assert [True, False] == [rules.run({"ok": v}).values["ok"] for v in ("Vrai", "FAUX")]
    assert ["coerce.boolean"] == codes(rules.run({"ok": "yes"}), "ok")
    assert True is normalize_boolean("vrai", true_words=["vrai"], false_words=["faux"])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"true_words": "yes"},
        {"true_words": []},
        {"true_words": ["yes", 1]},
        {"true_words": ["y"], "false_words": ["Y"]},
    ],
)
def test_bad_boolean_words_are_schema_errors(kwargs: dict[str, Any]) -> None:
    with pytest.raises(rk.SchemaError):
        rk.Boolean(**kwargs)


# -- subdivisions, names ------------------------------------------------------------------------


class TestSubdivision:
    def test_a_state_of_another_country_is_an_error(self) -> None:
        out = RULES.run({"country": "US", "state": "CA-QC"})
        (issue,) = issues_of(out, "state")
        assert ("subdivision.country", Severity.ERROR) == (issue.code, issue.severity)
        assert "is a subdivision of CA, not of US" == issue.message

    def test_an_unknown_state_is_an_error(self) -> None:
        (issue,) = issues_of(RULES.run({"country": "US", "state": "Narnia"}), "state")
        assert ("subdivision.unknown", Severity.ERROR) == (issue.code, issue.severity)

    def test_a_bare_name_without_a_country_is_flagged_asking_for_it(self) -> None:
        """
        No country is assumed: 'NY' alone cannot be placed. It is not wrong, only unplaced:
        kept as written with a warning asking for the country (the record is not lost).
        """
        out = RULES.run({"state": "NY"})
        (issue,) = issues_of(out, "state")
        assert "country" in issue.hint
        assert ("subdivision.no_country", Severity.WARNING, "NY") == (
            issue.code,
            issue.severity,
            out.values["state"],
        )

    def test_a_full_code_needs_no_country(self) -> None:
        out = RULES.run({"state": "us-ny"})
        assert ("US-NY", []) == (out.values["state"], codes(out, "state"))

    def test_the_severity_is_configurable(self) -> None:
        schema = rk.parse_schema(
            "schema: s\nfields:\n  country: country\n  state:\n    type: subdivision\n"
            "    rules: [{valid_subdivision: {country_field: country, severity: warning}}]\n"
        )
        out = RuleSet.for_schema(schema).run({"country": "US", "state": "CA-QC"})
        assert out.ok
        assert [("subdivision.country", Severity.WARNING)] == [
            (i.code, i.severity) for i in out.issues
        ]


@pytest.mark.parametrize("raw", ["123", "...1", "42-7", "#1"])
def test_a_name_needs_letters(raw: str) -> None:
    """Fields with a name role, and fields whose rules normalize names, need a letter."""
    schema = rk.Schema("p", [rk.Field("given", rk.Text(), role="given_name")])
    out = RuleSet.for_schema(schema).run({"given": raw})
    assert ["name.letters"] == [i.code for i in out.errors]
    contact = RuleSet.for_schema(rk.bundled_schema("contact"))
    assert "name.letters" in [i.code for i in contact.run({"first_name": raw}).errors]


@pytest.mark.parametrize("raw", ["Ada", "Zoë", "李", "O'Neil", "Jean-Luc"])
def test_a_name_with_letters_passes(raw: str) -> None:
    schema = rk.Schema("p", [rk.Field("given", rk.Text(), role="given_name")])
    assert RuleSet.for_schema(schema).run({"given": raw}).ok


# -- properties: what a normalizer reads its validator accepts ---------------------------------

text_values = st.one_of(
    messy_text(),
    st.sampled_from([u for u, _ in URLS_REFUSED] + [u for u, _ in URLS_READ]),
    st.sampled_from([e for e, _ in EMAIL_GUESSES] + PLACEHOLDER_SPELLINGS),
    st.from_regex(r"[a-z]{1,8}(\.[a-z]{2,5}){1,2}(/[a-z ]{0,5})?", fullmatch=True),
    st.from_regex(r"[A-Za-z. ]{1,8}@[a-z,.@ ]{1,12}", fullmatch=True),
)


@settings(max_examples=300)
@given(text_values)
def test_url_check_accepts_exactly_what_the_normalizer_reads(raw: str) -> None:
    read = url_verdict(raw)[0]
    after = normalize_url(raw)
    assert (read is not None) == (not Validators.url().validate(raw))
    assert (read is not None) == (not Validators.url().validate(after))
    assert after == normalize_url(after)


@settings(max_examples=300)
@given(text_values, st.booleans())
def test_email_check_accepts_exactly_what_the_normalizer_reads(raw: str, lower: bool) -> None:
    problem = email_verdict(raw, lowercase=lower)[1]
    after = normalize_email(raw, lowercase=lower)
    assert (problem is None) == (not Validators.email().validate(after))
    assert after == normalize_email(after, lowercase=lower)
    fix = email_fix(raw)
    assert fix is None or (problem is not None and not Validators.email().validate(fix))


orders = st.sampled_from(["mdy", "dmy", "ymd", None])
date_texts = st.one_of(
    messy_text(),
    st.sampled_from([raw for raw, _, _ in DATE_TABLE]),
    st.builds(
        lambda a, b, y, sep: f"{a}{sep}{b}{sep}{y}",
        st.integers(0, 40),
        st.integers(0, 40),
        st.sampled_from(["85", "2024", "1999", "07"]),
        st.sampled_from(["/", "-", "."]),
    ),
)


@settings(max_examples=300)
@given(date_texts, orders)
def test_a_date_field_reads_exactly_what_the_normalizer_reads(raw: str, order: str | None) -> None:
    """normalize_date gives ISO text exactly when the field accepts the value; idempotent."""
    field = rk.Field("d", rk.Date(order=order) if order else rk.Date(dayfirst=None))
    after = normalize_date(raw, order=order, dayfirst=None)
    try:
        coerced = field.coerce(raw)
    except rk.CoercionError:
        assert raw == after
    else:
        assert coerced is None or coerced.isoformat() == after
    assert after == normalize_date(after, order=order, dayfirst=None)


@settings(max_examples=200)
@given(
    st.sampled_from(sorted(KINDS)),
    st.one_of(
        messy_text(),
        st.sampled_from(
            PLACEHOLDER_SPELLINGS + [u for u, _ in URLS_READ] + [r for r, _, _ in DATE_TABLE]
        ),
    ),
)
def test_never_both_valid_and_unread(kind: str, raw: str) -> None:
    """Each field's outcome is a value without errors, or errors; a placeholder is no value."""
    out = RULES.run({kind: raw})
    errors = [i for i in out.errors if i.field == kind]
    if (
        is_placeholder(raw)
        and not (kind == "picklist" and raw.strip().lower() == "unknown")
        and (not (kind == "country" and raw == "NA"))
    ):
        assert (None, ["value.placeholder"]) == (out.values[kind], [i.code for i in errors])
    elif out.values[kind] is None:
        invisible = [i for i in out.issues if i.field == kind and i.code == "value.invisible"]
        assert errors or invisible or not raw.strip(), "a value dropped without a word"
    second = RULES.run({kind: out.values[kind]}) if out.values[kind] is not None else None
    if second is not None and not errors:
        assert out.values[kind] == second.values[kind]  # stored values read back the same
        assert not [i for i in second.errors if i.field == kind]


@pytest.mark.parametrize(
    ("raw", "kept"),
    [("Na", True), ("Nan", True), ("Nil", True), ("NA", False), ("na", False), ("N/A", False),
     ("nil", False), ("None", False), ("Unknown", False)],
)  # fmt: skip
def test_in_a_name_field_a_name_like_word_written_as_a_name_is_a_name(raw: str, kept: bool) -> None:
    """'Na' is a given name; 'NA', 'na' and 'N/A' are still placeholders there."""
    contact = RuleSet.for_schema(rk.bundled_schema("contact"))
    out = contact.run({"first_name": raw, "last_name": "Li"})
    assert (raw if kept else None) == out.values["first_name"]
    assert kept == ("value.placeholder" not in codes(out, "first_name"))


def _placeholder_by_definition(value: object) -> bool:
    """`PLACEHOLDERS`' documented definition, without the fast paths."""
    from recordkit.rules import _placeholders as p

    if not isinstance(value, str) or len(value) > p._MAX:
        return False
    text = strip_controls(value).strip()  # control characters read as cleaning leaves them
    if not text:
        return False
    if p._MARKS.fullmatch(text):
        return True
    key = p.placeholder_key(text)
    return key in PLACEHOLDERS or (len(key) >= 2 and key.strip("x") == "" and p._only_x(text))


@settings(max_examples=500)
@given(
    st.one_of(
        st.text(max_size=12),
        st.builds(
            lambda a, w, b: a + w + b,
            st.text(max_size=2),
            st.sampled_from([*sorted(PLACEHOLDERS), "xx", "N/A", "n.a", "-", "??"]),
            st.text(max_size=2),
        ),
    )
)
def test_the_placeholder_fast_paths_change_no_answer(value: str) -> None:
    """The first- and last-letter shortcuts answer as the documented definition does."""
    assert _placeholder_by_definition(value) == is_placeholder(value)


def test_the_placeholder_shortcuts_hold_for_every_first_and_last_character() -> None:
    """Any character before or after a placeholder word: shortcut and definition agree."""
    wrong = [
        repr(v)
        for cp in range(0x2FFFF)
        if not 0xD800 <= cp <= 0xDFFF
        for v in (chr(cp) + "/a", "n/" + chr(cp), chr(cp) + "ull", "nul" + chr(cp))
        if _placeholder_by_definition(v) != is_placeholder(v)
    ]
    assert [] == wrong


@pytest.mark.parametrize(
    ("raw", "region"),
    [("0800228098", "IM"), ("01624 228098", "GB"), ("0800 228 098", "JE")],
)
def test_a_phone_whose_e164_reads_as_another_number_is_left_as_written(
    raw: str, region: str
) -> None:
    """
    A national number with a kept leading zero would be written in E.164 with the zero,
    which reads back without it, as another number: it is left as written, and flagged
    only when phonenumbers finds the number as read invalid.
    """
    import phonenumbers

    from recordkit.rules import normalize_phone

    written = normalize_phone(raw, region=region)
    if written != raw:  # a rewrite must read back as the number it was read as
        first = phonenumbers.parse(raw, region)
        again = phonenumbers.parse(written, None)
        assert (first.country_code, first.national_number) == (
            again.country_code,
            again.national_number,
        )
        assert written == phonenumbers.format_number(again, phonenumbers.PhoneNumberFormat.E164)
    schema = rk.Schema("t", [rk.Field("p", rk.Phone(region=region))])
    out = RuleSet.for_schema(schema).run({"p": raw})
    if out.values["p"] == raw:
        assert ["phone.invalid"] == [i.code for i in out.issues]


def test_the_isle_of_man_freephone_is_not_rewritten_as_a_uk_number() -> None:
    """The case the differential check found: 0800228098 read in IM is not +44800228098."""
    from recordkit.rules import normalize_phone

    assert "0800228098" == normalize_phone("0800228098", region="IM")


@settings(max_examples=500)
@given(st.text(max_size=45))
def test_surely_not_placeholder_never_clears_one(value: str) -> None:
    """The screen's shortcut only ever clears text that is no placeholder."""
    from recordkit.rules._placeholders import surely_not_placeholder

    if surely_not_placeholder(value):
        assert not is_placeholder(value)


class TestAmbiguousPlaces:
    """Ambiguous values are invalid, with a hint naming the candidates (never one of them)."""

    def test_a_country_that_no_longer_exists_names_its_successors(self) -> None:
        schema = rk.Schema("t", [rk.Field("country", rk.Country())])
        out = RuleSet.for_schema(schema).run({"country": "Czechoslovakia"})
        (issue,) = out.issues
        assert ("country.former", "Czechoslovakia") == (issue.code, out.values["country"])
        assert issue.hint is not None
        assert "CZ or SK" in issue.hint

    def test_a_subdivision_name_two_share_names_both(self) -> None:
        schema = rk.Schema(
            "t",
            [rk.Field("country", rk.Country()), rk.Field("state", rk.Subdivision())],
        )
        out = RuleSet.for_schema(schema).run({"country": "EE", "state": "Tartu"})
        (issue,) = [i for i in out.issues if i.field == "state"]
        assert ("subdivision.ambiguous", "Tartu") == (issue.code, out.values["state"])
        assert issue.hint is not None
        assert "EE-793 or EE-796" in issue.hint


def _fold_by_definition(value: str) -> str:
    """`fold_key` as documented, character by character (no ASCII shortcut)."""
    import unicodedata

    text = unicodedata.normalize("NFKD", value)
    kept = "".join(
        c if c.isalnum() else " " for c in text if not unicodedata.combining(c)
    ).casefold()
    tokens = kept.split()
    if len(tokens) > 1 and all(len(t) == 1 for t in tokens):
        return "".join(tokens)
    return " ".join(tokens)


@settings(max_examples=500)
@given(st.one_of(st.text(alphabet=st.characters(max_codepoint=127), max_size=30), st.text()))
def test_fold_key_s_ascii_shortcut_changes_no_key(value: str) -> None:
    """ASCII text folds through a translation table to the key the definition gives."""
    from recordkit.rules import fold_key

    assert _fold_by_definition(value) == fold_key(value)
