"""Live additions and import inputs built by hand, against the example repository."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from reconciler.config.load import load_repository
from reconciler.config.model import Repository
from reconciler.connectwise.live import LiveAddition
from reconciler.engine.model import AgreementInfo
from reconciler.engine.periods import Period
from reconciler.importer.model import CatalogEntry, ImportInput
from tests.conftest import EXAMPLE_BILLING

OCT = Period(2026, 10)
JAN = dt.date(2026, 1, 1)
MBS = AgreementInfo(1, "Managed Backup Service", "ACME", JAN, JAN, None)
CATALOG = {
    "MBS-SERVER": CatalogEntry(
        "MBS-SERVER", Decimal("20.00"), Decimal("10.00"), "Managed backup of a server"
    ),
    "MBS-DESKTOP": CatalogEntry(
        "MBS-DESKTOP", Decimal("6.00"), Decimal("3.00"), "Managed backup of a desktop"
    ),
    "MBS-STORAGE": CatalogEntry("MBS-STORAGE", Decimal("0.025"), Decimal("0.006"), "Cloud storage"),
}


def example_repository() -> Repository:
    repository, findings = load_repository(EXAMPLE_BILLING)
    assert repository is not None, findings
    return repository


def addition(
    id: int,
    product: str,
    quantity: str,
    price: str | None = None,
    cost: str | None = None,
    *,
    bill: str | None = "Billable",
    serial: str | None = None,
    description: str | None = None,
    agreement: int = 1,
) -> LiveAddition:
    return LiveAddition(
        id=id,
        agreement_id=agreement,
        product=product,
        quantity=Decimal(quantity),
        unit_price=None if price is None else Decimal(price),
        unit_cost=None if cost is None else Decimal(cost),
        bill_customer=bill,
        effective_date=OCT.first_day,
        cancelled_date=OCT.last_day,
        invoice_description=description,
        serial_number=serial,
        last_updated="2026-10-02T00:00:00Z",
    )


def inputs(
    *additions: LiveAddition, agreements: tuple[AgreementInfo, ...] = (MBS,), name: str = "Acme Corp"
) -> ImportInput:
    return ImportInput("ACME", name, OCT, agreements, agreements, additions, CATALOG)
