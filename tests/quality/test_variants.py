"""Variant clusters: OpenRefine's keyers, nearest neighbours, recovery of known variants."""

from __future__ import annotations

import functools
import random
import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import recordkit as rk
from recordkit.quality import (
    NearestNeighbours,
    QualityError,
    VariantCluster,
    fingerprint_key,
    metaphone_key,
    ngram_key,
    soundex_key,
    to_synonyms,
    variant_clusters,
    with_synonyms,
)


class TestKeyers:
    @pytest.mark.parametrize(
        ("value", "key"),
        [
            pytest.param("Cruise, Tom", "cruise tom", id="word-order"),
            pytest.param("  Tom  CRUISE ", "cruise tom", id="case-space"),
            pytest.param("gödel", "godel", id="diacritic"),
            pytest.param("Straße", "strasse", id="eszett"),
            pytest.param("New York, New York", "new york", id="repeats"),
            pytest.param("A.C.M.E. Inc.", "acme inc", id="punctuation"),
            pytest.param("tab\tseparated", "separated tab", id="tab"),
            pytest.param("ctrl\x01char", "ctrlchar", id="control"),
        ],
    )
    def test_fingerprint_follows_openrefine(self, value: str, key: str) -> None:
        """Trim, lower, drop punctuation and controls, fold to ASCII, sort unique words."""
        assert key == fingerprint_key(value)

    def test_ngram_fingerprint_follows_openrefine(self) -> None:
        """OpenRefine's documented examples: Paris → arispari (2-grams), aiprs (1-grams)."""
        assert ("arispari", "aiprs") == (ngram_key("Paris"), ngram_key("Paris", 1))
        assert ngram_key("Krzysztof", 1) == ngram_key("Kryzysztof", 1) == ngram_key("Krzystof", 1)
        assert "" == ngram_key("a")

    def test_phonetic_keys(self) -> None:
        """Metaphone and Soundex from jellyfish, on the folded value."""
        assert metaphone_key("Reuben Gevorkiantz") == metaphone_key("REUBEN gevorkiantz")
        assert "R163" == soundex_key("Robert") == soundex_key(" rupert ")

    @given(st.text(max_size=30))
    def test_keys_are_idempotent_on_their_words(self, value: str) -> None:
        """A fingerprint's own fingerprint is itself."""
        key = fingerprint_key(value)
        assert key == fingerprint_key(key)


class TestClusters:
    def test_suggested_canonical_is_the_most_frequent(self) -> None:
        """Most frequent member first; ties in code-point order; clusters largest first."""
        found = variant_clusters(
            ["New York"] * 3 + ["new york", "NEW YORK", "Boston"] + ["boston", "Boston "]
        )
        assert [
            ("New York", ("NEW YORK", "new york"), 5),
            ("Boston", ("Boston ", "boston"), 3),
        ] == [(c.canonical, c.variants, c.count) for c in found]
        tie = variant_clusters({"b x": 2, "x b": 2})[0]
        assert "b x" == tie.canonical

    def test_values_can_be_counts_and_min_count_filters(self) -> None:
        """A mapping of counts is read as such; rare values can be left out."""
        found = variant_clusters({"Acme": 5, "ACME": 1, "acme.": 2}, min_count=2)
        assert [("Acme", 5), ("acme.", 2)] == list(found[0].members)

    def test_a_chosen_canonical_and_the_replacements(self) -> None:
        """Choosing another canonical value changes the replacements applying would make."""
        c = VariantCluster("ny", [("NY", 5), ("N.Y.", 2), ("New York", 1)])
        chosen = c.with_canonical("New York")
        assert {"NY": "New York", "N.Y.": "New York"} == chosen.replacements
        assert chosen == VariantCluster.from_dict(chosen.to_dict())

    def test_nearest_neighbours_link_close_values(self) -> None:
        """Values within the radius link, transitively; far ones stay apart."""
        values = ["Jonathan Smith", "Jonathon Smith", "Jonathon Smyth", "Margaret Thatcher"]
        found = variant_clusters(values, method=NearestNeighbours(radius=1))
        assert [("Jonathan Smith", "Jonathon Smith", "Jonathon Smyth")] == [
            tuple(sorted(c.values)) for c in found
        ]

    def test_any_keyer_function_works(self) -> None:
        """A method is any function from text to its key; n-grams take a partial."""
        found = variant_clusters(
            ["Krzysztof", "Krzystof"], method=functools.partial(ngram_key, n=1)
        )
        assert 1 == len(found)
        assert 1 == len(variant_clusters(["ab", "AB"], method=str.lower))


