"""The chart of the HTML report: billed total per month, stacked per company, as inline SVG.

Generated here (no chart library, no script): one column per month, one segment per company, a
y axis with round ticks, and a native `<title>` tooltip on each segment. Geometry is computed in
`Decimal` like everything near money, then written with one decimal. Beyond `MAX_SERIES` companies
the smallest are summed as "other companies", so the chart stays readable for a large MSP.
Every name is HTML-escaped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import ROUND_CEILING, Decimal
from html import escape

from reconciler.engine.money import add, divide
from reconciler.engine.periods import Period
from reconciler.render.common import money_text
from reconciler.report.model import MonthTotal

# Tableau 10: distinguishable, and readable for the common colour-vision deficiencies
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
MAX_SERIES = len(PALETTE) - 1
OTHERS = "other companies"
WIDTH, HEIGHT = 960, 360
LEFT, RIGHT, TOP, BOTTOM = 90, 20, 20, 40
ZERO = Decimal(0)


def series(history: Sequence[MonthTotal]) -> list[tuple[str, str]]:
    """(company, colour) in stacking order: the largest billers first, then "other companies"."""
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for month in history:
        totals[month.company] = add(totals[month.company], month.billed)
    ranked = sorted(totals, key=lambda c: (-totals[c], c))
    shown = ranked if len(ranked) <= MAX_SERIES + 1 else ranked[:MAX_SERIES]
    names = shown + ([OTHERS] if len(shown) < len(ranked) else [])
    return [(name, PALETTE[i % len(PALETTE)]) for i, name in enumerate(names)]


def nice_step(maximum: Decimal) -> Decimal:
    """A round tick step (1, 2 or 5 × 10^k) giving at most 6 ticks up to `maximum`."""
    if maximum <= 0:
        return Decimal(1)
    raw = divide(maximum, Decimal(5))
    power = Decimal(10) ** (raw.adjusted())
    for factor in (1, 2, 5, 10):
        if power * factor >= raw:
            return power * factor
    return power * 10


def _f(value: Decimal) -> str:
    return f"{value:.1f}"


def render_chart(history: Sequence[MonthTotal], currency: str) -> str:
    months = sorted({m.period for m in history})
    if not months:
        return '<p class="empty">No month with usage: nothing to chart.</p>'
    colours = series(history)
    named = {name for name, _ in colours if name != OTHERS}
    stacks: dict[Period, dict[str, Decimal]] = {p: defaultdict(lambda: ZERO) for p in months}
    for month in history:
        name = month.company if month.company in named else OTHERS
        stacks[month.period][name] = add(stacks[month.period][name], month.billed)
    top = max(add(*stack.values()) for stack in stacks.values())
    step = nice_step(top)
    ceiling = step * max(Decimal(1), divide(top, step).to_integral_value(rounding=ROUND_CEILING))
    plot_w, plot_h = Decimal(WIDTH - LEFT - RIGHT), Decimal(HEIGHT - TOP - BOTTOM)

    def y(value: Decimal) -> Decimal:
        return TOP + plot_h - divide(value * plot_h, ceiling)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-label="Billed total per month and company ({escape(currency)})">'
    ]
    parts += _axis(ceiling, step, y, currency)
    slot = divide(plot_w, Decimal(len(months)))
    bar = min(slot * Decimal("0.6"), Decimal(80))
    for index, period in enumerate(months):
        x = LEFT + slot * index + (slot - bar) / 2
        base = ZERO
        for name, colour in colours:
            value = stacks[period].get(name, ZERO)
            if value <= 0:
                continue
            label = f"{name}, {period}: {money_text(value)} {currency}"
            parts.append(
                f'<rect x="{_f(x)}" y="{_f(y(base + value))}" width="{_f(bar)}" '
                f'height="{_f(y(base) - y(base + value))}" fill="{colour}">'
                f"<title>{escape(label)}</title></rect>"
            )
            base += value
        centre = x + bar / 2
        parts.append(
            f'<text x="{_f(centre)}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">'
            f"{escape(str(period))}</text>"
        )
        parts.append(
            f'<text x="{_f(centre)}" y="{_f(y(base) - 4)}" text-anchor="middle" class="sum">'
            f"{escape(money_text(base))}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _axis(ceiling: Decimal, step: Decimal, y: Callable[[Decimal], Decimal], currency: str) -> list[str]:
    lines = []
    tick = ZERO
    while tick <= ceiling:
        at = _f(y(tick))
        lines.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{at}" y2="{at}" class="grid"/>')
        lines.append(
            f'<text x="{LEFT - 8}" y="{at}" text-anchor="end" dominant-baseline="middle">'
            f"{escape(money_text(tick))}</text>"
        )
        tick += step
    lines.append(
        f'<text x="12" y="{TOP + (HEIGHT - TOP - BOTTOM) // 2}" transform="rotate(-90 12 '
        f'{TOP + (HEIGHT - TOP - BOTTOM) // 2})" text-anchor="middle">{escape(currency)}</text>'
    )
    return lines


def legend(history: Sequence[MonthTotal]) -> str:
    items = [
        f'<li><span class="swatch" style="background:{colour}"></span>{escape(name)}</li>'
        for name, colour in series(history)
    ]
    return '<ul class="legend">' + "".join(items) + "</ul>"
