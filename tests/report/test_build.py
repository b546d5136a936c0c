"""build_report: the engine's lines of the periods in scope, compared with the previous month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from reconciler.engine.periods import Period
from reconciler.errors import Finding
from reconciler.plan.model import Selection
from reconciler.report.build import build_report
from reconciler.report.model import Report, ReportLine
from reconciler.report.tables import billed_total
from tests.conftest import edit
from tests.report.builders import AS_OF, CATALOG, agreements, example, example_report

OCT, NOV = Period(2026, 10), Period(2026, 11)


def line(report: Report, company: str, product: str, period: Period) -> ReportLine:
    (found,) = [r for r in report.lines if (r.company, r.product, r.period) == (company, product, period)]
    return found


@pytest.mark.parametrize(
    ("company", "product", "period", "billed", "previous", "change"),
    [
        pytest.param("ACME", "MBS-SERVER", NOV, "60", "45", "15", id="4 servers at 15.00 after 3"),
        pytest.param("ACME", "MBS-SERVER", OCT, "45", None, None, id="no usage for September: unknown"),
        pytest.param(
            "GAMMA", "MBS-SERVER", NOV, "180.00", "160.00", "20.00", id="send quantity at the catalog price"
        ),
        pytest.param(
            "DELTA", "MBS-DESKTOP", NOV, "40", "0", "40", id="October was skipped: it billed nothing"
        ),
        pytest.param(
            "BETA", "MBS-STORAGE", NOV, "10.36", "10.00", "0.36", id="a total, storage and restores"
        ),
    ],
)
def test_lines_carry_their_amounts_and_the_previous_month(
    company: str, product: str, period: Period, billed: str, previous: str | None, change: str | None
) -> None:
    found = line(example_report(), company, product, period)
    assert found.billed == Decimal(billed)
    assert found.previous_billed == (None if previous is None else Decimal(previous))
    assert found.change == (None if change is None else Decimal(change))


def test_the_scope_is_the_plans() -> None:
    report = example_report()
    assert report.periods == (OCT, NOV)
    # auto-billing storage is not in scope in November (it is sent on December 1-3)
    assert [r.configuration for r in report.lines if r.company == "ACME" and r.period == NOV] == [
        "licenses",
        "licenses",
    ]
    assert billed_total(report) == Decimal("795.35")


@pytest.mark.parametrize(
    ("selection", "periods", "companies"),
    [
        pytest.param(
            Selection(AS_OF, period=NOV), (NOV,), {"ACME", "BETA", "DELTA", "EPSILON", "GAMMA"}, id="--period"
        ),
        pytest.param(Selection(AS_OF, companies=("gamma",)), (OCT, NOV), {"GAMMA"}, id="--company, any case"),
        pytest.param(
            Selection(dt.date(2026, 11, 20)),
            (OCT, NOV),
            {"ACME", "BETA", "DELTA", "GAMMA"},
            id="day 20: no auto-billing",
        ),
    ],
)
def test_the_selection_decides_periods_and_companies(
    selection: Selection, periods: tuple[Period, ...], companies: set[str]
) -> None:
    report = example_report(selection)
    assert report.periods == periods
    assert {r.company for r in report.lines} == companies


def test_the_history_covers_every_month_with_usage_and_every_configuration() -> None:
    history = {(m.period, m.company): m.billed for m in example_report().history}
    assert history[(NOV, "ACME")] == Decimal("148.01")  # licenses 120 + storage 28.01, in scope or not
    assert (OCT, "DELTA") not in history  # skipped: nothing billed
    assert history[(OCT, "EPSILON")] == Decimal("83.10")


def test_a_line_the_previous_month_billed_shows_as_gone(billing_copy: Path) -> None:
    edit(
        billing_copy / "usage" / "2026-11.yaml", "licenses: {server: 4, desktop: 12}", "licenses: {server: 4}"
    )
    report = example_report(root=billing_copy)
    gone = line(report, "ACME", "MBS-DESKTOP", NOV)
    assert gone.current is None
    assert (gone.billed, gone.previous_billed, gone.change) == (Decimal(0), Decimal(60), Decimal(-60))


def test_a_price_the_catalog_does_not_give_is_unknown_not_invented() -> None:
    repository, usage = example()
    report = build_report(repository, usage, agreements(repository), {}, Selection(AS_OF))
    assert isinstance(report, Report)
    gamma = line(report, "GAMMA", "MBS-SERVER", NOV)
    assert gamma.current is not None and gamma.current.unit_price is None
    assert gamma.billed == 0 and gamma.catalog_price


def test_an_unresolvable_agreement_is_a_located_error() -> None:
    repository, usage = example()
    found = agreements(repository)
    del found["BETA"]
    result = build_report(repository, usage, found, CATALOG, Selection(AS_OF))
    assert isinstance(result, tuple)
    (problem,) = result
    assert isinstance(problem, Finding)
    assert problem.location.file.endswith("beta.yaml")
    assert "BETA not found in ConnectWise" in problem.message
