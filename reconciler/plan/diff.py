"""Desired additions × live additions → a plan of changes (billing-rules §6).

Pure: takes the engine's result and what was read from ConnectWise, returns a `Plan`. Ownership by
the owner marker; for each configuration and natural key (agreement, product, period): create,
update only the differing managed fields, delete what nothing wants, collapse duplicates, never
touch an unmarked line unless adopting, never touch a period out of scope.

All of that is decided company by company (`reconciler.plan.company`); `build_plan` partitions the
inputs by company, makes each company's part and merges them, and stays the one reference: a run
that makes the parts itself, while the reads are still arriving, merges them with `merge_parts` to
the very same plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain

from reconciler.config.model import Repository
from reconciler.connectwise.live import CatalogItem, LiveAddition
from reconciler.engine.model import AgreementInfo, DesiredResult, PlanWarning
from reconciler.plan.company import (
    CompanyPart,
    Kept,
    additions_by_company,
    company_part,
    desired_by_company,
)
from reconciler.plan.fingerprint import make_fingerprint
from reconciler.plan.model import Action, Change, Plan, Reason, Selection, Summary, Totals
from reconciler.plan.totals import company_totals, overall_totals


@dataclass(frozen=True, slots=True)
class LiveState:
    """What was read from ConnectWise for this run."""

    agreements: Mapping[int, AgreementInfo]
    additions: tuple[LiveAddition, ...]  # the additions of those agreements in the periods read
    catalog: Mapping[str, CatalogItem]  # identifier → item


def build_plan(
    repository: Repository,
    desired: DesiredResult,
    live: LiveState,
    selection: Selection,
    usage_digest: str,
    *,
    only: Reason | None = None,
) -> Plan:
    """The plan; with `only`, just the changes of that reason (`plan --drift-only`), their counts
    and the totals of the lines they touch, so that every figure shown adds up to what is shown."""
    live_of = additions_by_company(repository, live.agreements, live.additions)
    parts = [
        company_part(
            repository,
            wanted,
            live_of.get(company, ()),
            agreements=live.agreements,
            catalog=live.catalog,
            selection=selection,
        )
        for company, wanted in desired_by_company(desired).items()
    ]
    return merge_parts(
        repository,
        desired,
        parts,
        live_additions=live.additions,
        catalog=live.catalog,
        selection=selection,
        usage_digest=usage_digest,
        only=only,
    )


def merge_parts(
    repository: Repository,
    desired: DesiredResult,
    parts: Iterable[CompanyPart],
    *,
    live_additions: Iterable[LiveAddition],
    catalog: Mapping[str, CatalogItem],
    selection: Selection,
    usage_digest: str,
    only: Reason | None = None,
) -> Plan:
    """The plan of `desired` from its companies' parts, made in any order: one part for each company
    `desired_by_company` names (one missing is a ValueError: its lines would be left out), and
    `live_additions` every addition read (the fingerprint's). `catalog` prices the `send: quantity`
    lines in the totals `only` leaves."""
    ordered = sorted(parts, key=lambda p: p.company)
    _check_parts(desired, ordered)
    changes: list[Change] = []
    by_company: dict[str, Totals] = {}
    for part in ordered:
        shown, totals = _only(only, part, catalog)
        changes += shown
        if totals is not None:
            by_company[part.company] = totals
    conflicts = chain.from_iterable(part.warnings for part in ordered)
    return Plan(
        selection=selection,
        periods=tuple(sorted({p for s in desired.scopes for p in s.periods})),
        changes=tuple(changes),
        warnings=tuple(sorted({*desired.warnings, *conflicts}, key=_warning_order)),
        # the lines that stay as they are, and the safety base, are the full scope's either way
        summary=_summary(changes, sum(p.unchanged for p in ordered), sum(len(p.in_scope) for p in ordered)),
        totals=overall_totals(by_company.values()),
        totals_by_company=by_company,
        fingerprint=make_fingerprint(repository, usage_digest, selection, desired.scopes, live_additions),
        currency=repository.settings.currency,
        unit_price_places=repository.settings.unit_price_places,
        unowned=tuple(sorted(chain.from_iterable(part.unowned for part in ordered))),
    )


def _check_parts(desired: DesiredResult, parts: Sequence[CompanyPart]) -> None:
    companies = [p.company for p in parts]
    if len(set(companies)) != len(companies):
        raise ValueError("two parts of one company")
    # a company in scope without its part would lose its deletes, not only its creates
    missing = {s.company for s in desired.scopes if s.periods} - set(companies)
    if missing or sum(p.lines for p in parts) != len(desired.additions):
        named = f" ({', '.join(sorted(missing))})" if missing else ""
        raise ValueError(f"the parts do not hold every desired line and scope: a company has no part{named}")


def _only(
    reason: Reason | None, part: CompanyPart, catalog: Mapping[str, CatalogItem]
) -> tuple[Sequence[Change], Totals | None]:
    """The part's changes of `reason`, and the totals of the live and desired lines they touch."""
    if reason is None:
        return part.changes, part.totals
    shown = [c for c in part.changes if c.reason is reason]
    touched = {c.addition_id for c in shown if c.addition_id is not None}
    keys = {(c.agreement_id, c.product, c.period) for c in shown}
    live = [a for a in part.in_scope if a.id in touched]
    kept: list[Kept] = [(line, a) for line, a in part.kept if line.natural_key in keys]
    return shown, company_totals(live, kept, catalog) if live or kept else None


def _summary(changes: Sequence[Change], unchanged: int, owned_in_scope: int) -> Summary:
    actions = [c.action for c in changes]
    return Summary(
        create=actions.count(Action.CREATE),
        update=actions.count(Action.UPDATE),
        delete=actions.count(Action.DELETE),
        unchanged=unchanged,
        owned_in_scope=owned_in_scope,
    )


def _warning_order(w: PlanWarning) -> tuple[str, str, str, str, str, str]:
    return (w.company, w.configuration, w.period, w.code, w.message, w.unbilled)
