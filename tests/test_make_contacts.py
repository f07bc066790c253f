"""Tests for scripts/make_contacts.py and the sample it produced (src/recordkit/data)."""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from itertools import combinations, pairwise
from pathlib import Path
from types import ModuleType

import phonenumbers
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "make_contacts.py"
CONTACTS = ROOT / "src" / "recordkit" / "data" / "contacts.csv"
TRUTH = ROOT / "src" / "recordkit" / "data" / "contacts_truth.csv"
# The exact command the committed files came from (minus the output paths).
COMMAND = ["--rows", "2400", "--seed", "7", "--dup-rate", "0.15"]

Row = dict[str, str]


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_contacts", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


mc = _load_script()


def _read(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    return _read(CONTACTS)


@pytest.fixture(scope="module")
def truth() -> dict[str, str]:
    return {t["source_id"]: t["entity_id"] for t in _read(TRUTH)}


@pytest.fixture(scope="module")
def clusters(rows: list[Row], truth: dict[str, str]) -> list[list[Row]]:
    """Rows of the same person, for every person with more than one row."""
    by_entity: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_entity[truth[row["source_id"]]].append(row)
    return [group for group in by_entity.values() if len(group) > 1]


def _iso_of(country: str) -> str | None:
    wanted = country.strip().lower()
    for iso, variants in mc.COUNTRY_VARIANTS.items():
        if wanted in (v.lower() for v in variants):
            return str(iso)
    return None


# ---------------------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------------------


def test_same_seed_same_output_other_seed_other_output() -> None:
    first = mc.generate_contacts(300, seed=11)
    assert mc.generate_contacts(300, seed=11) == first
    assert mc.generate_contacts(300, seed=12) != first


def test_rows_and_columns_agree() -> None:
    rows, truth = mc.generate_contacts(300, seed=5, dup_rate=0.2)
    cols = mc.generate_columns(300, seed=5, dup_rate=0.2)
    assert list(rows[0]) == list(mc.COLUMNS)
    assert [[r[c] for c in mc.COLUMNS] for r in rows] == [
        list(v) for v in zip(*(cols[c] for c in mc.COLUMNS), strict=True)
    ]
    assert [t["entity_id"] for t in truth] == cols["entity_id"]


@pytest.mark.parametrize("dup_rate", [0.0, 0.05, 0.15, 0.28])
def test_duplicate_rate_is_close_to_requested(dup_rate: float) -> None:
    rows, truth = mc.generate_contacts(1500, seed=3, dup_rate=dup_rate)
    assert len(rows) == len(truth) == 1500
    measured = 1 - len({t["entity_id"] for t in truth}) / len(truth)
    assert abs(measured - dup_rate) <= 0.03


def test_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="n_rows"):
        mc.generate_columns(0)
    with pytest.raises(ValueError, match="dup_rate"):
        mc.generate_columns(10, dup_rate=0.9)


def test_nicknames_map_formal_names_to_different_short_ones() -> None:
    assert mc.NICKNAMES["Robert"] == "Bob"
    assert all(formal != nick for formal, nick in mc.NICKNAMES.items())


# ---------------------------------------------------------------------------------------
# The committed sample
# ---------------------------------------------------------------------------------------


def test_committed_sample_is_what_the_script_produces(tmp_path: Path) -> None:
    out, truth = tmp_path / "contacts.csv", tmp_path / "truth.csv"
    assert mc.main([*COMMAND, "--out", str(out), "--truth", str(truth)]) == 0
    assert out.read_bytes() == CONTACTS.read_bytes()
    assert truth.read_bytes() == TRUTH.read_bytes()


def test_header_and_size(rows: list[Row]) -> None:
    with CONTACTS.open(encoding="utf-8") as f:
        assert f.readline().rstrip("\n").split(",") == list(mc.COLUMNS)
    assert len(rows) == 2400


def test_truth_covers_every_row(rows: list[Row], truth: dict[str, str]) -> None:
    source_ids = [r["source_id"] for r in rows]
    assert len(set(source_ids)) == len(source_ids)
    assert all(re.fullmatch(r"crm-\d{6}", s) for s in source_ids)
    assert list(truth) == source_ids
    assert all(re.fullmatch(r"E\d{5}", e) for e in truth.values())


