"""Learning from review decisions: the update itself, its invariants, the gain, bad input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scripts.make_contacts import Noise, noisy_columns

import recordkit as rk
from recordkit import RecordkitError, SchemaError
from recordkit.match import (
    Evaluation,
    FellegiSunter,
    Matcher,
    block_on,
    email_comparison,
    learn_from_decisions,
    name_comparison,
)
from tests.match.strategies import rules_matcher
from tests.strategies import people

CONTACT = Matcher.for_schema(rk.bundled_schema("contact"))
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

Row = dict[str, Any]
Decisions = list[tuple[Mapping[str, object] | rk.Record, Mapping[str, object] | rk.Record, bool]]


def _model(matcher: Matcher) -> FellegiSunter:
    assert isinstance(matcher.model, FellegiSunter)
    return matcher.model


def _email_matcher(m: Sequence[float], u: Sequence[float]) -> Matcher:
    """
    A matcher of two comparisons with hand-set figures, to check the update by hand.
    """
    model = FellegiSunter(
        0.01,
        {"email": m, "last_name": (1.0, 0.7, 0.1, 0.1, 0.1)},
        {"email": u, "last_name": (1.0, 0.01, 0.01, 0.03, 0.95)},
    )
    return Matcher(
        [email_comparison("email"), name_comparison("last_name")],
        [block_on("email")],
        prepare={"email": "email", "last_name": "name"},
        model=model,
    )


ANN = {"email": "ann@lee.org", "last_name": "Lee"}
ANN2 = {"email": "ANN@lee.org", "last_name": "Lee"}  # email exact once prepared
BO = {"email": "bo@wu.org", "last_name": "Wu"}
BO_LEE = {"email": "bo@lee.org", "last_name": "Lee"}
NO_EMAIL = {"email": "", "last_name": "Lee"}


# -- the update -----------------------------------------------------------------------------


def test_m_and_u_are_the_dirichlet_posterior_means() -> None:
    """Accepted pairs move m, rejected pairs move u, each (strength * p + n) / (strength + N)."""
    m0 = (1.0, 0.5, 0.2, 0.2, 0.1)
    u0 = (1.0, 0.01, 0.01, 0.03, 0.95)
    matcher = _email_matcher(m0, u0)
    # two accepted pairs: email exact, last name exact; one rejected: email different,
    # last name exact
    learned = learn_from_decisions(
        matcher, [(ANN, ANN2, True), (ANN2, ANN, True), (ANN, BO_LEE, False)], strength=10
    )
    model = _model(learned)
    expected_m = (10 * np.array(m0[1:]) + [2, 0, 0, 0]) / 12
    expected_u = (10 * np.array(u0[1:]) + [0, 0, 0, 1]) / 11
    assert model.m["email"][0] == 1.0
    assert model.m["email"][1:] == pytest.approx(expected_m.tolist(), rel=1e-12)
    assert model.u["email"][1:] == pytest.approx(expected_u.tolist(), rel=1e-12)
    expected_last_u = (10 * np.array([0.01, 0.01, 0.03, 0.95]) + [1, 0, 0, 0]) / 11
    assert model.u["last_name"][1:] == pytest.approx(expected_last_u.tolist(), rel=1e-12)


def test_many_decisions_outweigh_the_prior_and_a_few_only_nudge() -> None:
    """The same evidence moves the figures further the more of it there is."""
    matcher = _email_matcher((1.0, 0.5, 0.2, 0.2, 0.1), (1.0, 0.01, 0.01, 0.03, 0.95))
    few = _model(learn_from_decisions(matcher, [(ANN, BO_LEE, True)] * 2))
    many = _model(learn_from_decisions(matcher, [(ANN, BO_LEE, True)] * 2000))
    # reviewers keep accepting pairs whose emails differ
    assert 0.1 < few.m["email"][4] < 0.25
    assert many.m["email"][4] > 0.98


def test_what_no_decision_speaks_to_is_kept_exactly() -> None:
    """Missing levels are no evidence; u is untouched by accepted pairs, m by rejected ones."""
    matcher = _email_matcher((1.0, 0.5, 0.2, 0.2, 0.1), (1.0, 0.01, 0.01, 0.03, 0.95))
    before = _model(matcher)
    accepted = _model(learn_from_decisions(matcher, [(NO_EMAIL, ANN, True)]))
    assert accepted.m["email"] == before.m["email"]  # email missing: no evidence
    assert accepted.u == before.u
    assert accepted.m["last_name"] != before.m["last_name"]
    rejected = _model(learn_from_decisions(matcher, [(ANN, BO, False)]))
    assert rejected.m == before.m
    assert rejected.u["email"] != before.u["email"]


def test_nothing_to_learn_returns_the_same_matcher() -> None:
    """No decisions, or decisions whose every comparison is missing: the matcher as it is."""
    assert learn_from_decisions(CONTACT, []) is CONTACT
    empty: Row = {"first_name": "", "last_name": None}
    assert learn_from_decisions(CONTACT, [(empty, {}, True)]) is CONTACT


def test_everything_but_m_and_u_is_kept_and_the_version_is_new() -> None:
    """Settings, prior, term frequencies and fitted_on stay; the version names the new figures."""
    fitted = CONTACT.fit(_rows(noisy_columns(300, seed=2, dup_rate=0.3)))
    learned = learn_from_decisions(fitted, [({"first_name": "Ann"}, {"first_name": "Anne"}, True)])
    before, after = _model(fitted), _model(learned)
    assert attrs.evolve(learned, model=before) == fitted
    assert (after.prior, after.tf, after.tf_floor, after.fitted_on) == (
        before.prior,
        before.tf,
        before.tf_floor,
        before.fitted_on,
    )
    assert after.version.startswith("fs-")
    assert after.version != before.version
    assert Matcher.from_dict(learned.to_dict()).model == after


def test_records_are_learned_from_like_mappings() -> None:
    """`Record` values of the matcher's schema give the figures their values give."""
    a = rk.Record(id="c1", schema="contact", values=dict(ANN), created_at=T0)
    b = rk.Record(id="c2", schema="contact", values=dict(BO_LEE), created_at=T0)
    from_records = learn_from_decisions(CONTACT, [(a, b, False)])
    from_rows = learn_from_decisions(CONTACT, [(dict(ANN), dict(BO_LEE), False)])
    assert from_records.model == from_rows.model != CONTACT.model


