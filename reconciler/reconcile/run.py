"""Making a plan: the orchestration of one run (STYLE: the shape of the house).

repository + usage → agreements and catalog (ConnectWise) → desired additions (engine) → the
additions in scope (ConnectWise) → plan (diff). Apply re-uses the same path, then
`reconcile/writes.py` checks a saved plan (a review token), the safety thresholds, and writes —
holding `apply_lock`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx

from reconciler.config.model import Company, Repository
from reconciler.connectwise.client import ConnectWiseClient, ConnectWiseError, open_client
from reconciler.connectwise.live import CatalogItem, LiveAddition
from reconciler.connectwise.read import (
    PendingAdditions,
    Progress,
    agreements_in_scope,
    read_agreements,
    read_catalog,
)
from reconciler.engine.desired import compute_desired
from reconciler.engine.model import AgreementInfo, DesiredResult
from reconciler.errors import Finding, UserError, error, sort_findings
from reconciler.httpclient import RetryPolicy
from reconciler.plan.diff import LiveState, merge_parts
from reconciler.plan.model import Plan, Reason, Selection
from reconciler.plan.review import NO_REVIEW, Review, review_run
from reconciler.plan.unowned import UnownedLine, unowned_lines
from reconciler.reconcile.early import EarlyReads, possible_scopes
from reconciler.reconcile.inputs import load_run_usage, periods_in_any_scope
from reconciler.reconcile.overlap import parts_as_read
from reconciler.render.json import ChangeTexts
from reconciler.usage.model import Usage
from reconciler.usage.notes import note_warnings, usage_ages

log = logging.getLogger("cwbill.run")
EXAMPLE_CW_URL = "https://api-na.myconnectwise.net/v4_6_release/apis/3.0"  # connectwise-api.md: the base
API_SUFFIX = "/apis/3.0"


@dataclass(frozen=True, slots=True)
class RunOptions:
    root: Path
    usage: Path | None
    selection: Selection
    concurrency: int = 8
    only: Reason | None = None  # only the changes of this reason (`plan --drift-only`)
    # `cwbill leakage`: usage of every console company, and the run's inputs kept in `PlanRun.inputs`
    leakage: bool = False
    # work out the review aids: plan and apply show them (text, Markdown, JSON); report, doctor and
    # leakage do not (≈ 0.7 s of CPU at 2,000 companies)
    review: bool = False
    # the run writes the JSON plan: each change's text is made while the reads still arrive
    json_plan: bool = False


@dataclass(frozen=True, slots=True)
class RunInputs:
    """What a plan was made from, kept only when asked (`RunOptions.leakage`): it costs memory."""

    usage: Usage
    desired: DesiredResult
    live: LiveState
    plan: Plan  # with every change, also under `RunOptions.only`


@dataclass(frozen=True, slots=True)
class PlanRun:
    plan: Plan
    repository: Repository
    unowned: tuple[UnownedLine, ...] = ()  # the additions of `plan.unowned`, for --show-unowned
    review: Review = NO_REVIEW  # the review aids of the Markdown plan
    # with `moved_since` (a saved plan's additions): each live addition read whose lastUpdated differs
    moved: Mapping[int, LiveAddition] = field(default_factory=dict)
    inputs: RunInputs | None = None
    texts: ChangeTexts | None = None  # with `RunOptions.json_plan`: for `plan_to_json(texts=…)`


def connect(
    repository: Repository,
    transport: httpx.BaseTransport | None = None,
    *,
    concurrency: int = 8,
    policy: RetryPolicy | None = None,
) -> ConnectWiseClient:
    """A ConnectWise client from settings (CW_URL overrides) and credentials from the environment."""
    return open_client(repository.settings.connectwise_url, transport, concurrency=concurrency, policy=policy)


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


MISSING_ITEM = "catalog item {!r} not found in ConnectWise (/procurement/catalog)"


def _catalog_findings(
    repository: Repository, companies: Sequence[Company], catalog: dict[str, CatalogItem]
) -> list[Finding]:
    """Each catalog item ConnectWise lacks, where it is written."""
    named = {i for c in companies for conf in c.configurations for i in conf.connectwise_products}
    missing = {identifier: MISSING_ITEM.format(identifier) for identifier in named - catalog.keys()}
    return locate_catalog_problems(repository, companies, missing)


def locate_catalog_problems(
    repository: Repository,
    companies: Sequence[Company],
    problems: Mapping[str, str],
    *,
    every_product: bool = False,
) -> list[Finding]:
    """A finding for each catalog identifier of `problems` (→ its message), where it is written: in
    a configuration's `connectwise_products`, or (when the product mapping supplied it) at the product
    in products.yaml — every product naming it with `every_product` (doctor), not only those in use."""
    findings: list[Finding] = []
    from_mapping: set[str] = set()
    for company in companies:
        for index, configuration in enumerate(company.configurations):
            named = enumerate(configuration.connectwise_products)
            bad = [(position, item) for position, item in named if item in problems]
            if not configuration.writes("connectwise_products"):
                from_mapping.update(item for _, item in bad)
                continue
            for position, identifier in bad:
                field = f"connectwise_products[{position}]"
                where = configuration.location_of(field)
                findings.append(error(where, f"configurations[{index}].{field}", problems[identifier]))
    for product in repository.products.values():
        if product.connectwise in from_mapping or (every_product and product.connectwise in problems):
            path = f"products.{product.key}.connectwise"
            where = product.connectwise_location or product.location
            findings.append(error(where, path, problems[product.connectwise]))
    return findings


def make_plan(
    options: RunOptions,
    repository: Repository,
    client: ConnectWiseClient,
    console_transport: httpx.BaseTransport | None = None,
    progress: Progress | None = None,
    *,
    moved_since: Mapping[int, str] | None = None,
    early: EarlyReads | None = None,
) -> PlanRun:
    """The plan for `options` against what ConnectWise holds now; `progress` hears of each
    agreement whose additions are read; with `moved_since` (addition id → lastUpdated, a saved
    plan's), the run keeps each addition read that is not as it was then (`PlanRun.moved`); with
    `early` (reads started while the repository loaded, over `client`), what they read is used.

    A ConnectWise that does not answer (after the client's retries) is a UserError, exit 1: nothing
    has been written yet, and the next run starts afresh."""
    with connectwise_errors(client):
        return _make_plan(
            options, repository, client, console_transport, progress, moved_since=moved_since, early=early
        )


@contextmanager
def connectwise_errors(client: ConnectWiseClient) -> Iterator[None]:
    """A read of ConnectWise that fails (after the client's retries) as a UserError, exit 1: nothing
    has been written yet. A 404 means the URL is wrong (most often CW_URL without the API path),
    not a server that is down, so it says which URL and what it should look like."""
    try:
        yield
    except ConnectWiseError as exc:
        if exc.status == 404:
            problem = (
                f"it must end in the API path ({API_SUFFIX}), e.g. {EXAMPLE_CW_URL}"
                if not client.base_url.rstrip("/").endswith(API_SUFFIX)
                else "check its host and codebase"
            )
            raise UserError(
                f"ConnectWise: {exc}; the ConnectWise URL {client.base_url} (CW_URL, else settings.yaml "
                f"connectwise.url) looks wrong: {problem}; nothing was written"
            ) from exc
        raise UserError(f"ConnectWise: {exc}; nothing was written, run again when it answers") from exc


def _first_reads(
    client: ConnectWiseClient,
    companies: Sequence[Company],
    identifiers: set[str],
    early: EarlyReads | None,
    background: ThreadPoolExecutor,
) -> tuple[dict[str, tuple[AgreementInfo, ...]], dict[str, CatalogItem], bool]:
    """The agreements and catalog items of the run, from `early` where it read them; and whether
    the agreements came from it (its additions reads are then under way)."""
    # the catalog does not depend on the agreements: both first reads are in flight at once
    # (early: the agreements first, so that an outage is told as it is without them)
    early_agreements = None if early is None else early.agreements(companies)
    early_catalog = None if early is None else early.catalog(identifiers)
    reading_catalog = background.submit(read_catalog, client, identifiers) if early_catalog is None else None
    agreements = read_agreements(client, companies) if early_agreements is None else early_agreements
    catalog = reading_catalog.result() if reading_catalog is not None else early_catalog or {}
    return agreements, catalog, early_agreements is not None


def _make_plan(
    options: RunOptions,
    repository: Repository,
    client: ConnectWiseClient,
    console_transport: httpx.BaseTransport | None,
    progress: Progress | None,
    *,
    moved_since: Mapping[int, str] | None = None,
    early: EarlyReads | None = None,
) -> PlanRun:
    """The reads overlap the work (docs/performance.md): usage loads while agreements and catalog are
    read (at once: neither needs the other), and every agreement's additions are read while the
    engine runs, for every period its configurations may touch; the engine's exact scope then keeps
    what it needs (`PendingAdditions.narrow`, in `parts_as_read`)."""
    selection = options.selection
    companies = selected_companies(repository, selection.companies)
    every_period = periods_in_any_scope(companies, selection.as_of, selection.period)
    identifiers = {i for c in companies for conf in c.configurations for i in conf.connectwise_products}
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="cwbill-first-reads") as background:
        loading = background.submit(
            load_run_usage,
            options.root,
            options.usage,
            repository,
            every_period,
            console_transport,
            all_companies=options.leakage,
        )
        agreements, catalog, from_early = _first_reads(client, companies, identifiers, early, background)
        log.info("read %d agreements, %d catalog items", sum(map(len, agreements.values())), len(catalog))
        problems = _catalog_findings(repository, companies, catalog)
        # with problems no plan is made, so nothing is read for one (early reads not yet sent are
        # cancelled when `pending` closes); the engine still runs, so that every error (catalog,
        # agreements, usage) is reported at once. The early reads started these very additions
        # reads as each agreements chunk answered.
        pending = early.take_additions() if early is not None and from_early else None
        if pending is None:
            wanted = (
                {} if problems else agreements_in_scope(agreements, possible_scopes(companies, selection))
            )
            pending = PendingAdditions(client, wanted, progress)
        else:
            pending.watch(progress)
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
            # what needs no addition is worked out while the additions are still being read
            review = (
                review_run(repository, desired, usage, agreements, catalog, selection)
                if options.review and not options.only
                else NO_REVIEW
            )
            in_scope_periods = sorted({p for scope in desired.scopes for p in scope.periods})
            # the records' notes (unlimited-limit, late-pull, …) warn in every plan made from them
            usage_warnings = [*console_warnings, *note_warnings(usage, repository, in_scope_periods)]
            # each company's part of the plan is made as soon as its agreements are read
            texts = ChangeTexts() if options.json_plan else None
            read = parts_as_read(
                repository,
                desired,
                agreements,
                in_scope,
                pending,
                catalog=catalog,
                selection=selection,
                texts=texts,
            )
        finally:
            pending.close()
    if usage_warnings:
        desired = DesiredResult(
            desired.additions, (*desired.warnings, *usage_warnings), desired.scopes, desired.errors
        )
    additions = read.additions
    log.info("read %d additions of %d agreements in scope", len(additions), len(in_scope))
    live = LiveState(
        agreements={a.id: a for group in agreements.values() for a in group},
        additions=additions,
        catalog=catalog,
    )

    def merged(only: Reason | None) -> Plan:  # build_plan's result, from the parts made as read
        return merge_parts(
            repository,
            desired,
            read.parts,
            live_additions=additions,
            catalog=catalog,
            selection=selection,
            usage_digest=usage.digest,
            only=only,
        )

    plan = merged(options.only)
    plan = replace(plan, usage_ages=tuple(age.text() for age in usage_ages(usage, plan.periods)))
    places = repository.settings.unit_price_places
    moved = (
        {} if moved_since is None else {a.id: a for a in additions if moved_since.get(a.id) != a.last_updated}
    )
    inputs = None
    if options.leakage:  # the classification's plan has every change (pending units are its creates)
        whole = merged(None) if options.only else plan
        inputs = RunInputs(usage, desired, live, whole)
    unowned = unowned_lines(plan.unowned, live, places)
    return PlanRun(plan, repository, unowned, review, moved, inputs, texts)
