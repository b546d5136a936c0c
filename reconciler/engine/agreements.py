"""A configuration's agreement, and the dates a monthly line may carry on it (billing-rules §5).

`resolve_agreement` finds the ConnectWise agreement a configuration names (by exact name, or by id)
among its company's agreements and reports a located plan error when there is none or more than one.
`billing_dates` clamps a period to the agreement's billing window: the effective date never precedes
the billing start (the source's Troubleshooting error must never reach ConnectWise) and the cancelled
date never passes the agreement's end; a period the agreement cannot take at all is a `Skip`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from reconciler.config.model import Company, Configuration
from reconciler.engine.model import AgreementInfo
from reconciler.engine.periods import Period
from reconciler.errors import Finding, error


@dataclass(frozen=True, slots=True)
class BillingDates:
    effective: dt.date  # effectiveDate of the addition
    cancelled: dt.date  # cancelledDate of the addition


@dataclass(frozen=True, slots=True)
class Skip:
    """The agreement cannot take this period; `reason` names the agreement and both dates."""

    reason: str


def describe(agreement: AgreementInfo) -> str:
    """`'Managed Backup Service' (id 4)` — how messages name an agreement."""
    return f"{agreement.name!r} (id {agreement.id})"


def resolve_agreement(
    company: Company,
    index: int,
    agreements: Sequence[AgreementInfo],
) -> AgreementInfo | Finding:
    """The agreement `company.configurations[index]` names, or a plan error at that configuration."""
    configuration = company.configurations[index]
    wanted = configuration.agreement
    if isinstance(wanted, int):
        by_id = [a for a in agreements if a.id == wanted]
        if by_id:
            return by_id[0]
        return _error(
            configuration,
            index,
            f"agreement id {wanted} is not an agreement of company "
            f"{company.identifier} in ConnectWise{_known(agreements)}",
        )
    named = [a for a in agreements if a.name == wanted]
    if len(named) == 1:
        return named[0]
    if named:
        ids = ", ".join(str(a.id) for a in sorted(named, key=lambda a: a.id))
        return _error(
            configuration,
            index,
            f"agreement name {wanted!r} is ambiguous on company {company.identifier}: ids {ids}; "
            "name the agreement by its id instead",
        )
    hint = [a.name for a in agreements if a.name.casefold() == wanted.casefold()]
    did_you_mean = f" (did you mean {hint[0]!r}?)" if hint else ""
    return _error(
        configuration,
        index,
        f"agreement {wanted!r} not found on company {company.identifier} in ConnectWise"
        f"{did_you_mean}{_known(agreements)}",
    )


def _known(agreements: Sequence[AgreementInfo]) -> str:
    if not agreements:
        return "; the company has no agreements"
    listed = ", ".join(describe(a) for a in sorted(agreements, key=lambda a: a.id))
    return f"; its agreements: {listed}"


def _error(configuration: Configuration, index: int, message: str) -> Finding:
    return error(configuration.location_of("agreement"), f"configurations[{index}].agreement", message)


def billing_start(agreement: AgreementInfo) -> dt.date | None:
    """The agreement's billing start: `billStartDate`, else `startDate` (connectwise-api)."""
    return agreement.bill_start_date or agreement.start_date


def billing_dates(agreement: AgreementInfo, period: Period) -> BillingDates | Skip:
    """effectiveDate/cancelledDate of a `period` line on `agreement`, or why it is skipped (§5)."""
    first, last = period.first_day, period.last_day
    window = f"{period.label} ({first.isoformat()}..{last.isoformat()})"
    start = billing_start(agreement)
    if start is not None and start > last:
        return Skip(f"agreement {describe(agreement)} bills from {start.isoformat()}, after {window}")
    if agreement.end_date is not None and agreement.end_date < first:
        return Skip(
            f"agreement {describe(agreement)} ended on {agreement.end_date.isoformat()}, before {window}"
        )
    if agreement.cancelled and agreement.date_cancelled is None:
        return Skip(
            f"agreement {describe(agreement)} is cancelled (no cancellation date), so it cannot take {window}"
        )
    if agreement.cancelled and agreement.date_cancelled is not None and agreement.date_cancelled < first:
        return Skip(
            f"agreement {describe(agreement)} was cancelled on {agreement.date_cancelled.isoformat()}, "
            f"before {window}"
        )
    effective = max(first, start) if start is not None else first
    cancelled = min(last, agreement.end_date) if agreement.end_date is not None else last
    if cancelled < effective:  # an agreement that ends before its own billing starts
        return Skip(
            f"agreement {describe(agreement)} bills from {effective.isoformat()} but ended on "
            f"{cancelled.isoformat()}, so it cannot take {window}"
        )
    return BillingDates(effective, cancelled)
