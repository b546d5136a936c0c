"""Making a plan and applying it: the orchestration of one run (STYLE: the shape of the house).

repository + usage → agreements and catalog (ConnectWise) → desired additions (engine) → the
additions in scope (ConnectWise) → plan (diff). Apply re-uses the same path, checks a saved plan's
fingerprint, the safety thresholds, and then writes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from reconciler.config.model import Company, Repository
from reconciler.connectwise.apply import Applier, ApplyReport, WriteResult
from reconciler.connectwise.client import ConnectWiseClient, Credentials
from reconciler.connectwise.journal import Journal
from reconciler.connectwise.live import CatalogItem
from reconciler.connectwise.read import agreements_in_scope, read_additions, read_agreements, read_catalog
from reconciler.engine.desired import compute_desired
from reconciler.engine.model import DesiredResult, PlanWarning
from reconciler.engine.scope import periods_in_scope
from reconciler.errors import Finding, UserError, error
from reconciler.httpclient import RetryPolicy
from reconciler.plan.diff import LiveState, build_plan
from reconciler.plan.fingerprint import stale_reasons
from reconciler.plan.model import Plan, Selection
from reconciler.plan.safety import threshold_violations
from reconciler.reconcile.inputs import fetch_console_usage, load_usage_files, usage_source
from reconciler.render.json import plan_from_json


@dataclass(frozen=True, slots=True)
class RunOptions:
    root: Path
    usage: Path | None
    selection: Selection
    concurrency: int = 8


@dataclass(frozen=True, slots=True)
class PlanRun:
    plan: Plan
    repository: Repository


def connect(
    repository: Repository,
    transport: httpx.BaseTransport | None = None,
    *,
    concurrency: int = 8,
    policy: RetryPolicy | None = None,
) -> ConnectWiseClient:
    """A ConnectWise client from settings (CW_URL overrides) and credentials from the environment."""
    url = os.environ.get("CW_URL") or repository.settings.connectwise_url
    credentials = Credentials.from_env()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    http = httpx.Client(transport=transport, limits=limits, follow_redirects=False)
    return ConnectWiseClient(http, url, credentials, policy=policy, concurrency=concurrency)


def selected_companies(repository: Repository, wanted: Sequence[str]) -> tuple[Company, ...]:
    if not wanted:
        return repository.companies
    chosen: list[Company] = []
    for identifier in wanted:
        company = repository.company(identifier)
        if company is None:
            raise UserError(f"--company {identifier}: no company file names it")
        chosen.append(company)
    return tuple(chosen)


def _catalog_findings(
    repository: Repository, companies: Sequence[Company], catalog: dict[str, CatalogItem]
) -> list[Finding]:
    findings: list[Finding] = []
    for company in companies:
        for configuration in company.configurations:
            for identifier in configuration.connectwise_products:
                if identifier not in catalog:
                    findings.append(
                        error(
                            configuration.location,
                            f"configurations.{configuration.name}.connectwise_products",
                            f"catalog item {identifier!r} not found in ConnectWise (/procurement/catalog)",
                        )
                    )
    return findings


def make_plan(
    options: RunOptions,
    repository: Repository,
    client: ConnectWiseClient,
    console_transport: httpx.BaseTransport | None = None,
) -> PlanRun:
    """The plan for `options` against what ConnectWise holds now."""
    selection = options.selection
    companies = selected_companies(repository, selection.companies)
    agreements = read_agreements(client, companies)
    identifiers = {i for c in companies for conf in c.configurations for i in conf.connectwise_products}
    catalog = read_catalog(client, identifiers)
    problems = _catalog_findings(repository, companies, catalog)
    if problems:
        raise UserError(findings=problems)
    source = usage_source(options.root, options.usage)
    console_warnings: list[PlanWarning] = []
    if source is not None:
        usage = load_usage_files(source, repository)
    else:
        periods = sorted(
            {
                p
                for c in companies
                for conf in c.configurations
                for p in periods_in_scope(conf, selection.as_of, selection.period)
            }
        )
        usage, console_warnings = fetch_console_usage(repository, periods, console_transport)
    desired = compute_desired(
        repository,
        usage,
        agreements,
        selection.as_of,
        selection.period,
        companies=[c.identifier for c in companies] if selection.companies else None,
    )
    if desired.errors:
        raise UserError(findings=desired.errors)
    if console_warnings:
        desired = DesiredResult(
            desired.additions, (*desired.warnings, *console_warnings), desired.scopes, desired.errors
        )
    additions = read_additions(client, agreements_in_scope(agreements, desired.scopes))
    live = LiveState(
        agreements={a.id: a for group in agreements.values() for a in group},
        additions=additions,
        catalog=catalog,
    )
    plan = build_plan(repository, desired, live, selection, usage.digest)
    return PlanRun(plan, repository)


def load_saved_plan(path: Path) -> Plan:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot read the plan ({exc.strerror})") from exc
    return plan_from_json(text, str(path))


def check_saved_plan(saved: Plan, current: Plan, source: str) -> None:
    reasons = stale_reasons(saved.fingerprint, current.fingerprint)
    if reasons:
        listed = "\n".join(f"  - {r}" for r in reasons)
        raise UserError(f"{source}: the plan is stale; make a new plan. What changed:\n{listed}")


def check_thresholds(plan: Plan, repository: Repository, force: bool) -> None:
    problems = threshold_violations(plan, repository.settings.safety)
    if problems and not force:
        listed = "\n".join(f"  - {p}" for p in problems)
        raise UserError(f"refusing to apply without --force:\n{listed}")


def execute(
    plan: Plan,
    client: ConnectWiseClient,
    journal_path: Path | None,
    progress: Callable[[WriteResult], None] | None = None,
) -> ApplyReport:
    journal = Journal.open(journal_path) if journal_path is not None else Journal(None)
    try:
        return Applier(client, journal).apply(plan, progress)
    finally:
        journal.close()