def test_duplicate_rate_of_sample(truth: dict[str, str]) -> None:
    measured = 1 - len(set(truth.values())) / len(truth)
    assert abs(measured - 0.15) <= 0.03
    sizes = {len(group) for group in _groups(truth)}
    assert {2, 3} <= sizes  # some people are duplicated more than once


def _groups(truth: dict[str, str]) -> list[list[str]]:
    by_entity: dict[str, list[str]] = defaultdict(list)
    for source_id, entity_id in truth.items():
        by_entity[entity_id].append(source_id)
    return list(by_entity.values())


def test_rows_of_one_person_are_never_adjacent(rows: list[Row], truth: dict[str, str]) -> None:
    entities = [truth[r["source_id"]] for r in rows]
    assert all(a != b for a, b in pairwise(entities))


def _parse_phone(row: Row) -> phonenumbers.PhoneNumber | None:
    """The row's phone parsed in the row's country (None if either is blank)."""
    iso = _iso_of(row["country"])
    if not row["phone"] or iso is None:
        return None
    text = re.sub(r"\s*(?:x|ext\.?)\s*\d+$", "", row["phone"], flags=re.IGNORECASE)
    text = text.replace("(0)", "")
    if text.startswith("00"):
        text = "+" + text[2:]
    return phonenumbers.parse(text, iso)


def test_phones_are_valid_for_their_country(rows: list[Row]) -> None:
    numbers = [(row, _parse_phone(row)) for row in rows]
    checked = [(row, n) for row, n in numbers if n is not None]
    assert len(checked) > 2000
    for row, number in checked:
        assert phonenumbers.is_valid_number(number), (row["phone"], row["country"])


def _mailbox(email: str) -> str:
    local, _, domain = email.strip().lower().partition("@")
    local = local.split("+")[0]
    if domain in ("gmail.com", "googlemail.com"):
        return local.replace(".", "") + "@gmail.com"
    return f"{local}@{domain}"


def test_different_people_never_share_an_email_or_a_phone(
    rows: list[Row], truth: dict[str, str]
) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        entity = truth[row["source_id"]]
        if "@" in row["email"]:
            owners[_mailbox(row["email"])].add(entity)
        number = _parse_phone(row)
        if number is not None:
            owners[phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)].add(
                entity
            )
    shared = {key: ids for key, ids in owners.items() if len(ids) > 1}
    assert not shared


# Each kind of mess the sample must show at least once: (column, test on the value).
Check = Callable[[str], bool]


def _rx(pattern: str) -> Check:
    compiled = re.compile(pattern)
    return lambda value: compiled.search(value) is not None


