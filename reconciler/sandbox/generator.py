"""The benchmark's generated world: N companies × M months of cwbill-marked history, and their usage.

Shape (deterministic for a given (companies, months, seed, last period)): catalog items MBS-SERVER,
MBS-VM, MBS-DESKTOP, MBS-SQL (licenses) and MBS-STORAGE (GB); companies `C00001…` named
`Company 00001…` (the same name in the console), each with one agreement "Managed Backup Service"
whose billing starts on the first generated month; per company and month, random usage and the
additions cwbill would have written for it with two configurations, `licenses` (the four license
products) and `storage` (Wasabi), both `send: quantity`, billable, `invoice_description: from-product`
— each marked with the real digest of its fields, so a plan over them finds them right.
`billing_files` writes the matching billing repository. 2,000 companies × 12 months (≈ 115,000
additions) build in a few seconds: records are made directly, not through the API's validation.
"""

from __future__ import annotations

import functools
import gc
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from reconciler.engine.money import normalize
from reconciler.engine.periods import Period
from reconciler.plan.marker import marker_for
from reconciler.sandbox.mbs_data import ConsoleCompany, ConsoleMonth, StorageAmounts, build_console
from reconciler.sandbox.state import SEED_USER, Record, Store

AGREEMENT: Final = "Managed Backup Service"
LAST_PERIOD: Final = Period(2026, 10)


@dataclass(frozen=True, slots=True)
class Product:
    key: str  # products.yaml key
    identifier: str  # ConnectWise catalog identifier
    console: str  # console license type or storage account name
    storage: bool
    price: Decimal
    cost: Decimal


PRODUCTS: Final = (
    Product("server", "MBS-SERVER", "Server", False, Decimal("20.00"), Decimal("10.00")),
    Product("vm", "MBS-VM", "VM Server", False, Decimal("25.00"), Decimal("12.00")),
    Product("desktop", "MBS-DESKTOP", "Desktop", False, Decimal("6.00"), Decimal("3.00")),
    Product("sql", "MBS-SQL", "MS SQL Server", False, Decimal("4.00"), Decimal("2.00")),
    Product("wasabi", "MBS-STORAGE", "Wasabi", True, Decimal("0.025"), Decimal("0.006")),
)


@dataclass(frozen=True, slots=True)
class GeneratorSpec:
    companies: int
    months: int
    seed: int = 0
    last_period: Period = LAST_PERIOD  # the newest month of history

    def __post_init__(self) -> None:
        if self.companies < 0 or self.months < 0:
            raise ValueError("companies and months must not be negative")

    @property
    def periods(self) -> list[Period]:
        periods = [self.last_period]
        while len(periods) < self.months:
            periods.append(periods[-1].previous())
        return list(reversed(periods[: self.months]))


def generate(spec: GeneratorSpec) -> Store:
    # 10^5 small acyclic dicts: the cyclic GC would rescan them again and again while they are
    # built (half the time); nothing here makes a cycle, so it is paused for the build.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _generate(spec)
    finally:
        if was_enabled:
            gc.enable()


def _generate(spec: GeneratorSpec) -> Store:
    rng = random.Random(spec.seed)  # noqa: S311  # reproducible test data, not cryptography
    store = Store()
    items = {p.identifier: _catalog_item(store, p) for p in PRODUCTS}
    periods = spec.periods
    start = f"{periods[0].first_day.isoformat()}T00:00:00Z" if periods else "2026-01-01T00:00:00Z"
    type_id = store.agreement_type_id(AGREEMENT)
    console: list[ConsoleCompany] = []
    for number in range(1, spec.companies + 1):
        name = f"Company {number:05d}"
        company = store.insert("companies", {"identifier": f"C{number:05d}", "name": name}, SEED_USER)
        agreement = store.insert("agreements", _agreement(company, type_id, start), SEED_USER)
        months = tuple(_month(rng, period) for period in periods)
        sequence = 0
        for month in months:
            for product, quantity in _lines(month):
                sequence += 1
                addition = _addition(agreement, items[product.identifier], product, month, quantity)
                store.insert("additions", {**addition, "sequenceNumber": Decimal(sequence)}, SEED_USER)
        console.append(ConsoleCompany(name, months))
    store.console = build_console(console)
    return store


def _catalog_item(store: Store, product: Product) -> Record:
    return store.insert(
        "catalog",
        {
            "identifier": product.identifier,
            "description": f"Managed Backup - {product.console}",
            "customerDescription": f"Managed backup: {product.console}",
            "price": product.price,
            "cost": product.cost,
            "inactiveFlag": False,
            "productClass": "NonInventory",
            "taxableFlag": False,
            "unitOfMeasure": "GB" if product.storage else "Each",
        },
        SEED_USER,
    )


def _agreement(company: Record, type_id: int, start: str) -> Record:
    return {
        "name": AGREEMENT,
        "typeId": type_id,
        "companyId": company["id"],
        "startDate": start,
        "endDate": None,
        "billStartDate": start,
        "cancelledFlag": False,
        "dateCancelled": None,
        "reasonCancelled": None,
        "prorateFlag": False,
        "invoiceDescription": None,
        "agreementStatus": "Active",
    }


