"""Hostile values: control and bidi tricks, non-web URLs, huge numbers and messages, odd files."""

from __future__ import annotations

import datetime as dt
import decimal
import os
import time
from pathlib import Path
from typing import Any

import pytest

import recordkit as rk

D = decimal.Decimal
T0 = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
MB = "x" * 1_048_576

# -- control characters and bidi tricks ------------------------------------------------------

SCHEMA = rk.Schema(
    "lead",
    [
        rk.Field("note", rk.Text()),
        rk.Field("website", rk.URL()),
        rk.Field("country", rk.Country()),
        rk.Field("state", rk.Subdivision()),
        rk.Field("company_id", rk.Reference(to="company")),
    ],
)

CONTROLS = [
    pytest.param("{}\x00", id="nul"),
    pytest.param("\x1b[31m{}\x1b[0m", id="ansi-colour"),
    pytest.param("\x1b]0;title\x07{}", id="ansi-osc"),
    pytest.param("\x07{}\x08\x01", id="c0-bell-backspace"),
    pytest.param("\x9b31m{}\x9c\x80", id="c1-controls"),
    pytest.param("\u202e{}\u202c", id="bidi-override"),
    pytest.param("\u2066{}\u2069", id="bidi-isolate"),
    pytest.param("\u200f{}\u200b\ufeff", id="marks-zero-width-bom"),
]
"""
Templates: ``{}`` is where the text goes, among the characters that must go.
"""


def _cleaned(field: str, raw: str) -> Any:
    return rk.RuleSet.for_schema(SCHEMA).run({field: raw}).values[field]


@pytest.mark.parametrize("raw", CONTROLS)
def test_text_fields_drop_controls_and_bidi_characters(raw: str) -> None:
    """The text field's cleaning: control characters, escapes and bidi controls go."""
    assert "Acme" == _cleaned("note", raw.format("Acme"))


@pytest.mark.parametrize("raw", CONTROLS)
@pytest.mark.parametrize("field", ["company_id", "state"])
def test_reference_and_subdivision_fields_are_cleaned_like_text(field: str, raw: str) -> None:
    """A reference or a subdivision loses exactly what a text field loses."""
    text, other = _cleaned("note", raw.format("c-1")), _cleaned(field, raw.format("c-1"))
    assert ("c-1", "c-1") == (text, other)


@pytest.mark.parametrize("raw", CONTROLS)
def test_url_fields_are_cleaned_like_text(raw: str) -> None:
    """A URL loses what a text field loses, then is normalized as a web address."""
    assert "https://www.acme.com" == _cleaned("website", raw.format("www.acme.com"))


def test_a_known_subdivision_behind_controls_is_still_recognised() -> None:
    """Cleaning comes first, so the normalizer sees the name itself."""
    assert "US-NY" == rk.RuleSet.for_schema(SCHEMA).run(
        {"country": "US", "state": "\u202eNew York\x00"}
    ).values["state"]


# -- only http and https are web addresses ---------------------------------------------------

REFUSED_URLS = [
    pytest.param("javascript:alert(1)", "javascript", id="javascript"),
    pytest.param("JavaScript:alert(1)", "javascript", id="javascript-case"),
    pytest.param(" java\tscript:alert(1)", "javascript", id="javascript-tab"),
    pytest.param("\x00javascript:alert(1)", "javascript", id="javascript-nul"),
    pytest.param("\u202ejavascript:alert(1)", "javascript", id="javascript-bidi"),
    pytest.param("javascript:1", "javascript", id="javascript-port-lookalike"),
    pytest.param("vbscript:msgbox(1)", "vbscript", id="vbscript"),
    pytest.param("data:text/html,<script>alert(1)</script>", "data", id="data"),
    pytest.param("mailto:ada@example.com", "mailto", id="mailto"),
    pytest.param("ftp://files.example.com/a", "ftp", id="ftp"),
    pytest.param("file:///etc/passwd", "file", id="file"),
    pytest.param("tel:+12125550100", "tel", id="tel"),
]


@pytest.mark.parametrize(("raw", "scheme"), REFUSED_URLS)
def test_urls_other_than_http_and_https_are_refused(raw: str, scheme: str) -> None:
    """Coercion refuses the scheme, and says which one and what is accepted."""
    with pytest.raises(rk.CoercionError) as info:
        rk.Field("website", rk.URL()).coerce(raw)
    assert "only http and https" in info.value.reason
    assert repr(scheme) in info.value.reason


