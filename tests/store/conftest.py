"""Fixtures for the storage suite: one store contract, three backends.

``make_store`` builds a fresh store of the backend under test: memory, a SQLite file, or a
new database on the session's throwaway PostgreSQL server (see ``tests/_postgres.py``).
The PostgreSQL server itself is the whole suite's (``tests/conftest.py``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from recordkit import MemoryStore, Schema, Store
from tests.store.examples import COMPANY, LEAD

BACKENDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
SQL_BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

MakeStore = Callable[..., Store]


_PREFIXES = itertools.count(1)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], str]:
    """A function giving a fresh database URL for a SQL backend name.

    SQLite gets a new file; PostgreSQL gets the session's database, and ``make_store`` gives
    each test its own table prefix there (cheaper than a database per test).
    """

    def url(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / 'records.db'}"
        return str(request.getfixturevalue("postgres_url"))

    return url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_store(backend: str, database_url: Callable[[str], str]) -> Iterator[MakeStore]:
    """Build stores of the backend under test (all on one database), closed afterwards."""
    made: list[Store] = []
    url: list[str] = []

    def make(schemas: tuple[Schema, ...] = (LEAD, COMPANY), **options: object) -> Store:
        if backend == "memory":
            store: Store = MemoryStore(schemas=schemas)
        else:
            from recordkit.store import SQLStore

            if not url:
                url.append(database_url(backend))
                url.append(f"t{next(_PREFIXES)}_" if backend == "postgres" else "rk_")
            options.setdefault("table_prefix", url[1])
            store = SQLStore(url[0], schemas=schemas, **options)  # type: ignore[arg-type]
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
