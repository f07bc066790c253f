"""The public surface of recordkit.rules: a sorted, documented __all__, re-exported at the
top level where it says so."""

from __future__ import annotations

import inspect

import recordkit
import recordkit.rules as rules


def test_all_is_sorted_and_complete() -> None:
    def isort_key(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    public = {n for n in vars(rules) if not n.startswith("_")
              and not inspect.ismodule(getattr(rules, n))}  # fmt: skip
    assert sorted(rules.__all__, key=isort_key) == rules.__all__
    assert public == set(rules.__all__)


def test_every_public_name_is_documented() -> None:
    undocumented = [
        n for n in rules.__all__
        if callable(getattr(rules, n)) and not inspect.getdoc(getattr(rules, n))
    ]  # fmt: skip
    assert [] == undocumented


def test_top_level_names_are_the_same_objects() -> None:
    names = ("RuleSet", "Issue", "Severity", "Enforcement", "Validators", "Normalizers", "when")
    for name in names:
        assert getattr(rules, name) is getattr(recordkit, name)
