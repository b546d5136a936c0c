"""Which periods a configuration may touch (billing-rules §5)."""

from __future__ import annotations

import datetime as dt

import pytest

from reconciler.config.model import Configuration
from reconciler.engine.periods import Period
from reconciler.engine.scope import periods_in_scope
from tests.engine.builders import configuration

AUTO = configuration(auto_billing=True)
MANUAL = configuration(auto_billing=False)


def _periods(*texts: str) -> tuple[Period, ...]:
    return tuple(Period.parse(t) for t in texts)


@pytest.mark.parametrize(
    ("auto_billing", "as_of", "expected"),
    [
        pytest.param(
            True, dt.date(2026, 11, 1), ("2026-10",), id="auto-billing on day 1 sends the previous month"
        ),
        pytest.param(True, dt.date(2026, 11, 3), ("2026-10",), id="auto-billing on day 3 still sends it"),
        pytest.param(True, dt.date(2026, 11, 4), (), id="auto-billing on day 4 touches nothing"),
        pytest.param(
            True, dt.date(2026, 11, 30), (), id="auto-billing at the end of the month touches nothing"
        ),
        pytest.param(True, dt.date(2027, 1, 2), ("2026-12",), id="auto-billing in January sends December"),
        pytest.param(
            True,
            dt.date(2028, 3, 1),
            ("2028-02",),
            id="auto-billing on 1 March of a leap year sends February",
        ),
        pytest.param(
            False, dt.date(2026, 11, 2), ("2026-10", "2026-11"), id="manual: previous and current month"
        ),
        pytest.param(False, dt.date(2026, 11, 20), ("2026-10", "2026-11"), id="manual: any day of the month"),
        pytest.param(
            False, dt.date(2027, 1, 15), ("2026-12", "2027-01"), id="manual across December to January"
        ),
        pytest.param(False, dt.date(2028, 2, 29), ("2028-01", "2028-02"), id="manual on 29 February"),
    ],
)
def test_scope_follows_the_as_of_date(auto_billing: bool, as_of: dt.date, expected: tuple[str, ...]) -> None:
    chosen = AUTO if auto_billing else MANUAL
    assert periods_in_scope(chosen, as_of) == _periods(*expected)


@pytest.mark.parametrize(
    ("chosen", "as_of"),
    [
        pytest.param(AUTO, dt.date(2026, 11, 20), id="overrides auto-billing outside days 1-3"),
        pytest.param(MANUAL, dt.date(2026, 11, 2), id="overrides the manual pair of months"),
    ],
)
def test_period_overrides_the_scope(chosen: Configuration, as_of: dt.date) -> None:
    assert periods_in_scope(chosen, as_of, Period(2025, 5)) == (Period(2025, 5),)