@pytest.mark.parametrize(("raw", "scheme"), REFUSED_URLS)
def test_the_url_check_names_the_scheme(raw: str, scheme: str) -> None:
    """Validators.url on any field says the scheme is the problem."""
    (issue,) = rk.Validators.url().validate(raw)
    assert ("url.scheme", True) == (issue.code, repr(scheme) in issue.message)


@pytest.mark.parametrize(
    "raw",
    ["https://www.acme.com", "HTTP://ACME.COM/x", "www.acme.com", "acme.com:8080/path",
     "localhost:3000"],
)
def test_web_addresses_are_accepted(raw: str) -> None:
    """http, https, no scheme at all, and a host with a port."""
    assert raw == rk.Field("website", rk.URL()).coerce(raw)


def test_a_capture_with_a_script_url_is_refused() -> None:
    """Through the facade the refusal is a ValidationError naming the field."""
    contacts = rk.Steward(rk.bundled_schema("company"))
    with pytest.raises(rk.ValidationError, match="website"):
        contacts.capture({"name": "Acme", "website": "javascript:alert(1)"}, source="form")


# -- integers every store holds --------------------------------------------------------------

HUGE = [
    pytest.param(D("1e999999"), id="decimal-1e999999"),
    pytest.param(D("-1e999999"), id="decimal-minus-1e999999"),
    pytest.param(float("1e308"), id="float-1e308"),
    pytest.param(10**100_000, id="int-10**100000"),
    pytest.param(-(10**100_000), id="int-minus-10**100000"),
    pytest.param("1e999999", id="text-1e999999"),
    pytest.param("1" + "0" * 65_000, id="text-65000-digits"),
    pytest.param(2**63, id="int-2**63"),
    pytest.param(-(2**63) - 1, id="int-minus-2**63-1"),
    pytest.param(D(2**63), id="decimal-2**63"),
    pytest.param(float(2**63), id="float-2**63"),
    pytest.param("9223372036854775808", id="text-2**63"),
]


@pytest.mark.parametrize("raw", HUGE)
def test_integers_beyond_64_bits_are_refused_at_once(raw: object) -> None:
    """Refused in well under a second, whatever the exponent or the number of digits."""
    start = time.perf_counter()
    with pytest.raises(rk.CoercionError) as info:
        rk.Field("n", rk.Integer()).coerce(raw)
    assert time.perf_counter() - start < 0.2
    assert len(str(info.value)) < 300


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (2**63 - 1, 2**63 - 1),
        (-(2**63), -(2**63)),
        ("9223372036854775807", 2**63 - 1),
        ("-9,223,372,036,854,775,808", -(2**63)),
        (D("9223372036854775807.000"), 2**63 - 1),
        (D("0E+999999"), 0),
        (-(2.0**63), -(2**63)),
    ],
)
def test_integers_up_to_64_bits_are_accepted(raw: object, expected: int) -> None:
    """The bounds themselves are whole numbers every store holds."""
    assert expected == rk.Field("n", rk.Integer()).coerce(raw)


COUNTS = rk.Schema("tally", [rk.Field("n", rk.Integer())])


@pytest.mark.parametrize("store", ["memory", "sql"])
@pytest.mark.parametrize("n", [2**63 - 1, -(2**63), 0])
def test_memory_and_sql_stores_hold_the_same_integers(store: str, n: int) -> None:
    """Whatever an Integer field accepts, both stores write and read back unchanged."""
    from recordkit.store import SQLStore

    target: rk.Store = (
        rk.MemoryStore(schemas=[COUNTS]) if store == "memory"
        else SQLStore("sqlite://", schemas=[COUNTS])
    )  # fmt: skip
    value = COUNTS.field("n").coerce(n)
    target.put(rk.Record("t1", "tally", {"n": value}, created_at=T0), expected_version=None)
    assert n == target.get("t1")["n"]
    assert [n] == [r["n"] for r in target.query("tally", where={"n": n})]


# -- messages stay short ---------------------------------------------------------------------

