"""The pieces of the plan comment: a company's summary row, its folded details, the change tables.

Every user-supplied string goes through `escape_markdown`; costs stay out unless `show_cost`
(billing-rules §7). The change table is four columns wide so that it reads in a 760 px comment
column without breaking a product or a period: the period and the configuration share the line's
cell, the agreement is a heading above its table, and a create or delete shows its amount on one
line (quantity × unitPrice = billed) with the dates only when they are not the whole month.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from reconciler.engine import money
from reconciler.engine.periods import Period
from reconciler.plan.model import Action, Change, Fields, Plan, Totals
from reconciler.plan.review import Review, percent_text
from reconciler.render.common import (
    COST_FIELDS,
    NOT_SET,
    by_agreement,
    counts,
    empty_update_note,
    field_lines,
    money_text,
    ordered_names,
    summary_line,
)
from reconciler.render.mdescape import escape_markdown as md

CHANGE_COLUMNS = ("change", "line", "fields")
_SHOWN_TOGETHER = frozenset({"quantity", "unitPrice", "unitCost", "billCustomer", "effectiveDate"})
_SHOWN_TOGETHER |= {"cancelledDate", "invoiceDescription"}
FLAG = "⚠"
NBSP = "\u00a0"


@dataclass(frozen=True, slots=True)
class CompanyPart:
    """One company's summary row (never cut) and its folded details (cut when the comment is full)."""

    company: str
    change: Decimal  # billed after − before, what the parts are sorted by
    row: str
    details: str


def row(cells: Sequence[object]) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def signed(value: Decimal) -> str:
    text = money_text(value)
    return f"+{text}" if money.quantize(value, 2) > 0 else text


def change_percent(totals: Totals) -> str:
    before, after = totals.billed_before, totals.billed_after
    if before == 0:
        return "—" if after == 0 else "new"
    delta = money.add(after, -before)
    return percent_text(money.divide(money.multiply(delta, Decimal(100)), before))


def summary_head(show_cost: bool) -> list[str]:
    """`+ ~ −`: creates, updates, deletes (the line above the table spells them out); narrow
    headers keep the table inside a 760 px comment column."""
    money_columns = ["billed before → after", "Δ (Δ %)", *(("cost before → after",) if show_cost else ())]
    columns = ["company", "+", "~", "−", *money_columns, "review"]
    rule = ["---", "---:", "---:", "---:", "---:", "---:", *(("---:",) if show_cost else ()), "---"]
    return [row(columns), row(rule)]


def money_cells(totals: Totals, show_cost: bool) -> list[str]:
    # no-break spaces: a cell breaks between its figures only when nothing else can
    delta = signed(money.add(totals.billed_after, -totals.billed_before))
    cells = [
        f"{money_text(totals.billed_before)}{NBSP}→{NBSP}{money_text(totals.billed_after)}",
        f"{delta}{NBSP}({change_percent(totals)})",
    ]
    if show_cost:
        cells.append(f"{money_text(totals.cost_before)}{NBSP}→{NBSP}{money_text(totals.cost_after)}")
    return cells


def total_row(plan: Plan, review: Review, show_cost: bool) -> str:
    summary = plan.summary
    flagged = len({note.company for note in review.notes})
    aids = f"{flagged} flagged" if flagged else ""
    cells = ["**all**", summary.create, summary.update, summary.delete, *money_cells(plan.totals, show_cost)]
    return row([*cells, aids])


