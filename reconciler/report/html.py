"""The report as one self-contained HTML file: inline CSS, an inline SVG chart, no script.

Nothing is fetched when it is viewed: no script, font, image or stylesheet from anywhere, and a
Content-Security-Policy (`default-src 'none'`) makes the browser refuse any that slipped in. Every
user-supplied string (company, configuration, agreement and product names, warnings, the currency)
is HTML-escaped, quotes included.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from html import escape

from reconciler.render.common import money_text
from reconciler.report.model import Report, sums
from reconciler.report.svg import legend, render_chart
from reconciler.report.tables import (
    LINE_COLUMNS,
    NUMERIC,
    SUMMARY_COLUMNS,
    Row,
    RowKind,
    billed_total,
    month_table,
    period_rows,
    summary_rows,
)
from reconciler.report.text import reconciliation_lines, scope_line

CSP = "default-src 'none'; style-src 'unsafe-inline'"
STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2933;
       background: #ffffff; margin: 0; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 8px; }
.scope { color: #52606d; margin: 0 0 16px; }
.cards { display: flex; gap: 16px; flex-wrap: wrap; }
.card { border: 1px solid #d9e2ec; border-radius: 8px; padding: 12px 16px; min-width: 180px;
        background: #f5f7fa; }
.card b { display: block; font-size: 20px; }
.warnings li { color: #8d2b0b; }
figure { margin: 0; } svg { max-width: 100%; height: auto; font-size: 12px; fill: #1f2933; }
svg .grid { stroke: #d9e2ec; } svg .sum { font-weight: 600; }
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 6px 18px; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; border-radius: 2px;
          vertical-align: -1px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e4e7eb; text-align: left; }
td.n, th.n { white-space: nowrap; } .scroll { overflow-x: auto; }
th { background: #f0f4f8; } td.n, th.n { text-align: right; }
tr.subtotal td, tr.total td { font-weight: 600; } tr.total td { border-top: 2px solid #9aa5b1; }
"""


def _table(headers: Sequence[str], rows: Sequence[Row], numeric: Collection[str] = NUMERIC) -> str:
    head = "".join(f"<th{_n(h, numeric)}>{escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        kind = "" if row.kind is RowKind.LINE else f' class="{row.kind}"'
        cells = "".join(
            f"<td{_n(h, numeric)}>{escape(cell)}</td>" for h, cell in zip(headers, row.cells, strict=True)
        )
        body.append(f"<tr{kind}>{cells}</tr>")
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    return f'<div class="scroll">{table}</div>'


def _n(header: str, numeric: Collection[str]) -> str:
    return ' class="n"' if header in numeric else ""


def _cards(report: Report) -> str:
    total = sums(list(report.lines))
    currency = escape(report.currency)
    cards = [
        ("Billed in scope", money_text(billed_total(report))),
        ("Cost", money_text(total.cost)),
        ("Margin", money_text(total.margin)),
    ]
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card">{escape(label)}<b>{escape(value)} {currency}</b></div>'
            for label, value in cards
        )
        + "</div>"
    )


def render_html(report: Report) -> str:
    title = f"cwbill report — as of {report.as_of.isoformat()}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>",
        "<body><main>",
        "<h1>cwbill report</h1>",
        f'<p class="scope">{escape(scope_line(report))}</p>',
        _cards(report),
    ]
    if report.reconciliation is not None:
        lines = "<br>".join(escape(line.strip()) for line in reconciliation_lines(report))
        parts.append(f'<p class="reconcile">{lines}</p>')
    if report.warnings:
        items = "".join(
            f"<li><b>{escape(w.code)}</b> "
            f"({escape(', '.join(p for p in (w.company, w.configuration, w.period) if p))}): "
            f"{escape(w.message)}</li>"
            for w in report.warnings
        )
        parts.append(f'<h2>Warnings</h2><ul class="warnings">{items}</ul>')
    parts += [
        "<h2>Billed per month and company</h2>",
        f"<figure>{render_chart(report.history, report.currency)}"
        f"<figcaption>{legend(report.history)}</figcaption></figure>",
    ]
    if report.lines:
        parts += ["<h2>Summary</h2>", _table(SUMMARY_COLUMNS, summary_rows(report))]
    else:
        parts.append("<p>No lines in scope.</p>")
    for period in report.periods:
        parts += [
            f"<h2>{escape(period.label)} ({period})</h2>",
            _table(LINE_COLUMNS, period_rows(report, period)),
        ]
    if report.history:
        headers, rows = month_table(report)
        parts += ["<h2>Billed per month (every configuration)</h2>", _table(headers, rows, headers[1:])]
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"
