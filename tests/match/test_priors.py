"""Cold start: the shipped priors, the default matcher built on them, versions and refits."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scripts import derive_priors

import recordkit as rk
from recordkit import RecordkitError, SchemaError
from recordkit.match import FellegiSunter, Index, Matcher, MatchExplanation, WeightedRules
from recordkit.match._priors import KINDS, kind_comparison, level_shape, load_priors, prior_model
from recordkit.match._refit import RefitPolicy

CONTACT = rk.bundled_schema("contact")


def _committed() -> str:
    path = resources.files("recordkit.match").joinpath("data/priors.json")
    return path.read_text(encoding="utf-8")


def _sample_rows(n: int) -> list[dict[str, str]]:
    path = resources.files("recordkit").joinpath("data/contacts.csv")
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    return [{k: v for k, v in r.items() if v} for r in rows[:n]]


class TestShippedFigures:
    def test_the_derivation_gives_the_committed_file(self) -> None:
        """Running the committed script with the inputs the file names writes the same file."""
        committed = _committed()
        source = json.loads(committed)["source"]
        doc = derive_priors.derive(
            rows=source["rows"],
            seed=source["seed"],
            dup_rate=source["dup_rate"],
            non_match_pairs=source["non_match_pairs"],
            pair_seed=source["pair_seed"],
        )
        assert source["data_sha256"] == doc["source"]["data_sha256"], (
            "the generator's output changed: run python scripts/derive_priors.py"
        )
        assert committed == derive_priors.render(doc)

    def test_the_script_inputs_are_the_files(self) -> None:
        """The script's default inputs are the ones the committed file was derived from."""
        source = json.loads(_committed())["source"]
        assert {k: source[k] for k in derive_priors.SOURCE} == derive_priors.SOURCE

    def test_every_kind_is_a_distribution_over_its_comparisons_levels(self) -> None:
        """Each kind's m and u share out 1 over its levels, which are its comparison's."""
        data = load_priors()
        for kind in KINDS:
            entry = data["kinds"][kind]
            comparison, _ = kind_comparison(kind, "x", family_name="y")
            assert level_shape(comparison) == level_shape(entry["comparison"]), kind
            assert len(comparison.labels) == len(entry["labels"]) == len(entry["m"]), kind
            for name in ("m", "u"):
                assert abs(sum(entry[name][1:]) - 1.0) < 1e-4, (kind, name)
                assert all(x > 0 for x in entry[name][1:]), (kind, name)

    def test_agreement_is_evidence_for_and_difference_against(self) -> None:
        """For every kind, an exact agreement weighs for a match and a difference against."""
        model = prior_model(
            {k: k for k in KINDS}, [kind_comparison(k, k, family_name="f")[0] for k in KINDS]
        )
        for kind in KINDS:
            w = model.weights(kind)
            assert (True, True) == (w[1] > 2.0, w[-1] < 0.0), kind


class TestColdStart:
    def test_the_default_matcher_has_the_prior_model(self) -> None:
        """for_schema gives a matcher with a model: the priors, named and not fitted on data."""
        m = Matcher.for_schema(CONTACT)
        assert isinstance(m.model, FellegiSunter)
        assert ("prior-1", None) == (m.model.version, m.model.fitted_on)

    def test_flags_an_obvious_duplicate_among_the_first_ten_records(self) -> None:
        """
        An index on the default matcher, with nine people in it, flags the tenth record (one
        of them again, written differently) as that person, and no one else.
        """
        index = Index(Matcher.for_schema(CONTACT))
        first = _sample_rows(9)
        for row in first:
            assert not index.lookup(row).is_duplicate
            index.add(row, id=row["source_id"])
        again = dict(first[2])
        again.update(
            source_id="web-1",
            email=again["email"].upper(),
            phone="(720) 373-7398",
            first_name="Rich",
        )
        hit = index.lookup(again)
        assert hit.best is not None
        assert ("crm-000003", True, 1) == (hit.best.record_id, hit.is_duplicate, len(hit.matches))
        assert "prior-1" == hit.best.explanation.version

    def test_an_explicit_model_override_wins(self) -> None:
        """``model=None`` leaves the default matcher unfitted, as before priors existed."""
        assert None is Matcher.for_schema(CONTACT, model=None).model

    def test_a_schema_matching_section_is_not_given_priors(self) -> None:
        """A schema's own comparisons have no shipped figures: the matcher is fitted on data."""
        s = rk.Schema(
            "lead",
            [rk.Field("email", rk.Email())],
            extensions={
                "matching": {
                    "comparisons": [{"kind": "email", "column": "email"}],
                    "blocking": [["email"]],
                }
            },
        )
        assert None is Matcher.for_schema(s).model


class TestPriorModel:
    def test_a_comparison_with_other_levels_is_refused(self) -> None:
        """Figures are only lent to a comparison with exactly the levels they describe."""
        given_name, _ = kind_comparison("given_name", "first", family_name="last")
        with pytest.raises(SchemaError, match="levels"):
            prior_model({"first": "given_name_alone"}, [given_name])

    def test_a_comparison_without_a_kind_is_refused(self) -> None:
        """A comparison the table does not name has no prior figures."""
        email, _ = kind_comparison("email", "email")
        with pytest.raises(SchemaError, match="no prior figures"):
            prior_model({}, [email])

    def test_an_unknown_kind_suggests_the_closest(self) -> None:
        """An unknown kind is refused with the closest kinds."""
        with pytest.raises(SchemaError) as err:
            kind_comparison("emial", "email")
        assert "email" in err.value.suggestions