# -- invariants -----------------------------------------------------------------------------


def _decided(rows: list[Row], picks: list[tuple[int, int, bool]]) -> Decisions:
    return [(rows[i % len(rows)], rows[j % len(rows)], label) for i, j, label in picks]


def _assert_probabilities(model: FellegiSunter, before: FellegiSunter) -> None:
    for table, old in ((model.m, before.m), (model.u, before.u)):
        for name, probs in table.items():
            assert probs[0] == old[name][0]  # "missing" is carried over
            levels = np.array(probs[1:])
            assert ((levels > 0.0) & (levels < 1.0)).all(), name
            if probs != old[name]:  # learned (kept figures stay as shipped, rounded)
                assert abs(levels.sum() - 1.0) < 1e-9, name


@settings(max_examples=40, deadline=None)
@given(
    people(max_people=4, max_copies=3),
    st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50), st.booleans()), max_size=12),
    st.floats(0.01, 1e4),
)
def test_learned_figures_stay_probabilities(
    rows: list[Row], picks: list[tuple[int, int, bool]], strength: float
) -> None:
    """Whatever is decided, each comparison's m and u stay in (0, 1) and sum to 1."""
    learned = learn_from_decisions(CONTACT, _decided(rows, picks), strength=strength)
    _assert_probabilities(_model(learned), _model(CONTACT))


@settings(max_examples=40, deadline=None)
@given(
    people(max_people=4, max_copies=3),
    st.integers(0, 50),
    st.integers(0, 50),
    st.integers(1, 30),
    st.floats(0.01, 1e4),
)
def test_accepting_a_pair_never_lowers_the_weight_of_its_levels(
    rows: list[Row], i: int, j: int, copies: int, strength: float
) -> None:
    """Accepted pairs that agree on their levels raise (or keep) those levels' weights only."""
    left, right = rows[i % len(rows)], rows[j % len(rows)]
    learned = learn_from_decisions(CONTACT, [(left, right, True)] * copies, strength=strength)
    before, after = _model(CONTACT), _model(learned)
    _assert_probabilities(after, before)
    assert after.u == before.u
    prepared = CONTACT.prepared([left, right], ids=["l", "r"])
    zero = np.array([0], np.int64)
    levels = CONTACT.compare(prepared, zero, zero + 1)
    for c in CONTACT.comparisons:
        k = int(levels[c.name][0])
        if k:
            assert after.weights(c.name)[k] >= before.weights(c.name)[k] - 1e-9, c.name


