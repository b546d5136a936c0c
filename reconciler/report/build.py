"""The billing report from the engine's desired additions (pure; no ConnectWise writes, no reads).

The lines of the periods in scope are exactly what `cwbill plan` computes (`compute_desired` with the
same as-of, period and companies), so the report's billed total is the plan's to the cent. Each line
is compared with the same line of the previous month, computed the same way (`--period` style) when
usage for that month exists; every month with usage is computed once more for the chart. With
`send: quantity`, ConnectWise applies the catalog item's price, so that is the price shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from reconciler.config.model import Repository
from reconciler.connectwise.live import CatalogItem
from reconciler.engine.desired import compute_desired
from reconciler.engine.model import AgreementInfo, DesiredAddition, DesiredResult
from reconciler.engine.money import add
from reconciler.engine.periods import Period
from reconciler.errors import Finding
from reconciler.plan.model import Selection
from reconciler.plan.totals import priced
from reconciler.report.model import Amounts, MonthTotal, Report, ReportLine
from reconciler.usage.model import Usage

LineKey = tuple[str, str, str]  # (company, configuration, product)


@dataclass(frozen=True, slots=True)
class _Names:
    """What a line shows besides its amounts: agreement and console names, catalog prices."""

    agreements: Mapping[int, str]
    consoles: Mapping[str, str]
    catalog: Mapping[str, CatalogItem]

    def line(
        self,
        addition: DesiredAddition,
        *,
        period: Period,
        current: Amounts | None,
        previous: Amounts | None,
        previous_known: bool,
    ) -> ReportLine:
        return ReportLine(
            company=addition.company,
            console_company=self.consoles.get(addition.company, ""),
            configuration=addition.configuration,
            agreement_id=addition.agreement_id,
            agreement_name=self.agreements.get(addition.agreement_id, ""),
            product=addition.product,
            period=period,
            current=current,
            previous=previous,
            previous_known=previous_known,
            catalog_price=addition.unit_price is None,
        )


@dataclass(frozen=True, slots=True)
class _Month:
    """One month computed for every configuration: its lines by key, and who had usage."""

    lines: Mapping[LineKey, DesiredAddition]
    with_usage: frozenset[tuple[str, str]]  # (company, configuration) whose usage exists


def build_report(
    repository: Repository,
    usage: Usage,
    agreements: Mapping[str, Sequence[AgreementInfo]],
    catalog: Mapping[str, CatalogItem],
    selection: Selection,
) -> Report | tuple[Finding, ...]:
    """The report, or the located plan errors (unknown agreements …) that prevent one."""
    chosen = list(selection.companies) or None
    current = compute_desired(
        repository, usage, agreements, selection.as_of, selection.period, companies=chosen
    )
    if current.errors:
        return current.errors
    consoles = {
        c.console_company
        for c in repository.companies
        if chosen is None or c.identifier.casefold() in {w.casefold() for w in chosen}
    }
    periods = tuple(sorted({p for s in current.scopes for p in s.periods}))
    usage_months = {p for (name, p) in usage.records if name in consoles}
    months = {
        p: _month(compute_desired(repository, usage, agreements, selection.as_of, p, companies=chosen))
        for p in sorted(usage_months)
    }
    names = _Names(
        agreements={a.id: a.name for group in agreements.values() for a in group},
        consoles={c.identifier: c.console_company for c in repository.companies},
        catalog=catalog,
    )
    lines = _lines(current, months, names)
    return Report(
        as_of=selection.as_of,
        periods=periods,
        lines=tuple(sorted(lines, key=lambda r: (r.period, r.company, r.configuration, r.product))),
        warnings=current.warnings,
        history=_history(months, catalog),
        currency=repository.settings.currency,
        unit_price_places=repository.settings.unit_price_places,
    )


def _month(result: DesiredResult) -> _Month:
    return _Month(
        lines={(a.company, a.configuration, a.product): a for a in result.additions},
        with_usage=frozenset((s.company, s.configuration) for s in result.scopes if s.periods),
    )


def amounts(addition: DesiredAddition, catalog: Mapping[str, CatalogItem]) -> Amounts:
    """The line's values; with send: quantity the catalog item's price and cost (billing-rules §4)."""
    price, cost = priced(addition, None, catalog)
    return Amounts(addition.quantity, price, cost)


def _lines(current: DesiredResult, months: Mapping[Period, _Month], names: _Names) -> list[ReportLine]:
    lines: list[ReportLine] = []
    shown: set[tuple[LineKey, Period]] = set()
    for addition in current.additions:
        key = (addition.company, addition.configuration, addition.product)
        before = months.get(addition.period.previous())
        known = before is not None and (addition.company, addition.configuration) in before.with_usage
        previous = before.lines.get(key) if before is not None and known else None
        shown.add((key, addition.period))
        lines.append(
            names.line(
                addition,
                period=addition.period,
                current=amounts(addition, names.catalog),
                previous=amounts(previous, names.catalog) if previous else None,
                previous_known=known,
            )
        )
    for scope in current.scopes:
        for period in scope.periods:
            lines += _gone((scope.company, scope.configuration), period, months, shown, names)
    return lines


def _gone(
    owner: tuple[str, str],
    period: Period,
    months: Mapping[Period, _Month],
    shown: Collection[tuple[LineKey, Period]],
    names: _Names,
) -> list[ReportLine]:
    """Lines the previous month billed for a configuration in scope that this month does not."""
    before = months.get(period.previous())
    if before is None or owner not in before.with_usage:
        return []
    return [
        names.line(
            line, period=period, current=None, previous=amounts(line, names.catalog), previous_known=True
        )
        for key, line in sorted(before.lines.items())
        if key[:2] == owner and (key, period) not in shown
    ]


def _history(months: Mapping[Period, _Month], catalog: Mapping[str, CatalogItem]) -> tuple[MonthTotal, ...]:
    totals: dict[tuple[Period, str], list[Amounts]] = defaultdict(list)
    for period, month in months.items():
        for line in month.lines.values():
            totals[(period, line.company)].append(amounts(line, catalog))
    return tuple(
        MonthTotal(period, company, add(*(a.billed for a in values)))
        for (period, company), values in sorted(totals.items())
    )
