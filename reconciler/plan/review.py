"""Review aids of the plan comment: what a finance reviewer should look at twice (docs/ci.md).

Pure: the desired lines of the periods in scope, those of the month before each (from the same
desired result when that month is in scope, else computed from the usage snapshot), the usage and
the catalog in; notes out. Five aids, each a flag in the comment's summary row and a line in the
company's details: a company's billed total moving by more than `review.max_company_change_percent`
against the previous month, a license count or storage amount moving by more than
`review.max_usage_change_percent`, a line priced below its cost (billing-rules §7: costs are shown
only with --show-cost, so the note says it without the values), a billable line at price 0 (the
unpriced-product default, billing-rules §2) and a `send: average` line whose rounded unitPrice ×
quantity loses more than `review.max_rounding_loss` against the exact amount. They inform; they never
block apply (the safety thresholds do that).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from reconciler.config.model import Configuration, ProductKind, Repository, SendMode
from reconciler.connectwise.live import CatalogItem
from reconciler.engine import money
from reconciler.engine.desired import compute_desired
from reconciler.engine.lines import contributions
from reconciler.engine.model import AgreementInfo, DesiredAddition, DesiredResult
from reconciler.engine.periods import Period
from reconciler.plan.model import Selection
from reconciler.plan.totals import priced
from reconciler.usage.model import Usage

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def money_text(value: Decimal) -> str:
    return money.fixed(value, 2)


class Aid(StrEnum):
    MONTH = "month"  # month-over-month change of a company's billed total
    USAGE = "usage"  # a license count or storage amount jumped
    BELOW_COST = "below cost"
    AT_ZERO = "at zero"
    ROUNDING = "rounding"


@dataclass(frozen=True, slots=True)
class ReviewNote:
    aid: Aid
    company: str
    period: Period
    message: str  # without cost values: safe in any comment
    cost_message: str = ""  # the same with the costs, for --show-cost ("" when it has none)

    def text(self, *, show_cost: bool) -> str:
        return self.cost_message if show_cost and self.cost_message else self.message


@dataclass(frozen=True, slots=True)
class CompanyMonth:
    """A company's billed total for a period in scope, beside the previous period's (None: unknown)."""

    company: str
    period: Period
    billed: Decimal
    previous: Decimal | None

    @property
    def percent(self) -> Decimal | None:
        if self.previous is None or self.previous == 0:
            return None
        return money.divide(money.multiply(money.add(self.billed, -self.previous), HUNDRED), self.previous)


@dataclass(frozen=True, slots=True)
class Review:
    notes: tuple[ReviewNote, ...] = ()
    months: tuple[CompanyMonth, ...] = ()

    def notes_of(self, company: str) -> list[ReviewNote]:
        return [note for note in self.notes if note.company == company]

    def months_of(self, company: str) -> list[CompanyMonth]:
        return [month for month in self.months if month.company == company]

    def flags(self, company: str) -> list[Aid]:
        """The aids that fired for `company`, each once, in the order of `Aid`."""
        fired = {note.aid for note in self.notes_of(company)}
        return [aid for aid in Aid if aid in fired]

    def only(self, companies: Iterable[str]) -> Review:
        wanted = set(companies)
        return Review(
            tuple(n for n in self.notes if n.company in wanted),
            tuple(m for m in self.months if m.company in wanted),
        )


NO_REVIEW = Review()
# The heading of the notes wherever they are listed as such (the text plan); they never block apply.
REVIEW_TITLE = "Review (to look at twice; it never blocks apply):"


def percent_text(value: Decimal) -> str:
    """`12.345` → `"+12.3%"`."""
    rounded = money.quantize(value, 1)
    return f"{'+' if rounded > 0 else ''}{rounded:,f}%"


def review_run(  # noqa: PLR0917  # what a plan read, passed on as it was read
    repository: Repository,
    desired: DesiredResult,
    usage: Usage,
    agreements: Mapping[str, Sequence[AgreementInfo]],
    catalog: Mapping[str, CatalogItem],
    selection: Selection,
) -> Review:
    """The review of a plan's desired lines; a month before a period in scope that is not in scope
    itself is computed from the usage snapshot as `--period` would (when the snapshot has it)."""
    in_scope = {line.period for line in desired.additions}
    months = {period for (_, period) in usage.records}
    earlier = sorted(({p.previous() for p in in_scope} - in_scope) & months)
    companies = list(selection.companies) or None
    previous = [
        line
        for period in earlier
        for line in compute_desired(
            repository, usage, agreements, selection.as_of, period, companies
        ).additions
    ]
    return review_plan(repository, desired.additions, previous, usage, catalog)


def review_plan(
    repository: Repository,
    desired: Iterable[DesiredAddition],
    previous: Iterable[DesiredAddition],
    usage: Usage,
    catalog: Mapping[str, CatalogItem],
) -> Review:
    """The notes for the lines of the periods in scope (`desired`); `previous` holds the lines of
    the months before them that are not in scope themselves."""
    lines = list(desired)
    notes: list[ReviewNote] = []
    months = _months(repository, lines, list(previous), usage, catalog)
    limit = repository.settings.review.max_company_change_percent
    for month in months:
        percent = month.percent
        if percent is not None and abs(percent) > limit:
            message = (
                f"{month.period}: billed {money_text(month.billed)}, {percent_text(percent)} against "
                f"{month.period.previous()} ({money_text(month.previous or ZERO)}); "
                f"more than review.max_company_change_percent ({limit}%)"
            )
            notes.append(ReviewNote(Aid.MONTH, month.company, month.period, message))
    notes += _usage_jumps(repository, lines, usage)
    for line in lines:
        notes += _line_notes(repository, line, usage, catalog)
    order = list(Aid)
    notes.sort(key=lambda n: (n.company, order.index(n.aid), n.period, n.message))
    return Review(tuple(notes), tuple(months))


def _months(
    repository: Repository,
    lines: list[DesiredAddition],
    previous: list[DesiredAddition],
    usage: Usage,
    catalog: Mapping[str, CatalogItem],
) -> tuple[CompanyMonth, ...]:
    billed: dict[tuple[str, Period], Decimal] = defaultdict(lambda: ZERO)
    for line in [*lines, *previous]:
        price, _ = priced(line, None, catalog)
        key = (line.company, line.period)
        billed[key] = money.add(billed[key], money.multiply(line.quantity, price or ZERO))
    in_scope = sorted({(line.company, line.period) for line in lines})
    months = []
    for company, period in in_scope:
        found = repository.company(company)
        before = period.previous()
        known = found is not None and usage.of(found.console_company, before) is not None
        months.append(
            CompanyMonth(
                company, period, billed[(company, period)], billed[(company, before)] if known else None
            )
        )
    return tuple(months)


def _usage_jumps(repository: Repository, lines: list[DesiredAddition], usage: Usage) -> list[ReviewNote]:
    limit = repository.settings.review.max_usage_change_percent
    notes: list[ReviewNote] = []
    for company_id, period in sorted({(line.company, line.period) for line in lines}):
        company = repository.company(company_id)
        if company is None:
            continue
        now = usage.of(company.console_company, period)
        before = usage.of(company.console_company, period.previous())
        if now is None or before is None:
            continue
        keys = sorted({key for c in company.configurations for key in c.console_products})
        for key in keys:
            product = repository.products.get(key)
            if product is None:
                continue
            if product.kind is ProductKind.LICENSE:
                old, new = Decimal(before.licenses.get(key, 0)), Decimal(now.licenses.get(key, 0))
                what, unit = f"{product.console} licenses", ""
            else:
                old = before.storage[key].stored if key in before.storage else ZERO
                new = now.storage[key].stored if key in now.storage else ZERO
                what, unit = f"{product.console} storage", " GB"
            if old == 0:
                continue  # a product new this month has no change to measure
            percent = money.divide(money.multiply(money.add(new, -old), HUNDRED), old)
            if abs(percent) > limit:
                message = (
                    f"{period}: {what} {old:,f}{unit} → {new:,f}{unit} ({percent_text(percent)} against "
                    f"{period.previous()}); more than review.max_usage_change_percent ({limit}%)"
                )
                notes.append(ReviewNote(Aid.USAGE, company_id, period, message))
    return notes


def _line_notes(
    repository: Repository, line: DesiredAddition, usage: Usage, catalog: Mapping[str, CatalogItem]
) -> list[ReviewNote]:
    price, cost = priced(line, None, catalog)
    where = f"{line.product} {line.period}"
    notes: list[ReviewNote] = []
    billable = line.bill_customer == "Billable"  # a NoCharge or DoNotBill line has no margin to lose
    if billable and price is not None and cost is not None and price < cost:
        notes.append(
            ReviewNote(
                Aid.BELOW_COST,
                line.company,
                line.period,
                f"{where}: priced below cost",
                f"{where}: priced below cost (unitPrice {money_text(price)} < unitCost {money_text(cost)})",
            )
        )
    if billable and price == 0 and line.quantity != 0:
        source = "its catalog item's price" if line.unit_price is None else "no price in prices.yaml"
        message = f"{where}: billable at unitPrice 0.00 ({source}); the client is billed nothing for it"
        notes.append(ReviewNote(Aid.AT_ZERO, line.company, line.period, message))
    lost = _rounding_loss(repository, line, usage)
    if lost is not None:
        notes.append(ReviewNote(Aid.ROUNDING, line.company, line.period, f"{where}: {lost}"))
    return notes


def _configuration(repository: Repository, line: DesiredAddition) -> Configuration | None:
    company = repository.company(line.company)
    if company is None:
        return None
    return next((c for c in company.configurations if c.name == line.configuration), None)


def _rounding_loss(repository: Repository, line: DesiredAddition, usage: Usage) -> str | None:
    """What a `send: average` line loses to its rounded unitPrice, when more than the threshold."""
    configuration = _configuration(repository, line)
    company = repository.company(line.company)
    if configuration is None or company is None or configuration.send is not SendMode.AVERAGE:
        return None
    record = usage.of(company.console_company, line.period)
    if record is None or line.unit_price is None:
        return None
    exact = money.add(*(c.price for c in contributions(repository, configuration, line.product, record)))
    sent = money.multiply(line.quantity, line.unit_price)
    lost = money.add(exact, -sent)
    if abs(lost) <= repository.settings.review.max_rounding_loss:
        return None
    places = repository.settings.unit_price_places
    return (
        f"{line.quantity:,f} × unitPrice {money.fixed(line.unit_price, places)} = {money_text(sent)}, "
        f"the exact amount is {money_text(exact)}: {money_text(abs(lost))} "
        f"{'lost' if lost > 0 else 'overbilled'} to rounding (send: average). Set rounding.unit_price: 4 "
        "in settings.yaml, or send: total"
    )
