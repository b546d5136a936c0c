"""Resolving a configuration's agreement, and clamping a period to its billing window (§5)."""

from __future__ import annotations

import datetime as dt

import pytest

from reconciler.engine.agreements import BillingDates, Skip, billing_dates, resolve_agreement
from reconciler.engine.model import AgreementInfo
from reconciler.engine.periods import Period
from reconciler.errors import Finding, Location
from tests.engine.builders import COMPANY_FILE, agreement, company, configuration

date = dt.date


@pytest.mark.parametrize(
    ("info", "period", "effective", "cancelled"),
    [
        pytest.param(agreement(), "2026-10", date(2026, 10, 1), date(2026, 10, 31), id="the whole month"),
        pytest.param(
            agreement(start=date(2026, 11, 1), bill_start=date(2026, 11, 15)),
            "2026-11",
            date(2026, 11, 15),
            date(2026, 11, 30),
            id="effective date clamped to the billing start",
        ),
        pytest.param(
            agreement(start=date(2026, 11, 15)),
            "2026-11",
            date(2026, 11, 15),
            date(2026, 11, 30),
            id="start date is the billing start when billStartDate is absent",
        ),
        pytest.param(
            agreement(end=date(2026, 10, 20)),
            "2026-10",
            date(2026, 10, 1),
            date(2026, 10, 20),
            id="cancelled date clamped to the agreement's end",
        ),
        pytest.param(
            agreement(end=date(2026, 10, 1)),
            "2026-10",
            date(2026, 10, 1),
            date(2026, 10, 1),
            id="ends on day one",
        ),
        pytest.param(
            agreement(start=None), "2026-10", date(2026, 10, 1), date(2026, 10, 31), id="no start date at all"
        ),
        pytest.param(
            agreement(cancelled=True, date_cancelled=date(2026, 10, 15)),
            "2026-10",
            date(2026, 10, 1),
            date(2026, 10, 31),
            id="cancelled during the period still takes it",
        ),
        pytest.param(
            agreement(), "2028-02", date(2028, 2, 1), date(2028, 2, 29), id="February of a leap year"
        ),
        pytest.param(
            agreement(), "2027-02", date(2027, 2, 1), date(2027, 2, 28), id="February of a common year"
        ),
        pytest.param(agreement(), "2026-12", date(2026, 12, 1), date(2026, 12, 31), id="December"),
    ],
)
def test_billing_dates(info: AgreementInfo, period: str, effective: date, cancelled: date) -> None:
    assert billing_dates(info, Period.parse(period)) == BillingDates(effective, cancelled)


@pytest.mark.parametrize(
    ("info", "period", "words"),
    [
        pytest.param(
            agreement(4, start=date(2026, 11, 1), bill_start=date(2026, 11, 15)),
            "2026-10",
            ("'Managed Backup Service' (id 4)", "bills from 2026-11-15", "October 2026", "2026-10-31"),
            id="billing starts after the period",
        ),
        pytest.param(
            agreement(end=date(2026, 9, 30)),
            "2026-10",
            ("(id 1)", "ended on 2026-09-30", "2026-10-01"),
            id="agreement ended before the period",
        ),
        pytest.param(
            agreement(cancelled=True, date_cancelled=date(2026, 9, 15)),
            "2026-10",
            ("cancelled on 2026-09-15", "2026-10-01"),
            id="agreement cancelled before the period",
        ),
        pytest.param(
            agreement(cancelled=True),
            "2026-10",
            ("cancelled (no cancellation date)",),
            id="cancelled with no date",
        ),
        pytest.param(
            agreement(start=date(2026, 10, 20), end=date(2026, 10, 10)),
            "2026-10",
            ("bills from 2026-10-20 but ended on 2026-10-10",),
            id="agreement that ends before its billing starts",
        ),
    ],
)
def test_periods_the_agreement_cannot_take_are_skipped(
    info: AgreementInfo, period: str, words: tuple[str, ...]
) -> None:
    skipped = billing_dates(info, Period.parse(period))
    assert isinstance(skipped, Skip)
    for word in words:
        assert word in skipped.reason


TWO = company(configuration("first"), configuration("second", agreement=7, line=12))


@pytest.mark.parametrize(
    ("index", "agreements", "found"),
    [
        pytest.param(0, [agreement(3, name="Other"), agreement(4)], 4, id="by exact name"),
        pytest.param(1, [agreement(3), agreement(7, name="Renamed")], 7, id="by id, whatever its name"),
    ],
)
def test_resolve_finds_the_agreement(index: int, agreements: list[AgreementInfo], found: int) -> None:
    resolved = resolve_agreement(TWO, index, agreements)
    assert isinstance(resolved, AgreementInfo)
    assert resolved.id == found


@pytest.mark.parametrize(
    ("index", "agreements", "words"),
    [
        pytest.param(
            0,
            [agreement(3, name="Other")],
            ("'Managed Backup Service' not found on company ACME", "its agreements: 'Other' (id 3)"),
            id="unknown name",
        ),
        pytest.param(
            0,
            [agreement(3, name="managed backup service")],
            ("did you mean 'managed backup service'?",),
            id="names are exact, with a hint for another case",
        ),
        pytest.param(
            0,
            [agreement(9), agreement(3)],
            ("'Managed Backup Service' is ambiguous on company ACME: ids 3, 9", "by its id"),
            id="ambiguous name lists the ids",
        ),
        pytest.param(
            1, [agreement(3)], ("agreement id 7 is not an agreement of company ACME",), id="unknown id"
        ),
        pytest.param(0, [], ("the company has no agreements",), id="a company without agreements"),
    ],
)
def test_resolve_reports_a_located_error(
    index: int, agreements: list[AgreementInfo], words: tuple[str, ...]
) -> None:
    resolved = resolve_agreement(TWO, index, agreements)
    assert isinstance(resolved, Finding)
    assert resolved.location == Location(COMPANY_FILE, TWO.configurations[index].location.line, 5)
    assert resolved.path == f"configurations[{index}].agreement"
    for word in words:
        assert word in resolved.message
