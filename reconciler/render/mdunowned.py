"""The unowned additions in scope as a collapsed Markdown table (`plan --show-unowned`)."""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.plan.unowned import UnownedLine
from reconciler.render.common import NO_UNOWNED, UNOWNED_TITLE, unowned_fields
from reconciler.render.mdescape import escape_markdown as md
from reconciler.render.mdparts import row

UNOWNED_COLUMNS = ("company", "agreement", "addition", "product", "period", "fields")


def render_unowned_markdown(
    lines: Sequence[UnownedLine], *, show_cost: bool = False, limit: int = 20_000
) -> str:
    """The unowned additions in scope as a collapsed table, at most `limit` characters (rows that
    do not fit are counted in a note instead)."""
    if not lines:
        return f"{NO_UNOWNED}\n"
    rows = [
        row(
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
        head = [f"<details><summary>{UNOWNED_TITLE}: {len(rows):,}</summary>", "", row(list(UNOWNED_COLUMNS))]
        table = [*head, row(["---"] * len(UNOWNED_COLUMNS)), *rows[:shown], *note, "", "</details>"]
        return "\n".join(table) + "\n"

    budget = limit - len(text(0))  # the frame and the longest possible note
    shown = 0
    while shown < len(rows) and len(rows[shown]) + 1 <= budget:
        budget -= len(rows[shown]) + 1
        shown += 1
    return text(shown)