class TestVersions:
    def test_a_fitted_model_is_versioned_by_its_parameters_and_counts_its_records(self) -> None:
        """Fitting gives a content-hash version and the number of records it was fitted on."""
        rows = _sample_rows(300)
        fitted = Matcher.for_schema(CONTACT).fit(rows)
        assert isinstance(fitted.model, FellegiSunter)
        again = Matcher.for_schema(CONTACT).fit(rows)
        assert isinstance(again.model, FellegiSunter)
        assert fitted.model.version.startswith("fs-")
        assert (300, fitted.model.version) == (fitted.model.fitted_on, again.model.version)

    def test_versions_survive_plain_data(self) -> None:
        """A model's version and record count come back from to_dict, JSON and from_dict."""
        model = Matcher.for_schema(CONTACT).model
        assert isinstance(model, FellegiSunter)
        back = FellegiSunter.from_dict(json.loads(json.dumps(model.to_dict())))
        assert (model.version, None, model) == (back.version, back.fitted_on, back)
        rules = WeightedRules({"email": {"exact": 10}}, version="crm-rules-3")
        assert "crm-rules-3" == WeightedRules.from_dict(rules.to_dict()).version

    @given(
        st.floats(0.01, 0.99),
        st.floats(0.01, 0.99),
        st.floats(1e-6, 0.5),
    )
    def test_the_default_version_is_the_parameters_hash(
        self, m: float, m2: float, u: float
    ) -> None:
        """Equal parameters give equal versions; different m give different ones."""
        one = FellegiSunter(0.01, {"e": (1.0, m, 1 - m)}, {"e": (1.0, u, 1 - u)})
        same = FellegiSunter(0.01, {"e": (1.0, m, 1 - m)}, {"e": (1.0, u, 1 - u)})
        other = FellegiSunter(0.01, {"e": (1.0, m2, 1 - m2)}, {"e": (1.0, u, 1 - u)})
        assert one.version == same.version
        assert (one.version == other.version) == (m == m2)

    def test_explanations_name_the_model_version(self) -> None:
        """An explanation says which model scored it, in its data and its text."""
        m = Matcher.for_schema(CONTACT)
        a, b = _sample_rows(1)[0], dict(_sample_rows(1)[0])
        e = m.explain(a, b)
        back = MatchExplanation.from_dict(e.to_dict())
        assert ("prior-1", "prior-1") == (e.version, back.version)
        assert "[model prior-1]" in e.text()

    @pytest.mark.parametrize("bad", [5, "", "x" * 101])
    def test_a_bad_version_is_refused(self, bad: Any) -> None:
        """A version that is not short text is refused naming it."""
        if bad == "":  # empty text means "not given": the hash is filled in
            assert FellegiSunter(0.1, {"e": (1, 1)}, {"e": (1, 1)}, version=bad).version
            return
        with pytest.raises(SchemaError, match="version"):
            FellegiSunter(0.1, {"e": (1, 1)}, {"e": (1, 1)}, version=bad)

    def test_a_bad_fitted_on_is_refused(self) -> None:
        """fitted_on is a count of records."""
        with pytest.raises(SchemaError, match="fitted_on"):
            FellegiSunter(0.1, {"e": (1, 1)}, {"e": (1, 1)}, fitted_on=-1)


class TestRefitPolicy:
    PRIOR: ClassVar[Matcher] = Matcher.for_schema(CONTACT)

    def test_priors_are_replaced_once_there_are_enough_records(self) -> None:
        """The shipped priors are due for a fit at min_records, not before."""
        policy = RefitPolicy(min_records=500)
        assert (False, True) == (
            policy.due(self.PRIOR, records=499),
            policy.due(self.PRIOR, records=500),
        )

    def test_a_fitted_model_is_refitted_when_the_records_have_grown(self) -> None:
        """A model fitted on n records is due again at growth times n (never with growth=None)."""
        fitted = self.PRIOR.fit(_sample_rows(300))
        policy = RefitPolicy(min_records=100, growth=2.0)
        assert (False, True, False) == (
            policy.due(fitted, records=599),
            policy.due(fitted, records=600),
            RefitPolicy(min_records=100, growth=None).due(fitted, records=10**6),
        )

    def test_weighted_rules_are_never_replaced(self) -> None:
        """Fixed points are a person's choice: never due."""
        m = Matcher.for_schema(CONTACT, model=WeightedRules({"email": {"exact": 10}}))
        assert not RefitPolicy(min_records=2).due(m, records=10**6)

    @given(st.integers(2, 5000), st.integers(0, 10_000), st.integers(0, 10_000))
    def test_once_due_stays_due_as_records_grow(self, least: int, a: int, b: int) -> None:
        """For the priors, being due is monotone in the number of records."""
        policy = RefitPolicy(min_records=least)
        lo, hi = sorted((a, b))
        assert not policy.due(self.PRIOR, records=lo) or policy.due(self.PRIOR, records=hi)

    @pytest.mark.parametrize(
        ("options", "field"),
        [({"min_records": 1}, "min_records"), ({"min_records": True}, "min_records"),
         ({"growth": 1.0}, "growth"), ({"growth": float("inf")}, "growth"),
         ({"growth": "2"}, "growth")],
    )  # fmt: skip
    def test_bad_options_are_refused(self, options: dict[str, Any], field: str) -> None:
        """Each option is checked, and the error names it."""
        with pytest.raises(RecordkitError, match=field):
            RefitPolicy(**options)

    @pytest.mark.parametrize(("matcher", "records"), [("m", 1), (None, -1), (None, 1.5)])
    def test_bad_arguments_to_due_are_refused(self, matcher: Any, records: Any) -> None:
        """due checks its matcher and its record count."""
        with pytest.raises(RecordkitError, match="matcher" if matcher else "records"):
            RefitPolicy().due(matcher or self.PRIOR, records=records)