def company_part(
    plan: Plan, company: str, changes: list[Change], review: Review, show_cost: bool
) -> CompanyPart:
    create, update, delete = counts(changes)
    totals = plan.totals_by_company.get(company, Totals())
    flags = "<br>".join(f"{FLAG}{NBSP}{aid.value.replace(' ', NBSP)}" for aid in review.flags(company))
    cells = [md(company), create, update, delete, *money_cells(totals, show_cost), flags]
    delta = money.add(totals.billed_after, -totals.billed_before)
    title = (
        f"{md(company)}: {summary_line(create, update, delete)[:-1]} · billed "
        f"{money_text(totals.billed_before)} → {money_text(totals.billed_after)} ({signed(delta)})"
    )
    blocks = [f"<details><summary>{title}</summary>", *_review_lines(company, review, show_cost)]
    for (agreement_id, name), group in by_agreement(changes):
        table = [row(list(CHANGE_COLUMNS)), row(["---"] * len(CHANGE_COLUMNS))]
        table += [_change_row(change, show_cost) for change in group]
        blocks += [f"**{md(name)} ({agreement_id})**", "\n".join(table)]
    blocks.append("</details>")
    return CompanyPart(company, delta, row(cells), "\n\n".join(blocks))


def _review_lines(company: str, review: Review, show_cost: bool) -> list[str]:
    lines = [
        f"- {FLAG} **{note.aid.value}**: {md(note.text(show_cost=show_cost))}"
        for note in review.notes_of(company)
    ]
    months = []
    for month in review.months_of(company):
        before = month.period.previous()
        if month.previous is None:
            against = f"{before}: no usage"
        elif month.percent is None:
            against = f"{before}: {money_text(month.previous)}"
        else:
            against = f"{before}: {money_text(month.previous)}, {percent_text(month.percent)}"
        months.append(f"{month.period}: {money_text(month.billed)} ({against})")
    if months:
        lines.append("- Month over month (billed by the desired lines): " + " · ".join(months))
    return ["\n".join(lines)] if lines else []


def _change_row(change: Change, show_cost: bool) -> str:
    # `#14` would link issue 14; no-break spaces keep "drift · id 2" and "2026-10 · licenses" whole
    addition = "" if change.addition_id is None else f"{NBSP}·{NBSP}id{NBSP}{change.addition_id}"
    what = f"**{change.action.value}**<br>{change.reason.value}{addition}"
    line = f"{md(change.product)}<br>{change.period}{NBSP}·{NBSP}{md(change.configuration)}"
    if change.action is Action.UPDATE:
        cells = [
            f"{item.name}: {_value(item.before)} → {_value(item.after)}"
            for item in field_lines(change, show_cost=show_cost)
        ]
        fields = "<br>".join(cells) or empty_update_note(change, show_cost=show_cost)
    else:
        values = change.after if change.action is Action.CREATE else change.before
        fields = _line_cell(values or {}, change.period, show_cost)
    return row([what, line, fields])


def _line_cell(fields: Fields, period: Period, show_cost: bool) -> str:
    """A whole line in one cell: `12 × 5.00 = 60.00 · Billable`, the dates when not the whole
    month, the invoice description, then any other field."""
    quantity, price = fields.get("quantity"), fields.get("unitPrice")
    amount = f"{md(quantity or '0')} × {md(price) if price is not None else 'catalog price'}"
    if price is not None and quantity is not None:
        amount += f" = {money_text(money.multiply(money.to_decimal(quantity), money.to_decimal(price)))}"
    parts = [amount]
    if show_cost and fields.get("unitCost") is not None:
        parts.append(f"unitCost {md(fields['unitCost'] or '')}")
    if fields.get("billCustomer"):
        parts.append(md(fields["billCustomer"] or ""))
    lines = [" · ".join(parts)]
    start, end = fields.get("effectiveDate"), fields.get("cancelledDate")
    if (start, end) != (str(period.first_day), str(period.last_day)):
        lines.append(f"{_value(start)} – {_value(end)}")
    if fields.get("invoiceDescription"):
        lines.append(f"“{md(fields['invoiceDescription'] or '')}”")
    for name in ordered_names(fields):
        if name in _SHOWN_TOGETHER or fields[name] is None or (name in COST_FIELDS and not show_cost):
            continue
        lines.append(f"{md(name)}: {md(fields[name] or '')}")
    return "<br>".join(lines)


def _value(value: str | None) -> str:
    return NOT_SET if value is None else md(value)
