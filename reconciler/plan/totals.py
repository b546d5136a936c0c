"""Billed and cost totals of cwbill's lines in scope, before and after a plan (billing-rules §7)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from reconciler.connectwise.live import CatalogItem, LiveAddition
from reconciler.engine.model import DesiredAddition
from reconciler.engine.money import add, sum_of_products
from reconciler.plan.model import Totals

ZERO = Decimal(0)


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


def company_totals(
    in_scope: Iterable[LiveAddition],
    kept: Iterable[tuple[DesiredAddition, LiveAddition | None]],
    catalog: Mapping[str, CatalogItem],
) -> Totals:
    """One company's Σ quantity × unitPrice and Σ quantity × unitCost.

    Before: its cwbill lines in scope. After: its desired lines that will exist; with
    `send: quantity` the price is the live line's, or the catalog item's for a new line.
    """
    before = [(a.quantity or ZERO, a.unit_price or ZERO, a.unit_cost or ZERO) for a in in_scope]
    after = [(line.quantity or ZERO, *priced(line, existing, catalog)) for line, existing in kept]
    return Totals(
        billed_before=sum_of_products((quantity, price) for quantity, price, _ in before),
        billed_after=sum_of_products((quantity, price or ZERO) for quantity, price, _ in after),
        cost_before=sum_of_products((quantity, cost) for quantity, _, cost in before),
        cost_after=sum_of_products((quantity, cost or ZERO) for quantity, _, cost in after),
    )


def overall_totals(by_company: Iterable[Totals]) -> Totals:
    """The companies' totals summed, in the order given (the plan's: by company)."""
    companies = list(by_company)
    return Totals(
        billed_before=add(*(t.billed_before for t in companies)),
        billed_after=add(*(t.billed_after for t in companies)),
        cost_before=add(*(t.cost_before for t in companies)),
        cost_after=add(*(t.cost_after for t in companies)),
    )
