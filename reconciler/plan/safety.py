"""Safety thresholds on a plan (billing-rules §7, settings `safety`).

apply refuses without --force when the updates or the deletes exceed their percentage of cwbill's
additions in scope, or when the billed total in scope would change by more than the allowed
percentage. All thresholds apply only from `min_existing` owned additions on, so a first run (or a
small repository) is not blocked.
"""

from __future__ import annotations

from decimal import Decimal

from reconciler.config.model import Safety
from reconciler.engine.money import divide, fixed, multiply
from reconciler.plan.model import Plan

HUNDRED = Decimal(100)


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return multiply(divide(part, whole), HUNDRED)


def threshold_violations(plan: Plan, safety: Safety) -> list[str]:
    """Why apply must refuse without --force; empty when the plan is within every threshold."""
    base = plan.summary.owned_in_scope
    if base < safety.min_existing or base == 0:
        return []
    problems: list[str] = []
    owned = Decimal(base)
    for label, count, limit in (
        ("updates", plan.summary.update, safety.max_update_percent),
        ("deletes", plan.summary.delete, safety.max_delete_percent),
    ):
        share = _percent(Decimal(count), owned)
        if share > limit:
            problems.append(
                f"{count} {label} are {fixed(share, 1)}% of the {base} cwbill additions in scope "
                f"(settings safety.max_{label[:-1]}_percent is {limit}%)"
            )
    before, after = plan.totals.billed_before, plan.totals.billed_after
    if before > 0:
        change = _percent(abs(after - before), before)
        if change > safety.max_amount_change_percent:
            problems.append(
                f"the billed total in scope would change by {fixed(change, 1)}% "
                f"({fixed(before, 2)} → {fixed(after, 2)} {plan.currency}; settings "
                f"safety.max_amount_change_percent is {safety.max_amount_change_percent}%)"
            )
    return problems