def _variants_of(value: str, rng: random.Random) -> list[str]:
    """Spellings people write for *value*: case, spacing, punctuation, one typo."""
    words = value.split()
    typo_at = rng.randrange(len(value))
    typo = value[:typo_at] + value[typo_at + 1 :] if value[typo_at] != " " else value + "s"
    return [
        value.upper(),
        value.lower(),
        f" {value} ",
        value.replace(" ", "  "),
        ", ".join(reversed(words)) if len(words) > 1 else value + ".",
        typo,
    ]


def _truth_run(method: Any) -> tuple[float, float]:
    """Precision and recall of the pairs *method* clusters, on variants of known values."""
    rng = random.Random(3)
    syllables = ["ka", "lo", "mi", "ren", "dor", "vak", "sel", "tu", "bri", "an", "zo", "pe"]
    originals = sorted(
        {" ".join("".join(rng.sample(syllables, 3)).title() for _ in range(2)) for _ in range(400)}
    )
    truth: dict[str, str] = {}
    for value in originals:
        for v in [value, *_variants_of(value, rng)]:
            truth.setdefault(v, value)
    found = variant_clusters(list(truth), method=method)
    predicted = {(a, b) for c in found for a in c.values for b in c.values if a < b}
    actual = {(a, b) for a in truth for b in truth if a < b and truth[a] == truth[b]}
    tp = len(predicted & actual)
    return tp / max(len(predicted), 1), tp / len(actual)


class TestRecovery:
    @pytest.mark.parametrize(
        ("method", "min_precision", "min_recall"),
        [
            # Each value comes in 7 spellings (21 true pairs). Fingerprints fold case,
            # spacing, punctuation and word order (6 spellings, 15 pairs: recall 15/21),
            # never a typo, and different values essentially never collide.
            pytest.param(fingerprint_key, 0.99, 15 / 21 - 0.01, id="fingerprint"),
            # 2-grams fold case and spacing (5 spellings, 10 pairs) but not reordered
            # words, and a typo inside the value changes its 2-grams.
            pytest.param(ngram_key, 0.99, 10 / 21 - 0.01, id="ngram"),
            # Edit distance ≤ 2 joins the padded, double-spaced and typo spellings to the
            # original (about 10 pairs), not case or word order; it may link two values
            # two edits apart.
            pytest.param(NearestNeighbours(radius=2, block_chars=4), 0.95, 0.45, id="knn"),
        ],
    )
    def test_generated_variants_of_known_values_are_recovered(
        self, method: Any, min_precision: float, min_recall: float
    ) -> None:
        """Precision and recall of the found pairs against the values they were made from."""
        precision, recall = _truth_run(method)
        message = f"precision {precision:.3f}, recall {recall:.3f}"
        assert precision >= min_precision, message
        assert recall >= min_recall, message

    def test_100_000_distinct_values_stay_fast(self) -> None:
        """100,000 distinct values through nearest neighbours with blocking, in seconds."""
        rng = random.Random(5)
        letters = "abcdefghijklmnopqrstuvwxyz"
        values = list({"".join(rng.choices(letters, k=12)) for _ in range(100_000)})
        values += [v[:-1] + "z" for v in values[:100]]
        start = time.perf_counter()
        found = variant_clusters(values, method=NearestNeighbours())
        elapsed = time.perf_counter() - start
        assert elapsed < 30, f"{elapsed:.1f} s"
        assert len(found) >= 90  # the 100 planted one-letter variants (some already end in z)


