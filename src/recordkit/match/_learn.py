"""
Learning from review decisions: accepted and rejected pairs refine a model's m and u.

A reviewer who accepts a suggested duplicate has shown one pair that is the same entity;
one who rejects it has shown a pair that is not. Compared with the matcher, each such pair
is one observation of a level per comparison: accepted pairs are draws from the m
distribution, rejected ones from the u distribution. The update is Bayesian: the model's
current probabilities are a Dirichlet prior worth ``strength`` pseudo-pairs per
comparison, and the new probabilities are the posterior means (see
`learn_from_decisions`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs
import numpy as np
import numpy.typing as npt

from recordkit._errors import RecordkitError, SchemaError, shorten
from recordkit.match._check import items, number
from recordkit.match._matcher import Matcher
from recordkit.match._model import FellegiSunter, WeightedRules
from recordkit.schema import Record

__all__ = ["learn_from_decisions"]

Floats = npt.NDArray[np.float64]

# The smallest probability a level keeps after learning (the fitter's EM floors m the
# same way), so every level stays possible and every weight finite.
_FLOOR = 1e-6


def learn_from_decisions(
    matcher: Matcher,
    decisions: Sequence[tuple[Mapping[str, object] | Record, Mapping[str, object] | Record, bool]],
    *,
    strength: float = 20.0,
) -> Matcher:
    """
    A matcher whose Fellegi-Sunter m and u are refined by reviewers' decisions on pairs.

    Each decision is ``(left, right, is_match)``: two records (mappings or `Record`
    values) and whether a reviewer found them to be the same entity. The pairs are
    compared with *matcher*; then, for each comparison, with its levels ``1..K``
    ("missing", level 0, is no evidence and is left out):

    - m is updated from the accepted pairs (``is_match`` true) and u from the rejected
      ones, each as a Dirichlet-multinomial update: the current probabilities ``p`` are
      the prior, worth *strength* pseudo-pairs, and with ``n_k`` of the ``N`` decided
      pairs (those not missing in that comparison) at level ``k``, the new probability
      is ``(strength * p_k + n_k) / (strength + N)``. A few decisions nudge the model;
      many decisions outweigh it. Figures with no decided pair behind them (no accepted
      pair for m, no rejected one for u, every pair missing) are kept exactly.
    - Every probability is then held at or above 1e-6 and the levels renormalised to
      sum to 1, as the fitter does, so no level becomes impossible.
    - The prior (λ, the chance that two records match) is kept: decisions are made on
      the pairs a matcher flagged, not on a random sample of pairs, so the share
      accepted says how good the flagged pairs were, not how many pairs match.

    Because reviewers see the pairs near the threshold, not random ones, the refined
    figures describe the pairs that reach review better than the population at large:
    learning corrects figures that are wrong for the data, and can cost a little recall
    where they were right. *strength* weighs the figures as a whole; a level they make
    rare holds only ``strength * p_k`` of it, so a few decisions there move it far.
    Learn from the base model with every decision so far: starting from a learned
    model, earlier decisions fade into its prior. Term frequencies, the prior,
    ``fitted_on`` and every other setting are kept; the new model's version is the
    hash of its parameters (``fs-…``).

    Examples:
        >>> import recordkit as rk
        >>> from recordkit.match import Matcher
        >>> matcher = Matcher.for_schema(rk.bundled_schema("contact"))
        >>> ann = {"first_name": "Ann", "last_name": "Lee", "email": "ann@lee.org"}
        >>> work = {"first_name": "Ann", "last_name": "Lee", "email": "a.lee@acme.com"}
        >>> learned = learn_from_decisions(matcher, [(ann, work, True)] * 10)
        >>> before = matcher.model.weights("email")[4]
        >>> after = learned.model.weights("email")[4]  # "different": less damning now
        >>> bool(after > before), learned.model.version != matcher.model.version
        (True, True)

    Args:
        matcher: a matcher with a `FellegiSunter` model (the shipped priors or a fitted
            one).
        decisions: ``(left, right, is_match)`` triples; empty: *matcher* is returned
            as it is, since there is nothing to learn.
        strength: how many decided pairs the current figures are worth, per comparison
            (a number > 0; default 20).

    Returns:
        A new matcher with the refined model, or *matcher* itself when no decision
        touched a comparison's figures.

    Raises:
        RecordkitError: *matcher* is not a `Matcher`, has no model, holds
            `WeightedRules` (points have no probabilities to refine) or a model without
            figures for each level of each comparison; *strength* is not
            a finite number > 0; *decisions* is not a list of ``(left, right, is_match)``
            triples, a record is neither a mapping nor a `Record`, a label is not a bool,
            or a decision pairs a record with itself.
        SchemaError: a `Record` is of another schema than the matcher's (or than the
            other records, for a matcher of no schema).

    .. versionadded:: 0.2.0
    """
    model = _model(matcher)
    weight = _strength(strength)
    rows, labels = _decisions(decisions, matcher.schema)
    if not labels:
        return matcher
    ids = [f"{i}:{side}" for i in range(len(labels)) for side in ("left", "right")]
    prepared = matcher.prepared(rows, ids=ids)
    left = np.arange(0, len(rows), 2, dtype=np.int64)
    levels = matcher.compare(prepared, left, left + 1)
    accepted = np.asarray(labels, dtype=np.bool_)
    m = dict(model.m)
    u = dict(model.u)
    changed = False
    for c in matcher.comparisons:
        size = len(c.labels)
        lv = levels[c.name].astype(np.int64)
        for table, chosen in ((m, accepted), (u, ~accepted)):
            counts = np.bincount(lv[chosen], minlength=size)[:size].astype(np.float64)
            counts[0] = 0.0  # "missing" is no evidence either way
            if counts.sum() > 0:
                table[c.name] = _dirichlet_mean(table[c.name], counts, weight)
                changed = True
    if not changed:
        return matcher
    learned = FellegiSunter(
        model.prior, m, u, tf=model.tf, tf_floor=model.tf_floor, fitted_on=model.fitted_on
    )
    return attrs.evolve(matcher, model=learned)


def _dirichlet_mean(prior: Sequence[float], counts: Floats, strength: float) -> tuple[float, ...]:
    """
    The posterior mean of level probabilities after *counts*, *prior* worth *strength*.

    Index 0 ("missing") is carried over as it is and takes no part; the other levels'
    prior is renormalised to sum to 1 first (shipped figures are rounded), floored at
    ``1e-6`` after.
    """
    p = np.clip(np.asarray(prior[1:], dtype=np.float64), 0.0, None)
    total = float(p.sum())
    p = p / total if total > 0 else np.full(len(p), 1.0 / max(len(p), 1))
    n = counts[1 : len(prior)]
    post = (strength * p + n) / (strength + float(n.sum()))
    post = np.maximum(post, _FLOOR)
    post /= post.sum()
    return (float(prior[0]), *(float(x) for x in post))


def _model(matcher: object) -> FellegiSunter:
    if not isinstance(matcher, Matcher):
        raise RecordkitError(f"matcher must be a Matcher, got {shorten(matcher)}")
    model = matcher.model
    if model is None:
        raise RecordkitError(
            "matcher has no model to learn into: start from Matcher.for_schema (the "
            "shipped priors) or fit it on data first"
        )
    if isinstance(model, WeightedRules):
        raise RecordkitError(
            f"matcher holds WeightedRules ({model.version}): fixed points have no m and u "
            "probabilities to refine; use a FellegiSunter model to learn from decisions"
        )
    for c in matcher.comparisons:
        size = len(c.labels)
        if len(model.m.get(c.name, ())) != size or len(model.u.get(c.name, ())) != size:
            raise RecordkitError(
                f"matcher's model ({model.version}) has no figures for the {size} levels "
                f"of comparison {c.name!r}; fit it, or give it figures for every level"
            )
    return model


def _strength(value: object) -> float:
    out = number(value, "strength", finite=True)
    if not out > 0.0:
        raise RecordkitError(f"strength must be a number > 0, got {shorten(value)}")
    return out


def _decisions(
    value: object, schema: str | None
) -> tuple[list[Mapping[str, object] | Record], list[bool]]:
    """
    The records of *value*'s decisions, left then right per decision, and their labels.
    """
    rows: list[Mapping[str, object] | Record] = []
    labels: list[bool] = []
    seen_schema = schema
    for i, decision in enumerate(items(value, "decisions")):
        where = f"decisions[{i}]"
        if isinstance(decision, str | bytes | Mapping) or not isinstance(decision, Sequence):
            raise RecordkitError(
                f"{where} must be a (left, right, is_match) triple, got {shorten(decision)}"
            )
        if len(decision) != 3:
            raise RecordkitError(
                f"{where} must be a (left, right, is_match) triple, got {len(decision)} items"
            )
        left, right, label = decision
        for side, record in (("left", left), ("right", right)):
            if isinstance(record, Record):
                if seen_schema is None:
                    seen_schema = record.schema
                elif record.schema != seen_schema:
                    raise SchemaError(
                        f"{where}: the {side} record {shorten(record.id)} is a "
                        f"{record.schema!r}; this matcher learns from {seen_schema!r} records"
                    )
            elif not isinstance(record, Mapping):
                raise RecordkitError(
                    f"{where}: the {side} record must be a mapping or a Record, "
                    f"got {shorten(record)}"
                )
        if not isinstance(label, bool):
            raise RecordkitError(
                f"{where}: is_match must be True (the same entity) or False, got {shorten(label)}"
            )
        if isinstance(left, Record) and isinstance(right, Record) and left.id == right.id:
            raise RecordkitError(f"{where} pairs record {shorten(left.id)} with itself")
        rows += [left, right]
        labels.append(label)
    return rows, labels
