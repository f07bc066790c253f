"""
Data-quality reports people look at: a self-contained HTML page, and JSON of its figures.

`build_report` gathers what a run produced — a `recordkit.quality.Profile`, the batch
result of ``Steward.capture_many`` or ``RuleSet.run_batch``, record health scores,
variant clusters, the duplicates of ``Matcher.dedupe`` with explained pairs, and earlier
reports for the trend — into a `Report`: plain data, aggregates and capped samples, never
every row, so a report stays small whatever the data size.

``Report.write_json`` keeps the figures; ``Report.write_html`` writes a page with the
charts drawn by Vega-Lite (made with Altair) and the JavaScript inlined, so the page
opens with no network. The HTML needs the ``report`` extra
(``pip install 'recordkit[report]'``: ``altair`` and ``vl-convert-python``); building a
report and its JSON do not.
"""

from recordkit.report._build import MAX_HISTORY, TREND_KEYS, build_report
from recordkit.report._errors import ReportError
from recordkit.report._model import Report

__all__ = ["MAX_HISTORY", "TREND_KEYS", "Report", "ReportError", "build_report"]
