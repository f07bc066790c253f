"""Test configuration shared by the whole suite: hypothesis profiles, the PostgreSQL server.

Without PostgreSQL binaries the PostgreSQL cases skip with an install hint, except under
``CI=true``, where that is a failure. One server serves the whole session.
"""

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from tests._postgres import INSTALL_HINT, PostgresServer, find_bindir

# "default" keeps the whole run fast; "thorough" (RECORDKIT_HYPOTHESIS=thorough) digs deeper.
settings.register_profile(
    "default",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=1000, deadline=None)
# CI replays a fixed sequence of examples, so a run is reproducible; developers' runs (and
# the thorough profile) keep exploring new ones.
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True)
_default = "ci" if os.environ.get("CI") == "true" else "default"
settings.load_profile(os.environ.get("RECORDKIT_HYPOTHESIS", _default))
# Modules with a hundred properties or more run a fifth of the loaded profile's examples
# each, so the suite stays quick; under "thorough" that is still hundreds each.
settings.register_profile("quick", max_examples=max(12, settings().max_examples // 5))


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and the PostgreSQL tests cannot run: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole session, stopped and deleted at the end."""
    bindir = find_bindir()
    if bindir is None:
        _unavailable(INSTALL_HINT)
    assert bindir is not None
    try:
        server = PostgresServer(bindir)
    except RuntimeError as exc:
        _unavailable(str(exc))
        raise
    try:
        server.start()
    except RuntimeError as exc:
        server.stop()
        _unavailable(f"the PostgreSQL test server did not start: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres: PostgresServer) -> str:
    """One database for the session; each test gets its own table prefix in it."""
    return postgres.create_database()
