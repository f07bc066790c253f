"""
How results look in a notebook: small HTML blocks and short reprs, whatever their size.

Every result that renders in Jupyter (`_repr_html_`) builds its HTML here: a title, a line
of counts, and tables of at most a few rows with "… N more". Every value is escaped, so a
value holding markup or script shows as text; long values are cut. The same helpers keep
``repr`` short: counts and a few examples, never every row.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Final

from recordkit._errors import shorten

__all__ = ["MAX_ROWS", "cell", "html_block", "html_table", "short_list"]

MAX_ROWS: Final = 8
"""
The most rows a table shows; the rest are counted.
"""
_MAX_CELL: Final = 80
_STYLE: Final = (
    "font-family:system-ui,sans-serif;font-size:13px;line-height:1.4;"
    "border-left:3px solid #4c78a8;padding:4px 10px;margin:4px 0"
)
_TABLE: Final = "border-collapse:collapse;margin:4px 0"
_CELL: Final = "border-bottom:1px solid #ddd;padding:2px 8px;text-align:left;vertical-align:top"


def cell(value: object, limit: int = _MAX_CELL) -> str:
    """
    *value* as short text: text as it is, ``None`` as empty, anything else as its text.

    Control characters are escaped and the text is cut at *limit* characters.
    """
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:.4g}"
    else:
        try:
            text = value if isinstance(value, str) else str(value)
        except Exception:  # a hostile __str__ must not break a notebook
            text = shorten(value, limit)
    if not text.isprintable():
        text = shorten(text, limit + 2)[1:-1]
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def html_table(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    total: int | None = None,
    limit: int = MAX_ROWS,
) -> str:
    """
    An HTML table of the first *limit* of *rows*, and "… N more" when *total* is more.
    """
    shown = []
    for i, row in enumerate(rows):
        if i == limit:
            break
        shown.append(row)
    head = "".join(f'<th style="{_CELL}">{html.escape(cell(h))}</th>' for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td style="{_CELL}">{html.escape(cell(v))}</td>' for v in row) + "</tr>"
        for row in shown
    )
    more = (total if total is not None else len(shown)) - len(shown)
    tail = f"<div>… {more:,} more</div>" if more > 0 else ""
    return f'<table style="{_TABLE}"><tr>{head}</tr>{body}</table>{tail}'


def html_block(title: str, facts: Sequence[tuple[str, object]], *parts: str) -> str:
    """
    A titled block: *facts* as ``label: value`` on one line, then *parts* (tables, HTML).

    *title* and *facts* are escaped here; *parts* are HTML made by `html_table`.
    """
    line = " · ".join(f"{html.escape(cell(k))}: <b>{html.escape(cell(v))}</b>" for k, v in facts)
    body = "".join(parts)
    return f'<div style="{_STYLE}"><div><b>{html.escape(cell(title))}</b></div>{line}{body}</div>'


def short_list(items: Sequence[str], total: int, limit: int = 3) -> str:
    """
    The first *limit* of *items* joined by ``; ``, and ``…`` when *total* is more.
    """
    shown = "; ".join(cell(i, 100) for i in items[:limit])
    return f"{shown}; …" if total > limit else shown
