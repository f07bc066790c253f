"""
The report page's template: layout, styles and the script that draws the charts.
"""

from __future__ import annotations

from typing import Final

__all__ = ["PAGE"]

_STYLE: Final = """
:root { --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --card: #f5f7fa; --accent: #3b7dd8; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: #fff; }
header { padding: 24px 32px 8px; border-bottom: 1px solid var(--line); }
header h1 { margin: 0 0 4px; font-size: 24px; }
header p { margin: 0 0 12px; color: var(--muted); }
nav a { margin-right: 14px; color: var(--accent); text-decoration: none; }
main { padding: 8px 32px 48px; max-width: 1200px; }
section { margin-top: 28px; }
h2 { font-size: 19px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
        padding: 10px 16px; min-width: 150px; }
.card .value { font-size: 22px; font-weight: 600; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase;
               letter-spacing: .04em; }
.chart { margin: 8px 0 16px; min-height: 40px; }
.chart-title { font-weight: 600; margin: 12px 0 2px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left;
         vertical-align: top; max-width: 420px; overflow-wrap: anywhere; }
th { background: var(--card); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); }
.pair { border: 1px solid var(--line); border-radius: 8px; padding: 8px 16px; margin: 12px 0; }
code { background: var(--card); padding: 0 4px; border-radius: 4px; }
.error { color: #c0392b; } .warning { color: #a66f00; } .info { color: #3b7dd8; }
"""

_DRAW: Final = """
(function () {
  var specs = JSON.parse(document.getElementById("recordkit-charts").textContent);
  Object.keys(specs).forEach(function (id) {
    vegaEmbed("#" + id, specs[id], {actions: false, renderer: "svg"}).catch(function (e) {
      console.error("chart " + id + " failed: " + e);
    });
  });
})();
"""

