"""Batch dedupe and linkage: quality without labels, settings as data, and bad input."""

from __future__ import annotations

import csv
import importlib.resources
import itertools
import json
import random
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings

import recordkit as rk
from recordkit import RecordkitError, SchemaError
from recordkit.match import (
    BlockingError,
    Matcher,
    MatchRule,
    block_on,
    email_comparison,
    name_comparison,
)
from tests.match.strategies import rules_matcher, tiny_fs_matcher
from tests.strategies import people


def _bundled(name: str) -> list[dict[str, str]]:
    text = importlib.resources.files("recordkit.data").joinpath(name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def _f1(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> float:
    tp = len(found & truth)
    return 2 * tp / (len(found) + len(truth))


@pytest.fixture(scope="module")
def contacts() -> tuple[list[dict[str, str]], set[tuple[str, str]]]:
    rows = _bundled("contacts.csv")
    groups: dict[str, list[str]] = {}
    for t in _bundled("contacts_truth.csv"):
        groups.setdefault(t["entity_id"], []).append(t["source_id"])
    truth = {pair for g in groups.values() for pair in itertools.combinations(sorted(g), 2)}
    return rows, truth


@pytest.fixture(scope="module")
def fitted(contacts: tuple[list[dict[str, str]], Any]) -> Matcher:
    rows, _ = contacts
    return Matcher.for_schema(rk.bundled_schema("contact"), sample_pairs=100_000).fit(
        rows, ids=[r["source_id"] for r in rows]
    )


class TestDedupe:
    def test_finds_the_bundled_duplicates_without_labels(
        self, contacts: tuple[list[dict[str, str]], set[tuple[str, str]]], fitted: Matcher
    ) -> None:
        """
        A matcher fitted without labels finds the bundled contacts' duplicates with an F1 of 0.95 or
        more.
        """
        rows, truth = contacts
        result = fitted.dedupe(rows, ids=[r["source_id"] for r in rows])
        assert _f1(result.assignment.pairs(), truth) >= 0.95

    def test_every_link_is_explained(self, fitted: Matcher) -> None:
        """Each link explains the level each comparison reached."""
        rows = [
            {"first_name": "Robert", "last_name": "Smith", "email": "bob.smith@gmail.com"},
            {"first_name": "Bob", "last_name": "Smith", "email": "BOBSMITH+crm@gmail.com"},
        ]
        result = fitted.dedupe(rows, ids=["a", "b"])
        e = result.explain("a", "b")
        assert ("same mailbox", "nickname / same name family", True) == (
            e.term("email").level,
            e.term("first_name").level,
            e.is_match(threshold=0.9),
        )

    def test_settings_and_model_round_trip_through_json(self, fitted: Matcher) -> None:
        """A matcher rebuilt from its JSON settings and model dedupes as the original does."""
        again = Matcher.from_dict(json.loads(json.dumps(fitted.to_dict())))
        rows = _bundled("contacts.csv")[:300]
        ids = [r["source_id"] for r in rows]
        assert fitted.dedupe(rows, ids=ids).entity_of == again.dedupe(rows, ids=ids).entity_of

    def test_a_rerun_keeps_entity_ids(self, fitted: Matcher) -> None:
        """A rerun with the previous entity ids keeps them."""
        rows = _bundled("contacts.csv")[:300]
        ids = [r["source_id"] for r in rows]
        first = fitted.dedupe(rows, ids=ids)
        previous = {rid: f"E-{eid}" for rid, eid in first.entity_of.items()}
        assert previous == fitted.dedupe(rows, ids=ids, previous=previous).entity_of

    def test_must_and_never_match_rules_decide(self) -> None:
        """
        Must-match and never-match rules override the score, and the explanation names the rule.
        """
        rows = [
            {"email": "a@x.com", "last_name": "Li"},
            {"email": "a@x.com", "last_name": "Wu"},
            {"email": "b@x.com", "last_name": "Li"},
        ]
        m = Matcher(
            [email_comparison("email"), name_comparison("last_name")],
            [block_on("last_name"), block_on("email")],
            prepare={"email": "email"},
            model=rk.WeightedRules({}),
            threshold=1,
            must_match=[MatchRule({"last_name": "exact"})],
            never_match=[MatchRule({"email": "exact", "last_name": "different"})],
        )
        result = m.dedupe(rows, ids=["1", "2", "3"])
        assert ({("1", "3")}, "must_match: last_name=exact") == (
            result.assignment.pairs(),
            result.explain("1", "3").rule,
        )

    @settings(max_examples=15)
    @given(people())
    def test_clusters_do_not_depend_on_input_order(self, rows: list[dict[str, Any]]) -> None:
        """Shuffling the rows gives the same clusters."""
        shuffled = list(rows)
        random.Random(len(rows)).shuffle(shuffled)
        a = tiny_fs_matcher().dedupe(rows)
        b = tiny_fs_matcher().dedupe(shuffled)
        assert a.assignment == b.assignment


class TestLink:
    def test_links_across_two_datasets(self) -> None:
        """Linkage pairs records across the two datasets."""
        left = [
            {"email": "ada@x.com", "last_name": "Lovelace"},
            {"email": "alan@y.org", "last_name": "Turing"},
        ]
        right = [{"email": "ADA@x.com", "last_name": "Lovelace"}]
        result = rules_matcher().link(left, right)
        assert {("left:0", "right:0")} == result.assignment.pairs()

    def test_shared_ids_are_refused(self) -> None:
        """Linkage refuses datasets that share record ids."""
        with pytest.raises(RecordkitError, match="share record ids"):
            rules_matcher().link(
                [{"email": "a@x.com"}], [{"email": "a@x.com"}], left_ids=["1"], right_ids=["1"]
            )


class TestBadInput:
    def test_records_with_every_field_missing_stay_alone(self) -> None:
        """Records with every field missing or blank are never linked."""
        result = rules_matcher().dedupe([{}, {"email": None}, {"email": " "}])
        assert 3 == len(result.clusters)

    def test_identical_records_are_one_entity(self) -> None:
        """Identical records are one entity."""
        row = {"email": "a@b.co", "phone": "2125550123", "first_name": "Ann", "last_name": "Lee"}
        assert 1 == len(rules_matcher().dedupe([row] * 5).clusters)

    def test_one_postcode_shared_by_everyone_is_refused_not_run(self) -> None:
        """
        A blocking rule that would compare too many pairs is refused before it runs, with the count.
        """
        rows = [{"postcode": "10001", "email": f"p{i}@x.com"} for i in range(3000)]
        m = tiny_fs_matcher(max_pairs=100_000)
        m = Matcher.from_dict({**m.to_dict(), "blocking": [["postcode"]]})
        with pytest.raises(BlockingError, match="'postcode' would compare 4,498,500 pairs"):
            m.dedupe(rows)

    def test_non_latin_names_match(self) -> None:
        """Records with non-Latin names match."""
        rows = [
            {"first_name": "明", "last_name": "王", "email": "wang@x.cn"},
            {"first_name": "明", "last_name": "王", "email": "WANG@x.cn"},
        ]
        assert 1 == len(rules_matcher().dedupe(rows).clusters)

    def test_records_of_another_schema_are_refused(self) -> None:
        """Records of another schema than the matcher's are refused."""
        company = rk.Record(
            "c1",
            "company",
            {"name": "Acme"},
            created_at=__import__("datetime").datetime(2026, 1, 1),
        )
        with pytest.raises(SchemaError, match="built for 'contact' records"):
            rules_matcher(schema="contact").dedupe([company])

    @pytest.mark.parametrize(
        "data",
        [
            pytest.param(42, id="number"),
            pytest.param("rows", id="string"),
            pytest.param([1, 2], id="not-rows"),
            pytest.param({"email": "x"}, id="column-not-list"),
        ],
    )
    def test_garbage_is_a_recordkit_error(self, data: object) -> None:
        """Data that is neither rows nor columns raises RecordkitError."""
        with pytest.raises(RecordkitError):
            rules_matcher().dedupe(data)

    def test_huge_and_odd_cells_do_not_crash(self) -> None:
        """Huge cells, NUL bytes and bidi controls are compared without crashing."""
        rows = [
            {"email": "a" * 1_000_000, "last_name": "x\x00y"},
            {"email": "\u202e@evil", "last_name": "x\x00y", "phone": "☎"},
        ]
        assert 2 == len(rules_matcher().dedupe(rows).clusters)

    def test_an_unfitted_matcher_cannot_explain(self) -> None:
        """An unfitted matcher refuses to explain and says to call fit."""
        with pytest.raises(RecordkitError, match="call fit"):
            tiny_fs_matcher().explain({"email": "a@b.co"}, {"email": "a@b.co"})

    @pytest.mark.parametrize(
        ("settings", "message"),
        [
            pytest.param({"comparisons": []}, "at least one comparison", id="no-comparisons"),
            pytest.param(
                {"comparisons": [{"kind": "email"}], "blocking": []},
                "at least one blocking rule",
                id="no-blocking",
            ),
            pytest.param(
                {"comparisons": [{"kind": "email"}], "blocking": [["email"]], "colour": 1},
                "unknown matcher settings: colour",
                id="unknown-key",
            ),
            pytest.param(
                {
                    "comparisons": [{"kind": "email"}],
                    "blocking": [["email"]],
                    "must_match": [{"phone": "exact"}],
                },
                "no comparison 'phone'",
                id="rule-names-unknown-comparison",
            ),
        ],
    )
    def test_bad_settings_are_schema_errors(self, settings: dict[str, Any], message: str) -> None:
        """
        Missing comparisons or blocking, unknown keys and rules naming unknown comparisons are
        SchemaErrors.
        """
        with pytest.raises(SchemaError, match=message):
            Matcher.from_dict(settings)


class TestForSchema:
    def test_contact_defaults(self) -> None:
        """The contact schema's default matcher compares email, phone, names and postcode."""
        m = Matcher.for_schema(rk.bundled_schema("contact"))
        assert {"email", "phone", "first_name", "last_name", "postcode"} <= {
            c.name for c in m.comparisons
        }

    def test_the_schemas_matching_section_wins(self) -> None:
        """A schema's matching section replaces the default comparisons, blocking and threshold."""
        s = rk.Schema(
            "lead",
            [rk.Field("email", rk.Email()), rk.Field("name", rk.Text())],
            extensions={
                "matching": {
                    "comparisons": [{"kind": "email", "column": "email"}],
                    "blocking": [["email"]],
                    "threshold": 0.95,
                }
            },
        )
        m = Matcher.for_schema(s)
        assert (["email"], 0.95, "lead") == ([c.name for c in m.comparisons], m.threshold, m.schema)

    def test_a_bad_matching_section_names_where(self) -> None:
        """An invalid matching section is refused, naming the schema and the section."""
        s = rk.Schema(
            "lead",
            [rk.Field("email", rk.Email())],
            extensions={"matching": {"comparisons": [{"kind": "nope"}]}},
        )
        with pytest.raises(SchemaError, match="lead: at matching"):
            Matcher.for_schema(s)

    def test_a_schema_without_matchable_fields_is_refused(self) -> None:
        """A schema with no field a default comparison fits is refused."""
        s = rk.Schema("thing", [rk.Field("size", rk.Integer())])
        with pytest.raises(SchemaError, match="no default matching"):
            Matcher.for_schema(s)


class TestLargeBatches:
    def test_threaded_comparisons_give_the_same_levels(self) -> None:
        """Comparing many pairs on threads gives the levels of comparing them in parts."""
        m = rules_matcher()
        n = 400
        rows = {
            "email": [f"p{i % 97}@x.com" for i in range(n)],
            "phone": [f"21255501{i % 89:02d}" for i in range(n)],
            "first_name": ["Robert", "Bob", "Liz", "Elizabeth"] * (n // 4),
            "last_name": [f"Smith{i % 7}" for i in range(n)],
        }
        prepared = m.prepared(rows)
        a, b = np.triu_indices(n, 1)  # 79,800 pairs: the threaded path
        whole = m.compare(prepared, a.astype(np.int64), b.astype(np.int64))
        half = len(a) // 2  # under the threshold: one comparison at a time
        parts = [
            m.compare(prepared, a[s].astype(np.int64), b[s].astype(np.int64))
            for s in (slice(0, half), slice(half, None))
        ]
        for comparison, levels in whole.items():
            joined = np.concatenate([p[comparison] for p in parts])
            assert levels.tolist() == joined.tolist()
