"""The plan header's line on how old the usage figures are (the snapshot's `taken_at` per period).

One line, the same words in text and Markdown, so a reviewer sees at once whether a month's bill
was computed from figures read on its billing days or weeks later (docs/billing.md §9).
"""

from __future__ import annotations

from reconciler.plan.model import Plan

TITLE = "Usage figures"


def usage_age_line(plan: Plan) -> str | None:
    """`Usage figures: 2026-10: taken 2026-11-01T06:00:00Z (console-api)`; None without usage."""
    if not plan.usage_ages:
        return None
    return f"{TITLE}: " + "; ".join(plan.usage_ages)
