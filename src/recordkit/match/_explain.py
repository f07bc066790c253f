"""
`MatchExplanation`: why two records scored what they scored, term by term.

Every score the matcher produces breaks down into one term per comparison: the level the
pair fell into (with its human label), the match weight that level contributes (log2 of the
Bayes factor m/u, plus any term-frequency adjustment), and the m and u probabilities behind
it. The explanation is plain data (`to_dict` / `from_dict`) so a merge can keep it in its
lineage, and it renders as text for people.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from recordkit._errors import RecordkitError, shorten
from recordkit._notebook import html_block, html_table
from recordkit.match._check import instances, number
from recordkit.schema import JSONObject

__all__ = ["MatchExplanation", "WeightTerm", "probability_from_weight"]


def probability_from_weight(weight: float) -> float:
    """
    Turn a total match weight (log2 odds) into a match probability.

    Raises:
        RecordkitError: *weight* is not a number.

    .. versionadded:: 0.1.0
    """
    weight = number(weight, "weight")
    if weight >= 60:
        return 1.0
    if weight <= -60:
        return 0.0
    odds: float = 2.0**weight
    return odds / (1.0 + odds)


def _opt_float(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordkitError(f"expected a number or None, got {shorten(value)}")
    return float(value)


@attrs.frozen
class WeightTerm:
    """
    One comparison's contribution to a score.

    Args:
        comparison: the comparison's name (usually the field, ``email``).
        level: the label of the level the pair fell into (``exact``, ``jaro-winkler >= 0.92``).
        level_index: the level's position in the comparison (0 is "missing").
        weight: the match weight it adds (log2 Bayes factor, or points in weighted mode).
        m: P(this level | the records match), when the model is probabilistic.
        u: P(this level | they do not match), when the model is probabilistic.
        tf_adjustment: the part of ``weight`` that comes from term frequency (a rare shared
            value weighs more than a common one).
        left: the left record's compared value, shortened (``None`` if missing).
        right: the right record's compared value, shortened.

    .. versionadded:: 0.1.0
    """

    comparison: str
    level: str
    level_index: int
    weight: float
    m: float | None = attrs.field(default=None, converter=_opt_float)
    u: float | None = attrs.field(default=None, converter=_opt_float)
    tf_adjustment: float = 0.0
    left: str | None = None
    right: str | None = None

    def to_dict(self) -> JSONObject:
        """
        The term as JSON-safe plain data.
        """
        return {
            "comparison": self.comparison,
            "level": self.level,
            "level_index": self.level_index,
            "weight": self.weight,
            "m": self.m,
            "u": self.u,
            "tf_adjustment": self.tf_adjustment,
            "left": self.left,
            "right": self.right,
        }

    def text(self) -> str:
        """
        One line: comparison, level, weight and the m/u behind it.
        """
        mu = ""
        if self.m is not None and self.u is not None:
            mu = f"  (m={self.m:.3g}, u={self.u:.3g})"
        tf = f" incl. term frequency {self.tf_adjustment:+.2f}" if self.tf_adjustment else ""
        return f"{self.comparison:<16} {self.level:<28} {self.weight:+7.2f}{tf}{mu}"


def _opt_text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise RecordkitError(f"version must be text or None, got {shorten(value)}")


def _terms(value: Iterable[WeightTerm]) -> tuple[WeightTerm, ...]:
    return instances(value, WeightTerm, "terms")


def _prior(value: float) -> float:
    return number(value, "prior")


@attrs.frozen
class MatchExplanation:
    """
    The full account of one pair's score: prior, one `WeightTerm` per comparison, total.

    ``total`` is ``prior + sum(term.weight)``; ``probability`` follows from it for the
    probabilistic model. When a deterministic rule decided the pair (``rule`` is set), the
    terms are still given, but the rule's verdict wins.

    Examples:
        >>> e = MatchExplanation("a", "b", prior=-5.0, terms=(
        ...     WeightTerm("email", "exact", 1, 12.0, m=0.9, u=0.0002),))
        >>> round(e.total, 1), e.is_match(threshold=0.9)
        (7.0, True)

    Args:
        left: the id of the first record.
        right: the id of the second record.
        prior: the prior match weight (log2 of the prior odds); 0 in weighted mode.
        terms: one term per comparison, in the model's order.
        rule: the deterministic rule that decided the pair (``must_match: …``), if any.
        model: ``fellegi_sunter`` or ``weighted_rules``.
        version: the version of the model that scored the pair (``prior-1``,
            ``fs-1a2b3c4d5e6f``…), so a stored explanation says which figures it used.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``version``.
    """

    left: str
    right: str
    prior: float = attrs.field(default=0.0, converter=_prior)
    terms: tuple[WeightTerm, ...] = attrs.field(default=(), converter=_terms)
    rule: str | None = None
    model: str = "fellegi_sunter"
    version: str | None = attrs.field(default=None, kw_only=True, converter=_opt_text)

    @property
    def total(self) -> float:
        """
        The total match weight: prior plus every term.
        """
        return self.prior + math.fsum(t.weight for t in self.terms)

    @property
    def probability(self) -> float:
        """
        The match probability (1 or 0 when a rule decided the pair).
        """
        if self.rule is not None:
            return 1.0 if self.rule.startswith("must_match") else 0.0
        return probability_from_weight(self.total)

    def is_match(self, *, threshold: float) -> bool:
        """
        Whether the pair is a match at *threshold* (a probability, or points when weighted).
        """
        threshold = number(threshold, "threshold")
        if self.rule is not None:
            return self.rule.startswith("must_match")
        score = self.total if self.model == "weighted_rules" else self.probability
        return score >= threshold

    def term(self, comparison: str) -> WeightTerm:
        """
        The term for *comparison*.

        Raises:
            RecordkitError: no such comparison in this explanation.
        """
        for t in self.terms:
            if t.comparison == comparison:
                return t
        names = ", ".join(t.comparison for t in self.terms)
        raise RecordkitError(f"no comparison {shorten(comparison)} here (have: {names})")

    def weights(self) -> dict[str, float]:
        """
        Comparison name → match weight, as data.
        """
        return {t.comparison: t.weight for t in self.terms}

    def to_dict(self) -> JSONObject:
        """
        The explanation as JSON-safe plain data (round-trips through `from_dict`).
        """
        return {
            "left": self.left,
            "right": self.right,
            "prior": self.prior,
            "terms": [t.to_dict() for t in self.terms],
            "rule": self.rule,
            "model": self.model,
            "version": self.version,
            "total": self.total,
            "probability": self.probability,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MatchExplanation:
        """
        Rebuild an explanation from `to_dict` output (``total``/``probability`` are derived).

        Raises:
            RecordkitError: *data* is not an explanation.
        """
        try:
            terms = tuple(
                WeightTerm(
                    comparison=str(t["comparison"]),
                    level=str(t["level"]),
                    level_index=int(t["level_index"]),
                    weight=float(t["weight"]),
                    m=t.get("m"),
                    u=t.get("u"),
                    tf_adjustment=float(t.get("tf_adjustment", 0.0)),
                    left=t.get("left"),
                    right=t.get("right"),
                )
                for t in data["terms"]
            )
            return cls(
                left=str(data["left"]),
                right=str(data["right"]),
                prior=float(data.get("prior", 0.0)),
                terms=terms,
                rule=data.get("rule"),
                model=str(data.get("model", "fellegi_sunter")),
                version=data.get("version"),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RecordkitError(f"not a match explanation: {shorten(exc, 200)}") from None

    def text(self) -> str:
        """
        The explanation as a small table, one line per comparison.
        """
        if self.model == "weighted_rules":
            head = f"{self.left} ~ {self.right}: {self.total:+.2f} points"
        else:
            head = (
                f"{self.left} ~ {self.right}: match weight {self.total:+.2f} "
                f"(probability {self.probability:.4f})"
            )
        if self.version:
            head += f" [model {self.version}]"
        lines = [head]
        if self.rule is not None:
            lines.append(f"  decided by rule {self.rule}")
        if self.model != "weighted_rules":
            lines.append(f"  {'prior':<16} {'':<28} {self.prior:+7.2f}")
        lines.extend(f"  {t.text()}" for t in self.terms)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        facts: list[tuple[str, object]] = [("match weight", f"{self.total:+.2f}")]
        if self.model != "weighted_rules":
            facts.append(("probability", f"{self.probability:.4f}"))
        if self.rule is not None:
            facts.append(("decided by", self.rule))
        if self.version:
            facts.append(("model", self.version))
        running = self.prior
        rows: list[tuple[object, ...]] = []
        if self.model != "weighted_rules":
            rows.append(("prior", "", "", "", f"{self.prior:+.2f}", f"{running:+.2f}"))
        for t in self.terms:
            running += t.weight
            rows.append((t.comparison, t.level, t.left, t.right, f"{t.weight:+.2f}",
                         f"{running:+.2f}"))  # fmt: skip
        table = html_table(
            ("comparison", "level", "left", "right", "weight", "running total"),
            rows,
            total=len(rows),
            limit=40,
        )
        return html_block(f"{self.left} ~ {self.right}", facts, table)
