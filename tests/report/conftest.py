"""Fixtures of the report tests: the bundled contacts' report, and a headless Chromium.

Without Chromium (Debian's ``chromium`` package) or Playwright the browser tests skip with
an install hint, except under ``CI=true``, where that is a failure.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
from pathlib import Path

import pytest
from scripts.report_screenshot import contact_rows, contacts_report, find_chromium

from recordkit.report import Report

INSTALL_HINT = (
    "headless Chromium is needed: install Debian's package (`apt-get install -y "
    "--no-install-recommends chromium`) or point RECORDKIT_CHROMIUM at a Chromium binary, "
    "and the Playwright Python package (`pip install playwright`)"
)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and the browser tests cannot run: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of the system Chromium, with Playwright importable to drive it."""
    found = find_chromium()
    if found is None:
        _unavailable(f"no Chromium found; {INSTALL_HINT}")
    if importlib.util.find_spec("playwright") is None:
        _unavailable(f"Playwright is not installed; {INSTALL_HINT}")
    assert found is not None
    return found


@pytest.fixture(scope="session")
def contacts() -> Report:
    """The report of the bundled contacts, with an earlier run for the trend."""
    rows = contact_rows()
    day = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    earlier = contacts_report(rows=rows[:800], created_at=day - dt.timedelta(days=7))
    return contacts_report(rows=rows, created_at=day, history=[earlier])


@pytest.fixture(scope="session")
def contacts_page(contacts: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The contacts report written as HTML."""
    return contacts.write_html(tmp_path_factory.mktemp("report") / "contacts.html")
