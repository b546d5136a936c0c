"""The report for a terminal or a file: aligned plain-text tables, no colour, byte-stable.

User strings (company, configuration, agreement names) pass through `clean`, so a control character
in a name cannot drive the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import TextIO

from reconciler.render.common import UNSAFE_CHARACTERS, money_text
from reconciler.report.model import Report, sums
from reconciler.report.tables import (
    LINE_COLUMNS,
    NUMERIC,
    SUMMARY_COLUMNS,
    Row,
    billed_total,
    month_table,
    period_rows,
    summary_rows,
)

_CONTROL = re.compile(f"[{UNSAFE_CHARACTERS}]")


def clean(text: str) -> str:
    return _CONTROL.sub("\ufffd", text)


def table(
    headers: Sequence[str], rows: Sequence[Row], numeric: Collection[str] = NUMERIC, indent: str = "  "
) -> list[str]:
    """Columns padded to their widest cell; numbers right-aligned."""
    cells = [list(headers), *([clean(c) for c in row.cells] for row in rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(headers))]
    out = []
    for line in cells:
        parts = [
            cell.rjust(width) if name in numeric else cell.ljust(width)
            for name, cell, width in zip(headers, line, widths, strict=True)
        ]
        out.append((indent + "  ".join(parts)).rstrip())
    return out


def render_text(report: Report, stream: TextIO) -> None:
    lines = [f"cwbill report · {scope_line(report)}", ""]
    for warning in report.warnings:
        where = ", ".join(clean(p) for p in (warning.company, warning.configuration, warning.period) if p)
        lines.append(f"! {clean(warning.code)}: {clean(warning.message)} ({where})")
    if report.warnings:
        lines.append("")
    if not report.lines:
        lines.append("No lines in scope.")
    for period in report.periods:
        lines += [f"{period.label} ({period})", *table(LINE_COLUMNS, period_rows(report, period)), ""]
    if report.lines:
        lines += ["Summary", *table(SUMMARY_COLUMNS, summary_rows(report)), ""]
    headers, rows = month_table(report)
    if report.history:
        lines += [
            "Billed per month (every configuration, in scope or not)",
            *table(headers, rows, headers[1:]),
            "",
        ]
    lines += [total_line(report), *reconciliation_lines(report)]
    stream.write("\n".join(lines) + "\n")


def scope_line(report: Report) -> str:
    periods = ", ".join(str(p) for p in report.periods) or "none"
    return f"as of {report.as_of.isoformat()} · periods in scope {periods} · {clean(report.currency)}"


def total_line(report: Report) -> str:
    total = sums(list(report.lines))
    currency = clean(report.currency)
    return (
        f"Billed total in scope: {money_text(billed_total(report))} {currency} "
        f"(cost {money_text(total.cost)}, margin {money_text(total.margin)})"
    )


def reconciliation_lines(report: Report) -> list[str]:
    """The plan's total beside the report's: "matches to the cent", or each difference named."""
    found = report.reconciliation
    if found is None:
        return []
    currency = clean(report.currency)
    if found.plan_billed is None:
        return [f"Not compared with the plan, which could not be made: {clean(found.problem)}"]
    plan_total = f"{money_text(found.plan_billed)} {currency}"
    if found.matches and not found.differences:
        lines = [f"The plan's billed total after apply is the same: {plan_total}."]
    else:
        lines = [f"The plan's billed total after apply is {plan_total}; the difference is:"]
        for difference in found.differences:
            where = " ".join(clean(p) for p in (difference.company, difference.what) if p)
            lines.append(f"  {money_text(difference.amount):>10}  {where}: {clean(difference.why)}")
    for warning in found.not_billed:
        where = ", ".join(clean(p) for p in (warning.company, warning.configuration, warning.period) if p)
        lines.append(f"Billed in neither: {where} ({clean(warning.code)})")
    return lines