MESS: dict[str, tuple[str, Check]] = {
    "phone +1 212-555-0148": ("phone", _rx(r"^\+1 \d{3}-\d{3}-\d{4}$")),
    "phone (212) 555-0148": ("phone", _rx(r"^\(\d{3}\) \d{3}-\d{4}$")),
    "phone 212.555.0148": ("phone", _rx(r"^\d{3}\.\d{3}\.\d{4}$")),
    "phone 2125550148": ("phone", _rx(r"^\d{10}$")),
    "phone +12125550148": ("phone", _rx(r"^\+1\d{10}$")),
    "phone 001 212 555 0148": ("phone", _rx(r"^001 \d{3} \d{3} \d{4}$")),
    "phone extension x204": ("phone", _rx(r"\d x ?\d+$")),
    "phone extension ext. 12": ("phone", _rx(r"\d [Ee]xt\. \d+$")),
    "phone +44 (0)20": ("phone", _rx(r"^\+\d\d \(0\)\d")),
    "email upper case": ("email", lambda v: v != v.lower()),
    "email surrounding whitespace": ("email", lambda v: v != v.strip()),
    "email +tag": ("email", _rx(r"^[^@]+\+[a-z0-9]+@")),
    "email extra gmail dots": ("email", _rx(r"(?i)^[^@+]*\.[^@+]*\.[^@]*@gmail\.com$")),
    "email jane@@x": ("email", _rx(r"@@")),
    "email jane.example.com": ("email", lambda v: bool(v) and "@" not in v),
    "state NY": ("state", lambda v: v == "NY"),
    "state New York": ("state", lambda v: v == "New York"),
    "state dotted (N.Y., Calif.)": ("state", _rx(r"^(N\.Y\.|Calif\.|Mass\.|Tex\.|N\.C\.|Fla\.)$")),
    "state lower-case code": ("state", _rx(r"^[a-z]{2}$")),
    "state lower-case name with trailing space": ("state", _rx(r"^[a-z][a-z ]+ $")),
    "province Ontario": ("state", lambda v: v == "Ontario"),
    "province ON": ("state", lambda v: v == "ON"),
    "province abbreviation (Ont., B.C., Que.)": ("state", _rx(r"^(Ont\.|B\.C\.|Que\.|Alta\.)$")),
    "name in capitals": ("first_name", lambda v: v.isupper() and len(v) > 2),
    "name in lower case": ("last_name", lambda v: v.islower() and len(v) > 2),
    "name McDonald/MacLeod": ("last_name", _rx(r"^Ma?c[A-Z]")),
    "name naive title case (Mcdonald, Van Der Berg)": (
        "last_name",
        _rx(r"^(Ma?c[a-z]|Van |De |O'[a-z]|Dimaggio$|Leblanc$)"),
    ),
    "name O'Neil/O'Brien": ("last_name", _rx(r"^[OD]'[A-Z]")),
    "name van der Berg": ("last_name", _rx(r"^van de[rn] ")),
    "name María José": ("first_name", lambda v: v == "María José"),
    "name Zoë": ("first_name", lambda v: v == "Zoë"),
    "name hyphenated": ("last_name", _rx(r"^[A-Z][a-z]+-[A-Z][a-z]+$")),
    "name Chinese or Japanese script": ("last_name", _rx(r"[\u3040-\u30ff\u4e00-\u9fff]")),
    "name Cyrillic script": ("first_name", _rx(r"[\u0400-\u04ff]")),
    "name stray whitespace": ("first_name", lambda v: v != v.strip() or "  " in v),
    "name diacritics dropped": ("last_name", lambda v: v in ("Garcia", "Muller", "Mueller")),
    "date 1985-03-07": ("birth_date", _rx(r"^\d{4}-\d\d-\d\d$")),
    "date 03/07/1985": ("birth_date", _rx(r"^\d\d/\d\d/\d{4}$")),
    "date 7 Mar 1985": ("birth_date", _rx(r"^\d{1,2} [A-Z][a-z]{2} \d{4}$")),
    "date 1985/03/07": ("birth_date", _rx(r"^\d{4}/\d\d/\d\d$")),
    "date March 7, 1985": ("birth_date", _rx(r"^[A-Z][a-z]+ \d{1,2}, \d{4}$")),
    "contacted March 7, 2024": ("last_contacted", _rx(r"^[A-Z][a-z]+ \d{1,2}, \d{4}$")),
    "contacted 03/07/2024": ("last_contacted", _rx(r"^\d\d/\d\d/\d{4}$")),
    "website acme.com": ("website", _rx(r"^[a-z0-9-]+(\.[a-z]+)+$")),
    "website www.acme.com": ("website", _rx(r"^www\.")),
    "website https://acme.com/": ("website", _rx(r"^https://[^w].*/$")),
    "website HTTP://ACME.COM": ("website", _rx(r"^HTTP://[A-Z0-9.-]+$")),
    "company Inc.": ("company", _rx(r" Inc\.$")),
    "company , Inc.": ("company", _rx(r", Inc\.$")),
    "company in capitals": ("company", lambda v: v.isupper() and len(v) > 8),
    "postcode ZIP+4": ("postcode", _rx(r"^\d{5}-\d{4}$")),
}


@pytest.mark.parametrize("kind", list(MESS))
def test_sample_shows_mess(rows: list[Row], kind: str) -> None:
    column, check = MESS[kind]
    assert sum(check(row[column]) for row in rows) > 0


def test_sample_shows_international_numbers_in_national_format(rows: list[Row]) -> None:
    national = [
        r
        for r in rows
        if _iso_of(r["country"]) not in (None, "US", "CA") and r["phone"][:1] in ("0", "(")
    ]
    assert national