class TestSynonyms:
    def test_to_synonyms_feeds_a_picklist(self) -> None:
        """Accepted clusters become a Picklist's synonyms, mapping variants to canonical."""
        c = VariantCluster("new york", [("New York", 3), ("NY", 1), ("N.Y.", 1)])
        synonyms = to_synonyms([c])
        picklist = rk.Picklist(values=("New York", "Boston"), synonyms=synonyms)
        assert {"NY": "New York", "N.Y.": "New York"} == picklist.synonym_map

    def test_with_synonyms_makes_a_new_schema_version(self) -> None:
        """The field's picklist gains the synonyms; its rules now normalize the variants."""
        schema = rk.Schema("lead", [rk.Field("city", rk.Picklist(values=("New York", "Boston")))])
        c = VariantCluster("new york", [("New York", 3), ("NY", 1)])
        newer = with_synonyms(schema, "city", [c])
        assert 2 == newer.version
        out = rk.RuleSet.for_schema(newer).run({"city": "NY"})
        assert "New York" == out.values["city"]

    @pytest.mark.parametrize(
        ("call", "parameter"),
        [
            pytest.param(lambda: variant_clusters(bad(5)), "values", id="values-int"),
            pytest.param(lambda: variant_clusters("text"), "values", id="values-text"),
            pytest.param(
                lambda: variant_clusters([], method=bad("fingerprint")), "method", id="method-name"
            ),
            pytest.param(
                lambda: variant_clusters(["a", "A"], method=bad(len)), "method", id="keyer-int"
            ),
            pytest.param(lambda: variant_clusters([], min_count=0), "min_count", id="min"),
            pytest.param(lambda: variant_clusters({"a": -1}), "values", id="count"),
            pytest.param(lambda: NearestNeighbours(radius=0), "radius", id="radius"),
            pytest.param(
                lambda: NearestNeighbours(block_chars=bad(2.5)), "block_chars", id="block"
            ),
            pytest.param(lambda: VariantCluster("k", [("a", 1)]), "members", id="one"),
            pytest.param(lambda: VariantCluster("k", [("a", 1), ("a", 2)]), "members", id="twice"),
            pytest.param(
                lambda: VariantCluster("k", [("a", 1), ("b", 1)], chosen="c"), "chosen", id="chosen"
            ),
            pytest.param(
                lambda: to_synonyms(
                    [
                        VariantCluster("k", [("a", 2), ("b", 1)]),
                        VariantCluster("j", [("c", 2), ("b", 1)]),
                    ]
                ),
                "clusters",
                id="two-owners",
            ),
            pytest.param(lambda: to_synonyms(bad(3)), "clusters", id="clusters-int"),
            pytest.param(
                lambda: with_synonyms(rk.bundled_schema("contact"), "email", []),
                "field",
                id="not-picklist",
            ),
            pytest.param(lambda: ngram_key("x", 0), "n", id="ngram-n"),
            pytest.param(lambda: fingerprint_key(bad(None)), "value", id="key-none"),
        ],
    )
    def test_bad_arguments_raise_quality_errors(self, call: Any, parameter: str) -> None:
        """Each wrong argument raises a QualityError naming the parameter."""
        with pytest.raises(QualityError) as info:
            call()
        assert parameter == info.value.parameter

    def test_a_canonical_outside_the_picklist_is_refused(self) -> None:
        """Synonyms can only point at one of the picklist's values."""
        schema = rk.Schema("lead", [rk.Field("city", rk.Picklist(values=("Boston",)))])
        with pytest.raises(QualityError, match="not one of the values"):
            with_synonyms(schema, "city", [VariantCluster("ny", [("NY", 2), ("N.Y.", 1)])])


def bad(value: object) -> Any:
    """*value*, typed as anything: the point is that it is the wrong type."""
    return value
