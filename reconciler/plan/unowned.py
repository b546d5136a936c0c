"""The unmarked additions a plan saw in scope, for `plan --show-unowned` (billing-rules §6).

cwbill never touches them (unless `--adopt` takes one over), so they are not changes; but a reviewer
may want to see what else bills the same agreements in the same months — a line made by hand or by
the GUI integration. The JSON plan keeps only their ids (`unowned`); this is the readable listing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from reconciler.engine.periods import Period
from reconciler.plan.diff import LiveState
from reconciler.plan.fields import display, live_values
from reconciler.plan.model import Fields


@dataclass(frozen=True, slots=True)
class UnownedLine:
    company: str  # the agreement's company identifier as ConnectWise spells it
    agreement_id: int
    agreement_name: str
    addition_id: int
    product: str
    period: Period
    fields: Fields  # the managed fields as ConnectWise holds them, display text


def unowned_lines(ids: Collection[int], live: LiveState, places: int) -> tuple[UnownedLine, ...]:
    """The live additions `ids` names, by company, agreement, product, period and id."""
    wanted = set(ids)
    lines: list[UnownedLine] = []
    for addition in live.additions:
        agreement = live.agreements.get(addition.agreement_id)
        if addition.id not in wanted or agreement is None or addition.period is None:
            continue
        lines.append(
            UnownedLine(
                company=agreement.company,
                agreement_id=agreement.id,
                agreement_name=agreement.name,
                addition_id=addition.id,
                product=addition.product,
                period=addition.period,
                fields=display(live_values(addition), places),
            )
        )
    return tuple(sorted(lines, key=lambda u: (u.company, u.agreement_id, u.product, u.period, u.addition_id)))
