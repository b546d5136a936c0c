"""The chart: round ticks, a readable number of series, and the bars' geometry."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from reconciler.engine.periods import Period
from reconciler.report.model import MonthTotal
from reconciler.report.svg import MAX_SERIES, OTHERS, PALETTE, nice_step, render_chart, series

NOV = Period(2026, 11)


@pytest.mark.parametrize(
    ("maximum", "step"),
    [
        pytest.param("492.37", "100", id="about 500: steps of 100"),
        pytest.param("9", "2", id="under 10: steps of 2"),
        pytest.param("1000", "200", id="exactly 1000"),
        pytest.param("0.03", "0.01", id="cents"),
        pytest.param("0", "1", id="nothing billed"),
    ],
)
def test_ticks_are_round(maximum: str, step: str) -> None:
    assert nice_step(Decimal(maximum)) == Decimal(step)


def test_beyond_the_palette_the_smallest_companies_are_summed() -> None:
    history = [MonthTotal(NOV, f"C{n:02d}", Decimal(n + 1)) for n in range(15)]
    names = series(history)
    assert len(names) == MAX_SERIES + 1
    assert names[0] == ("C14", PALETTE[0])  # the largest biller first
    assert names[-1][0] == OTHERS
    chart = render_chart(history, "USD")
    assert "other companies, 2026-11: 21.00 USD" in chart  # 1 + 2 + … + 6


def test_bars_stack_to_the_month_total_and_stay_in_the_plot() -> None:
    history = [MonthTotal(NOV, "A", Decimal("300")), MonthTotal(NOV, "B", Decimal("192.37"))]
    chart = render_chart(history, "USD")
    heights = [Decimal(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', chart)]
    tops = [Decimal(y) for y in re.findall(r'<rect [^>]*y="([\d.]+)"', chart)]
    assert len(heights) == 2
    assert min(tops) >= 20  # the ceiling (500) is above the tallest stack (492.37)
    assert ">492.37<" in chart
