"""The desired agreement additions: usage × billing repository × agreements (billing-rules §4–5).

`compute_desired` is pure: it takes the loaded repository, the usage, and the agreements as read
from ConnectWise (plain values) and returns every addition that should exist for the periods in
scope, the scope itself, warnings as data and located plan errors. Missing usage is not zero usage:
a (configuration, period) without a usage record produces nothing *and* leaves the scope, so the
reconciler never deletes live lines for lack of data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from reconciler.config.model import Company, Configuration, DescriptionMode, Repository
from reconciler.connectwise import limits
from reconciler.engine.agreements import Skip, billing_dates, resolve_agreement
from reconciler.engine.describe import breakdown, render_template
from reconciler.engine.lines import Contribution, LineValues, contributions, line_values
from reconciler.engine.model import (
    AgreementInfo,
    ConfigurationScope,
    DesiredAddition,
    DesiredResult,
    PlanWarning,
)
from reconciler.engine.periods import Period
from reconciler.engine.scope import periods_in_scope
from reconciler.errors import Finding, error, sort_findings
from reconciler.usage.model import Usage, UsageRecord

AVERAGE_AS_TOTAL = "average-as-total"
PERIOD_SKIPPED = "period-skipped"
NO_USAGE = "no-usage"


@dataclass(slots=True)
class _Run:
    """One computation: its inputs, and what it has collected so far."""

    repository: Repository
    usage: Usage
    as_of: dt.date
    period: Period | None
    additions: list[DesiredAddition] = field(default_factory=list)
    warnings: list[PlanWarning] = field(default_factory=list)
    scopes: list[ConfigurationScope] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)

    def result(self) -> DesiredResult:
        return DesiredResult(
            additions=tuple(
                sorted(
                    self.additions,
                    key=lambda a: (a.company, a.agreement_id, a.product, a.period, a.configuration),
                )
            ),
            warnings=tuple(
                sorted(self.warnings, key=lambda w: (w.company, w.configuration, w.period, w.code, w.message))
            ),
            scopes=tuple(sorted(self.scopes, key=lambda s: (s.company, s.configuration))),
            errors=tuple(sort_findings(self.errors)),
        )

    def warn(
        self, code: str, company: Company, configuration: Configuration, billed: Period, message: str
    ) -> None:
        self.warnings.append(PlanWarning(code, company.identifier, configuration.name, message, str(billed)))

    def company(self, company: Company, company_agreements: Sequence[AgreementInfo] | None) -> None:
        if company_agreements is None:
            self.errors.append(
                error(
                    company.location,
                    "company",
                    f"company {company.identifier} not found in ConnectWise, or it has no agreements",
                )
            )
            # No scope either: nothing of this company may be touched while it cannot be resolved.
            self.scopes.extend(
                ConfigurationScope(company.identifier, c.name, ()) for c in company.configurations
            )
            return
        for index, configuration in enumerate(company.configurations):
            resolved = resolve_agreement(company, index, company_agreements)
            if isinstance(resolved, Finding):
                self.errors.append(resolved)
                self.scopes.append(ConfigurationScope(company.identifier, configuration.name, ()))
            else:
                self.configuration(company, configuration, resolved)

    def configuration(self, company: Company, configuration: Configuration, agreement: AgreementInfo) -> None:
        kept: list[Period] = []
        for billed in periods_in_scope(configuration, self.as_of, self.period):
            record = self.usage.of(company.console_company, billed)
            if record is None:
                message = (
                    f"no usage for {company.console_company} in {billed}; its lines are left as they are"
                )
                self.warn(NO_USAGE, company, configuration, billed, message)
                continue
            kept.append(billed)
            self.lines(_Line(company, configuration, agreement, billed), record)
        self.scopes.append(ConfigurationScope(company.identifier, configuration.name, tuple(kept)))

    def lines(self, line: _Line, record: UsageRecord) -> None:
        configuration = line.configuration
        lines: list[tuple[str, LineValues, tuple[Contribution, ...]]] = []
        for product in configuration.connectwise_products:
            found = contributions(self.repository, configuration, product, record)
            values = line_values(found, configuration.send, self.repository.settings.unit_price_places)
            if values is not None:
                lines.append((product, values, found))
        if not lines:
            return
        dates = billing_dates(line.agreement, line.period)
        if isinstance(dates, Skip):
            products = ", ".join(product for product, _, _ in lines)
            message = f"{products} not billed: {dates.reason}"
            self.warn(PERIOD_SKIPPED, line.company, configuration, line.period, message)
            return
        for product, values, found in lines:
            description = self.description(line, product, values, found)
            if description is not None and limits.length(description) > limits.INVOICE_DESCRIPTION:
                self.errors.append(_too_long(line, product, description))
                continue
            if values.as_total:
                message = (
                    f"{product} has charges but nothing stored in {line.period}: sent as a total "
                    "(quantity 1) instead of an average"
                )
                self.warn(AVERAGE_AS_TOTAL, line.company, configuration, line.period, message)
            self.additions.append(
                DesiredAddition(
                    company=line.company.identifier,
                    configuration=configuration.name,
                    agreement_id=line.agreement.id,
                    product=product,
                    period=line.period,
                    quantity=values.quantity,
                    unit_price=values.unit_price,
                    unit_cost=values.unit_cost,
                    bill_customer=configuration.bill.bill_customer,
                    effective_date=dates.effective,
                    cancelled_date=dates.cancelled,
                    invoice_description=description,
                )
            )

    def description(
        self, line: _Line, product: str, values: LineValues, found: tuple[Contribution, ...]
    ) -> str | None:
        invoice = self.repository.settings.invoice
        mode = line.configuration.invoice_description or invoice.description
        if mode is DescriptionMode.FROM_PRODUCT:
            return None  # not sent: ConnectWise uses the catalog item's description
        return render_template(
            invoice.template,
            {
                "product": product,
                "period": line.period.label,
                "quantity": format(values.quantity, "f"),
                "breakdown": breakdown(found),
                "company": line.company.identifier,
                "configuration": line.configuration.name,
            },
        )


def _too_long(line: _Line, product: str, description: str) -> Finding:
    """A rendered invoice description ConnectWise would refuse (connectwise/limits), where it is made."""
    configuration = line.configuration
    index = line.company.configurations.index(configuration)
    field = "invoice_description"
    path = f"configurations[{index}]" + (f".{field}" if configuration.writes(field) else "")
    message = (
        f"the invoice description of {product} for {line.period} (settings.yaml invoice.template, "
        f"rendered) is {limits.length(description)} characters; ConnectWise's invoiceDescription holds "
        f"at most {limits.INVOICE_DESCRIPTION} (UTF-16 code units): shorten the template, or set "
        "invoice_description: from-product"
    )
    return error(configuration.location_of(field), path, message)


@dataclass(frozen=True, slots=True)
class _Line:
    """Where the lines of one (configuration, period) go."""

    company: Company
    configuration: Configuration
    agreement: AgreementInfo
    period: Period


def compute_desired(  # noqa: PLR0917  # the signature is the engine's contract with its callers
    repository: Repository,
    usage: Usage,
    agreements: Mapping[str, Sequence[AgreementInfo]],
    as_of: dt.date,
    period: Period | None = None,
    companies: Collection[str] | None = None,
) -> DesiredResult:
    """Desired additions for every configuration of the selected companies (all when None).

    `agreements` is keyed by `Company.identifier` as written in the repository; a missing key means
    the company was not found in ConnectWise (a plan error). `period` overrides the scope (§5);
    `companies` filters by identifier, case-insensitively.
    """
    wanted = None if companies is None else {c.casefold() for c in companies}
    run = _Run(repository, usage, as_of, period)
    for company in repository.companies:
        if wanted is None or company.identifier.casefold() in wanted:
            run.company(company, agreements.get(company.identifier))
    return run.result()
