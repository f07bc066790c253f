"""
`RefitPolicy`: when a matcher's model is estimated again from the records it has.

A default matcher starts with the shipped priors (``prior-1``). Fitting on a few records
gives worse figures than the priors (EM needs duplicates to learn from), so the policy
waits for enough records, then refits each time the records have grown by a factor:
a model fitted on 1,000 records is refitted at 2,000, then at 4,000 (with the default
growth of 2). Fitting on demand is `Matcher.fit`, whatever the policy says.
"""

from __future__ import annotations

import attrs

from recordkit._errors import RecordkitError, shorten
from recordkit.match._matcher import Matcher
from recordkit.match._model import FellegiSunter, WeightedRules

__all__ = ["RefitPolicy"]


def _min_records(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 2:
        raise RecordkitError(f"min_records must be a whole number >= 2, got {shorten(value)}")
    return value


def _growth(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 1.0:
        raise RecordkitError(f"growth must be a number > 1 or None, got {shorten(value)}")
    if value != value or value == float("inf"):
        raise RecordkitError(f"growth must be finite, got {shorten(value)}")
    return float(value)


@attrs.frozen
class RefitPolicy:
    """
    When to fit a matcher's Fellegi-Sunter model on the records: once there are enough.

    A model that was not estimated from records (the shipped priors, hand-written
    figures, or none yet) is due once there are *min_records*; a fitted one is due again
    when the records have grown *growth* times since it was fitted. Fixed points
    (`WeightedRules`) are a person's choice, never replaced.

    Examples:
        >>> import recordkit as rk
        >>> from recordkit.match import Matcher
        >>> matcher = Matcher.for_schema(rk.bundled_schema("contact"))
        >>> matcher.model.version
        'prior-1'
        >>> policy = RefitPolicy(min_records=1000)
        >>> policy.due(matcher, records=10), policy.due(matcher, records=1000)
        (False, True)

    A caller holding the records does::

        if policy.due(matcher, records=len(rows)):
            matcher = matcher.fit(rows)

    Args:
        min_records: the fewest records a model is fitted on.
        growth: refit when the records are this many times those of the last fit;
            ``None`` fits once and keeps that model.

    Raises:
        RecordkitError: *min_records* is not a whole number >= 2, or *growth* not a
            finite number > 1.

    .. versionadded:: 0.2.0
    """

    min_records: int = attrs.field(default=1000, converter=_min_records, kw_only=True)
    growth: float | None = attrs.field(default=2.0, converter=_growth, kw_only=True)

    def due(self, matcher: Matcher, *, records: int) -> bool:
        """
        Whether *matcher*'s model should be fitted on the *records* there are now.

        Raises:
            RecordkitError: *matcher* is not a matcher, or *records* not a whole number >= 0.
        """
        if not isinstance(matcher, Matcher):
            raise RecordkitError(f"matcher must be a Matcher, got {shorten(matcher)}")
        if isinstance(records, bool) or not isinstance(records, int) or records < 0:
            raise RecordkitError(f"records must be a whole number >= 0, got {shorten(records)}")
        model = matcher.model
        if isinstance(model, WeightedRules):
            return False
        if records < self.min_records:
            return False
        if not isinstance(model, FellegiSunter) or model.fitted_on is None:
            return True
        return self.growth is not None and records >= self.growth * max(model.fitted_on, 1)
