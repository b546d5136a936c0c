"""The report's billed total beside the plan's, with each difference named (billing-rules §7).

The report bills every desired line; the plan's "billed after" counts what ConnectWise will hold
after apply. They differ where the plan leaves a desired line out — an unowned addition already
bills it (`unowned-conflict`, nothing is created) — and where a `send: quantity` line keeps the
price of its live line rather than the catalog's. Periods a configuration skips (`period-skipped`)
are in neither total and are named too, so a reader knows what is not billed at all.
"""

from __future__ import annotations

from reconciler.engine.money import add
from reconciler.plan.model import Plan
from reconciler.report.model import Difference, Reconciliation, ReportLine


def reconcile(lines: tuple[ReportLine, ...], plan: Plan) -> Reconciliation:
    report_billed = add(*(line.billed for line in lines))
    differences: list[Difference] = []
    for warning in plan.warnings:
        if warning.code != "unowned-conflict" or not warning.unbilled:
            continue
        for line in lines:
            key = (line.company, line.configuration, str(line.period), line.product)
            if key == (warning.company, warning.configuration, warning.period, warning.unbilled):
                what = f"{line.product} {line.period} ({line.configuration})"
                why = "not sent: an addition without cwbill's marker bills it (unowned-conflict)"
                differences.append(Difference(line.billed, line.company, what, why))
    rest = add(report_billed, -plan.totals.billed_after, *(-d.amount for d in differences))
    if rest != 0:
        why = (
            "send: quantity lines keep the price of their line in ConnectWise, the report shows the catalog's"
        )
        differences.append(Difference(rest, "", "other lines", why))
    skipped = tuple(w for w in plan.warnings if w.code == "period-skipped")
    return Reconciliation(report_billed, plan.totals.billed_after, tuple(differences), skipped)


def unavailable(lines: tuple[ReportLine, ...], problem: str) -> Reconciliation:
    """No plan to compare with (`problem` says why: a catalog item ConnectWise lacks …)."""
    return Reconciliation(add(*(line.billed for line in lines)), None, (), (), problem)
