"""compute_desired end to end: scope, dates, bill values, descriptions, usage gaps and plan errors."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from reconciler.config.load import load_repository
from reconciler.config.model import Bill, DescriptionMode, SendMode
from reconciler.engine.desired import compute_desired
from reconciler.engine.model import ConfigurationScope, DesiredAddition, DesiredResult
from reconciler.engine.periods import Period
from reconciler.errors import Location, Severity
from reconciler.usage.snapshot import load_usage
from tests.engine.builders import (
    D,
    agreement,
    company,
    configuration,
    record,
    repository,
    storage,
    usage,
)

date = dt.date
AS_OF = date(2026, 11, 2)  # manual configurations: 2026-10 and 2026-11; auto-billing: 2026-10
OCT, NOV = Period(2026, 10), Period(2026, 11)
ACME_USAGE = usage(
    record(
        "2026-10", licenses={"server": 3, "desktop": 12}, storage={"wasabi": storage("1234.5", "20", "2000")}
    ),
    record(
        "2026-11", licenses={"server": 4, "desktop": 12}, storage={"wasabi": storage("1300.25", "0", "2000")}
    ),
)
LICENSES = configuration("licenses", console_products=("server", "desktop"))
STORAGE = configuration("storage", console_products=("wasabi",), send=SendMode.TOTAL, auto_billing=True)


def _keys(result: DesiredResult) -> list[tuple[str, str, str, str]]:
    return [(a.company, a.configuration, a.product, str(a.period)) for a in result.additions]


def test_example_company_on_the_second_of_november() -> None:
    # licenses (manual, average): Oct server 3 → 3 × 15.00; desktop 12 × 5.00; Nov server 4, desktop 12.
    # storage (auto, total) only for Oct: 1234.5×0.02 + 20×0.01 + 2000×0.001 = 26.89; cost 7.28355 → 7.28.
    result = compute_desired(
        repository(company(LICENSES, STORAGE)), ACME_USAGE, {"ACME": [agreement(4)]}, AS_OF
    )
    assert result.errors == ()
    assert result.warnings == ()
    assert result.additions == (
        _addition("licenses", "MBS-DESKTOP", OCT, "12", "5.00", "2.50"),
        _addition("licenses", "MBS-DESKTOP", NOV, "12", "5.00", "2.50"),
        _addition("licenses", "MBS-SERVER", OCT, "3", "15.00", "8.00"),
        _addition("licenses", "MBS-SERVER", NOV, "4", "15.00", "8.00"),
        _addition("storage", "MBS-STORAGE", OCT, "1", "26.89", "7.28"),
    )
    assert result.scopes == (
        ConfigurationScope("ACME", "licenses", (OCT, NOV)),
        ConfigurationScope("ACME", "storage", (OCT,)),
    )


def _addition(
    name: str, product: str, period: Period, quantity: str, price: str | None, cost: str | None
) -> DesiredAddition:
    return DesiredAddition(
        company="ACME",
        configuration=name,
        agreement_id=4,
        product=product,
        period=period,
        quantity=D(quantity),
        unit_price=None if price is None else D(price),
        unit_cost=None if cost is None else D(cost),
        bill_customer="Billable",
        effective_date=period.first_day,
        cancelled_date=period.last_day,
        invoice_description=None,
    )


@pytest.mark.parametrize(
    ("as_of", "override", "expected"),
    [
        pytest.param(date(2026, 11, 1), None, [("storage", "2026-10")], id="auto-billing on day 1"),
        pytest.param(date(2026, 11, 3), None, [("storage", "2026-10")], id="auto-billing on day 3"),
        pytest.param(date(2026, 11, 4), None, [], id="auto-billing on day 4: nothing"),
        pytest.param(
            date(2026, 11, 20), OCT, [("storage", "2026-10")], id="--period re-sends a month on any day"
        ),
    ],
)
def test_auto_billing_scope(as_of: date, override: Period | None, expected: list[tuple[str, str]]) -> None:
    result = compute_desired(
        repository(company(STORAGE)), ACME_USAGE, {"ACME": [agreement()]}, as_of, override
    )
    assert [(a.configuration, str(a.period)) for a in result.additions] == expected
    assert result.scopes == (
        ConfigurationScope("ACME", "storage", tuple(Period.parse(p) for _, p in expected)),
    )


@pytest.mark.parametrize(
    ("as_of", "periods"),
    [
        pytest.param(date(2027, 1, 2), ("2026-12", "2027-01"), id="December to January"),
        pytest.param(date(2028, 3, 1), ("2028-02", "2028-03"), id="February of a leap year"),
    ],
)
def test_month_boundaries(as_of: date, periods: tuple[str, str]) -> None:
    months = usage(*(record(p, licenses={"server": 1}) for p in periods))
    result = compute_desired(repository(company(configuration())), months, {"ACME": [agreement()]}, as_of)
    assert [(a.period, a.effective_date, a.cancelled_date) for a in result.additions] == [
        (Period.parse(p), Period.parse(p).first_day, Period.parse(p).last_day) for p in periods
    ]
    if as_of.year == 2028:
        assert result.additions[0].cancelled_date == date(2028, 2, 29)


def test_billing_start_mid_month_clamps_and_skips() -> None:
    # DELTA's agreement bills from 2026-11-15: October is skipped with a warning, November starts on the 15th.
    late = agreement(9, start=date(2026, 11, 1), bill_start=date(2026, 11, 15))
    result = compute_desired(repository(company(LICENSES)), ACME_USAGE, {"ACME": [late]}, AS_OF)
    assert [(a.product, a.period, a.effective_date, a.cancelled_date) for a in result.additions] == [
        ("MBS-DESKTOP", NOV, date(2026, 11, 15), date(2026, 11, 30)),
        ("MBS-SERVER", NOV, date(2026, 11, 15), date(2026, 11, 30)),
    ]
    (warning,) = result.warnings
    assert (warning.code, warning.company, warning.configuration, warning.period) == (
        "period-skipped",
        "ACME",
        "licenses",
        "2026-10",
    )
    assert "MBS-DESKTOP, MBS-SERVER not billed" in warning.message
    assert "'Managed Backup Service' (id 9) bills from 2026-11-15" in warning.message
    assert "2026-10-31" in warning.message
    # the skipped period stays in scope: cwbill's own lines there cannot be valid either
    assert result.scopes == (ConfigurationScope("ACME", "licenses", (OCT, NOV)),)


def test_agreement_ending_mid_month_clamps_and_skips() -> None:
    ended = agreement(end=date(2026, 10, 20))
    result = compute_desired(repository(company(LICENSES)), ACME_USAGE, {"ACME": [ended]}, AS_OF)
    assert {(a.period, a.cancelled_date) for a in result.additions} == {(OCT, date(2026, 10, 20))}
    assert [(w.code, w.period) for w in result.warnings] == [("period-skipped", "2026-11")]
    assert "ended on 2026-10-20" in result.warnings[0].message


@pytest.mark.parametrize(
    ("bill", "bill_customer"),
    [
        pytest.param(Bill.BILLABLE, "Billable", id="billable"),
        pytest.param(Bill.DO_NOT_BILL, "DoNotBill", id="do-not-bill"),
        pytest.param(Bill.NO_CHARGE, "NoCharge", id="no-charge"),
    ],
)
def test_bill_customer(bill: Bill, bill_customer: str) -> None:
    chosen = configuration(bill=bill)
    result = compute_desired(repository(company(chosen)), ACME_USAGE, {"ACME": [agreement()]}, AS_OF, OCT)
    assert [a.bill_customer for a in result.additions] == [bill_customer]


SEND, FROM_PRODUCT = DescriptionMode.SEND, DescriptionMode.FROM_PRODUCT


@pytest.mark.parametrize(
    ("setting", "override", "template", "expected"),
    [
        pytest.param(FROM_PRODUCT, None, "{product}", [None, None], id="from-product sends nothing"),
        pytest.param(
            SEND,
            None,
            "{product} for {period}: {breakdown}",
            ["MBS-SERVER for October 2026: 3 × Server", "MBS-STORAGE for October 2026: 1234.5 GB Wasabi"],
            id="send renders the template",
        ),
        pytest.param(
            SEND,
            FROM_PRODUCT,
            "{product}",
            [None, None],
            id="a configuration can override send with from-product",
        ),
        pytest.param(
            FROM_PRODUCT,
            SEND,
            "{company}/{configuration}: {quantity}",
            ["ACME/mixed: 1", "ACME/mixed: 1"],
            id="a configuration can override from-product with send",
        ),
    ],
)
def test_invoice_description(
    setting: DescriptionMode, override: DescriptionMode | None, template: str, expected: list[str | None]
) -> None:
    mixed = configuration(
        "mixed", console_products=("server", "wasabi"), send=SendMode.TOTAL, invoice_description=override
    )
    month = usage(record(licenses={"server": 3}, storage={"wasabi": storage("1234.5")}))
    repo = repository(company(mixed), description=setting, template=template)
    result = compute_desired(repo, month, {"ACME": [agreement()]}, AS_OF, OCT)
    assert [a.invoice_description for a in result.additions] == expected


@pytest.mark.parametrize(
    ("filler", "refused"),
    [
        pytest.param("x" * (6000 - len("MBS-SERVER ")), False, id="6000 characters are sent"),
        pytest.param("x" * (6001 - len("MBS-SERVER ")), True, id="6001 characters are a plan error"),
        pytest.param("😀" * 2995, True, id="an emoji counts two, as ConnectWise counts (UTF-16)"),
    ],
)
def test_an_invoice_description_too_long_for_connectwise_is_a_located_plan_error(
    filler: str, refused: bool
) -> None:
    # "{product} " + filler: 11 + 2995 emoji = 3006 code points but 6001 UTF-16 code units
    repo = repository(company(configuration()), description=SEND, template="{product} " + filler)
    month = usage(record(licenses={"server": 3}))
    result = compute_desired(repo, month, {"ACME": [agreement()]}, AS_OF, OCT)
    if not refused:
        assert [len(a.invoice_description or "") for a in result.additions] == [6000]
        assert result.errors == ()
        return
    assert result.additions == (), "nothing is sent for a line ConnectWise would refuse"
    (found,) = result.errors
    assert (found.location, found.path) == (
        Location("billing/companies/acme.yaml", 4, 5),
        "configurations[0]",
    )
    assert "invoice description of MBS-SERVER for 2026-10" in found.message
    assert "is 6001 characters" in found.message and "at most 6000 (UTF-16 code units)" in found.message


def test_missing_usage_is_not_zero_usage() -> None:
    # Only October is known: November produces nothing, warns, and leaves the scope.
    october_only = usage(record("2026-10", licenses={"server": 3}))
    result = compute_desired(repository(company(LICENSES)), october_only, {"ACME": [agreement()]}, AS_OF)
    assert [(a.product, a.period) for a in result.additions] == [("MBS-SERVER", OCT)]
    (warning,) = result.warnings
    assert (warning.code, warning.period) == ("no-usage", "2026-11")
    assert warning.message == "no usage for Acme Corp in 2026-11; its lines are left as they are"
    assert result.scopes == (ConfigurationScope("ACME", "licenses", (OCT,)),)


def test_a_record_without_the_products_is_zero_usage() -> None:
    # A record exists but holds nothing for these products: no lines, but the period stays in scope
    # (so the reconciler deletes cwbill's lines of a product whose usage went to zero).
    empty = usage(record("2026-10"), record("2026-11"))
    result = compute_desired(repository(company(LICENSES)), empty, {"ACME": [agreement()]}, AS_OF)
    assert result.additions == ()
    assert result.warnings == ()
    assert result.scopes == (ConfigurationScope("ACME", "licenses", (OCT, NOV)),)


BETA = company(
    configuration("all-in-one", console_products=("server",)),
    identifier="BETA",
    console_company="Beta Logistics",
)


def test_plan_errors_are_located_and_block_only_their_configuration() -> None:
    # ACME's agreement is unknown; GAMMA is not in ConnectWise; BETA is fine.
    gamma = company(configuration("servers"), identifier="GAMMA", console_company="Gamma Health")
    repo = repository(company(LICENSES), BETA, gamma)
    both = usage(*ACME_USAGE.records.values(), record("2026-10", "Beta Logistics", licenses={"server": 2}))
    agreements = {"ACME": [agreement(1, name="Other")], "BETA": [agreement(2, company="BETA")]}
    result = compute_desired(repo, both, agreements, AS_OF, OCT)
    assert _keys(result) == [("BETA", "all-in-one", "MBS-SERVER", "2026-10")]
    assert [(f.location, f.path, f.severity) for f in result.errors] == [
        (Location("billing/companies/acme.yaml", 4, 5), "configurations[0].agreement", Severity.ERROR),
        (Location("billing/companies/gamma.yaml", 2, 10), "company", Severity.ERROR),
    ]
    assert "'Managed Backup Service' not found on company ACME" in result.errors[0].message
    assert result.errors[1].message == "company GAMMA not found in ConnectWise, or it has no agreements"
    assert result.scopes == (
        ConfigurationScope("ACME", "licenses", ()),
        ConfigurationScope("BETA", "all-in-one", (OCT,)),
        ConfigurationScope("GAMMA", "servers", ()),
    )


def test_ambiguous_agreement_is_an_error() -> None:
    twice = [agreement(3), agreement(8)]
    result = compute_desired(repository(company(LICENSES)), ACME_USAGE, {"ACME": twice}, AS_OF)
    assert result.additions == ()
    (finding,) = result.errors
    assert "ambiguous on company ACME: ids 3, 8" in finding.message


def test_agreement_named_by_id() -> None:
    by_id = configuration(agreement=5)
    result = compute_desired(
        repository(company(by_id)), ACME_USAGE, {"ACME": [agreement(5, name="X")]}, AS_OF, OCT
    )
    assert [a.agreement_id for a in result.additions] == [5]


@pytest.mark.parametrize(
    ("wanted", "companies"),
    [
        pytest.param(None, ["ACME", "BETA"], id="all companies by default"),
        pytest.param(["beta"], ["BETA"], id="a filter is case-insensitive"),
        pytest.param(["Acme", "BETA"], ["ACME", "BETA"], id="several companies"),
        pytest.param([], [], id="an empty filter selects nothing"),
    ],
)
def test_company_filter(wanted: list[str] | None, companies: list[str]) -> None:
    both = usage(*ACME_USAGE.records.values(), record("2026-10", "Beta Logistics", licenses={"server": 2}))
    agreements = {"ACME": [agreement(1)], "BETA": [agreement(2, company="BETA")]}
    result = compute_desired(repository(BETA, company(LICENSES)), both, agreements, AS_OF, OCT, wanted)
    assert sorted({a.company for a in result.additions}) == companies
    assert sorted({s.company for s in result.scopes}) == companies


def test_additions_are_sorted_by_company_agreement_product_period_configuration() -> None:
    result = compute_desired(
        repository(BETA, company(STORAGE, LICENSES)),
        usage(*ACME_USAGE.records.values(), record("2026-10", "Beta Logistics", licenses={"server": 2})),
        {"ACME": [agreement(4)], "BETA": [agreement(2, company="BETA")]},
        AS_OF,
    )
    keys = [(a.company, a.agreement_id, a.product, a.period, a.configuration) for a in result.additions]
    assert keys == sorted(keys)
    assert [k[0] for k in keys] == ["ACME"] * 5 + ["BETA"]


def test_the_engine_imports_no_io_library() -> None:
    code = (
        "import sys, reconciler.engine.desired, reconciler.engine.scope;print(' '.join(sorted(sys.modules)))"
    )
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    assert "reconciler.engine.desired" in loaded
    forbidden = {"httpx", "typer", "rich", "click", "pathlib", "shutil", "yaml", "jsonschema", "socket"}
    assert loaded & forbidden == set()


def test_the_worked_example_of_docs_billing() -> None:
    # docs/billing.md §6: the example repository and its usage files, as of 2026-11-02.
    billing = Path(__file__).resolve().parents[2] / "billing"
    repo, _ = load_repository(billing)
    assert repo is not None
    months, _ = load_usage(billing / "usage", repo)
    assert months is not None
    start = date(2026, 1, 1)
    agreements = {
        name: [agreement(number, company=name, start=start)]
        for number, name in enumerate(("ACME", "BETA", "GAMMA"), 1)
    }
    agreements["DELTA"] = [
        agreement(4, company="DELTA", start=date(2026, 11, 1), bill_start=date(2026, 11, 15))
    ]
    agreements["EPSILON"] = [agreement(5, company="EPSILON", start=start)]
    result = compute_desired(repo, months, agreements, AS_OF)
    lines = [
        (
            a.company,
            a.product,
            str(a.period),
            str(a.quantity),
            str(a.unit_price),
            str(a.unit_cost),
            a.bill_customer,
        )
        for a in result.additions
    ]
    assert lines == [
        ("ACME", "MBS-DESKTOP", "2026-10", "12", "5.00", "2.50", "Billable"),
        ("ACME", "MBS-DESKTOP", "2026-11", "12", "5.00", "2.50", "Billable"),
        ("ACME", "MBS-SERVER", "2026-10", "3", "15.00", "8.00", "Billable"),
        ("ACME", "MBS-SERVER", "2026-11", "4", "15.00", "8.00", "Billable"),
        ("ACME", "MBS-STORAGE", "2026-10", "1", "26.89", "7.28", "Billable"),
        ("BETA", "MBS-SERVER", "2026-10", "1", "30.00", "16.00", "Billable"),
        ("BETA", "MBS-SERVER", "2026-11", "1", "30.00", "16.00", "Billable"),
        ("BETA", "MBS-STORAGE", "2026-10", "1", "10.00", "2.95", "Billable"),
        ("BETA", "MBS-STORAGE", "2026-11", "1", "10.36", "3.03", "Billable"),  # 10.355 → 10.36
        ("DELTA", "MBS-DESKTOP", "2026-11", "8", "5.00", "2.50", "NoCharge"),
        ("DELTA", "MBS-SQL", "2026-11", "1", "0.00", "0.00", "NoCharge"),
        ("EPSILON", "MBS-STORAGE-TB", "2026-10", "1", "83.10", "49.76", "Billable"),
        ("GAMMA", "MBS-SERVER", "2026-10", "8", "None", "None", "DoNotBill"),
        ("GAMMA", "MBS-SERVER", "2026-11", "9", "None", "None", "DoNotBill"),
    ]
    assert {a.effective_date for a in result.additions if a.company == "DELTA"} == {date(2026, 11, 15)}
    assert [(w.code, w.company, w.period) for w in result.warnings] == [
        ("period-skipped", "DELTA", "2026-10")
    ]
    storage_line = next(a for a in result.additions if a.product == "MBS-STORAGE" and a.company == "ACME")
    assert storage_line.invoice_description == (
        "MBS-STORAGE for October 2026: 1234.5 GB Wasabi (20 GB restored, 2000 GB limit)"
    )
    assert {a.invoice_description for a in result.additions if a.company == "GAMMA"} == {None}
