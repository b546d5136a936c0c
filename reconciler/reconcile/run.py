"""Making a plan and applying it: the orchestration of one run (STYLE: the shape of the house).

repository + usage → agreements and catalog (ConnectWise) → desired additions (engine) → the
additions in scope (ConnectWise) → plan (diff). Apply re-uses the same path, checks a saved plan's
fingerprint, the safety thresholds, and then writes — holding `apply_lock`, so that two applies on
one machine never both plan the same create (ConnectWise has no conditional write to stop them).
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

from reconciler.config.model import Company, Repository
from reconciler.connectwise.apply import Applier, ApplyReport, WriteResult
from reconciler.connectwise.client import ConnectWiseClient, ConnectWiseError, Credentials
from reconciler.connectwise.journal import Journal
from reconciler.connectwise.live import CatalogItem
from reconciler.connectwise.read import (
    PendingAdditions,
    Progress,
    agreements_in_scope,
    read_agreements,
    read_catalog,
)
from reconciler.engine.desired import compute_desired
from reconciler.engine.model import ConfigurationScope, DesiredResult
from reconciler.engine.scope import periods_in_scope
from reconciler.errors import Finding, UserError, error, sort_findings
from reconciler.httpclient import RetryPolicy
from reconciler.plan.diff import LiveState, build_plan
from reconciler.plan.fingerprint import stale_reasons
from reconciler.plan.model import Plan, Selection
from reconciler.plan.safety import threshold_violations
from reconciler.plan.unowned import UnownedLine, unowned_lines
from reconciler.reconcile.inputs import load_run_usage, periods_in_any_scope
from reconciler.render.json import plan_from_json

log = logging.getLogger("cwbill.run")


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
    unowned: tuple[UnownedLine, ...] = ()  # the additions of `plan.unowned`, for --show-unowned


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
    """Each catalog item ConnectWise lacks, where it is written: in a configuration's
    `connectwise_products`, or (when the product mapping supplied it) at the product in products.yaml."""
    message = "catalog item {!r} not found in ConnectWise (/procurement/catalog)"
    findings: list[Finding] = []
    from_mapping: set[str] = set()
    for company in companies:
        for index, configuration in enumerate(company.configurations):
            named = enumerate(configuration.connectwise_products)
            missing = [(position, item) for position, item in named if item not in catalog]
            if not configuration.writes("connectwise_products"):
                from_mapping.update(item for _, item in missing)
                continue
            for position, identifier in missing:
                field = f"connectwise_products[{position}]"
                where = configuration.location_of(field)
                findings.append(error(where, f"configurations[{index}].{field}", message.format(identifier)))
    for product in repository.products.values():
        if product.connectwise in from_mapping:
            path = f"products.{product.key}.connectwise"
            where = product.connectwise_location or product.location
            findings.append(error(where, path, message.format(product.connectwise)))
    return findings


def make_plan(
    options: RunOptions,
    repository: Repository,
    client: ConnectWiseClient,
    console_transport: httpx.BaseTransport | None = None,
    progress: Progress | None = None,
) -> PlanRun:
    """The plan for `options` against what ConnectWise holds now; `progress` hears of each
    agreement whose additions are read.

    A ConnectWise that does not answer (after the client's retries) is a UserError, exit 1: nothing
    has been written yet, and the next run starts afresh."""
    try:
        return _make_plan(options, repository, client, console_transport, progress)
    except ConnectWiseError as exc:
        raise UserError(f"ConnectWise: {exc}; nothing was written, run again when it answers") from exc


def _make_plan(
    options: RunOptions,
    repository: Repository,
    client: ConnectWiseClient,
    console_transport: httpx.BaseTransport | None,
    progress: Progress | None,
) -> PlanRun:
    """The reads overlap the work (docs/performance.md): usage loads while agreements and catalog are
    read (at once: neither needs the other), and every agreement's additions are read while the
    engine runs, for every period its configurations may touch; the engine's exact scope then keeps
    what it needs (`collect`)."""
    selection = options.selection
    companies = selected_companies(repository, selection.companies)
    possible = {
        (c.identifier, conf.name): periods_in_scope(conf, selection.as_of, selection.period)
        for c in companies
        for conf in c.configurations
    }
    every_period = periods_in_any_scope(companies, selection.as_of, selection.period)
    identifiers = {i for c in companies for conf in c.configurations for i in conf.connectwise_products}
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="cwbill-first-reads") as background:
        loading = background.submit(
            load_run_usage, options.root, options.usage, repository, every_period, console_transport
        )
        # the catalog does not depend on the agreements: both first reads are in flight at once
        reading_catalog = background.submit(read_catalog, client, identifiers)
        agreements = read_agreements(client, companies)
        catalog = reading_catalog.result()
        log.info("read %d agreements, %d catalog items", sum(map(len, agreements.values())), len(catalog))
        problems = _catalog_findings(repository, companies, catalog)
        scopes = [ConfigurationScope(company, name, periods) for (company, name), periods in possible.items()]
        # with problems no plan is made, so nothing is read for one; the engine still runs, so that
        # every error (catalog, agreements, usage) is reported at once
        wanted = {} if problems else agreements_in_scope(agreements, scopes)
        pending = PendingAdditions(client, wanted, progress)
        try:
            try:
                usage, console_warnings = loading.result()
            except UserError as exc:
                if not problems:
                    raise
                raise UserError(exc.message, sort_findings([*problems, *exc.findings])) from exc
            desired = compute_desired(
                repository,
                usage,
                agreements,
                selection.as_of,
                selection.period,
                companies=[c.identifier for c in companies] if selection.companies else None,
            )
            if problems or desired.errors:
                raise UserError(findings=sort_findings([*problems, *desired.errors]))
            in_scope = agreements_in_scope(agreements, desired.scopes)
            additions = pending.collect(in_scope)
        finally:
            pending.close()
    if console_warnings:
        desired = DesiredResult(
            desired.additions, (*desired.warnings, *console_warnings), desired.scopes, desired.errors
        )
    log.info("read %d additions of %d agreements in scope", len(additions), len(in_scope))
    live = LiveState(
        agreements={a.id: a for group in agreements.values() for a in group},
        additions=additions,
        catalog=catalog,
    )
    plan = build_plan(repository, desired, live, selection, usage.digest)
    places = repository.settings.unit_price_places
    return PlanRun(plan, repository, unowned_lines(plan.unowned, live, places))


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


@contextmanager
def apply_lock(client: ConnectWiseClient, directory: Path | None = None) -> Iterator[Path]:
    """Hold the one apply per (ConnectWise URL, company id) on this machine; refuse when taken.

    An exclusive `flock` on a file in the temporary directory, taken without waiting: a second apply
    is refused at once, before it reads anything. The kernel releases it when the process ends, even
    by SIGKILL, so a crashed apply never blocks the next (its file stays, empty of meaning, and is
    reused); a finished apply removes the file. Across machines, see docs/reliability.md.
    """
    url, company = client.base_url, client.credentials.company_id
    key = hashlib.sha256(f"{url.casefold()}\n{company.casefold()}".encode()).hexdigest()[:16]
    path = (directory or Path(tempfile.gettempdir())) / f"cwbill-apply-{key}.lock"
    if sys.platform == "win32":  # no flock: the CI's concurrency group is the only guard there
        yield path
        return
    descriptor = _locked(path, url, company)
    try:
        try:
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, f"{os.getpid()}\n".encode("ascii"), 0)
        except OSError:
            pass  # another user's lock file, opened read-only: the lock holds, without our pid
        yield path
    finally:
        with suppress(OSError):
            path.unlink()  # still holding it, so no one can be between its open and its lock
        os.close(descriptor)


def _locked(path: Path, url: str, company: str) -> int:
    """A descriptor of `path` holding its exclusive lock, or a UserError when another apply has it."""
    import fcntl

    for _ in range(5):
        descriptor = _open_lock(path)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
            os.close(descriptor)
            raise UserError(
                f"another cwbill apply is running against {url} (company {company}) on this machine"
                f"{f' (pid {holder})' if holder.isdigit() else ''}; nothing was written. Run apply "
                f"again when it has finished (lock file {path})"
            ) from None
        if _same_file(descriptor, path):
            return descriptor
        os.close(descriptor)  # the previous holder removed it between our open and our lock
    raise UserError(f"cannot take the apply lock {path}: it keeps changing; nothing was written")


def _same_file(descriptor: int, path: Path) -> bool:
    try:
        named = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    held = os.fstat(descriptor)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def _open_lock(path: Path) -> int:
    # O_NOFOLLOW: the temporary directory is shared, and a planted symlink must not be followed
    flags = os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        try:
            return os.open(path, flags | os.O_RDWR, 0o644)
        except PermissionError:
            return os.open(path, flags | os.O_RDONLY)
    except OSError as exc:
        raise UserError(f"cannot take the apply lock {path}: {exc.strerror}; nothing was written") from exc