# -- the gain on generated data -------------------------------------------------------------


def _rows(cols: Mapping[str, list[str]]) -> list[Row]:
    keep = [k for k in cols if k != "entity_id"]
    return [{"id": f"r{i}", **{k: cols[k][i] for k in keep}} for i in range(len(cols["entity_id"]))]


def _halves(cols: Mapping[str, list[str]]) -> tuple[list[Row], list[Row], dict[str, str]]:
    """
    The rows of every other person to review on, the rest held out; and the truth.
    """
    rows = _rows(cols)
    truth = {row["id"]: e for row, e in zip(rows, cols["entity_id"], strict=True)}
    people_ = sorted(set(truth.values()))
    reviewed = set(people_[::2])
    train = [r for r in rows if truth[r["id"]] in reviewed]
    held = [r for r in rows if truth[r["id"]] not in reviewed]
    return train, held, truth


def _review(matcher: Matcher, rows: list[Row], truth: Mapping[str, str], n: int) -> Decisions:
    """
    A reviewer who answers from the truth on the *n* pairs scored nearest the threshold.
    """
    result = matcher.dedupe(rows)
    scored = result.scored
    t = matcher.threshold
    nearest = np.argsort(np.abs(scored.weight - np.log2(t / (1 - t))), kind="stable")[:n]
    ids = result.prepared.ids
    by_id = {r["id"]: r for r in rows}
    decisions: Decisions = []
    for k in nearest:
        a, b = ids[int(scored.left[k])], ids[int(scored.right[k])]
        decisions.append((by_id[a], by_id[b], truth[a] == truth[b]))
    return decisions


def _held_out(
    matcher: Matcher, cols: Mapping[str, list[str]], n: int
) -> tuple[Evaluation, Evaluation, Decisions]:
    train, held, truth = _halves(cols)
    decisions = _review(matcher, train, truth, n)
    learned = learn_from_decisions(matcher, decisions)
    labels = {r["id"]: truth[r["id"]] for r in held}
    return matcher.evaluate(held, labels), learned.evaluate(held, labels), decisions


