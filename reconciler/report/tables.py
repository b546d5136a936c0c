"""The report as tables of display text, shared by the text, Markdown and HTML renderers.

Cells are raw text (each renderer escapes them for its format). Money is summed exactly and shown
rounded once, half-up, with 2 places (`money_text`); unit prices keep their own places (at least the
settings'). A change is signed; an unknown previous period shows as `—`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from itertools import groupby

from reconciler.engine.money import add, decimal_places, fixed
from reconciler.engine.periods import Period
from reconciler.render.common import money_text
from reconciler.report.model import Report, ReportLine, Sums, sums

UNKNOWN = "—"
LINE_COLUMNS = (
    "company",
    "configuration",
    "agreement",
    "product",
    "quantity",
    "unit price",
    "unit cost",
    "billed",
    "cost",
    "margin",
    "previous",
    "change",
)
SUMMARY_COLUMNS = ("period", "company", "lines", "billed", "cost", "margin", "previous", "change")
NUMERIC = frozenset(
    {"quantity", "unit price", "unit cost", "billed", "cost", "margin", "previous", "change", "lines"}
)


class RowKind(StrEnum):
    LINE = "line"
    SUBTOTAL = "subtotal"
    TOTAL = "total"


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[str, ...]
    kind: RowKind = RowKind.LINE


def signed(value: Decimal | None) -> str:
    if value is None:
        return UNKNOWN
    text = money_text(value)
    return text if text.startswith("-") or Decimal(fixed(value, 2)) == 0 else "+" + text


def optional_money(value: Decimal | None) -> str:
    return UNKNOWN if value is None else money_text(value)


def unit_text(value: Decimal | None, places: int, catalog: bool) -> str:
    if value is None:
        return UNKNOWN
    text = fixed(value, max(places, decimal_places(value)))
    return f"{text} (catalog)" if catalog else text


def _sum_cells(total: Sums) -> tuple[str, ...]:
    return (
        money_text(total.billed),
        money_text(total.cost),
        money_text(total.margin),
        optional_money(total.previous),
        signed(total.change),
    )


def _line_row(line: ReportLine, places: int) -> Row:
    now = line.current
    return Row(
        (
            line.company,
            line.configuration,
            f"{line.agreement_name} ({line.agreement_id})",
            line.product,
            UNKNOWN if now is None else format(now.quantity, "f"),
            UNKNOWN if now is None else unit_text(now.unit_price, places, line.catalog_price),
            UNKNOWN if now is None else unit_text(now.unit_cost, places, line.catalog_price),
            money_text(line.billed),
            money_text(line.cost),
            money_text(now.margin if now else Decimal(0)),
            optional_money(line.previous_billed),
            signed(line.change),
        )
    )


def lines_of(report: Report, period: Period) -> list[ReportLine]:
    return [line for line in report.lines if line.period == period]


def by_company(lines: Iterable[ReportLine]) -> list[tuple[str, list[ReportLine]]]:
    ordered = sorted(lines, key=lambda r: (r.company, r.configuration, r.product))
    return [(company, list(group)) for company, group in groupby(ordered, key=lambda r: r.company)]


def period_rows(report: Report, period: Period) -> list[Row]:
    """One row per line of `period`, a subtotal per company, and the period's total."""
    rows: list[Row] = []
    period_lines = lines_of(report, period)
    for company, lines in by_company(period_lines):
        rows += [_line_row(line, report.unit_price_places) for line in lines]
        rows.append(
            Row((f"{company} total", "", "", "", "", "", "", *_sum_cells(sums(lines))), RowKind.SUBTOTAL)
        )
    rows.append(
        Row((f"{period} total", "", "", "", "", "", "", *_sum_cells(sums(period_lines))), RowKind.TOTAL)
    )
    return rows


def summary_rows(report: Report) -> list[Row]:
    """Per period and company, then everything in scope (the plan's billed total)."""
    rows: list[Row] = []
    for period in report.periods:
        for company, lines in by_company(lines_of(report, period)):
            count = sum(1 for line in lines if line.current is not None)
            rows.append(Row((str(period), company, str(count), *_sum_cells(sums(lines)))))
    total = sums(list(report.lines))
    count = sum(1 for line in report.lines if line.current is not None)
    rows.append(Row(("all", "all", str(count), *_sum_cells(total)), RowKind.TOTAL))
    return rows


def month_table(report: Report) -> tuple[tuple[str, ...], list[Row]]:
    """Billed per company (rows) and month (columns), every configuration — the chart's numbers."""
    months = sorted({m.period for m in report.history})
    companies = sorted({m.company for m in report.history})
    value = {(m.period, m.company): m.billed for m in report.history}
    rows = [
        Row((company, *(optional_money(value.get((month, company))) for month in months)))
        for company in companies
    ]
    totals = [add(*(value.get((month, c), Decimal(0)) for c in companies)) for month in months]
    rows.append(Row(("total", *(money_text(t) for t in totals)), RowKind.TOTAL))
    return ("company", *(str(m) for m in months)), rows


def billed_total(report: Report) -> Decimal:
    """Σ quantity × unitPrice of every line in scope: `cwbill plan`'s billed total after."""
    return add(*(line.billed for line in report.lines))
