"""Fixtures for the audit trail's tests: one store per backend (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from recordkit import MemoryStore, Store

BACKENDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

_PREFIXES = itertools.count(1)

MakeStore = Callable[..., Store]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_store(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeStore]:
    """Build stores of the backend under test; the SQL ones share one database."""
    made: list[Store] = []
    prefix = f"a{next(_PREFIXES)}_"

    def make(**options: object) -> Store:
        if backend == "memory":
            store: Store = MemoryStore()
        else:
            from recordkit.store import SQLStore

            if backend == "sqlite":
                url = f"sqlite:///{tmp_path / 'audit.db'}"
            else:
                url = str(request.getfixturevalue("postgres_url"))
            options.setdefault("table_prefix", prefix)
            store = SQLStore(url, **options)  # type: ignore[arg-type]
        made.append(store)
        return store

    yield make
    for store in made:
        close = getattr(store, "close", None)
        if close is not None:
            close()


@pytest.fixture
def store(make_store: MakeStore) -> Store:
    return make_store()
