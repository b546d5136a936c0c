"""The report as CSV: one row per line, plain decimal text (no grouping), for spreadsheets.

Billed, cost, margin, previous and change have 2 places (rounded once, half-up, from the exact
values); unit prices keep their own places. A text cell that a spreadsheet would run as a formula
(`=`, `+`, `-`, `@`, tab, CR at its start) is prefixed with `'` (OWASP's CSV-injection advice).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from reconciler.engine.money import decimal_places, fixed
from reconciler.report.model import Report, ReportLine

HEADER = (
    "period",
    "company",
    "console_company",
    "configuration",
    "agreement_id",
    "agreement",
    "product",
    "quantity",
    "unit_price",
    "unit_cost",
    "catalog_price",
    "billed",
    "cost",
    "margin",
    "previous_billed",
    "change",
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def inert(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA) else text


def _money(value: Decimal | None) -> str:
    return "" if value is None else fixed(value, 2)


def _unit(value: Decimal | None, places: int) -> str:
    return "" if value is None else fixed(value, max(places, decimal_places(value)))


def _row(line: ReportLine, places: int) -> list[str]:
    now = line.current
    return [
        str(line.period),
        inert(line.company),
        inert(line.console_company),
        inert(line.configuration),
        str(line.agreement_id),
        inert(line.agreement_name),
        inert(line.product),
        "" if now is None else format(now.quantity, "f"),
        _unit(now.unit_price if now else None, places),
        _unit(now.unit_cost if now else None, places),
        "yes" if line.catalog_price else "no",
        _money(line.billed),
        _money(line.cost),
        _money(now.margin if now else Decimal(0)),
        _money(line.previous_billed),
        _money(line.change),
    ]


def render_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for line in report.lines:
        writer.writerow(_row(line, report.unit_price_places))
    return buffer.getvalue()
