"""Billed and cost totals of cwbill's lines in scope, before and after a plan (billing-rules §7)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal

from reconciler.connectwise.live import CatalogItem, LiveAddition
from reconciler.engine.model import DesiredAddition
from reconciler.engine.money import add, multiply
from reconciler.plan.model import Totals

ZERO = Decimal(0)


def _line(quantity: Decimal | None, unit: Decimal | None) -> Decimal:
    return multiply(quantity or ZERO, unit or ZERO)


def priced(
    line: DesiredAddition, existing: LiveAddition | None, catalog: Mapping[str, CatalogItem]
) -> tuple[Decimal | None, Decimal | None]:
    """The unit price and cost a desired line bills at: its own, else (send: quantity) the live
    line's, else the catalog item's (billing-rules §4)."""
    item = catalog.get(line.product)
    price, cost = line.unit_price, line.unit_cost
    if price is None:
        price = existing.unit_price if existing else (item.price if item else None)
    if cost is None:
        cost = existing.unit_cost if existing else (item.cost if item else None)
    return price, cost


def totals_of(
    in_scope: Iterable[tuple[str, LiveAddition]],
    kept: Iterable[tuple[DesiredAddition, LiveAddition | None]],
    catalog: Mapping[str, CatalogItem],
) -> tuple[Totals, dict[str, Totals]]:
    """Σ quantity × unitPrice and Σ quantity × unitCost, overall and per company.

    Before: cwbill's live lines in scope. After: the desired lines that will exist; with
    `send: quantity` the price is the live line's, or the catalog item's for a new line.
    """
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO, ZERO])
    for company, addition in in_scope:
        row = sums[company]
        row[0] = add(row[0], _line(addition.quantity, addition.unit_price))
        row[2] = add(row[2], _line(addition.quantity, addition.unit_cost))
    for line, existing in kept:
        price, cost = priced(line, existing, catalog)
        row = sums[line.company]
        row[1] = add(row[1], _line(line.quantity, price))
        row[3] = add(row[3], _line(line.quantity, cost))
    by_company = {company: Totals(*values) for company, values in sorted(sums.items())}
    overall = Totals(
        billed_before=add(*(t.billed_before for t in by_company.values())),
        billed_after=add(*(t.billed_after for t in by_company.values())),
        cost_before=add(*(t.cost_before for t in by_company.values())),
        cost_after=add(*(t.cost_after for t in by_company.values())),
    )
    return overall, by_company
