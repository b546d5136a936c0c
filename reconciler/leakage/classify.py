"""Every unit of usage in scope, put in exactly one bucket (pure; docs/leakage.md).

Nothing here recomputes billing: the engine's result (`DesiredResult`: its additions and its
`period-skipped` warnings), the plan (its creates) and the live additions it was made from (their
owner markers) say what happened to each unit; the usage the engine did not use — companies without
a company file, console products products.yaml does not map, products no configuration selects — is
what is left of the usage. Buckets are decided in `Bucket`'s order, first match wins, so a unit is
never counted twice: e.g. an unmapped product of a company without a file is `no-company-file`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from reconciler.config.model import Company, Configuration, ProductKind, Repository
from reconciler.engine import money
from reconciler.engine.desired import PERIOD_SKIPPED
from reconciler.engine.lines import contribution_of
from reconciler.engine.model import DesiredAddition, DesiredResult
from reconciler.engine.periods import Period
from reconciler.engine.scope import periods_in_scope
from reconciler.leakage.model import Bucket, Leakage, Measure, Unit
from reconciler.plan.diff import LiveState
from reconciler.plan.marker import parse_marker
from reconciler.plan.model import Action, Plan
from reconciler.usage.model import StorageUsage, Usage, UsageRecord

CENTS = 2  # each unit's value is rounded once, to the cent, so that every total shown adds up
_MEASURES = (Measure.STORED, Measure.RESTORED, Measure.LIMIT)


@dataclass(frozen=True, slots=True)
class _Amount:
    """One amount of a usage record: a product key (or console name when `mapped` is False)."""

    product: str
    mapped: bool
    measure: Measure
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class _Facts:
    """What the engine and the plan decided, indexed for the classification."""

    repository: Repository
    plan: Plan
    skipped: frozenset[tuple[str, str, Period]]  # (company, configuration, period)
    desired: dict[tuple[str, str, str, Period], DesiredAddition]  # (company, configuration, product, …)
    creates: frozenset[tuple[str, str, int, str, Period]]  # … with the agreement
    owned: frozenset[tuple[str, int, str, Period]]  # marker configuration, natural key

    @classmethod
    def of(cls, repository: Repository, desired: DesiredResult, live: LiveState, plan: Plan) -> _Facts:
        owned = set()
        for addition in live.additions:
            marker = parse_marker(addition.serial_number)
            if marker is not None and addition.period is not None:
                owned.add((marker.configuration, addition.agreement_id, addition.product, addition.period))
        return cls(
            repository=repository,
            plan=plan,
            skipped=frozenset(
                (w.company, w.configuration, Period.parse(w.period))
                for w in desired.warnings
                if w.code == PERIOD_SKIPPED and w.period
            ),
            desired={(a.company, a.configuration, a.product, a.period): a for a in desired.additions},
            creates=frozenset(
                (c.company, c.configuration, c.agreement_id, c.product, c.period)
                for c in plan.changes
                if c.action is Action.CREATE
            ),
            owned=frozenset(owned),
        )


def classify_usage(
    repository: Repository, usage: Usage, desired: DesiredResult, live: LiveState, plan: Plan
) -> Leakage:
    """The leakage of the plan's scope: `usage` as the run read it (of every console company when
    read for leakage), `desired`, `live` and `plan` as `make_plan` made them from it."""
    selection = plan.selection
    wanted = {c.casefold() for c in selection.companies}
    chosen = [c for c in repository.companies if not wanted or c.identifier.casefold() in wanted]
    periods = sorted(
        {
            p
            for c in chosen
            for conf in c.configurations
            for p in periods_in_scope(conf, plan.as_of, selection.period)
        }
    )
    files = {c.console_company: c for c in repository.companies}

    def concerned(name: str) -> bool:  # without --company, also every console company without a file
        return files[name] in chosen if name in files else not wanted

    in_scope = [
        record
        for (name, period), record in sorted(usage.records.items())
        if period in periods and concerned(name)
    ]
    facts = _Facts.of(repository, desired, live, plan)
    units: list[Unit] = []
    for record in in_scope:
        company = files.get(record.console_company)
        for amount in _amounts(record):
            bucket, configuration = _decide(facts, company, record.period, amount)
            units.append(
                Unit(
                    bucket=bucket,
                    period=record.period,
                    console_company=record.console_company,
                    company=company.identifier if company else "",
                    configuration=configuration,
                    product=amount.product,
                    measure=amount.measure,
                    quantity=amount.quantity,
                    amount=_value(repository, amount),
                )
            )
    order = list(Bucket)
    units.sort(
        key=lambda u: (order.index(u.bucket), u.period, u.who, u.product, list(Measure).index(u.measure))
    )
    return Leakage(
        as_of=plan.as_of,
        periods=tuple(periods),
        units=tuple(units),
        console=_console_totals(in_scope),
        currency=repository.settings.currency,
    )


def _amounts(record: UsageRecord) -> Iterator[_Amount]:
    """Every non-zero amount of the record, mapped products first."""
    for mapped, licenses, storage in (
        (True, record.licenses, record.storage),
        (False, record.unmapped_licenses, record.unmapped_storage),
    ):
        for product, count in sorted(licenses.items()):
            if count:
                yield _Amount(product, mapped, Measure.LICENSES, Decimal(count))
        for product, amounts in sorted(storage.items()):
            for measure in _MEASURES:
                quantity = _of(amounts, measure)
                if quantity:
                    yield _Amount(product, mapped, measure, quantity)


def _of(amounts: StorageUsage, measure: Measure) -> Decimal:
    return {Measure.STORED: amounts.stored, Measure.RESTORED: amounts.restored}.get(measure, amounts.limit)


def _only(measure: Measure, quantity: Decimal) -> StorageUsage:
    zero = Decimal(0)
    return StorageUsage(*(quantity if m is measure else zero for m in _MEASURES))


def _value(repository: Repository, amount: _Amount) -> Decimal | None:
    """The amount at the repository's prices (billing-rules §4), to the cent; None without a price."""
    product = repository.products.get(amount.product) if amount.mapped else None
    if product is None:
        return None
    if product.kind is ProductKind.LICENSE:
        if amount.product not in repository.prices.licenses:
            return None
        charge = contribution_of(repository, amount.product, int(amount.quantity))
    else:
        if amount.product not in repository.prices.storage:
            return None
        charge = contribution_of(repository, amount.product, _only(amount.measure, amount.quantity))
    return money.quantize(charge.price, CENTS)