MESSAGES = [
    pytest.param(lambda: rk.schema_from_dict({"schema": "c", "fields": {"a": "text"}, MB: 1}),
                 id="schema-unknown-key"),
    pytest.param(lambda: rk.schema_from_dict({"schema": "c", "fields": {"a": MB}}),
                 id="schema-unknown-type"),
    pytest.param(lambda: rk.schema_from_dict({"schema": MB, "fields": {"a": "text"}}),
                 id="schema-bad-name"),
    pytest.param(lambda: rk.parse_schema("schema: [", source=MB), id="parse-source"),
    pytest.param(lambda: rk.schema_from_dict({}, source=MB), id="dict-source"),
    pytest.param(lambda: rk.load_schema(MB), id="load-path"),
    pytest.param(lambda: rk.Field("f", rk.Text()).coerce(MB), id="coerce-huge-text"),
    pytest.param(lambda: rk.Field("f", rk.Integer()).coerce("9" * 60_000), id="coerce-digits"),
    pytest.param(lambda: rk.Field("f", rk.MoneyType()).coerce(f"{'1' * 60_000} XYZ"),
                 id="coerce-money"),
    pytest.param(lambda: rk.record_from_dict({"values": {MB: 1}}, SCHEMA),
                 id="record-unknown-field"),
    pytest.param(lambda: rk.Record.from_json(MB, SCHEMA), id="record-json"),
    pytest.param(lambda: SCHEMA.field(MB), id="schema-field"),
    pytest.param(lambda: rk.Picklist(values=[MB, MB]), id="picklist-twice"),
    pytest.param(lambda: rk.Money(D(1), MB), id="money-currency"),
    pytest.param(lambda: rk.Provenance(MB, MB), id="provenance"),
    pytest.param(lambda: rk.Record(MB, MB, {}, created_at=MB), id="record"),
]


@pytest.mark.parametrize("make", MESSAGES)
def test_a_megabyte_of_input_gives_a_short_message(make: Any) -> None:
    """Schema, validation and coercion errors quote input shortened, never whole."""
    with pytest.raises(rk.RecordkitError) as info:
        make()
    assert len(str(info.value)) < 1_000


# -- schema files that are not files ---------------------------------------------------------


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "schema.yaml"
    os.mkfifo(path)
    return path


def _directory(tmp_path: Path) -> Path:
    path = tmp_path / "schema.yaml"
    path.mkdir()
    return path


def _too_large(tmp_path: Path) -> Path:
    path = tmp_path / "schema.yaml"
    path.write_bytes(b"#" * (4 * 1024 * 1024 + 1))
    return path


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        pytest.param(lambda _: Path("/dev/zero"), "character device", id="dev-zero"),
        pytest.param(_fifo, "FIFO", id="fifo"),
        pytest.param(_directory, "directory", id="directory"),
        pytest.param(_too_large, "too large", id="over-the-limit"),
        pytest.param(lambda p: p / "missing.yaml", "No such file", id="missing"),
    ],
)
def test_load_schema_refuses_what_is_not_a_small_regular_file(
    tmp_path: Path, make: Any, reason: str
) -> None:
    """A SchemaError naming the path, at once: a FIFO never blocks, /dev/zero is never read."""
    path = make(tmp_path)
    start = time.perf_counter()
    with pytest.raises(rk.SchemaError) as info:
        rk.load_schema(path)
    assert time.perf_counter() - start < 1.0
    assert (str(path), True) == (info.value.source, reason in info.value.reason)


@pytest.mark.parametrize("path", [5, True, None, b"/dev/zero", "nul\x00.yaml", "\ud800.yaml"])
def test_load_schema_refuses_what_is_not_a_path(path: Any) -> None:
    """File descriptors, bytes and unencodable names: a SchemaError, nothing opened."""
    with pytest.raises(rk.SchemaError):
        rk.load_schema(path)


def test_load_schema_reads_a_file_at_the_limit(tmp_path: Path) -> None:
    """The limit is inclusive: a document that fits loads."""
    text = rk.dump_schema(SCHEMA)
    path = tmp_path / "lead.yaml"
    path.write_text(text + "#" * (4 * 1024 * 1024 - len(text.encode())), encoding="utf-8")
    assert SCHEMA == rk.load_schema(path)