PAGE: Final = (
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="recordkit">
<title>{{ title }}</title>
<style>"""
    + _STYLE
    + """</style>
<script>{{ bundle }}</script>
</head>
<body>
{%- macro chart_list(name) %}
{%- for chart_id, chart_title in charts.get(name, []) %}
<div class="chart-title">{{ chart_title }}</div>
<div class="chart" id="{{ chart_id }}"></div>
{%- endfor %}
{%- endmacro %}
<header>
<h1>{{ title }}</h1>
<p>Data quality report · {{ created_at }}</p>
<nav>
{%- if profile %}<a href="#profile">Profile</a>{% endif %}
{%- if batch %}<a href="#batch">Validation</a>{% endif %}
{%- if health %}<a href="#health">Health</a>{% endif %}
{%- if variants %}<a href="#variants">Variants</a>{% endif %}
{%- if duplicates %}<a href="#duplicates">Duplicates</a>{% endif %}
{%- if trend|length > 1 %}<a href="#trend">Trend</a>{% endif %}
</nav>
</header>
<main>
<div class="cards">
{%- for label, value in cards %}
<div class="card"><div class="value">{{ value }}</div><div class="label">{{ label }}</div></div>
{%- else %}
<p class="muted">Nothing was measured in this run.</p>
{%- endfor %}
</div>

{%- if profile %}
<section id="profile">
<h2>Profile</h2>
<p>{{ profile.rows|figure }} rows, {{ profile.field_count|figure }} fields
{%- if profile.rules %}, checked with <code>{{ profile.rules }}</code>{% endif %}.
{%- if profile.fields|length < profile.field_count %}
Showing the first {{ profile.fields|length }} fields.{% endif %}</p>
{{ chart_list("profile") }}
{%- if profile.fields %}
<table>
<tr><th>Field</th><th class="num">Fill rate</th><th class="num">Filled</th>
<th class="num">Distinct</th><th class="num">Invalid</th><th>Top values</th><th>Shapes</th></tr>
{%- for f in profile.fields %}
<tr><td>{{ f.name }}</td><td class="num">{{ f.fill_rate|rate }}</td>
<td class="num">{{ f.filled|figure }}</td><td class="num">{{ f.distinct|figure }}</td>
<td class="num">{{ f.invalid_rate|rate }}</td>
<td>
{%- for v, n in f.top_values[:5] %}<code>{{ v }}</code> ({{ n|figure }})
{%- if not loop.last %}, {% endif %}
{%- endfor %}</td>
<td>
{%- for v, n in f.top_shapes[:3] %}<code>{{ v }}</code> ({{ n|figure }})
{%- if not loop.last %}, {% endif %}
{%- endfor %}</td></tr>
{%- endfor %}
</table>
{%- else %}
<p class="muted">The profile has no fields.</p>
{%- endif %}
</section>
{%- endif %}

{%- if batch %}
<section id="batch">
<h2>Validation and normalization</h2>
<p>{{ batch.rows|figure }} rows read: {{ batch.stored|figure }} passed or stored,
{{ batch.quarantined|figure }} quarantined; {{ batch.errors|figure }} errors,
{{ batch.warnings|figure }} warnings, {{ batch.infos|figure }} notes;
{{ batch.changed_values|figure }} values changed by normalization.</p>
{{ chart_list("batch") }}
{%- if batch.issues %}
<h3>Issues per rule</h3>
<table>
<tr><th>Rule</th><th>Code</th><th>Field</th><th>Severity</th><th class="num">Count</th></tr>
{%- for i in batch.issues %}
<tr><td>{{ i.rule }}</td><td><code>{{ i.code }}</code></td><td>{{ i.field }}</td>
<td class="{{ i.severity }}">{{ i.severity }}</td><td class="num">{{ i.count|figure }}</td></tr>
{%- endfor %}
</table>
{%- else %}
<p class="muted">No issues.</p>
{%- endif %}
{%- if batch.quarantine.reasons %}
<h3>Why rows were quarantined</h3>
<table>
<tr><th>Field</th><th>Code</th><th class="num">Rows</th><th>Example</th></tr>
{%- for r in batch.quarantine.reasons %}
<tr><td>{{ r.field }}</td><td><code>{{ r.code }}</code></td><td class="num">{{ r.rows|figure }}</td>
<td>{{ r.example }}</td></tr>
{%- endfor %}
</table>
{%- endif %}
{%- if batch.quarantine.sample %}
<h3>Quarantined rows (sample)</h3>
<table>
<tr><th class="num">Row</th><th>Reasons</th><th>Values</th></tr>
{%- for q in batch.quarantine.sample %}
<tr><td class="num">{{ q.row }}</td><td>
{%- for m in q.reasons %}{{ m }}{% if not loop.last %}<br>{% endif %}{% endfor %}</td>
<td>
{%- for k, v in q["values"].items() if v %}<code>{{ k }}</code> {{ v }}
{%- if not loop.last %} · {% endif %}
{%- endfor %}</td></tr>
{%- endfor %}
</table>
{%- endif %}
{%- if batch.changes.sample %}
<h3>What normalization changed (sample)</h3>
<table>
<tr><th>Field</th><th>Before</th><th></th><th>After</th></tr>
{%- for c in batch.changes.sample %}
<tr><td>{{ c.field }}</td><td><code>{{ c.before }}</code></td><td>→</td>
<td><code>{{ c.after }}</code></td></tr>
{%- endfor %}
</table>
{%- endif %}
</section>
{%- endif %}

{%- if health %}
<section id="health">
<h2>Record health</h2>
{%- if health.count %}
<p>{{ health.count|figure }} records scored: mean {{ "%.1f"|format(health.mean) }},
median {{ "%.1f"|format(health.median) }}, from {{ "%.1f"|format(health.min) }}
to {{ "%.1f"|format(health.max) }}; {{ health.below_60|figure }} under 60.</p>
{%- else %}
<p class="muted">No records were scored.</p>
{%- endif %}
{{ chart_list("health") }}
</section>
{%- endif %}

{%- if variants %}
<section id="variants">
<h2>Variant spellings</h2>
{{ chart_list("variants") }}
{%- for f in variants.fields %}
<h3>{{ f.field }}: {{ f.clusters|figure }} clusters, {{ f.variants|figure }} variants over
{{ f.rows|figure }} rows</h3>
{%- if f.shown %}
<table>
<tr><th>Suggested value</th><th class="num">Rows</th><th class="num">Values</th>
<th>Members</th></tr>
{%- for c in f.shown %}
<tr><td><code>{{ c.canonical }}</code></td><td class="num">{{ c.rows|figure }}</td>
<td class="num">{{ c["values"]|figure }}</td>
<td>
{%- for v, n in c.members %}<code>{{ v }}</code> ({{ n|figure }})
{%- if not loop.last %}, {% endif %}
{%- endfor %}</td></tr>
{%- endfor %}
</table>
{%- endif %}
{%- else %}
<p class="muted">No variant clusters.</p>
{%- endfor %}
</section>
{%- endif %}

{%- if duplicates %}
<section id="duplicates">
<h2>Duplicates</h2>
<p>{{ duplicates.records|figure }} records form {{ duplicates.entities|figure }} entities:
{{ duplicates.duplicate_records|figure }} duplicate records in
{{ duplicates.duplicate_clusters|figure }} clusters ({{ duplicates.links|figure }} links among
{{ duplicates.candidate_pairs|figure }} compared pairs).</p>
{{ chart_list("duplicates") }}
{%- if duplicates.largest %}
<h3>Largest clusters</h3>
<table>
<tr><th>Entity</th><th class="num">Records</th><th>Record ids</th></tr>
{%- for c in duplicates.largest %}
<tr><td><code>{{ c.entity_id }}</code></td><td class="num">{{ c.size|figure }}</td>
<td>{{ c.record_ids|join(", ") }}{% if c.size > c.record_ids|length %} …{% endif %}</td></tr>
{%- endfor %}
</table>
{%- else %}
<p class="muted">No duplicates found.</p>
{%- endif %}
{%- if duplicates.pairs %}
<h3>Why pairs matched</h3>
<p class="muted">Each waterfall starts at the prior match weight; each comparison adds or
takes away its weight, and the last bar is the total.</p>
{%- for p in duplicates.pairs %}
{%- set chart = charts.get("pairs", [])[loop.index0] %}
<div class="pair">
<h3><code>{{ p.left }}</code> ~ <code>{{ p.right }}</code>: weight {{ p.total|weight }},
probability {{ p.probability|rate }}{% if p.rule %}, decided by {{ p.rule }}{% endif %}</h3>
{%- if chart %}<div class="chart" id="{{ chart[0] }}"></div>{% endif %}
<table>
<tr><th>Comparison</th><th>Level</th><th>Left</th><th>Right</th><th class="num">Weight</th>
<th class="num">m</th><th class="num">u</th></tr>
<tr><td>prior</td><td></td><td></td><td></td><td class="num">{{ p.prior|weight }}</td>
<td></td><td></td></tr>
{%- for t in p.terms %}
<tr><td>{{ t.comparison }}</td><td>{{ t.level }}</td>
<td>{{ t.left if t.left is not none else "—" }}</td>
<td>{{ t.right if t.right is not none else "—" }}</td><td class="num">{{ t.weight|weight }}</td>
<td class="num">{{ "%.3g"|format(t.m) if t.m is not none else "" }}</td>
<td class="num">{{ "%.3g"|format(t.u) if t.u is not none else "" }}</td></tr>
{%- endfor %}
</table>
</div>
{%- endfor %}
{%- endif %}
</section>
{%- endif %}

{%- if trend|length > 1 %}
<section id="trend">
<h2>Trend</h2>
{{ chart_list("trend") }}
<table>
<tr><th>Run</th><th>Title</th><th class="num">Rows</th><th class="num">Completeness</th>
<th class="num">Valid rows</th><th class="num">Quarantined</th><th class="num">Duplicates</th>
<th class="num">Mean health</th></tr>
{%- for p in trend %}
<tr><td>{{ p.created_at }}</td><td>{{ p.title }}</td><td class="num">{{ p.rows|figure }}</td>
<td class="num">{{ p.completeness|rate }}</td><td class="num">{{ p.validity|rate }}</td>
<td class="num">{{ p.quarantine_rate|rate }}</td><td class="num">{{ p.duplicate_rate|rate }}</td>
<td class="num">{{ "%.1f"|format(p.health_mean) if p.health_mean is not none else "—" }}</td></tr>
{%- endfor %}
</table>
</section>
{%- endif %}
</main>
<script type="application/json" id="recordkit-report">{{ report_json }}</script>
<script type="application/json" id="recordkit-charts">{{ specs_json }}</script>
<script>"""
    + _DRAW
    + """</script>
</body>
</html>
"""
)
