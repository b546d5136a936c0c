"""`cwbill doctor`: the orchestration of one read-only check (docs/getting-started.md).

repository (validate) → ConnectWise access (URL, discovery, member, each read) → the repository
against ConnectWise (companies, catalog, agreements, periods in scope) → usage → the desired lines
and the additions in scope (unowned conflicts) → the shape of every record read → the Management
Console (login, unmapped products). Only GETs reach ConnectWise (and the console's login and
read-only billing queries): nothing is written. A check that cannot run because an earlier one
failed is listed as skipped, so the checklist always has every line.
"""

from __future__ import annotations

import httpx

from reconciler.config.load import load_repository
from reconciler.config.model import Company, Repository
from reconciler.connectwise.client import ConnectWiseClient, ConnectWiseError
from reconciler.connectwise.read import agreements_in_scope
from reconciler.doctor import access
from reconciler.doctor import repository as checks_of
from reconciler.doctor.conflicts import conflicts_check
from reconciler.doctor.console import CONSOLE_CHECKS, check_console
from reconciler.doctor.model import Check, Report, Status, check_from, count, skipped
from reconciler.doctor.reads import LiveRead, read_additions, read_live
from reconciler.doctor.shapes import ShapeTally, shape_check
from reconciler.engine.desired import compute_desired
from reconciler.errors import Severity, UserError
from reconciler.plan.diff import LiveState
from reconciler.reconcile.inputs import load_run_usage, periods_in_any_scope
from reconciler.reconcile.run import RunOptions, connect, selected_companies

DATA_CHECKS = (
    ("companies", "every company file's company exists"),
    ("catalog", "every catalog identifier exists and is active"),
    ("agreements", "each configuration's agreement resolves"),
    ("billing-periods", "each agreement can take the periods in scope"),
    ("unowned-conflict", "unowned additions in scope that would conflict"),
    ("record-shape", "records as cwbill expects them (field, type, format)"),
)


def run_doctor(
    options: RunOptions,
    transport: httpx.BaseTransport | None = None,
    console_transport: httpx.BaseTransport | None = None,
) -> Report:
    repository, findings = load_repository(options.root)
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    valid = repository is not None and not errors
    checks = [
        check_from(
            "repository",
            "the billing repository is valid",
            ok=f"{options.root} is valid",
            problem=f"{options.root}: {count(errors, 'error')}, {count(len(findings) - errors, 'warning')}",
            fix="correct each finding (`cwbill validate` lists the same)",
            findings=findings,
        )
    ]
    if repository is None or not valid:
        why = "not checked: the billing repository is not valid"
        later = (*access.ACCESS_CHECKS, *DATA_CHECKS, *CONSOLE_CHECKS)
        return Report((*checks, *(skipped(code, title, why) for code, title in later)))
    try:
        client = connect(repository, transport, concurrency=options.concurrency)
    except UserError as exc:  # no credentials, or a URL cwbill refuses (plain http, a password in it)
        fix = "set CW_COMPANY_ID, CW_PUBLIC_KEY, CW_PRIVATE_KEY and CW_CLIENT_ID, and an https:// URL"
        listed = [
            Check(code, title, Status.FAIL, exc.message, fix)
            if code == "connectwise-auth"
            else skipped(code, title, "not checked: no ConnectWise client")
            for code, title in (*access.ACCESS_CHECKS, *DATA_CHECKS)
        ]
        return Report((*checks, *listed, *check_console(repository, console_transport)))
    try:
        checks += _connectwise_checks(options, repository, client, console_transport)
    finally:
        client.http.close()
    return Report((*checks, *check_console(repository, console_transport)))


def _connectwise_checks(
    options: RunOptions,
    repository: Repository,
    client: ConnectWiseClient,
    console_transport: httpx.BaseTransport | None,
) -> list[Check]:
    checks, readable = access.check_access(client)
    if not readable:
        why = "not checked: ConnectWise cannot be read (see above)"
        return [*checks, *(skipped(code, title, why) for code, title in DATA_CHECKS)]
    companies = selected_companies(repository, options.selection.companies)
    tally = ShapeTally()
    try:
        live = read_live(client, repository, tally)
    except (ConnectWiseError, UserError) as exc:
        why = f"not checked: reading ConnectWise failed ({exc})"
        return [*checks, *(skipped(code, title, why) for code, title in DATA_CHECKS)]
    resolved, unresolved = checks_of.resolved_agreements(companies, live)
    selection = options.selection
    data = [
        checks_of.companies_check(companies, live),
        checks_of.catalog_check(repository, companies, live),
        checks_of.agreements_check(sum(len(c.configurations) for c in companies), unresolved),
        checks_of.periods_check(resolved, selection.as_of, selection.period),
    ]
    if any(check.status is Status.FAIL for check in data):
        data.append(
            skipped(*DATA_CHECKS[4], "not checked: a plan cannot be made until the ✘ above are fixed")
        )
    else:
        data.append(_conflicts(options, repository, companies, client, live, tally, console_transport))
    return [*checks, *data, shape_check(tally)]


def _conflicts(  # noqa: PLR0917  # the run's parts, passed on as plan passes them
    options: RunOptions,
    repository: Repository,
    companies: tuple[Company, ...],
    client: ConnectWiseClient,
    live: LiveRead,
    tally: ShapeTally,
    console_transport: httpx.BaseTransport | None,
) -> Check:
    """The plan's computation on what doctor read (as `reconcile.run.make_plan`, without writing)."""
    code, title = DATA_CHECKS[4]
    selection = options.selection
    periods = periods_in_any_scope(companies, selection.as_of, selection.period)
    try:
        usage, _ = load_run_usage(options.root, options.usage, repository, periods, console_transport)
    except UserError as exc:
        why = exc.message or "; ".join(f.render() for f in exc.findings)
        return Check(
            code,
            title,
            Status.FAIL,
            f"the usage cannot be loaded: {why}",
            "commit usage snapshots (`cwbill usage pull`) or set MBS_USERNAME and MBS_PASSWORD",
        )
    wanted = [c.identifier for c in companies] if selection.companies else None
    desired = compute_desired(
        repository, usage, live.agreements, selection.as_of, selection.period, companies=wanted
    )
    if desired.errors:
        return check_from(
            code, title, ok="", problem="plan errors", fix="correct each finding", findings=desired.errors
        )
    in_scope = agreements_in_scope(live.agreements, desired.scopes)
    try:
        additions = read_additions(client, in_scope, tally)
    except (ConnectWiseError, UserError) as exc:
        return Check(
            code, title, Status.FAIL, f"reading the additions in scope failed: {exc}", access.URL_FIX
        )
    state = LiveState(
        agreements={a.id: a for group in live.agreements.values() for a in group},
        additions=additions,
        catalog=live.catalog,
    )
    return conflicts_check(repository, desired, state, selection, usage.digest)
