"""The diff: ownership, conflicts, adoption, duplicates, orphans and reasons (billing-rules §6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from reconciler.config.model import (
    Bill,
    Company,
    Configuration,
    Prices,
    Product,
    ProductKind,
    Repository,
    SendMode,
    Settings,
)
from reconciler.connectwise.live import CatalogItem, LiveAddition
from reconciler.engine.model import AgreementInfo, ConfigurationScope, DesiredAddition, DesiredResult
from reconciler.engine.periods import Period
from reconciler.errors import Location
from reconciler.plan.diff import LiveState, build_plan
from reconciler.plan.fields import desired_values, normalized
from reconciler.plan.marker import marker_for
from reconciler.plan.model import Action, Plan, Reason, Selection

OCT = Period(2026, 10)
NOV = Period(2026, 11)
SEP = Period(2026, 9)
HERE = Location("billing/companies/acme.yaml", 1, 1)


def configuration(name: str = "licenses", send: SendMode = SendMode.AVERAGE) -> Configuration:
    return Configuration(
        name=name,
        agreement="Managed Backup Service",
        bill=Bill.BILLABLE,
        auto_billing=False,
        console_products=("server",),
        connectwise_products=("MBS-SERVER",),
        send=send,
        location=HERE,
    )


def repository(*configurations: Configuration) -> Repository:
    return Repository(
        settings=Settings(connectwise_url="https://api-na.myconnectwise.net/v4_6_release/apis/3.0"),
        products={"server": Product("server", ProductKind.LICENSE, "Server", "MBS-SERVER", HERE)},
        prices=Prices(),
        companies=(Company("ACME", "Acme Corp", configurations or (configuration(),), HERE),),
        files=(("settings.yaml", "0" * 64),),
    )


AGREEMENT = AgreementInfo(1, "Managed Backup Service", "ACME", dt.date(2026, 1, 1), None, None)
CATALOG = {"MBS-SERVER": CatalogItem(7, "MBS-SERVER", Decimal("20.00"), Decimal("10.00"))}


def desired(
    period: Period = OCT, quantity: str = "3", price: str | None = "15.00", name: str = "licenses"
) -> DesiredAddition:
    return DesiredAddition(
        company="ACME",
        configuration=name,
        agreement_id=1,
        product="MBS-SERVER",
        period=period,
        quantity=Decimal(quantity),
        unit_price=Decimal(price) if price else None,
        unit_cost=Decimal("8.00") if price else None,
        bill_customer="Billable",
        effective_date=period.first_day,
        cancelled_date=period.last_day,
        invoice_description=None,
    )


def live(
    addition_id: int,
    period: Period = OCT,
    quantity: str = "3",
    price: str = "15.00",
    serial: str | None = "mark",
    written: DesiredAddition | None = None,
    name: str = "licenses",
) -> LiveAddition:
    if serial == "mark":  # cwbill's marker with the digest of what it wrote
        serial = marker_for(
            name, normalized(desired_values(written or desired(period, quantity, price, name)))
        )
    return LiveAddition(
        id=addition_id,
        agreement_id=1,
        product="MBS-SERVER",
        quantity=Decimal(quantity),
        unit_price=Decimal(price),
        unit_cost=Decimal("8.00"),
        bill_customer="Billable",
        effective_date=period.first_day,
        cancelled_date=period.last_day,
        invoice_description=None,
        serial_number=serial,
        last_updated="2026-11-01T00:00:00Z",
    )


def plan_for(
    wanted: list[DesiredAddition],
    existing: list[LiveAddition],
    *,
    adopt: bool = False,
    repo: Repository | None = None,
    periods: tuple[Period, ...] = (OCT, NOV),
) -> Plan:
    repo = repo or repository()
    scopes = tuple(ConfigurationScope("ACME", c.name, periods) for c in repo.companies[0].configurations)
    result = DesiredResult(tuple(wanted), (), scopes)
    state = LiveState({1: AGREEMENT}, tuple(existing), CATALOG)
    return build_plan(repo, result, state, Selection(as_of=dt.date(2026, 11, 9), adopt=adopt), "usage-digest")


def actions(plan: Plan) -> list[tuple[str, str, int | None]]:
    return [(c.action.value, c.reason.value, c.addition_id) for c in plan.changes]


def test_a_missing_line_is_created_with_the_marker_and_catalog_id() -> None:
    plan = plan_for([desired()], [])
    (change,) = plan.changes
    assert (change.action, change.reason, change.product_id) == (Action.CREATE, Reason.NEW, 7)
    assert change.after == {
        "quantity": "3",
        "unitPrice": "15.00",
        "unitCost": "8.00",
        "billCustomer": "Billable",
        "effectiveDate": "2026-10-01",
        "cancelledDate": "2026-10-31",
    }
    assert change.serial_number is not None and change.serial_number.startswith("cwbill:licenses:")


def test_equal_values_with_other_decimal_places_are_no_change() -> None:
    existing = live(5, quantity="3.0000", price="15.0000")
    plan = plan_for([desired()], [existing])
    assert plan.changes == ()
    assert plan.summary.unchanged == 1


def test_a_wrong_digest_alone_is_no_change() -> None:
    plan = plan_for([desired()], [live(5, serial="cwbill:licenses:00000000")])
    assert plan.changes == ()


@pytest.mark.parametrize(
    ("written_quantity", "reason"),
    [("4", Reason.CHANGED), ("3", Reason.DRIFT)],
    ids=["usage changed since cwbill wrote 4", "someone edited cwbill's 3 into 4"],
)
def test_updates_send_only_changed_fields_with_the_right_reason(
    written_quantity: str, reason: Reason
) -> None:
    existing = live(5, quantity="4", written=desired(quantity=written_quantity))
    plan = plan_for([desired(quantity="3")], [existing])
    (change,) = plan.changes
    assert (change.action, change.reason, change.addition_id) == (Action.UPDATE, reason, 5)
    assert change.changed == ("quantity",)
    assert change.before is not None and change.before["quantity"] == "4"
    assert change.after is not None and change.after["quantity"] == "3"


def test_duplicates_keep_the_lowest_id() -> None:
    plan = plan_for([desired()], [live(9), live(5), live(7)])
    assert actions(plan) == [("delete", "duplicate", 7), ("delete", "duplicate", 9)]


def test_lines_nothing_wants_are_removed_but_closed_months_are_untouched() -> None:
    plan = plan_for([], [live(5), live(6, period=SEP)])
    assert actions(plan) == [("delete", "removed", 5)]


def test_a_renamed_configuration_deletes_the_old_lines_and_creates_new_ones() -> None:
    repo = repository(configuration("server-licenses"))
    plan = plan_for([desired(name="server-licenses")], [live(5, name="licenses")], repo=repo)
    assert actions(plan) == [("create", "new", None), ("delete", "orphan", 5)]


def test_an_unmarked_line_with_the_same_key_is_a_conflict_without_adopt() -> None:
    plan = plan_for([desired()], [live(5, serial=None)])
    assert plan.changes == ()
    (warning,) = plan.warnings
    assert warning.code == "unowned-conflict"
    assert "#5" in warning.message


def test_adopt_writes_the_marker_and_differing_fields() -> None:
    plan = plan_for([desired(quantity="3")], [live(5, quantity="2", serial=None)], adopt=True)
    (change,) = plan.changes
    assert (change.action, change.reason, change.changed) == (Action.UPDATE, Reason.ADOPT, ("quantity",))
    assert change.serial_number is not None and change.serial_number.startswith("cwbill:licenses:")


def test_unmarked_lines_without_a_desired_twin_are_never_touched() -> None:
    plan = plan_for([], [live(5, serial=None), live(6, serial="INV-2026-0001")])
    assert plan.changes == ()
    assert plan.unowned == (5, 6)


def test_send_quantity_does_not_manage_prices() -> None:
    repo = repository(configuration(send=SendMode.QUANTITY))
    wanted = desired(quantity="3", price=None)
    existing = live(5, quantity="3", price="99.00", written=wanted)
    plan = plan_for([wanted], [existing], repo=repo)
    assert plan.changes == ()


def test_billed_totals_before_and_after() -> None:
    plan = plan_for([desired(quantity="3"), desired(NOV, quantity="4")], [live(5, quantity="2")])
    # before: 2 × 15.00 = 30.00; after: 3 × 15.00 + 4 × 15.00 = 105.00
    assert plan.totals.billed_before == Decimal("30.00")
    assert plan.totals.billed_after == Decimal("105.00")
    assert plan.summary.create == 1 and plan.summary.update == 1


def test_the_plan_is_ordered_and_deterministic() -> None:
    first = plan_for([desired(NOV), desired(OCT)], [live(9, period=NOV, quantity="1")])
    second = plan_for([desired(OCT), desired(NOV)], [live(9, period=NOV, quantity="1")])
    assert first == second
    assert [c.period for c in first.changes] == [OCT, NOV]
