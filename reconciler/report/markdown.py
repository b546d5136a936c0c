"""The report as Markdown (a pull request, a wiki page): summary, one table per period, months.

Every user-supplied string goes through `escape_markdown` (render/mdescape.py), so a company or
agreement name cannot break a table or inject HTML. Unlike the plan comment, the report shows costs
and margins: it is the MSP's own preview, not something to post where clients read.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from reconciler.render.mdescape import escape_markdown as md
from reconciler.report.model import Report
from reconciler.report.tables import (
    LINE_COLUMNS,
    NUMERIC,
    SUMMARY_COLUMNS,
    Row,
    RowKind,
    month_table,
    period_rows,
    summary_rows,
)
from reconciler.report.text import reconciliation_lines, scope_line, total_line


def _table(headers: Sequence[str], rows: Sequence[Row], numeric: Collection[str] = NUMERIC) -> str:
    head = "| " + " | ".join(headers) + " |"
    rule = "| " + " | ".join("---:" if h in numeric else "---" for h in headers) + " |"
    body = []
    for row in rows:
        cells = [md(cell) for cell in row.cells]
        if row.kind is not RowKind.LINE:
            cells = [f"**{cell}**" if cell else cell for cell in cells]
        body.append("| " + " | ".join(cells) + " |")
    return "\n".join([head, rule, *body])


def render_markdown(report: Report) -> str:
    blocks = ["## cwbill report", md(scope_line(report))]
    if report.warnings:
        items = [
            f"- **{md(w.code)}** ({md(', '.join(p for p in (w.company, w.configuration, w.period) if p))}): "
            f"{md(w.message)}"
            for w in report.warnings
        ]
        blocks += ["### Warnings", "\n".join(items)]
    if report.lines:
        totals = [md(total_line(report)), *(md(line.strip()) for line in reconciliation_lines(report))]
        blocks += ["### Summary", "  \n".join(totals), _table(SUMMARY_COLUMNS, summary_rows(report))]
    else:
        blocks.append("No lines in scope.")
    for period in report.periods:
        blocks += [f"### {period.label} ({period})", _table(LINE_COLUMNS, period_rows(report, period))]
    if report.history:
        headers, rows = month_table(report)
        blocks += ["### Billed per month (every configuration)", _table(headers, rows, headers[1:])]
    return "\n\n".join(blocks) + "\n"
