"""Frozen billing repositories, agreements and usage built in code for engine and usage tests.

The YAML loader belongs to another module; these builders construct the model directly, with the
products and prices of the example repository (`billing/`) unless a test says otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from reconciler.config.model import (
    Bill,
    Company,
    Configuration,
    CostPrice,
    DescriptionMode,
    InvoiceSettings,
    Prices,
    Product,
    ProductKind,
    Repository,
    SendMode,
    Settings,
    StoragePrice,
    StorageUnit,
)
from reconciler.engine.model import AgreementInfo
from reconciler.engine.periods import Period
from reconciler.errors import Location
from reconciler.usage.model import StorageUsage, Usage, UsageRecord

D = Decimal
COMPANY_FILE = "billing/companies/acme.yaml"


def _product(key: str, kind: ProductKind, console: str, connectwise: str) -> Product:
    return Product(key, kind, console, connectwise, Location("billing/products.yaml", 1, 1))


LICENSE, STORAGE = ProductKind.LICENSE, ProductKind.STORAGE
PRODUCTS: dict[str, Product] = {
    p.key: p
    for p in (
        _product("server", LICENSE, "Server", "MBS-SERVER"),
        _product("vm", LICENSE, "VM Server", "MBS-SERVER"),
        _product("ultimate", LICENSE, "Ultimate", "MBS-SERVER"),
        _product("desktop", LICENSE, "Desktop", "MBS-DESKTOP"),
        _product("sql", LICENSE, "MS SQL Server", "MBS-SQL"),
        _product("wasabi", STORAGE, "Wasabi", "MBS-STORAGE"),
        _product("s3", STORAGE, "Amazon S3", "MBS-STORAGE-TB"),
    )
}

PRICES = Prices(
    licenses={
        "server": CostPrice(D("8.00"), D("15.00")),
        "vm": CostPrice(D("12.00"), D("22.50")),
        "ultimate": CostPrice(D("9.50"), D("18.00")),
        "desktop": CostPrice(D("2.50"), D("5.00")),
    },
    storage={
        "wasabi": StoragePrice(
            StorageUnit.GB,
            backup=CostPrice(D("0.0059"), D("0.02")),
            restore=CostPrice(D("0"), D("0.01")),
            limit=CostPrice(D("0"), D("0.001")),
        ),
        "s3": StoragePrice(
            StorageUnit.TB,
            backup=CostPrice(D("21.00"), D("35.00")),
            restore=CostPrice(D("5.00"), D("10.00")),
            limit=CostPrice(D("0"), D("0")),
        ),
    },
)


def remapped(connectwise: str, *keys: str) -> dict[str, Product]:
    """PRODUCTS with `keys` mapped to the catalog item `connectwise` instead."""
    return {
        key: _product(key, p.kind, p.console, connectwise) if key in keys else p
        for key, p in PRODUCTS.items()
    }


def configuration(
    name: str = "licenses",
    *,
    console_products: tuple[str, ...] = ("server",),
    connectwise_products: tuple[str, ...] | None = None,
    send: SendMode = SendMode.AVERAGE,
    bill: Bill = Bill.BILLABLE,
    auto_billing: bool = False,
    agreement: str | int = "Managed Backup Service",
    invoice_description: DescriptionMode | None = None,
    line: int = 4,
) -> Configuration:
    if connectwise_products is None:
        connectwise_products = tuple(sorted({PRODUCTS[k].connectwise for k in console_products}))
    return Configuration(
        name=name,
        agreement=agreement,
        bill=bill,
        auto_billing=auto_billing,
        console_products=console_products,
        connectwise_products=connectwise_products,
        send=send,
        location=Location(COMPANY_FILE, line, 5),
        invoice_description=invoice_description,
    )


def company(
    *configurations: Configuration, identifier: str = "ACME", console_company: str = "Acme Corp"
) -> Company:
    return Company(
        identifier=identifier,
        console_company=console_company,
        configurations=configurations or (configuration(),),
        location=Location(f"billing/companies/{identifier.lower()}.yaml", 2, 10),
    )


def repository(
    *companies: Company,
    products: Mapping[str, Product] = PRODUCTS,
    prices: Prices = PRICES,
    places: int = 2,
    description: DescriptionMode = DescriptionMode.FROM_PRODUCT,
    template: str = "{product} for {period}: {breakdown}",
) -> Repository:
    return Repository(
        settings=Settings(
            connectwise_url="https://cw.example/v4_6_release/apis/3.0",
            invoice=InvoiceSettings(description, template),
            unit_price_places=places,
        ),
        products=products,
        prices=prices,
        companies=companies or (company(),),
    )


def agreement(
    id: int = 1,
    *,
    name: str = "Managed Backup Service",
    company: str = "ACME",
    start: dt.date | None = dt.date(2026, 1, 1),
    bill_start: dt.date | None = None,
    end: dt.date | None = None,
    cancelled: bool = False,
    date_cancelled: dt.date | None = None,
) -> AgreementInfo:
    return AgreementInfo(id, name, company, start, bill_start, end, cancelled, date_cancelled)


def storage(stored: str = "0", restored: str = "0", limit: str = "0") -> StorageUsage:
    return StorageUsage(D(stored), D(restored), D(limit))


def record(
    period: str = "2026-10",
    console_company: str = "Acme Corp",
    licenses: Mapping[str, int] | None = None,
    storage: Mapping[str, StorageUsage] | None = None,
) -> UsageRecord:
    return UsageRecord(Period.parse(period), console_company, dict(licenses or {}), dict(storage or {}))


def usage(*records: UsageRecord) -> Usage:
    return Usage({(r.console_company, r.period): r for r in records})
