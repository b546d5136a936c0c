"""The products.yaml and prices.yaml entries an imported company needs and the repository lacks.

A catalog item no product maps gets a suggested key (the user's choice, so suggesting one is not a
guess) with its kind and console name left as TODOs. A rate is read off the lines only where the
line shows it exactly: an `average` line of one license product carries that product's price and
cost as its unitPrice and unitCost (billing-rules §4). Totals, storage and mapped-from-several lines
hide their rates, so those entries stay TODOs.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from decimal import Decimal

from reconciler.config.model import CostPrice, ProductKind, Repository, SendMode
from reconciler.connectwise.live import LiveAddition
from reconciler.importer.model import ImportedConfiguration, NewProduct, PriceEntry, Todo

ZERO = Decimal(0)
MAX_KEY = 64  # products.yaml keys: ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$
_NOT_KEY = re.compile(r"[^A-Za-z0-9._-]+")
_HIDDEN = {
    ProductKind.STORAGE: "the lines do not show the rates per unit stored, restored and of the limit",
    ProductKind.LICENSE: "a total (quantity 1) does not show how many licenses it bills",
}


def new_product(identifier: str, taken: Collection[str]) -> NewProduct:
    """A products.yaml entry for `identifier`, its key unlike every key in `taken`."""
    base = _NOT_KEY.sub("-", identifier).strip("-._").lower()[:MAX_KEY] or "product"
    key, number = base, 1
    while key in taken:
        number += 1
        key = f"{base[: MAX_KEY - len(str(number)) - 1]}-{number}"
    return NewProduct(
        key=key,
        connectwise=identifier,
        kind=Todo("a license type, or a storage account (ConnectWise does not say)", "license | storage"),
        console=Todo(
            "the product's name as the Management Console reports it (a license type such as Server, "
            "or a storage account's name)"
        ),
    )


def price_entries(
    configurations: Sequence[ImportedConfiguration],
    lines: Sequence[Sequence[LiveAddition]],
    repository: Repository,
    unmapped: dict[str, NewProduct],
    notes: list[str],
) -> tuple[PriceEntry, ...]:
    """One entry per console product the lines bill that prices.yaml lacks; differing rates noted."""
    entries: dict[str, PriceEntry] = {}
    for configuration, group in zip(configurations, lines, strict=True):
        for line in group:
            if line.product in unmapped:
                key = unmapped[line.product].key
                entries.setdefault(key, PriceEntry(key, None, Todo("rates of the new product above")))
                continue
            mapped = [k for k, p in repository.products.items() if p.connectwise == line.product]
            if len(mapped) != 1:
                continue  # mapped from several products: which rate is whose is not visible
            entry = _entry(mapped[0], configuration.send, line, repository, notes)
            if entry is not None:
                entries.setdefault(entry.key, entry)
    return tuple(entries[key] for key in sorted(entries))


def _entry(
    key: str, send: SendMode | Todo, line: LiveAddition, repository: Repository, notes: list[str]
) -> PriceEntry | None:
    kind = repository.products[key].kind
    shown = _shown_rate(kind, send, line)
    known = (
        repository.prices.licenses.get(key)
        if kind is ProductKind.LICENSE
        else repository.prices.storage.get(key)
    )
    if known is not None:
        if isinstance(known, CostPrice) and shown is not None and shown != known:
            notes.append(
                f"prices.yaml bills {key} at price {known.price}, cost {known.cost}; addition #{line.id} "
                f"at {shown.price}, {shown.cost}: --adopt will change the line's unitPrice/unitCost"
            )
        return None
    if send is SendMode.QUANTITY:
        return None  # the catalog price applies; prices.yaml is not read for this line
    if shown is not None:
        return PriceEntry(key, kind, shown, f"from addition #{line.id}")
    return PriceEntry(key, kind, Todo(_HIDDEN[kind], "{cost: …, price: …}"))


def _shown_rate(kind: ProductKind, send: SendMode | Todo, line: LiveAddition) -> CostPrice | None:
    """The exact per-license rate an `average` line of one license product carries, if any."""
    if kind is not ProductKind.LICENSE or send is not SendMode.AVERAGE or line.unit_price is None:
        return None
    return CostPrice(cost=line.unit_cost if line.unit_cost is not None else ZERO, price=line.unit_price)
