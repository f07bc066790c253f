"""
Write the data-quality report of the bundled contacts, open it in headless Chromium, and
save a screenshot for the docs (``docs/images/report.png``).

    .venv/bin/python scripts/report_screenshot.py [--out docs/images/report.png]
        [--html /tmp/recordkit-report.html] [--chromium /usr/bin/chromium]

The report is built as the how-to (``docs/reports.md``) builds one: a profile of the rows
against the contact schema, ``Steward.capture_many`` into a memory store, variant clusters
of the city and company columns, ``Matcher.dedupe`` of the stored records, health scores,
and an earlier run for the trend. The page is opened from its file with every request
recorded; the script fails when the page logs an error, asks for anything but its own
file, or draws a chart of no size. The tests use `contacts_report` and `open_in_chromium`.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib.resources
import io
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

import attrs

import recordkit as rk
from recordkit.match import Matcher
from recordkit.quality import profile, variant_clusters
from recordkit.report import Report, build_report

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
SETTLE_MS = 30_000


def contact_rows(limit: int | None = None) -> list[dict[str, str]]:
    """The bundled messy contacts, as rows."""
    text = importlib.resources.files("recordkit").joinpath("data/contacts.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    return rows if limit is None else rows[:limit]


def health_points(record: rk.Record, fields: Sequence[str]) -> dict[str, float]:
    """Example points per dimension: 70 for filled fields, 30 for a reachable contact."""
    filled = sum(1 for f in fields if record.values.get(f) is not None)
    reachable = record.values.get("email") is not None or record.values.get("phone") is not None
    return {"completeness": 70.0 * filled / len(fields), "reachability": 30.0 * reachable}


def contacts_report(
    *,
    rows: list[dict[str, str]] | None = None,
    created_at: dt.datetime | None = None,
    history: Sequence[Report] = (),
    title: str = "Contacts import",
) -> Report:
    """The report of one import of *rows* (default: the bundled contacts)."""
    rows = contact_rows() if rows is None else rows
    schema = rk.bundled_schema("contact")
    steward = rk.Steward(schema)
    batch = steward.capture_many(rows, source="crm_export")
    records = batch.records
    dedupe = Matcher.for_schema(schema).dedupe(records)
    breakdowns = [health_points(r, schema.field_names) for r in records]
    return build_report(
        title=title,
        profile=profile(
            rows,
            schema=schema,
            duplicates=len(records) - len(dedupe.clusters) if len(records) == len(rows) else None,
        ),
        batch=batch,
        health=[sum(b.values()) for b in breakdowns],
        health_breakdowns=breakdowns,
        variants={
            "city": variant_clusters(r.get("city") for r in rows),
            "company": variant_clusters(r.get("company") for r in rows),
        },
        duplicates=dedupe,
        history=history,
        created_at=created_at,
        max_pairs=5,
    )


@attrs.frozen
class PageCheck:
    """What the browser saw: console messages, requests, charts and their sizes."""

    console: list[tuple[str, str]]
    requests: list[str]
    charts: int
    drawn: list[tuple[str, float, float]]
    screenshot: bytes

    @property
    def errors(self) -> list[str]:
        """Console errors and uncaught page errors."""
        return [text for kind, text in self.console if kind in ("error", "pageerror")]


def find_chromium() -> str | None:
    """The system Chromium, or None."""
    explicit = os.environ.get("RECORDKIT_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def open_in_chromium(
    page_file: Path, *, chromium: str, width: int = 1200, full_page: bool = True
) -> PageCheck:
    """Open *page_file* in headless Chromium with no network, wait for the charts, look."""
    from playwright.sync_api import Route, sync_playwright

    url = page_file.resolve().as_uri()
    console: list[tuple[str, str]] = []
    requests: list[str] = []

    def only_the_file(route: Route) -> None:
        # the page's own file may load; anything else is refused (and recorded)
        if route.request.url == url:
            route.continue_()
        else:
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            context = browser.new_context(viewport={"width": width, "height": 900})
            context.route("**/*", only_the_file)
            page = context.new_page()
            page.on("console", lambda m: console.append((m.type, m.text)))
            page.on("pageerror", lambda e: console.append(("pageerror", str(e))))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(url, wait_until="load")
            charts = page.locator("div.chart").count()
            page.wait_for_function(
                "() => [...document.querySelectorAll('div.chart')].every("
                "d => d.querySelector('svg, canvas'))",
                timeout=SETTLE_MS,
            )
            drawn = page.evaluate(
                "() => [...document.querySelectorAll('div.chart')].map(d => {"
                " const g = d.querySelector('svg, canvas').getBoundingClientRect();"
                " return [d.id, g.width, g.height]; })"
            )
            shot = page.screenshot(full_page=full_page)
        finally:
            browser.close()
    return PageCheck(console, requests, charts, [tuple(d) for d in drawn], shot)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/images/report.png"))
    parser.add_argument("--html", type=Path, default=Path("/tmp/recordkit-report.html"))
    parser.add_argument("--chromium", default=None)
    args = parser.parse_args(argv)
    chromium = args.chromium or find_chromium()
    if chromium is None:
        print("Chromium not found: apt-get install chromium", file=sys.stderr)
        return 2
    rows = contact_rows()
    day = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    earlier = contacts_report(
        rows=rows[:1600],
        created_at=day - dt.timedelta(days=7),
        title="Contacts import (first 1,600 rows)",
    )
    report = contacts_report(rows=rows, created_at=day, history=[earlier])
    report.write_html(args.html)
    check = open_in_chromium(args.html, chromium=chromium, full_page=False)
    problems = check.errors + [u for u in check.requests if u != args.html.resolve().as_uri()]
    problems += [f"chart {i} has no size" for i, w, h in check.drawn if not (w and h)]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(check.screenshot)
    print(
        f"{args.html}: {args.html.stat().st_size:,} bytes, {check.charts} charts drawn; "
        f"screenshot {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
