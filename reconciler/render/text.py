"""The plan for a terminal: warnings, then per company and agreement each change, then a summary.

The only renderer that imports rich. It writes to the console it is given (STYLE §13), so tests read
the output byte for byte. User strings go into `rich.text.Text` spans, never through markup, so a
company called `[bold]ACME` prints as written; control characters (an ESC in a company name could
drive the terminal) are replaced before printing. Colour only on a terminal, never with `NO_COLOR`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import TextIO

from rich.console import Console
from rich.text import Text

from reconciler.engine.model import PlanWarning
from reconciler.plan.model import Action, Change, Plan
from reconciler.plan.review import NO_REVIEW, REVIEW_TITLE, Review
from reconciler.plan.unowned import UnownedLine
from reconciler.render.common import (
    NO_UNOWNED,
    NOT_SET,
    UNOWNED_TITLE,
    by_agreement,
    by_company,
    by_unowned_agreement,
    empty_update_note,
    field_lines,
    money_text,
    summary_line,
    unowned_fields,
    warning_context,
)
from reconciler.render.usage_age import usage_age_line

PIPE_WIDTH = 120  # fixed when not a terminal, so piped output is byte-stable
_SYMBOLS = {Action.CREATE: "+", Action.UPDATE: "~", Action.DELETE: "-"}
_STYLES = {Action.CREATE: "green", Action.UPDATE: "yellow", Action.DELETE: "red"}
# C0/C1 controls and bidirectional overrides: they would move the cursor or reorder what is shown.
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NEWLINES = re.compile("\r\n|[\n\r\u2028\u2029]")


def make_console(file: TextIO, *, color: bool | None = None) -> Console:
    """A console for `file`: colour iff it is a terminal and `NO_COLOR` is unset or empty (or `color`)."""
    is_tty = _isatty(file)
    if color is None:
        color = is_tty and not os.environ.get("NO_COLOR")
    return Console(
        file=file,
        force_terminal=True if color else None,
        # No colour system at all, not just `no_color`: rich would still write bold and underline codes.
        color_system="standard" if color else None,
        no_color=not color,
        width=None if is_tty else PIPE_WIDTH,
        highlight=False,
        emoji=False,
        soft_wrap=True,
        legacy_windows=False,
    )


def render_text(plan: Plan, console: Console, *, show_cost: bool = True, review: Review = NO_REVIEW) -> None:
    """Print `plan` to `console`; `show_cost=False` leaves out unitCost, the cost total and the
    cost values of the review notes."""
    age = usage_age_line(plan)
    lines: list[Text] = [Text(_clean(age), style="dim")] if age else []
    lines += [_warning_line(warning) for warning in plan.warnings]
    if lines:
        lines.append(Text())
    if plan.changes:
        lines.extend(_changes(plan, show_cost=show_cost))
        lines.extend(_summary(plan, show_cost=show_cost))
    else:
        lines.append(Text("No changes.", style="bold"))
    lines.extend(_review(review, show_cost=show_cost))
    console.print(Text("\n").join(lines), soft_wrap=True)


def render_unowned_text(lines: Sequence[UnownedLine], console: Console, *, show_cost: bool = True) -> None:
    """Print the unowned additions in scope (`plan --show-unowned`), per company and agreement."""
    if not lines:
        console.print(Text(NO_UNOWNED, style="dim"), soft_wrap=True)
        return
    out = [Text(UNOWNED_TITLE, style="bold")]
    for (company, agreement_id, agreement_name), group in by_unowned_agreement(lines):
        out.append(Text(f'{_clean(company)} — agreement {agreement_id} "{_clean(agreement_name)}"'))
        for line in group:
            shown = unowned_fields(line, show_cost=show_cost)
            fields = ", ".join(f"{name}: {_clean(value)}" for name, value in shown)
            out.append(Text(f"  #{line.addition_id} {_clean(line.product)} {line.period}: {fields}"))
    console.print(Text("\n").join(out), soft_wrap=True)


def _warning_line(warning: PlanWarning) -> Text:
    context = warning_context(warning)
    where = f" ({', '.join(_clean(part) for part in context)})" if context else ""
    return Text.assemble(
        ("! ", "bold yellow"), (f"{_clean(warning.code)}: ", "yellow"), _clean(warning.message), where
    )


def _changes(plan: Plan, *, show_cost: bool) -> list[Text]:
    lines: list[Text] = []
    for company, company_changes in by_company(plan.changes):
        for (agreement_id, agreement_name), changes in by_agreement(company_changes):
            heading = f'{_clean(company)} — agreement {agreement_id} "{_clean(agreement_name)}"'
            lines.append(Text(heading, style="bold"))
            for change in changes:
                lines.extend(_change(change, show_cost=show_cost))
            lines.append(Text())
    return lines


def _change(change: Change, *, show_cost: bool) -> list[Text]:
    addition = f" #{change.addition_id}" if change.addition_id is not None else ""
    head = Text.assemble(
        "  ",
        (f"{_SYMBOLS[change.action]} {change.action.value}", _STYLES[change.action]),
        f" {_clean(change.product)} {change.period}{addition} ({change.reason.value})",
        (f" · {_clean(change.configuration)}", "dim"),
    )
    lines = [head]
    fields = field_lines(change, show_cost=show_cost)
    for line in fields:
        if change.action is Action.UPDATE:
            value = f"{_value(line.before)} → {_value(line.after)}"
        else:
            value = _value(line.after if change.action is Action.CREATE else line.before)
        lines.append(Text(f"      {line.name}: {value}"))
    if not fields and change.action is Action.UPDATE:
        lines.append(Text(f"      {empty_update_note(change, show_cost=show_cost)}", style="dim"))
    return lines


def _summary(plan: Plan, *, show_cost: bool) -> list[Text]:
    summary, totals, currency = plan.summary, plan.totals, _clean(plan.currency)
    lines = [
        Text(summary_line(summary.create, summary.update, summary.delete), style="bold"),
        Text(
            f"Billed total in scope: {money_text(totals.billed_before)} → "
            f"{money_text(totals.billed_after)} {currency}"
        ),
    ]
    for company in sorted(plan.totals_by_company):
        company_totals = plan.totals_by_company[company]
        if company_totals.billed_before != company_totals.billed_after:
            lines.append(
                Text(
                    f"  {_clean(company)}: {money_text(company_totals.billed_before)} → "
                    f"{money_text(company_totals.billed_after)} {currency}"
                )
            )
    if show_cost:
        lines.append(
            Text(
                f"Cost total in scope: {money_text(totals.cost_before)} → "
                f"{money_text(totals.cost_after)} {currency}"
            )
        )
    return lines


def _review(review: Review, *, show_cost: bool) -> list[Text]:
    """The review aids after the summary, one line per note, worded as in the Markdown plan."""
    if not review.notes:
        return []
    lines = [Text(), Text(REVIEW_TITLE, style="bold")]
    for note in review.notes:
        lines.append(
            Text.assemble(
                ("  ! ", "bold yellow"),
                f"{_clean(note.company)} · ",
                (f"{note.aid.value}: ", "yellow"),
                _clean(note.text(show_cost=show_cost)),
            )
        )
    return lines


def _value(value: str | None) -> str:
    return NOT_SET if value is None else _clean(value)


def _clean(text: str) -> str:
    """One printable line: newlines become ↵, other control characters U+FFFD."""
    return _CONTROL.sub("\ufffd", _NEWLINES.sub("↵", text))


def _isatty(file: TextIO) -> bool:
    try:
        return file.isatty()
    except (AttributeError, ValueError):  # a closed or file-like stream without a terminal
        return False
