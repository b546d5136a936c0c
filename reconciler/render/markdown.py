"""The plan as a pull-request comment: warnings on top, a summary table, one `<details>` per company.

Reviewers read it on GitHub, so every user-supplied string goes through `escape_markdown` and costs
stay out unless asked for (billing-rules §7: unitCost and margins are confidential to the MSP). A
comment has a size limit (GitHub's is 65,536 characters), so the comment is cut to `limit`: whole
companies are dropped from the end (their summary row and their section) with a note saying how many,
and the result is never longer than `limit`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reconciler.engine.model import PlanWarning
from reconciler.plan.model import Action, Change, Plan, Totals
from reconciler.plan.unowned import UnownedLine
from reconciler.render.common import (
    NO_UNOWNED,
    NOT_SET,
    UNOWNED_TITLE,
    by_company,
    counts,
    empty_update_note,
    field_lines,
    money_text,
    summary_line,
    unowned_fields,
    warning_context,
)
from reconciler.render.mdescape import escape_markdown as md
from reconciler.render.usage_age import usage_age_line

DEFAULT_LIMIT = 65_000
MIN_LIMIT = 2_000  # room for the title, the overall summary and the notes, which are never cut
_MAX_SELECTED_TEXT = 300
_COLUMNS = ("action", "reason", "agreement", "product", "period", "addition", "configuration", "fields")


@dataclass(frozen=True, slots=True)
class _CompanyPart:
    """One company's row in the summary table and its collapsed section: kept or dropped together."""

    row: str
    section: str

    @property
    def size(self) -> int:
        return len(self.row) + 1 + len(self.section) + 2


def render_markdown(plan: Plan, *, show_cost: bool = False, limit: int = DEFAULT_LIMIT) -> str:
    """The comment text (ends with a newline), at most `limit` characters."""
    if limit < MIN_LIMIT:
        raise ValueError(f"a Markdown plan needs at least {MIN_LIMIT} characters")
    comment = _Comment(
        plan,
        warnings=[_warning_item(warning) for warning in plan.warnings],
        parts=[_company_part(plan, company, group, show_cost) for company, group in by_company(plan.changes)],
        show_cost=show_cost,
        limit=limit,
    )
    budget = limit - len(comment.text(0, 0))
    warnings = _fit([len(item) + 1 for item in comment.warnings], budget)
    budget -= sum(len(item) + 1 for item in comment.warnings[:warnings])
    parts = _fit([part.size for part in comment.parts], budget)
    text = comment.text(warnings, parts)
    # The budget is exact up to the width of the counts in the notes; trim further if they grew.
    while len(text) > limit and (parts or warnings):
        parts, warnings = (parts - 1, warnings) if parts else (parts, warnings - 1)
        text = comment.text(warnings, parts)
    return text


def _fit(sizes: Sequence[int], budget: int) -> int:
    """How many of the first items fit in `budget`."""
    kept = 0
    for size in sizes:
        if size > budget:
            break
        kept += 1
        budget -= size
    return kept


@dataclass(frozen=True, slots=True)
class _Comment:
    """Everything the comment could show; `text` assembles it with the first n warnings and companies."""

    plan: Plan
    warnings: list[str]
    parts: list[_CompanyPart]
    show_cost: bool
    limit: int

    def text(self, warnings: int, parts: int) -> str:
        plan, limit = self.plan, self.limit
        blocks = ["## cwbill plan", _scope_line(plan)]
        blocks += [md(line) for line in [usage_age_line(plan)] if line]  # #15: the figures' age
        if self.warnings:
            hidden = len(self.warnings) - warnings
            note = [f"- {hidden} more warnings not shown{_limit_note(limit)}"] if hidden else []
            blocks += ["### Warnings", "\n".join([*self.warnings[:warnings], *note])]
        if not plan.changes:
            blocks.append("No changes.")
            return "\n\n".join(blocks) + "\n"
        shown = self.parts[:parts]
        blocks += ["### Summary", _totals_line(plan, self.show_cost)]
        blocks.append("\n".join([*_summary_head(plan, self.show_cost), *(part.row for part in shown)]))
        blocks += ["### Changes", *(part.section for part in shown)]
        if parts < len(self.parts):
            hidden = len(self.parts) - parts
            noun = "company" if hidden == 1 else "companies"
            blocks.append(
                f"{hidden} {noun} not shown{_limit_note(limit)}; run `cwbill plan` for the full plan."
            )
        return "\n\n".join(blocks) + "\n"


UNOWNED_COLUMNS = ("company", "agreement", "addition", "product", "period", "fields")


