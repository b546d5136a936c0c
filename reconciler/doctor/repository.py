"""The repository against what ConnectWise holds: the checks a plan makes, stated as findings.

Pure. Each check uses the plan's own definition — `locate_catalog_problems` (where a catalog
identifier is written), `resolve_agreement` and `billing_dates` (engine/agreements.py, billing-rules
§5), `periods_in_scope` — so doctor and plan cannot disagree on what is wrong, and every finding
points at the file and line to change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from reconciler.config.model import Company, Repository
from reconciler.doctor.model import Check, check_from, count
from reconciler.doctor.reads import LiveRead, catalog_identifiers
from reconciler.engine.agreements import Skip, billing_dates, resolve_agreement
from reconciler.engine.model import AgreementInfo
from reconciler.engine.periods import Period
from reconciler.engine.scope import periods_in_scope
from reconciler.errors import Finding, error, warning
from reconciler.reconcile.run import MISSING_ITEM, locate_catalog_problems


def companies_check(companies: Sequence[Company], live: LiveRead) -> Check:
    findings: list[Finding] = []
    for company in companies:
        found = live.companies.get(company.identifier.casefold())
        if found is None:
            message = f"company {company.identifier} not found in ConnectWise (/company/companies)"
            findings.append(error(company.location, "company", message))
        elif found.deleted:
            message = f"company {company.identifier} (id {found.id}) is deleted in ConnectWise"
            findings.append(error(company.location, "company", message))
    return check_from(
        "companies",
        "every company file's company exists",
        ok=f"{count(len(companies), 'company', 'companies')} found in ConnectWise",
        problem=f"{len(findings)} of {len(companies)} companies not usable",
        fix="set `company:` to the company's identifier in ConnectWise (Company › Company ID)",
        findings=findings,
    )


def catalog_check(repository: Repository, companies: Sequence[Company], live: LiveRead) -> Check:
    problems: dict[str, str] = {}
    for identifier in sorted(catalog_identifiers(repository)):
        item = live.catalog.get(identifier)
        if item is None:
            problems[identifier] = MISSING_ITEM.format(identifier)
        elif item.inactive:
            problems[identifier] = f"catalog item {identifier!r} (id {item.id}) is inactive in ConnectWise"
    findings = locate_catalog_problems(repository, companies, problems, every_product=True)
    named = len(catalog_identifiers(repository))
    return check_from(
        "catalog",
        "every catalog identifier exists and is active",
        ok=f"{count(named, 'catalog item')} found, none inactive",
        problem=f"{len(problems)} of {count(named, 'catalog identifier')} missing or inactive",
        fix="use the Product ID of an active catalog item (Procurement › Product Catalog)",
        findings=findings,
    )


def resolved_agreements(
    companies: Sequence[Company], live: LiveRead
) -> tuple[list[tuple[Company, int, AgreementInfo]], list[Finding]]:
    """Each configuration's agreement, or the plan's own finding; companies ConnectWise lacks are
    left to `companies_check`."""
    resolved: list[tuple[Company, int, AgreementInfo]] = []
    findings: list[Finding] = []
    for company in companies:
        if company.identifier.casefold() not in live.companies:
            continue
        agreements = live.agreements.get(company.identifier, ())
        for index in range(len(company.configurations)):
            found = resolve_agreement(company, index, agreements)
            if isinstance(found, Finding):
                findings.append(found)
            else:
                resolved.append((company, index, found))
    return resolved, findings


def agreements_check(configurations: int, findings: Sequence[Finding]) -> Check:
    return check_from(
        "agreements",
        "each configuration's agreement resolves",
        ok=f"{count(configurations, 'configuration')}: each names exactly one agreement",
        problem=f"{len(findings)} of {count(configurations, 'configuration')} unresolved or ambiguous",
        fix="name the agreement exactly as ConnectWise does, or by its id (`agreement: 42`)",
        findings=findings,
    )


def periods_check(
    resolved: Sequence[tuple[Company, int, AgreementInfo]], as_of: dt.date, period: Period | None
) -> Check:
    """Whether each agreement can take its configuration's periods in scope (billing-rules §5):
    a period it cannot take is a warning (plan skips it, `period-skipped`); a configuration none of
    whose periods it can take bills nothing at all, an error."""
    findings: list[Finding] = []
    checked = 0
    for company, index, agreement in resolved:
        configuration = company.configurations[index]
        periods = periods_in_scope(configuration, as_of, period)
        checked += len(periods)
        reasons = [dates.reason for p in periods if isinstance(dates := billing_dates(agreement, p), Skip)]
        if not reasons:
            continue
        where = configuration.location_of("agreement")
        path = f"configurations[{index}].agreement"
        if len(reasons) == len(periods):
            message = f"{configuration.name} bills nothing in scope: " + "; ".join(reasons)
            findings.append(error(where, path, message))
        else:
            message = f"{configuration.name}: not billed: " + "; ".join(reasons)
            findings.append(warning(where, path, message, "period-skipped"))
    return check_from(
        "billing-periods",
        "each agreement can take the periods in scope",
        ok=f"{checked} (configuration, period) pairs in scope on {as_of.isoformat()}, all billable",
        problem=f"periods in scope on {as_of.isoformat()} that an agreement cannot take",
        fix="point the configuration at an agreement that bills then, or correct the agreement's "
        "billing start, end or cancellation in ConnectWise; a warning is what plan skips too",
        findings=findings,
    )
