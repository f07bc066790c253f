"""Third-party comparators: the Comparator protocol and the recordkit.comparators group."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from recordkit import SchemaError
from recordkit.match import (
    Comparator,
    Matcher,
    WeightedRules,
    block_on,
    comparator_from_dict,
    installed_comparators,
)


class SameLength:
    """A third-party comparator: same length of text, or not."""

    term_frequency = False

    def __init__(self, column: str) -> None:
        self.name = f"{column}_length"
        self.columns = (column,)
        self.labels = ("missing", "same length", "different")

    def features(self, columns: Mapping[str, Any]) -> dict[str, npt.NDArray[Any]]:
        values = columns[self.columns[0]]
        lengths = np.array([-1 if v is None else len(v) for v in values], dtype=np.int64)
        return {f"len:{self.columns[0]}": lengths}

    def compare(self, left: Any, right: Any) -> npt.NDArray[np.int8]:
        key = f"len:{self.columns[0]}"
        a, b = left[key], right[key]
        out = np.where(a == b, 1, 2).astype(np.int8)
        out[(a < 0) | (b < 0)] = 0
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "same_length", "column": self.columns[0]}


def make_same_length(column: str) -> SameLength:
    return SameLength(column)


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Install a distribution that registers `same_length` (real metadata on sys.path)."""
    dist = tmp_path / "acme_match-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-match\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[recordkit.comparators]\nsame_length = tests.match.test_plugins:make_same_length\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))


class TestEntryPoints:
    def test_a_registered_comparator_is_found_by_name(self, plugin: None) -> None:
        made = comparator_from_dict({"kind": "same_length", "column": "code"})
        assert (True, "code_length", "same_length" in installed_comparators()) == (
            isinstance(made, Comparator),
            made.name,
            True,
        )

    def test_an_unknown_kind_lists_the_installed_ones(self, plugin: None) -> None:
        with pytest.raises(SchemaError, match="same_length"):
            comparator_from_dict({"kind": "sounds_like"})

    def test_a_third_party_comparator_scores_and_explains(self) -> None:
        m = Matcher(
            [SameLength("code")],
            [block_on("code[:1]")],
            model=WeightedRules({"code_length": {"same length": 5}}),
            threshold=5,
        )
        result = m.dedupe({"code": ["ab1", "ab2", "abcd"]}, ids=["x", "y", "z"])
        assert ({("x", "y")}, "same length") == (
            result.assignment.pairs(),
            result.explain("x", "y").term("code_length").level,
        )