def _switchboard(cols: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """
    Every contact's phone becomes their company's main line, shared by colleagues.
    """
    out = {k: list(v) for k, v in cols.items()}
    company: dict[str, str] = {}
    lines: dict[str, str] = {}
    for i, person in enumerate(out["entity_id"]):
        name = company.setdefault(person, out["company"][i].strip().lower())
        if name:
            n = lines.setdefault(name, f"{len(lines) + 100:04d}")
            out["phone"][i] = f"(555) 301-{n}"
    return out


def test_rejected_colleagues_teach_that_a_shared_switchboard_number_is_weak() -> None:
    """
    The shipped priors trust an exact phone; on data where colleagues share their company's
    line they join colleagues. Twenty reviewed pairs near the threshold, all rejected,
    raise u for an exact phone, and on held-out people precision and F1 rise sharply.
    """
    noise = Noise(copies=2, drop_email=0.8, drop=0.5, namesakes=0.3)
    cols = _switchboard(noisy_columns(1200, seed=5, dup_rate=0.4, noise=noise))
    before, after, decisions = _held_out(CONTACT, cols, 20)
    assert len(decisions) == 20
    assert not any(label for _, _, label in decisions)
    assert after.precision >= before.precision + 0.1
    assert after.f1 >= before.f1 + 0.05
    assert after.recall >= before.recall - 0.01


def _work_emails(cols: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """
    A person's every copy carries another address (a work one) than their first row.
    """
    out = {k: list(v) for k, v in cols.items()}
    seen: set[str] = set()
    for i, person in enumerate(out["entity_id"]):
        if person in seen and out["email"][i].strip():
            out["email"][i] = f"{person.lower()}.{i}@work.example"
        seen.add(person)
    return out


def test_accepted_pairs_teach_that_duplicates_differ_in_email() -> None:
    """
    A model sure that duplicates share an email (m of "different" 1e-4) misses copies
    that carry a work address. Twenty accepted pairs near the threshold raise that m,
    and on held-out people recall and F1 rise while precision holds.
    """
    base = _model(CONTACT)
    sure = {**base.m, "email": (1.0, 0.97, 0.02, 0.0099, 0.0001)}
    matcher = attrs.evolve(CONTACT, model=FellegiSunter(base.prior, sure, base.u, version="sure"))
    noise = Noise(copies=3, drop=0.5, swap_names=0.1)
    cols = _work_emails(noisy_columns(1200, seed=7, dup_rate=0.4, noise=noise))
    before, after, decisions = _held_out(matcher, cols, 20)
    assert sum(label for _, _, label in decisions) == 20
    assert after.recall >= before.recall + 0.015
    assert after.f1 > before.f1
    assert after.precision >= before.precision - 0.005


# -- bad input ------------------------------------------------------------------------------


def test_a_matcher_without_probabilities_is_refused() -> None:
    """No model, fixed points, figures missing, not a matcher: a RecordkitError saying which."""
    with pytest.raises(RecordkitError, match="no model"):
        learn_from_decisions(attrs.evolve(CONTACT, model=None), [(ANN, BO, False)])
    with pytest.raises(RecordkitError, match="WeightedRules"):
        learn_from_decisions(rules_matcher(), [(ANN, BO, False)])
    partial = FellegiSunter(0.01, {"email": (1.0, 0.9, 0.1)}, {"email": (1.0, 0.1, 0.9)})
    with pytest.raises(RecordkitError, match="no figures for the 5 levels of comparison 'email'"):
        learn_from_decisions(attrs.evolve(CONTACT, model=partial), [(ANN, BO, False)])
    with pytest.raises(RecordkitError, match="matcher must be a Matcher"):
        learn_from_decisions(CONTACT.to_dict(), [(ANN, BO, False)])  # type: ignore[arg-type]


@pytest.mark.parametrize("strength", [0, -1.0, float("nan"), float("inf"), True, "20", None])
def test_a_bad_strength_is_refused(strength: Any) -> None:
    """*strength* is a finite number > 0."""
    with pytest.raises(RecordkitError, match="strength"):
        learn_from_decisions(CONTACT, [(ANN, BO, False)], strength=strength)


@pytest.mark.parametrize(
    ("decisions", "message"),
    [
        ("ann,bo,no", r"decisions must be a list"),
        ({"left": ANN}, r"decisions must be a list"),
        (5, r"decisions must be a list"),
        ([(ANN, BO)], r"decisions\[0\] must be a \(left, right, is_match\) triple, got 2"),
        ([(ANN, BO, False), "ann"], r"decisions\[1\] must be a \(left, right, is_match\)"),
        ([(ANN, BO, False), ANN], r"decisions\[1\] must be a \(left, right, is_match\)"),
        ([(ANN, 7, True)], r"decisions\[0\]: the right record must be a mapping or a Record"),
        ([("ann", BO, True)], r"decisions\[0\]: the left record must be a mapping or a Record"),
        ([(ANN, BO, 1)], r"decisions\[0\]: is_match must be True .* got 1"),
        ([(ANN, BO, "yes")], r"decisions\[0\]: is_match must be True"),
        ([(ANN, BO, np.True_)], r"decisions\[0\]: is_match must be True"),
        ([(ANN, BO, None)], r"decisions\[0\]: is_match must be True"),
    ],
)
def test_malformed_decisions_are_refused_naming_where(decisions: Any, message: str) -> None:
    """Each malformed decision is refused with its position and what was expected."""
    with pytest.raises(RecordkitError, match=message):
        learn_from_decisions(CONTACT, decisions)


def test_records_of_another_schema_are_refused() -> None:
    """A `Record` of another schema, or a record paired with itself: refused, naming it."""
    deal = rk.Record(id="d1", schema="deal", values={"name": "Big"}, created_at=T0)
    ann = rk.Record(id="c1", schema="contact", values=dict(ANN), created_at=T0)
    with pytest.raises(SchemaError, match=r"decisions\[1\]: the right record 'd1' is a 'deal'"):
        learn_from_decisions(CONTACT, [(ann, ANN2, True), (ann, deal, False)])
    free = attrs.evolve(CONTACT, schema=None)  # no schema: one schema throughout
    with pytest.raises(SchemaError, match=r"decisions\[1\]: the left record 'd1'"):
        learn_from_decisions(free, [(ann, ANN2, True), (deal, ANN, False)])
    with pytest.raises(RecordkitError, match=r"decisions\[0\] pairs record 'c1' with itself"):
        learn_from_decisions(CONTACT, [(ann, ann, True)])
