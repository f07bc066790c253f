"""A batch run fits its own model once the data outgrows the shipped priors."""

from __future__ import annotations

from typing import Any

import recordkit as rk
from recordkit.match import FellegiSunter, Matcher
from recordkit.match._dedupe import PRIOR_FIT_AT


def _rows(n: int) -> list[dict[str, Any]]:
    return [
        {"id": f"r{i}", "first_name": f"Ann{i % 97}", "last_name": f"Lee{i % 89}",
         "email": f"ann{i}@example.org" if i % 5 else f"ann{i - 1}@example.org"}
        for i in range(n)
    ]  # fmt: skip


def test_a_small_file_is_scored_with_the_priors() -> None:
    """Below PRIOR_FIT_AT records, dedupe keeps the shipped prior model."""
    matcher = Matcher.for_schema(rk.bundled_schema("contact"))
    result = matcher.dedupe(_rows(200))
    assert isinstance(result.matcher.model, FellegiSunter)
    assert result.matcher.model.version.startswith("prior-")


def test_a_large_file_is_scored_with_a_model_fitted_on_it() -> None:
    """From PRIOR_FIT_AT records, dedupe fits on the data instead of the priors."""
    matcher = Matcher.for_schema(rk.bundled_schema("contact"))
    result = matcher.dedupe(_rows(PRIOR_FIT_AT))
    model = result.matcher.model
    assert isinstance(model, FellegiSunter)
    assert (False, PRIOR_FIT_AT) == (model.version.startswith("prior-"), model.fitted_on)