def render_unowned_markdown(
    lines: Sequence[UnownedLine], *, show_cost: bool = False, limit: int = 20_000
) -> str:
    """The unowned additions in scope as a collapsed table, at most `limit` characters (rows that
    do not fit are counted in a note instead)."""
    if not lines:
        return f"{NO_UNOWNED}\n"
    rows = [
        _row(
            [
                md(line.company),
                f"{md(line.agreement_name)} ({line.agreement_id})",
                str(line.addition_id),
                md(line.product),
                str(line.period),
                "<br>".join(f"{n}: {md(v)}" for n, v in unowned_fields(line, show_cost=show_cost)),
            ]
        )
        for line in lines
    ]

    def text(shown: int) -> str:
        left = len(rows) - shown
        note = ["", f"… and {left:,} more (`cwbill plan --show-unowned` lists them all)."] if left else []
        return _collapsed_table(f"{UNOWNED_TITLE}: {len(rows):,}", UNOWNED_COLUMNS, rows[:shown], note) + "\n"

    budget = limit - len(text(0))  # the frame and the longest possible note
    shown = 0
    while shown < len(rows) and len(rows[shown]) + 1 <= budget:
        budget -= len(rows[shown]) + 1
        shown += 1
    return text(shown)


def _limit_note(limit: int) -> str:
    return f" (the comment is limited to {limit:,} characters)"


def _scope_line(plan: Plan) -> str:
    selection = plan.selection
    words = [
        f"As of {plan.as_of.isoformat()}",
        f"periods {', '.join(str(p) for p in plan.periods) or 'none'}",
    ]
    if selection.period is not None:
        words.append(f"period {selection.period} (--period)")
    if selection.companies:
        shown = ", ".join(md(company) for company in selection.companies)
        # The header is never cut, so it must stay small whatever --company was given.
        fits = len(shown) <= _MAX_SELECTED_TEXT
        words.append(f"companies {shown}" if fits else f"{len(selection.companies)} companies (--company)")
    if selection.adopt:
        words.append("adopting unmarked lines (--adopt)")
    return " · ".join(words)


def _warning_item(warning: PlanWarning) -> str:
    context = ", ".join(md(part) for part in warning_context(warning))
    where = f" ({context})" if context else ""
    return f"- **{md(warning.code)}**{where}: {md(warning.message)}"


def _totals_line(plan: Plan, show_cost: bool) -> str:
    summary, totals, currency = plan.summary, plan.totals, md(plan.currency)
    line = (
        f"**{summary_line(summary.create, summary.update, summary.delete)}** Billed total in scope: "
        f"{money_text(totals.billed_before)} → {money_text(totals.billed_after)} {currency}."
    )
    if show_cost:
        line += (
            f" Cost total in scope: {money_text(totals.cost_before)} → "
            f"{money_text(totals.cost_after)} {currency}."
        )
    return line


def _summary_head(plan: Plan, show_cost: bool) -> list[str]:
    money = ["billed before", "billed after", *(("cost before", "cost after") if show_cost else ())]
    summary = plan.summary
    return [
        "| company | create | update | delete | " + " | ".join(money) + " |",
        "| --- | ---: | ---: | ---: | " + " | ".join("---:" for _ in money) + " |",
        _row(["**all**", summary.create, summary.update, summary.delete, *_money(plan.totals, show_cost)]),
    ]


def _company_part(plan: Plan, company: str, changes: list[Change], show_cost: bool) -> _CompanyPart:
    create, update, delete = counts(changes)
    totals = plan.totals_by_company.get(company)
    money = _money(totals, show_cost) if totals else ["—"] * (4 if show_cost else 2)
    row = _row([md(company), create, update, delete, *money])
    rows = [_change_row(change, show_cost) for change in changes]
    section = _collapsed_table(f"{md(company)}: {summary_line(create, update, delete)}", _COLUMNS, rows)
    return _CompanyPart(row, section)


def _collapsed_table(
    summary: str, columns: Sequence[str], rows: Sequence[str], after: Sequence[str] = ()
) -> str:
    """`<details>` titled `summary`: a table of `columns` and `rows`, then the lines `after`."""
    head = [f"<details><summary>{summary}</summary>", "", _row(list(columns)), _row(["---"] * len(columns))]
    return "\n".join([*head, *rows, *after, "", "</details>"])


def _change_row(change: Change, show_cost: bool) -> str:
    lines = field_lines(change, show_cost=show_cost)
    if change.action is Action.UPDATE:
        cells = [f"{line.name}: {_value(line.before)} → {_value(line.after)}" for line in lines]
        fields = "<br>".join(cells) or empty_update_note(change, show_cost=show_cost)
    else:
        fields = "<br>".join(
            f"{line.name}: {_value(line.after if change.action is Action.CREATE else line.before)}"
            for line in lines
        )
    return _row(
        [
            change.action.value,
            change.reason.value,
            f"{md(change.agreement_name)} ({change.agreement_id})",
            md(change.product),
            str(change.period),
            "—" if change.addition_id is None else str(change.addition_id),
            md(change.configuration),
            fields,
        ]
    )


def _money(totals: Totals, show_cost: bool) -> list[str]:
    values = [totals.billed_before, totals.billed_after]
    if show_cost:
        values += [totals.cost_before, totals.cost_after]
    return [money_text(value) for value in values]


def _value(value: str | None) -> str:
    return NOT_SET if value is None else md(value)


def _row(cells: Sequence[object]) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"
