"""The public surface: `recordkit.__all__` lists exactly the public names, each documented."""

from __future__ import annotations

import inspect

import recordkit

# Names loaded on first use (they need an optional extra).
LAZY = {"SQLStore"}


def test_all_is_sorted_and_complete() -> None:
    public = {name for name in vars(recordkit) if not name.startswith("_")} | LAZY
    modules = {name for name in public if inspect.ismodule(getattr(recordkit, name))}
    # isort order, as ruff keeps it: CONSTANTS, then Classes, then functions.
    def isort_key(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert sorted(recordkit.__all__, key=isort_key) == recordkit.__all__
    assert public - modules == set(recordkit.__all__)


def test_every_public_name_is_documented() -> None:
    undocumented = [
        name for name in recordkit.__all__
        if callable(getattr(recordkit, name)) and not inspect.getdoc(getattr(recordkit, name))
    ]
    assert [] == undocumented


def test_errors_share_one_root() -> None:
    errors = [getattr(recordkit, n) for n in recordkit.__all__
              if isinstance(getattr(recordkit, n), type)
              and issubclass(getattr(recordkit, n), BaseException)]
    assert len(errors) >= 9
    assert all(issubclass(e, recordkit.RecordkitError) for e in errors)
