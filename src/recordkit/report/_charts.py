"""
The report's charts: Vega-Lite specifications made with Altair from a report's figures.

Each chart reads only the report's plain data, so the page draws what the JSON holds. The
specifications carry their data inline and no ``$schema`` address: the page never names a
place on the network.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from recordkit.report._errors import charting
from recordkit.schema import JSONObject, JSONValue

__all__ = ["Charts", "charts_for"]

Charts = dict[str, list[tuple[str, JSONObject]]]
"""Section → its charts, each a title and a Vega-Lite specification."""

_WIDTH: Final = 560
_SEVERITY_COLOURS: Final = (["error", "warning", "info"], ["#c0392b", "#e0a100", "#3b7dd8"])
_ROW: Final = 18


def _spec(chart: Any) -> JSONObject:
    spec: JSONObject = chart.to_dict()
    spec.pop("$schema", None)
    return spec


def _rows(section: Mapping[str, JSONValue], key: str) -> list[JSONObject]:
    found = section.get(key)
    return [r for r in found if isinstance(r, dict)] if isinstance(found, list) else []


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _typed(rows: list[JSONObject], names: list[Any]) -> list[Any]:
    """
    Tooltip entries with their types: quantitative where the data holds numbers.
    """
    out: list[Any] = []
    for name in names:
        if not isinstance(name, str) or ":" in name:
            out.append(name)
            continue
        numbers = any(
            isinstance(r.get(name), int | float) and not isinstance(r.get(name), bool) for r in rows
        )
        out.append(f"{name}:{'Q' if numbers else 'N'}")
    return out


def _bars(alt: Any, rows: list[JSONObject], y: str, x: str, x_title: str, **kw: Any) -> Any:
    axis = kw.pop("axis", alt.Axis())
    scale = kw.pop("scale", alt.Scale())
    colour = kw.pop("color", alt.value("#3b7dd8"))
    tooltip = _typed(rows, kw.pop("tooltip", [y, x]))
    return (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            y=alt.Y(f"{y}:N", sort=None, title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X(f"{x}:Q", title=x_title, axis=axis, scale=scale),
            color=colour,
            tooltip=tooltip,
        )
        .properties(width=_WIDTH, height=alt.Step(_ROW))
    )


def _profile(alt: Any, section: Mapping[str, JSONValue]) -> list[tuple[str, JSONObject]]:
    fields = _rows(section, "fields")
    if not fields:
        return []
    rate = {"axis": alt.Axis(format="%"), "scale": alt.Scale(domain=[0, 1])}
    out = [
        (
            "Fill rate per field",
            _spec(
                _bars(
                    alt,
                    fields,
                    "name",
                    "fill_rate",
                    "Fill rate",
                    tooltip=["name", "filled", "rows", alt.Tooltip("fill_rate:Q", format=".1%")],
                    **rate,
                )
            ),
        )
    ]
    measured = [f for f in fields if f.get("invalid_rate") is not None]
    if measured:
        out.append(
            (
                "Invalid rate per field",
                _spec(
                    _bars(
                        alt,
                        measured,
                        "name",
                        "invalid_rate",
                        "Invalid rate",
                        color=alt.value("#c0392b"),
                        tooltip=["name", "invalid", alt.Tooltip("invalid_rate:Q", format=".1%")],
                        **rate,
                    )
                ),
            )
        )
    return out


def _batch(alt: Any, section: Mapping[str, JSONValue]) -> list[tuple[str, JSONObject]]:
    out = []
    issues = [dict(r, label=f"{r.get('rule')} · {r.get('code')}") for r in _rows(section, "issues")]
    if issues:
        colour = alt.Color(
            "severity:N", scale=alt.Scale(domain=_SEVERITY_COLOURS[0], range=_SEVERITY_COLOURS[1])
        )
        out.append(
            (
                "Issues per rule and code",
                _spec(
                    _bars(
                        alt,
                        issues,
                        "label",
                        "count",
                        "Issues",
                        color=colour,
                        tooltip=["rule", "code", "field", "severity", "count"],
                    )
                ),
            )
        )
    quarantine = section.get("quarantine")
    if isinstance(quarantine, dict):
        reasons = [
            dict(r, label=f"{r.get('field')} · {r.get('code')}")
            for r in _rows(quarantine, "reasons")
        ]
        if reasons:
            out.append(
                (
                    "Quarantined rows per reason",
                    _spec(
                        _bars(
                            alt,
                            reasons,
                            "label",
                            "rows",
                            "Rows",
                            color=alt.value("#8e44ad"),
                            tooltip=["field", "code", "rows", "example"],
                        )
                    ),
                )
            )
    changes = section.get("changes")
    if isinstance(changes, dict) and _rows(changes, "counts"):
        by = changes.get("by", "field")
        out.append(
            (
                f"Values normalization changed, per {by}",
                _spec(
                    _bars(
                        alt,
                        _rows(changes, "counts"),
                        "name",
                        "count",
                        "Values changed",
                        color=alt.value("#16a085"),
                    )
                ),
            )
        )
    return out


def _health(alt: Any, section: Mapping[str, JSONValue]) -> list[tuple[str, JSONObject]]:
    bins = [dict(b, label=f"{b.get('from')}-{b.get('to')}") for b in _rows(section, "bins")]
    out = []
    if bins:
        chart = (
            alt.Chart(alt.Data(values=bins))
            .mark_bar()
            .encode(
                x=alt.X("label:N", sort=None, title="Health score"),
                y=alt.Y("count:Q", title="Records"),
                color=alt.Color(
                    "from:Q", scale=alt.Scale(scheme="redyellowgreen", domain=[0, 90]), legend=None
                ),
                tooltip=["label:N", "count:Q"],
            )
            .properties(width=_WIDTH, height=220)
        )
        out.append(("Health score distribution", _spec(chart)))
    dims = _rows(section, "dimensions")
    if dims:
        out.append(
            (
                "Mean points per dimension",
                _spec(
                    _bars(
                        alt, dims, "name", "mean", "Mean points", tooltip=["name", "mean", "count"]
                    )
                ),
            )
        )
    return out


def _variants(alt: Any, section: Mapping[str, JSONValue]) -> list[tuple[str, JSONObject]]:
    fields = [f for f in _rows(section, "fields") if f.get("clusters")]
    if not fields:
        return []
    return [
        (
            "Variant clusters per field",
            _spec(
                _bars(
                    alt,
                    fields,
                    "field",
                    "clusters",
                    "Clusters",
                    color=alt.value("#d35400"),
                    tooltip=["field", "clusters", "variants", "rows"],
                )
            ),
        )
    ]


def waterfall(alt: Any, pair: Mapping[str, JSONValue]) -> JSONObject:
    """
    One pair's match weight as a waterfall: the prior, each comparison's weight, the total.
    """
    steps: list[JSONObject] = []
    running = 0.0
    terms = [("prior", "", pair.get("prior"))] + [
        (str(t.get("comparison")), str(t.get("level")), t.get("weight"))
        for t in _rows(pair, "terms")
    ]
    for i, (name, level, weight) in enumerate(terms):
        w = float(weight) if isinstance(weight, int | float) else 0.0
        kind = "prior" if i == 0 else ("raises" if w >= 0 else "lowers")
        steps.append(
            {
                "step": i,
                "name": name,
                "level": level,
                "weight": round(w, 3),
                "start": running,
                "end": running + w,
                "kind": kind,
            }
        )
        running += w
    steps.append(
        {
            "step": len(steps),
            "name": "total",
            "level": "",
            "weight": round(running, 3),
            "start": 0.0,
            "end": running,
            "kind": "total",
        }
    )
    base = alt.Chart(alt.Data(values=steps)).encode(
        x=alt.X("name:N", sort=None, title=None, axis=alt.Axis(labelAngle=-30))
    )
    colour = alt.Color(
        "kind:N",
        title=None,
        scale=alt.Scale(
            domain=["prior", "raises", "lowers", "total"],
            range=["#7f8c8d", "#27ae60", "#c0392b", "#2c3e50"],
        ),
    )
    bars = base.mark_bar(size=28).encode(
        y=alt.Y("start:Q", title="Match weight (log2 Bayes factor)"),
        y2="end:Q",
        color=colour,
        tooltip=[
            "name:N",
            "level:N",
            "weight:Q",
            alt.Tooltip("end:Q", title="running total", format=".2f"),
        ],
    )
    labels = base.mark_text(dy=-6, fontSize=10).encode(
        y=alt.Y("end:Q"), text=alt.Text("weight:Q", format="+.2f")
    )
    zero = alt.Chart(alt.Data(values=[{"y": 0}])).mark_rule(color="#999").encode(y="y:Q")
    return _spec(
        alt.layer(bars, labels, zero).properties(width=max(240, 60 * len(steps)), height=240)
    )


def _duplicates(alt: Any, section: Mapping[str, JSONValue]) -> list[tuple[str, JSONObject]]:
    out = []
    # singletons dwarf every other size: the chart shows the clusters of duplicates
    sizes = [s for s in _rows(section, "sizes") if _number(s.get("size")) > 1]
    if sizes:
        chart = (
            alt.Chart(alt.Data(values=sizes))
            .mark_bar()
            .encode(
                x=alt.X("size:O", title="Records per entity", axis=alt.Axis(labelAngle=0)),
                y=alt.Y("clusters:Q", title="Entities"),
                tooltip=["size:O", "clusters:Q"],
            )
            .properties(width=_WIDTH, height=200)
        )
        out.append(("Duplicate clusters by size", _spec(chart)))
    return out


def _trend(alt: Any, points: list[JSONObject]) -> list[tuple[str, JSONObject]]:
    if len(points) < 2:
        return []
    rates = ("completeness", "validity", "quarantine_rate", "duplicate_rate")
    rows = [
        {"run": i + 1, "at": p.get("created_at"), "measure": k, "value": p[k]}
        for i, p in enumerate(points)
        for k in rates
        if isinstance(p.get(k), int | float)
    ]
    out = []
    if rows:
        chart = (
            alt.Chart(alt.Data(values=rows))
            .mark_line(point=True)
            .encode(
                x=alt.X("run:O", title="Run", axis=alt.Axis(labelAngle=0)),
                y=alt.Y(
                    "value:Q", title=None, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])
                ),
                color=alt.Color("measure:N", title=None),
                tooltip=["at:N", "measure:N", alt.Tooltip("value:Q", format=".1%")],
            )
            .properties(width=_WIDTH, height=220)
        )
        out.append(("Rates across runs", _spec(chart)))
    health = [
        {"run": i + 1, "at": p.get("created_at"), "value": p["health_mean"]}
        for i, p in enumerate(points)
        if isinstance(p.get("health_mean"), int | float)
    ]
    if len(health) > 1:
        chart = (
            alt.Chart(alt.Data(values=health))
            .mark_line(point=True, color="#27ae60")
            .encode(
                x=alt.X("run:O", title="Run", axis=alt.Axis(labelAngle=0)),
                y=alt.Y("value:Q", title="Mean health score", scale=alt.Scale(domain=[0, 100])),
                tooltip=["at:N", "value:Q"],
            )
            .properties(width=_WIDTH, height=200)
        )
        out.append(("Mean health score across runs", _spec(chart)))
    return out


def charts_for(sections: Mapping[str, JSONObject | None], trend: list[JSONObject]) -> Charts:
    """
    Every chart of a report's *sections* and *trend*, per section (``trend`` included).

    Raises:
        ReportError: the ``report`` extra is not installed.
    """
    alt, _ = charting()
    out: Charts = {}
    makers = {
        "profile": _profile,
        "batch": _batch,
        "health": _health,
        "variants": _variants,
        "duplicates": _duplicates,
    }
    for name, make in makers.items():
        section = sections.get(name)
        if section is not None:
            out[name] = make(alt, section)
    duplicates = sections.get("duplicates")
    if duplicates is not None:
        out["pairs"] = [
            (f"{p.get('left')} ~ {p.get('right')}", waterfall(alt, p))
            for p in _rows(duplicates, "pairs")
        ]
    out["trend"] = _trend(alt, trend)
    return out