def test_sample_shows_zip_codes_that_lost_their_leading_zero(rows: list[Row]) -> None:
    us = [r for r in rows if _iso_of(r["country"]) == "US"]
    assert any(re.fullmatch(r"\d{4}", r["postcode"]) for r in us)


@pytest.mark.parametrize(
    ("column", "values"),
    [
        ("country", mc.COUNTRY_VARIANTS["US"]),
        ("country", ("UK", "United Kingdom", "Great Britain", "GB")),
        ("country", ("Deutschland", "Germany", "DE")),
        ("email_opt_in", ("yes", "no", "Y", "N", "true", "false", "1", "0", "TRUE", "")),
        (
            "industry",
            (
                "Software",
                "SaaS",
                "Tech",
                "technology",
                "Techology",
                "Banking",
                "Financial Services",
                "Health care",
                "NonProfit",
                "Non Profit",
            ),
        ),
        ("lead_source", ("web form", "Website", "trade show", "Tradeshow", "cold-call")),
    ],
)
def test_sample_uses_every_spelling(rows: list[Row], column: str, values: tuple[str, ...]) -> None:
    seen = {r[column] for r in rows}
    assert set(values) <= seen, set(values) - seen


def test_uk_counties_are_mostly_blank(rows: list[Row]) -> None:
    uk = [r for r in rows if _iso_of(r["country"]) == "GB"]
    assert sum(not r["state"] for r in uk) / len(uk) > 0.6


def test_blanks_in_every_optional_column(rows: list[Row]) -> None:
    for column in mc.COLUMNS[1:]:
        share = sum(not r[column] for r in rows) / len(rows)
        low = 0.005 if column in ("first_name", "last_name") else 0.03
        assert low <= share <= 0.16, (column, share)
    assert all(r["source_id"] for r in rows)
    assert any(not r["phone"] and not r["email"] for r in rows)


# ---------------------------------------------------------------------------------------
# What duplicates look like
# ---------------------------------------------------------------------------------------


def _one_edit(a: str, b: str) -> bool:
    """True when b is a one-character insert, delete or substitution away from a."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _pairs(clusters: list[list[Row]]) -> list[tuple[Row, Row]]:
    return [pair for group in clusters for pair in combinations(group, 2)]


DUP_SIGNS: dict[str, Callable[[Row, Row], bool]] = {
    "nickname": lambda a, b: (
        mc.NICKNAMES.get(a["first_name"]) == b["first_name"]
        or mc.NICKNAMES.get(b["first_name"]) == a["first_name"]
    ),
    "swapped names": lambda a, b: (
        bool(a["first_name"])
        and a["first_name"] == b["last_name"]
        and a["last_name"] == b["first_name"]
    ),
    "one-edit typo": lambda a, b: (
        _one_edit(a["first_name"], b["first_name"]) or _one_edit(a["last_name"], b["last_name"])
    ),
    "email case or tag": lambda a, b: (
        bool(a["email"])
        and a["email"] != b["email"]
        and re.sub(r"\+[^@]*@", "@", a["email"].strip().lower())
        == re.sub(r"\+[^@]*@", "@", b["email"].strip().lower())
    ),
    "phone reformatted": lambda a, b: (
        bool(a["phone"])
        and a["phone"] != b["phone"]
        and re.sub(r"\D", "", a["phone"])[-9:] == re.sub(r"\D", "", b["phone"])[-9:]
    ),
    "company restyled": lambda a, b: (
        bool(a["company"])
        and bool(b["company"])
        and a["company"] != b["company"]
        and a["website"].lower().removeprefix("www.") == b["website"].lower().removeprefix("www.")
    ),
    "job title changed": lambda a, b: (
        bool(a["job_title"]) and bool(b["job_title"]) and a["job_title"] != b["job_title"]
    ),
    "moved city": lambda a, b: (
        bool(a["city"]) and bool(b["city"]) and a["city"].strip() != b["city"].strip()
    ),
}


@pytest.mark.parametrize("sign", list(DUP_SIGNS))
def test_duplicates_differ_in_realistic_ways(clusters: list[list[Row]], sign: str) -> None:
    check = DUP_SIGNS[sign]
    assert any(check(a, b) or check(b, a) for a, b in _pairs(clusters))
