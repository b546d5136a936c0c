"""Plans built by hand for the renderer tests (the diff that builds real plans is tested elsewhere)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from reconciler.engine.model import PlanWarning
from reconciler.engine.periods import Period
from reconciler.plan.model import (
    Action,
    Change,
    Fingerprint,
    Plan,
    Reason,
    Selection,
    Summary,
    Totals,
)

NOV = Period(2026, 11)
OCT = Period(2026, 10)
AGREEMENT = "Managed Backup Service"


def fields(
    quantity: str,
    unit_price: str | None = "15.00",
    unit_cost: str | None = "8.00",
    period: Period = NOV,
    description: str | None = None,
) -> dict[str, str | None]:
    return {
        "quantity": quantity,
        "unitPrice": unit_price,
        "unitCost": unit_cost,
        "billCustomer": "Billable",
        "effectiveDate": str(period.first_day),
        "cancelledDate": str(period.last_day),
        "invoiceDescription": description,
    }


def create(company: str = "ACME", product: str = "MBS-SERVER", quantity: str = "4", **extra: str) -> Change:
    return Change(
        action=Action.CREATE,
        reason=Reason.NEW,
        company=company,
        configuration=extra.get("configuration", "licenses"),
        agreement_id=1,
        agreement_name=extra.get("agreement_name", AGREEMENT),
        product=product,
        period=NOV,
        addition_id=None,
        before=None,
        after=fields(quantity, description=extra.get("description")),
        serial_number="cwbill:licenses:0123abcd",
        product_id=101,
    )


def update() -> Change:
    before = fields("10", unit_price="5.00", unit_cost="2.50", period=OCT)
    after = {**before, "quantity": "12", "unitCost": "2.75"}
    return Change(
        action=Action.UPDATE,
        reason=Reason.DRIFT,
        company="ACME",
        configuration="licenses",
        agreement_id=1,
        agreement_name=AGREEMENT,
        product="MBS-DESKTOP",
        period=OCT,
        addition_id=12,
        before=before,
        after=after,
        changed=("quantity", "unitCost"),
        serial_number="cwbill:licenses:89abcdef",
        product_id=102,
    )


def delete(company: str = "ACME") -> Change:
    return Change(
        action=Action.DELETE,
        reason=Reason.ORPHAN,
        company=company,
        configuration="old-licenses",
        agreement_id=1,
        agreement_name=AGREEMENT,
        product="MBS-SERVER",
        period=NOV,
        addition_id=14,
        before=fields("3", description="Server for November 2026"),
        after=None,
    )


def adopt_marker_only() -> Change:
    live = fields("1", unit_price="40.00", unit_cost=None)
    return Change(
        action=Action.UPDATE,
        reason=Reason.ADOPT,
        company="BETA",
        configuration="storage",
        agreement_id=7,
        agreement_name="Backup",
        product="MBS-STORAGE",
        period=NOV,
        addition_id=30,
        before=live,
        after=live,
        changed=(),
        serial_number="cwbill:storage:00ff00ff",
    )


def plan_of(
    changes: tuple[Change, ...],
    warnings: tuple[PlanWarning, ...] = (),
    by_company: dict[str, Totals] | None = None,
) -> Plan:
    creates = sum(c.action is Action.CREATE for c in changes)
    updates = sum(c.action is Action.UPDATE for c in changes)
    deletes = sum(c.action is Action.DELETE for c in changes)
    by_company = (
        by_company
        if by_company is not None
        else {
            "ACME": Totals(Decimal("1234"), Decimal("1456.5"), Decimal("600"), Decimal("700.25")),
            "BETA": Totals(Decimal("40"), Decimal("40"), Decimal("0"), Decimal("0")),
        }
    )
    return Plan(
        selection=Selection(as_of=dt.date(2026, 11, 2), period=None, companies=(), adopt=False),
        periods=(OCT, NOV),
        changes=changes,
        warnings=warnings,
        summary=Summary(create=creates, update=updates, delete=deletes, unchanged=5, owned_in_scope=9),
        totals=Totals(Decimal("1274.00"), Decimal("1496.50"), Decimal("600.00"), Decimal("700.25")),
        totals_by_company=by_company,
        fingerprint=Fingerprint(
            repository={"settings.yaml": "a" * 64, "companies/acme.yaml": "b" * 64},
            usage="c" * 64,
            scope="as_of=2026-11-02;ACME/licenses=2026-10,2026-11",
            additions={12: "2026-11-01T10:00:00Z", 14: "2026-11-01T10:05:00Z", 100: "2026-10-03T08:00:00Z"},
            digest="d" * 64,
        ),
        currency="USD",
        unit_price_places=2,
        unowned=(55,),
    )


WARNING = PlanWarning(
    code="average-as-total",
    company="ACME",
    configuration="storage",
    message="nothing stored but restores billed: sent as total",
    period="2026-11",
)


def full_plan() -> Plan:
    """Creates, an update, a delete, a marker-only adoption and a warning."""
    return plan_of((create(), update(), delete(), adopt_marker_only()), (WARNING,))


def empty_plan(warnings: tuple[PlanWarning, ...] = ()) -> Plan:
    return plan_of((), warnings)
