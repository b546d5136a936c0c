"""`cwbill report`: the billing preview per company and configuration, in four formats.

Thin: flags in, one call into `reconciler.report.run`, the rendered report out (stdout, or `--out`).
It reads ConnectWise (agreements' dates, catalog prices) and never writes to it.
"""

from __future__ import annotations

import sys
from io import StringIO
from pathlib import Path

import typer

from reconciler.cli.app import app, repository_argument
from reconciler.cli.imports import as_of_day, month_flag
from reconciler.errors import UserError
from reconciler.plan.model import Selection
from reconciler.reconcile.inputs import load_checked_repository
from reconciler.reconcile.run import connect, connectwise_errors
from reconciler.report.csvout import render_csv
from reconciler.report.html import render_html
from reconciler.report.markdown import render_markdown
from reconciler.report.model import Report
from reconciler.report.run import make_report
from reconciler.report.text import render_text

FORMATS = ("text", "markdown", "csv", "html")


def render(report: Report, output_format: str) -> str:
    if output_format == "csv":
        return render_csv(report)
    if output_format == "markdown":
        return render_markdown(report)
    if output_format == "html":
        return render_html(report)
    buffer = StringIO()
    render_text(report, buffer)
    return buffer.getvalue()


@app.command()
def report(
    directory: Path = repository_argument(),
    usage: Path | None = typer.Option(
        None,
        "--usage",
        metavar="FILE|DIR",
        help="Usage snapshot file, or a folder of them.",
        show_default="DIR/usage/, else the console API",
    ),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        metavar="DATE",
        help="The date that decides the periods in scope, YYYY-MM-DD.",
        show_default="today, UTC",
    ),
    period: str | None = typer.Option(
        None, "--period", metavar="YYYY-MM", help="Report one month (overrides the scope of --as-of)."
    ),
    company: list[str] | None = typer.Option(
        None, "--company", metavar="ID", help="Only this ConnectWise company identifier (repeatable)."
    ),
    output_format: str = typer.Option(
        "text", "--format", metavar="|".join(FORMATS), help="How the report is written."
    ),
    out: Path | None = typer.Option(
        None, "--out", metavar="FILE", help="Write the report to FILE.", show_default="stdout"
    ),
) -> None:
    """Preview the bill: lines, quantity, price, cost, margin and the change from the previous month.

    The lines are those `cwbill plan` would send for the same scope. The plan is made too (reads
    only), and its billed total after apply is shown beside the report's: the same to the cent, or
    each difference named (a desired line an unowned addition already bills, which the plan does not
    create; a send: quantity line that keeps its live price), and the periods billed by neither
    (skipped: the agreement does not cover them). Costs and margins are shown: the report is for
    the MSP, not the client. The HTML report is one self-contained file with a chart of the billed
    total per month and company.

    Example: cwbill report billing --as-of 2026-11-02 --format html --out report.html
    """
    if output_format not in FORMATS:
        raise UserError(f"--format {output_format!r}: choose text, markdown, csv or html")
    selection = Selection(as_of=as_of_day(as_of), period=month_flag(period), companies=tuple(company or ()))
    repository, warnings = load_checked_repository(directory)
    for line in warnings:
        typer.echo(line, err=True)
    client = connect(repository)
    try:
        with connectwise_errors(client):
            made = make_report(directory, usage, selection, repository, client)
    finally:
        client.http.close()
    write_out(render(made, output_format), out, "report")


def write_out(text: str, out: Path | None, what: str) -> None:
    """`text` to stdout, or to `out` (its folder made) with a note on stderr."""
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    typer.echo(f"{what} written to {out}", err=True)
