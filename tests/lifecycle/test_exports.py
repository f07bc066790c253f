"""The lifecycle package's public surface: `__all__` is sorted, complete and documented."""

from __future__ import annotations

import inspect

import recordkit
import recordkit.lifecycle as lifecycle


def isort_key(name: str) -> tuple[int, str]:
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


class TestAll:
    def test_sorted_and_complete(self) -> None:
        public = {
            n
            for n, v in vars(lifecycle).items()
            if not n.startswith("_") and not inspect.ismodule(v)
        }
        assert (sorted(lifecycle.__all__, key=isort_key), public) == (
            lifecycle.__all__,
            set(lifecycle.__all__),
        )

    def test_every_name_is_documented_with_a_version(self) -> None:
        missing = [
            n
            for n in lifecycle.__all__
            if ".. versionadded::" not in (inspect.getdoc(getattr(lifecycle, n)) or "")
        ]
        assert [] == missing

    def test_top_level_reexports_are_the_same_objects(self) -> None:
        shared = set(lifecycle.__all__) & set(recordkit.__all__)
        assert [] == [n for n in shared if getattr(recordkit, n) is not getattr(lifecycle, n)]
