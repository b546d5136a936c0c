"""`cwbill usage pull`: the Management Console's usage of a month, written as a snapshot file.

The console keeps no license history (billing-rules §3), so a month billed from the live API would
drift with every later run. Pulling the month into `usage/YYYY-MM.yaml` and committing it makes the
bill reproducible and reviewable. Thin, as every command: flags and environment in, one call into
`reconciler.usage.console`, the snapshot out (stdout, or `--out FILE`); messages on stderr.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Mapping
from pathlib import Path

import httpx
import typer

from reconciler.cli.app import repository_argument, sub_app
from reconciler.config.load import display_path, load_repository
from reconciler.config.model import Repository
from reconciler.config.vendor import repository_schema_reference
from reconciler.engine.periods import Period
from reconciler.errors import Severity, UserError
from reconciler.usage.console import ConsoleClient, pull_usage
from reconciler.usage.console_explain import render_checks
from reconciler.usage.notes import note_warnings
from reconciler.usage.snapshot import dump_usage

CREDENTIALS = ("MBS_USERNAME", "MBS_PASSWORD")

usage_app = sub_app(
    "usage", "Usage statistics of the Management Console, as snapshot files to commit under usage/."
)


def _repository(directory: Path) -> Repository:
    repository, findings = load_repository(directory)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if repository is None or errors:
        raise UserError(findings=errors or findings)
    return repository  # validation warnings (prices) are `cwbill validate`'s to report, not a pull's


def _period(as_of: str | None, period: str | None) -> Period:
    """`--period`, else the month before `--as-of` (default today, UTC): the month to bill."""
    if period:
        try:
            return Period.parse(period)
        except ValueError as exc:
            raise UserError(f"--period {period!r} is not a month (YYYY-MM)") from exc
    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.datetime.now(dt.UTC).date()
    except ValueError as exc:
        raise UserError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from exc
    return Period.of(day).previous()


def _credentials(environ: Mapping[str, str]) -> tuple[str, str]:
    missing = [name for name in CREDENTIALS if not environ.get(name)]
    if missing:
        raise UserError(
            "the Management Console credentials come from the environment; not set: " + ", ".join(missing)
        )
    return environ["MBS_USERNAME"], environ["MBS_PASSWORD"]


@usage_app.command()
def pull(
    directory: Path = repository_argument(
        "The billing repository (for its products, companies and console URL)."
    ),
    period: str | None = typer.Option(
        None,
        "--period",
        metavar="YYYY-MM",
        help="The month to pull.",
        show_default="the month before --as-of",
    ),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        metavar="DATE",
        help="The date whose previous month is pulled, YYYY-MM-DD.",
        show_default="today, UTC",
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        metavar="FILE",
        help="Write the snapshot to FILE, typically DIR/usage/YYYY-MM.yaml (replaced if it exists).",
        show_default="stdout",
    ),
    explain: bool = typer.Option(
        False,
        "--explain",
        help="Also show per company the SizeBackup sum cwbill bills beside PUT /api/Billing's "
        "AverageSpace and CurrentSpaceUsed, and their ratios (stderr).",
    ),
    all_companies: bool = typer.Option(
        False,
        "--all-companies",
        help="Also pull console companies without a company file, and keep what no product maps "
        "(by the console's names), for `cwbill leakage`; nothing bills them.",
    ),
) -> None:
    """Pull a month's usage from the Management Console and write it as a usage snapshot.

    Reads MBS_USERNAME, MBS_PASSWORD and MBS_URL (which overrides settings.yaml
    console.url) from the environment. Console companies and products that the
    repository does not map, and usage no company can be billed for, are
    warnings on stderr, never dropped silently. Each record says when it was
    read (taken_at) and how; license counts are the console's state at that
    moment, so pull a month on days 1-3 of the next one. Apart from taken_at
    the output is deterministic: the same usage always gives the same bytes.

    Examples:

        cwbill usage pull --period 2026-10 --out billing/usage/2026-10.yaml

        cwbill usage pull path/to/billing --as-of 2026-11-01 > 2026-10.yaml

        cwbill usage pull --period 2026-10 --explain > /dev/null

        cwbill usage pull --all-companies --period 2026-10 --out billing/usage/2026-10.yaml
    """
    repository = _repository(directory)
    month = _period(as_of, period)
    username, password = _credentials(os.environ)
    url = os.environ.get("MBS_URL") or repository.settings.console_url
    with httpx.Client() as client:
        console = ConsoleClient(client, url, username, password)
        pulled = pull_usage(console, repository, [month], explain=explain, all_companies=all_companies)
    usage = pulled.usage
    for note in [*pulled.warnings, *note_warnings(usage, repository, [month])]:
        where = f"{note.company}: " if note.company else ""
        typer.echo(f"warning: {where}{note.message} [{note.code}]", err=True)
    if explain:
        typer.echo("storage cross-check (GB of 2^30 bytes; docs/billing.md §9):", err=True)
        for line in render_checks(pulled.storage_checks):
            typer.echo(f"  {line}", err=True)
    header = repository_schema_reference(directory, "usage", out.parent if out else directory / "usage")
    text = dump_usage(usage, header)
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        count = len(usage.records)
        noun = "company" if count == 1 else "companies"
        typer.echo(f"wrote {display_path(out)}: {count} {noun} for {month}", err=True)
