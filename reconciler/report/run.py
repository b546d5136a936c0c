"""Making a report: the repository and usage in, the agreements' dates and catalog prices read from
ConnectWise (reads only), the pure `build_report` out.

The plan for the same scope is made too (reads only), so that the report's total is set beside the
plan's with each difference named (`report/reconcile.py`). Usage comes from files as for `cwbill
plan` (`--usage`, else `DIR/usage/`); without files, from the Management Console for the periods in
scope only — the console keeps no history (billing-rules §3), so earlier months could not be
compared honestly.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import httpx

from reconciler.config.model import Repository, SendMode
from reconciler.connectwise.client import ConnectWiseClient
from reconciler.connectwise.read import read_agreements, read_catalog
from reconciler.errors import UserError
from reconciler.plan.model import Selection
from reconciler.reconcile.inputs import load_run_usage, periods_in_any_scope
from reconciler.reconcile.run import RunOptions, connectwise_errors, make_plan, selected_companies
from reconciler.report.build import build_report
from reconciler.report.model import Report
from reconciler.report.reconcile import reconcile, unavailable


def make_report(
    root: Path,
    usage_path: Path | None,
    selection: Selection,
    repository: Repository,
    client: ConnectWiseClient,
    *,
    console_transport: httpx.BaseTransport | None = None,
) -> Report:
    """The report, with the plan for the same scope beside it (reads only: the plan's additions
    are read to name each difference between the two totals)."""
    with connectwise_errors(client):  # one wording of a ConnectWise read that fails (a 404: the URL)
        report = _make_report(root, usage_path, selection, repository, client, console_transport)
    try:
        run = make_plan(RunOptions(root, usage_path, selection), repository, client, console_transport)
    except UserError as exc:  # the report stands on its own; it says why it has nothing to compare
        problem = exc.message or (exc.findings[0].render() if exc.findings else "the plan failed")
        return replace(report, reconciliation=unavailable(report.lines, problem))
    return replace(report, reconciliation=reconcile(report.lines, run.plan))


def _make_report(  # noqa: PLR0917  # make_report's arguments, passed on
    root: Path,
    usage_path: Path | None,
    selection: Selection,
    repository: Repository,
    client: ConnectWiseClient,
    console_transport: httpx.BaseTransport | None,
) -> Report:
    companies = selected_companies(repository, selection.companies)
    agreements = read_agreements(client, companies)
    # only send: quantity lines take their price from the catalog item
    priced_by_catalog = {
        identifier
        for company in companies
        for configuration in company.configurations
        if configuration.send is SendMode.QUANTITY
        for identifier in configuration.connectwise_products
    }
    catalog = read_catalog(client, priced_by_catalog)
    periods = periods_in_any_scope(companies, selection.as_of, selection.period)
    usage, console_warnings = load_run_usage(root, usage_path, repository, periods, console_transport)
    report = build_report(repository, usage, agreements, catalog, selection)
    if not isinstance(report, Report):
        raise UserError(findings=report)
    return replace(report, warnings=(*report.warnings, *console_warnings))