def _decide(facts: _Facts, company: Company | None, period: Period, amount: _Amount) -> tuple[Bucket, str]:
    """The unit's bucket (the first that applies, in `Bucket`'s order) and its configuration."""
    repository, plan = facts.repository, facts.plan
    if company is None:
        return Bucket.NO_COMPANY_FILE, ""
    product = repository.products.get(amount.product) if amount.mapped else None
    if product is None:
        return Bucket.UNMAPPED_PRODUCT, ""
    configuration = _selecting(company.configurations, amount.product)
    if configuration is None:
        return Bucket.NOT_SELECTED, ""
    name = configuration.name
    if period not in periods_in_scope(configuration, plan.as_of, plan.selection.period):
        return Bucket.OUT_OF_SCOPE, name
    if (company.identifier, name, period) in facts.skipped:
        return Bucket.PERIOD_SKIPPED, name
    line = facts.desired.get((company.identifier, name, product.connectwise, period))
    if line is None:
        return Bucket.NOTHING_TO_SEND, name
    if line.bill_customer != "Billable":
        return Bucket.NOT_CHARGED, name
    if _value(repository, amount) is None:
        return Bucket.NO_PRICE, name
    if (company.identifier, name, line.agreement_id, line.product, period) in facts.creates:
        return Bucket.PENDING, name
    if (name, *line.natural_key) in facts.owned:
        return Bucket.BILLED, name
    return Bucket.CONFLICT, name  # desired, not created, no line of cwbill's: an unowned line has it


def _selecting(configurations: Sequence[Configuration], key: str) -> Configuration | None:
    """The configuration selecting console product `key` (validation allows one per company)."""
    return next((c for c in configurations if key in c.console_products), None)


def _console_totals(records: Sequence[UsageRecord]) -> tuple[tuple[Period, str, Measure, Decimal], ...]:
    """Σ of each amount the usage holds, per (period, product, measure), straight from the records."""
    sums: dict[tuple[Period, str, Measure], Decimal] = defaultdict(Decimal)
    for record in records:
        for amount in _amounts(record):
            key = (record.period, amount.product, amount.measure)
            sums[key] = money.add(sums[key], amount.quantity)
    return tuple((p, product, m, q) for (p, product, m), q in sorted(sums.items()))