def _month(rng: random.Random, period: Period) -> ConsoleMonth:
    licenses = {p.console: rng.randint(0, 10) for p in PRODUCTS if not p.storage}
    stored = Decimal(rng.randint(0, 500_000)) / 100
    restored = Decimal(rng.randint(0, 2_000)) / 100 if rng.random() < 0.2 else Decimal(0)
    limit = Decimal(rng.choice((0, 0, 1000, 2000)))
    return ConsoleMonth(str(period), licenses, {"Wasabi": StorageAmounts(stored, restored, limit)})


def _lines(month: ConsoleMonth) -> list[tuple[Product, Decimal]]:
    lines: list[tuple[Product, Decimal]] = []
    for product in PRODUCTS:
        units = (
            month.storage["Wasabi"].stored if product.storage else Decimal(month.licenses[product.console])
        )
        if units > 0:  # billing-rules §4: `quantity` with no units is not desired
            lines.append((product, units))
    return lines


@functools.lru_cache(maxsize=4096)
def _dates(period_text: str) -> tuple[str, str]:
    period = Period.parse(period_text)
    return period.first_day.isoformat(), period.last_day.isoformat()


@functools.lru_cache(maxsize=8192)
def _marker(configuration: str, quantity: str, period_text: str) -> str:
    # License lines repeat (few quantities × few months): cache the digest of their fields.
    first, last = _dates(period_text)
    fields = {"quantity": quantity, "billCustomer": "Billable", "effectiveDate": first, "cancelledDate": last}
    return marker_for(configuration, fields)


def _addition(
    agreement: Record, item: Record, product: Product, month: ConsoleMonth, quantity: Decimal
) -> Record:
    first, last = _dates(month.period)
    fields = {"effectiveDate": first, "cancelledDate": last}
    configuration = "storage" if product.storage else "licenses"
    return {
        "product": {"id": item["id"]},
        "quantity": quantity,
        "lessIncluded": Decimal(0),
        "unitPrice": item["price"],
        "unitCost": item["cost"],
        "billCustomer": "Billable",
        "effectiveDate": f"{fields['effectiveDate']}T00:00:00Z",
        "cancelledDate": f"{fields['cancelledDate']}T00:00:00Z",
        "taxableFlag": False,
        "serialNumber": _marker(configuration, normalize(quantity), month.period),
        "invoiceDescription": item["customerDescription"],
        "purchaseItemFlag": False,
        "specialOrderFlag": False,
        "description": item["description"],
        "uom": item["unitOfMeasure"],
        "sequenceNumber": None,
        "prorateCurrentPeriodFlag": False,
        "opportunity": None,
        "invoiceGrouping": None,
        "customFields": [],
        "agreementId": agreement["id"],
    }


def billing_files(spec: GeneratorSpec) -> dict[str, str]:
    """The billing repository that matches `generate(spec)`: relative path → YAML text."""
    products = "products:\n" + "".join(
        f"  {p.key}:\n    kind: {'storage' if p.storage else 'license'}\n"
        f"    console: {p.console}\n    connectwise: {p.identifier}\n"
        for p in PRODUCTS
    )
    prices = "licenses:\n" + "".join(
        f"  {p.key}: {{cost: {p.cost}, price: {p.price}}}\n" for p in PRODUCTS if not p.storage
    )
    prices += (
        "storage:\n  wasabi:\n    unit: GB\n    backup: {cost: 0.006, price: 0.025}\n"
        "    restore: {cost: 0, price: 0}\n    limit: {cost: 0, price: 0}\n"
    )
    settings = (
        "connectwise:\n  url: https://api-na.myconnectwise.net/v4_6_release/apis/3.0\n"
        "console:\n  url: https://api.mspbackups.com\ncurrency: USD\n"
        'invoice:\n  description: from-product\n  template: "{product} for {period}: {breakdown}"\n'
        "rounding:\n  unit_price: 2\n"
        "safety:\n  max_update_percent: 30\n  max_delete_percent: 10\n  min_existing: 10\n"
        "  max_amount_change_percent: 25\n"
    )
    files = {"settings.yaml": settings, "products.yaml": products, "prices.yaml": prices}
    licenses = ", ".join(p.key for p in PRODUCTS if not p.storage)
    for number in range(1, spec.companies + 1):
        files[f"companies/c{number:05d}.yaml"] = (
            f"company: C{number:05d}\nconsole_company: Company {number:05d}\nconfigurations:\n"
            f"  - name: licenses\n    agreement: {AGREEMENT}\n    bill: billable\n    auto_billing: false\n"
            f"    console_products: [{licenses}]\n    send: quantity\n"
            f"  - name: storage\n    agreement: {AGREEMENT}\n    bill: billable\n    auto_billing: false\n"
            f"    console_products: [wasabi]\n    send: quantity\n"
        )
    return files
