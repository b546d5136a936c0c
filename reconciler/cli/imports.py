"""`cwbill import`: print a company file inferred from the additions ConnectWise already holds.

Thin: flags in, one read (`reconciler.importer.read`), the pure inference and its YAML out on stdout;
how many TODOs are left goes to stderr. Nothing is written to ConnectWise or to the repository.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import typer

from reconciler.cli.app import app, repository_argument
from reconciler.config.load import COMPANIES, company_files
from reconciler.config.vendor import repository_schema_reference
from reconciler.engine.periods import Period
from reconciler.errors import UserError
from reconciler.importer.infer import infer_company
from reconciler.importer.read import read_import_input
from reconciler.importer.render import render_company
from reconciler.reconcile.inputs import load_checked_repository
from reconciler.reconcile.run import connect, connectwise_errors


def as_of_day(as_of: str | None) -> dt.date:
    """`--as-of`, else today (UTC)."""
    try:
        return dt.date.fromisoformat(as_of) if as_of else dt.datetime.now(dt.UTC).date()
    except ValueError as exc:
        raise UserError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from exc


def month_flag(period: str | None) -> Period | None:
    try:
        return Period.parse(period) if period else None
    except ValueError as exc:
        raise UserError(f"--period {period!r} is not a month (YYYY-MM)") from exc


def _schema_line(directory: Path) -> str:
    """The schema comment the repository's company files already use, else one aimed as settings.yaml's."""
    folder = directory / COMPANIES
    if folder.is_dir():
        for path in company_files(folder):
            first = path.read_text(encoding="utf-8", errors="replace").partition("\n")[0]
            if first.startswith("# yaml-language-server:"):
                return first.rstrip()
    return f"# yaml-language-server: $schema={repository_schema_reference(directory, 'company', folder)}"


@app.command("import")
def import_company(
    directory: Path = repository_argument("The billing repository, for its products, prices and settings."),
    company: str = typer.Option(
        ..., "--company", metavar="ID", help="The ConnectWise company identifier to import."
    ),
    agreement: str | None = typer.Option(
        None,
        "--agreement",
        metavar="NAME|ID",
        help="Only this agreement (its name, or its id).",
        show_default="all of them",
    ),
    period: str | None = typer.Option(
        None,
        "--period",
        metavar="YYYY-MM",
        help="The month whose additions are read.",
        show_default="the month before --as-of",
    ),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        metavar="DATE",
        help="The date whose previous month is read, YYYY-MM-DD.",
        show_default="today, UTC",
    ),
) -> None:
    """Print a company file inferred from a company's additions in ConnectWise.

    One configuration per agreement (split by the send mode its lines show); what the lines cannot
    tell (console names, auto_billing, ambiguous product mappings) is a `# TODO:` line, never a
    guess. The products.yaml/prices.yaml entries the repository lacks follow as comments. Save it,
    resolve the TODOs, then `cwbill validate` and `cwbill plan --adopt`.

    Example: cwbill import billing --company ACME --period 2026-10 > billing/companies/acme.yaml
    """
    repository, _ = load_checked_repository(directory)
    month = month_flag(period) or Period.of(as_of_day(as_of)).previous()
    client = connect(repository)
    try:
        with connectwise_errors(client):
            inputs = read_import_input(client, company, agreement, month)
    finally:
        client.http.close()
    imported = infer_company(inputs, repository)
    if not imported.configurations:
        names = ", ".join(f"{a.name!r} (id {a.id})" for a in inputs.chosen)
        raise UserError(
            f"{inputs.company} has no additions in {month} on {names}; choose another month with --period"
        )
    text = render_company(imported, _schema_line(directory))
    sys.stdout.write(text)
    sys.stdout.flush()
    todos = sum(1 for line in text.splitlines() if "# TODO:" in line)
    typer.echo(
        f"{inputs.company}: {len(imported.configurations)} configuration(s) from {len(inputs.additions)} "
        f"addition(s) of {month}; {todos} TODO(s) to resolve",
        err=True,
    )
