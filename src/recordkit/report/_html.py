"""
The HTML page of a report: one file, its styles, data, charts and scripts all inline.

The page is a Jinja2 template with autoescaping on, so every value from the data (a field
name, a top value, a message) is shown as text, never read as markup. The charts are drawn
by the Vega libraries as ``vl-convert-python`` bundles them (one script, no module
loading); the chart specifications and the JSON report travel in ``application/json``
script blocks, escaped so that no value can close them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Final

import jinja2
from markupsafe import Markup

from recordkit.report._charts import charts_for
from recordkit.report._errors import charting
from recordkit.report._page import PAGE
from recordkit.schema import JSONObject, JSONValue

__all__ = ["render", "script_json"]

_LABELS: Final = {
    "rows": ("Rows", "count"),
    "fields": ("Fields", "count"),
    "completeness": ("Completeness", "rate"),
    "validity": ("Valid rows", "rate"),
    "stored": ("Stored", "count"),
    "quarantined": ("Quarantined", "count"),
    "quarantine_rate": ("Quarantine rate", "rate"),
    "errors": ("Errors", "count"),
    "warnings": ("Warnings", "count"),
    "changed_values": ("Values normalized", "count"),
    "entities": ("Entities", "count"),
    "duplicate_records": ("Duplicate records", "count"),
    "duplicate_rate": ("Duplicate rate", "rate"),
    "health_mean": ("Mean health score", "score"),
    "variant_clusters": ("Variant clusters", "count"),
}


def script_json(value: object) -> str:
    """
    *value* as JSON safe inside a ``<script>`` block: no ``<``, ``>`` or ``&`` left bare.
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


@functools.cache
def _bundle() -> str:
    """
    Vega, Vega-Lite and Vega-Embed as one script, for the Vega-Lite version Altair writes.
    """
    alt, vlc = charting()
    wanted = "v" + "_".join(str(alt.VEGALITE_VERSION).split(".")[:2])
    known = {str(v).replace(".", "_") for v in vlc.get_vegalite_versions()}
    script = str(vlc.javascript_bundle(vl_version=wanted if wanted in known else None))
    # a literal "</script" would end the block early; "<\/" means the same in JavaScript
    return script.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def _figure(value: object, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "rate" and isinstance(value, int | float):
        return f"{value:.1%}"
    if kind == "score" and isinstance(value, int | float):
        return f"{value:.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.3g}"
    return str(value)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["rate"] = lambda v: _figure(v, "rate")
    env.filters["figure"] = lambda v: _figure(v, "count")
    env.filters["weight"] = lambda v: "—" if v is None else f"{v:+.2f}"
    return env


def render(data: Mapping[str, JSONValue]) -> str:
    """
    The page of the report whose plain data (`Report.to_dict`) is *data*.
    """
    sections: dict[str, JSONObject | None] = {}
    for name in ("profile", "batch", "health", "variants", "duplicates"):
        value = data.get(name)
        sections[name] = value if isinstance(value, dict) else None
    trend_data = data.get("trend")
    trend = [t for t in trend_data if isinstance(t, dict)] if isinstance(trend_data, list) else []
    charts = charts_for(sections, trend)
    specs: dict[str, JSONObject] = {}
    placed: dict[str, list[tuple[str, str]]] = {}
    for section, found in charts.items():
        for title, spec in found:
            chart_id = f"chart-{len(specs)}"
            specs[chart_id] = spec
            placed.setdefault(section, []).append((chart_id, title))
    summary = data.get("summary")
    cards = [
        (label, _figure(summary.get(key), kind))
        for key, (label, kind) in _LABELS.items()
        if isinstance(summary, dict) and summary.get(key) is not None
    ]
    template = _environment().from_string(PAGE)
    return template.render(
        title=data.get("title"),
        created_at=data.get("created_at"),
        cards=cards,
        charts=placed,
        trend=trend,
        bundle=Markup(_bundle()),
        specs_json=Markup(script_json(specs)),
        report_json=Markup(script_json(data)),
        **sections,
    )
