"""Loading a run's inputs: the billing repository and its usage (billing-rules §3)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

import httpx

from reconciler.config.load import LoadObserver, display_path, load_repository
from reconciler.config.model import Company, Repository
from reconciler.engine.model import PlanWarning
from reconciler.engine.periods import Period
from reconciler.engine.scope import periods_in_scope
from reconciler.errors import Severity, UserError
from reconciler.httpclient import require_safe_url
from reconciler.usage.console import fetch_usage
from reconciler.usage.model import Usage
from reconciler.usage.snapshot import load_usage

NO_USAGE_FILES = "no-usage-files"  # the code usage/snapshot.py gives an empty folder


def load_checked_repository(root: Path, observer: LoadObserver | None = None) -> tuple[Repository, list[str]]:
    """The repository, or a UserError with every finding; validation warnings are returned as text.
    `observer` hears of each part as it is built (`reconcile/early.py`)."""
    repository, findings = load_repository(root, observer=observer)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if repository is None or errors:
        raise UserError(findings=errors or findings)
    return repository, [f.render() for f in findings]


def usage_source(root: Path, usage: Path | None) -> Path | None:
    """`--usage`, else the repository's `usage/` folder when it exists, else None (the console)."""
    if usage is not None:
        return usage
    folder = root / "usage"
    return folder if folder.is_dir() else None


def load_usage_files(path: Path, repository: Repository, root: Path) -> tuple[Usage, list[PlanWarning]]:
    """The usage of the snapshot FILE or DIR `path`, and a plan warning when a folder holds none yet
    (a fresh `cwbill init`): every configuration would otherwise say `no-usage` with no hint why."""
    if not path.exists():
        raise UserError(f"{path}: no such file or directory (--usage)")
    usage, findings = load_usage(path, repository)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if usage is None or errors:
        raise UserError(findings=errors or findings)
    empty = [f for f in findings if f.code == NO_USAGE_FILES]
    if not empty:
        return usage, []
    shown, name = display_path(path), display_path(root)
    note = (
        f"{shown} holds no usage files yet: pull a month with `cwbill usage pull {name} --period YYYY-MM "
        f"--out {shown}/YYYY-MM.yaml` (or point --usage at one)"
    )
    return usage, [PlanWarning(NO_USAGE_FILES, "", "", note)]


def fetch_console_usage(
    repository: Repository,
    periods: Sequence[Period],
    transport: httpx.BaseTransport | None = None,
    *,
    all_companies: bool = False,
) -> tuple[Usage, list[PlanWarning]]:
    """Usage from the Management Console API (MBS_URL, MBS_USERNAME, MBS_PASSWORD from the environment);
    of every console company with `all_companies` (`cwbill leakage`)."""
    missing = [name for name in ("MBS_USERNAME", "MBS_PASSWORD") if not os.environ.get(name)]
    if missing:
        raise UserError(
            "no usage files (billing/usage/ or --usage) and no Management Console credentials: "
            "set " + ", ".join(missing) + " or pass --usage"
        )
    url = require_safe_url(
        os.environ.get("MBS_URL") or repository.settings.console_url, "Management Console URL"
    )
    with httpx.Client(base_url=url, transport=transport) as client:
        usage, warnings = fetch_usage(
            client,
            repository,
            periods,
            os.environ["MBS_USERNAME"],
            os.environ["MBS_PASSWORD"],
            all_companies=all_companies,
        )
    return usage, list(warnings)


def periods_in_any_scope(companies: Sequence[Company], as_of: dt.date, period: Period | None) -> list[Period]:
    """Every period some configuration of `companies` may touch on `as_of` (billing-rules §5), sorted."""
    return sorted(
        {
            p
            for company in companies
            for configuration in company.configurations
            for p in periods_in_scope(configuration, as_of, period)
        }
    )


def load_run_usage(
    root: Path,
    usage: Path | None,
    repository: Repository,
    periods: Sequence[Period],
    console_transport: httpx.BaseTransport | None = None,
    *,
    all_companies: bool = False,
) -> tuple[Usage, list[PlanWarning]]:
    """The usage files (`--usage`, else `root/usage/`), else the Management Console for `periods`."""
    source = usage_source(root, usage)
    if source is not None:
        return load_usage_files(source, repository, root)
    return fetch_console_usage(repository, periods, console_transport, all_companies=all_companies)
