"""The HTML report opened in headless Chromium, as a person would open the file."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
from PIL import Image
from scripts.report_screenshot import PageCheck, open_in_chromium

from recordkit.report import Report, build_report


def _pixels(shot: bytes) -> np.ndarray[tuple[int, ...], np.dtype[np.float64]]:
    return np.asarray(Image.open(io.BytesIO(shot)).convert("L"), dtype=np.float64)


def _check_clean(check: PageCheck, page: Path) -> None:
    assert [] == check.errors
    assert [page.resolve().as_uri()] == check.requests


class TestContactsPage:
    def test_page_is_drawn_offline_without_errors(self, chromium: str, contacts_page: Path) -> None:
        """The page loads only itself, logs no error, and every chart has an SVG with size."""
        check = open_in_chromium(contacts_page, chromium=chromium)
        _check_clean(check, contacts_page)
        assert check.charts >= 10
        assert check.charts == len(check.drawn)
        assert [] == [c for c in check.drawn if not (c[1] > 50 and c[2] > 30)]

    def test_screenshot_is_not_blank(self, chromium: str, contacts_page: Path) -> None:
        """The screenshot has text and charts: its pixels vary, and many are not white."""
        shot = _pixels(open_in_chromium(contacts_page, chromium=chromium).screenshot)
        assert shot.shape[0] > 2_000  # a full page, several screens long
        assert shot.std() > 20.0
        assert (shot < 200).mean() > 0.02

    def test_waterfalls_are_drawn_per_pair(self, chromium: str, contacts_page: Path) -> None:
        """Each explained pair has its waterfall chart, drawn."""
        check = open_in_chromium(contacts_page, chromium=chromium, full_page=False)
        html = contacts_page.read_text("utf-8")
        pairs = html.count('<div class="pair">')
        assert pairs >= 3
        assert len(check.drawn) >= pairs


class TestOtherPages:
    def test_empty_report_opens_cleanly(self, chromium: str, tmp_path: Path) -> None:
        """A report of nothing is a page with no charts and no errors."""
        page = build_report(title="Nothing yet").write_html(tmp_path / "empty.html")
        check = open_in_chromium(page, chromium=chromium, full_page=False)
        _check_clean(check, page)
        assert 0 == check.charts

    def test_hostile_values_stay_text(self, chromium: str, tmp_path: Path) -> None:
        """A value that is markup is shown as text: no script of it runs."""
        from recordkit.quality import profile

        evil = "<img src=x onerror=console.error('pwned')><script>console.error('pwned')</script>"
        report = build_report(
            title="</title><script>console.error('pwned')</script>",
            profile=profile({evil: [evil, evil, None]}),
            created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )
        page = report.write_html(tmp_path / "hostile.html")
        check = open_in_chromium(page, chromium=chromium, full_page=False)
        _check_clean(check, page)
        assert 1 <= check.charts


def test_trend_page_from_earlier_json(chromium: str, tmp_path: Path) -> None:
    """Reports read back from JSON make the trend, whose charts draw."""
    runs: list[Report] = []
    for day, scores in enumerate(([20, 40], [50, 60], [80, 95])):
        earlier = [Report.read_json(p) for p in sorted(tmp_path.glob("*.json"))]
        when = dt.datetime(2026, 1, 1 + day, tzinfo=dt.UTC)
        runs.append(build_report(health=scores, history=earlier, created_at=when))
        runs[-1].write_json(tmp_path / f"run-{day}.json")
    page = runs[-1].write_html(tmp_path / "trend.html")
    check = open_in_chromium(page, chromium=chromium, full_page=False)
    _check_clean(check, page)
    assert [30.0, 55.0, 87.5] == [p["health_mean"] for p in runs[-1].trend]
    assert check.charts == len(check.drawn) == 2  # the histogram and the trend of the mean
