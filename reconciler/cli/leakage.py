"""`cwbill leakage`: what the console measured that no invoice line carries, in money, per bucket.

Thin: flags in, one call into `reconciler.leakage.run` (the plan's reads, never a write), the
rendered report out (stdout, or `--out`). Its own command rather than a `report` section: it needs
what only a plan reads — the additions in scope and their owner markers (to tell a line cwbill
wrote from an unowned one, or none) — and the usage of console companies no company file names,
which neither `report` nor `plan` reads.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import typer

from reconciler import exitcodes
from reconciler.cli.app import app, configure_logging, repository_argument
from reconciler.cli.imports import as_of_day, month_flag
from reconciler.cli.reconcile import AS_OF_OPT, CONCURRENCY_OPT, USAGE_OPT, VERBOSE_OPT
from reconciler.cli.report import write_out
from reconciler.errors import UserError
from reconciler.leakage.markdown import render_leakage_markdown
from reconciler.leakage.model import Leakage
from reconciler.leakage.render import render_csv, render_json, render_text
from reconciler.leakage.run import make_leakage
from reconciler.plan.model import Selection
from reconciler.reconcile.inputs import load_checked_repository
from reconciler.reconcile.run import RunOptions, connect

FORMATS = ("text", "markdown", "csv", "json")


def render(leakage: Leakage, output_format: str) -> str:
    if output_format == "csv":
        return render_csv(leakage)
    if output_format == "json":
        return render_json(leakage)
    if output_format == "markdown":
        return render_leakage_markdown(leakage)
    buffer = StringIO()
    render_text(leakage, buffer)
    return buffer.getvalue()


@app.command()
def leakage(
    directory: Path = repository_argument(),
    usage: Path | None = USAGE_OPT,
    as_of: str | None = AS_OF_OPT,
    period: str | None = typer.Option(
        None, "--period", metavar="YYYY-MM", help="One month (overrides the scope of --as-of)."
    ),
    company: list[str] | None = typer.Option(
        None,
        "--company",
        metavar="ID",
        help="Only this ConnectWise company identifier (repeatable; leaves out console companies "
        "without a company file).",
    ),
    output_format: str = typer.Option(
        "text", "--format", metavar="|".join(FORMATS), help="How the report is written."
    ),
    out: Path | None = typer.Option(
        None, "--out", metavar="FILE", help="Write the report to FILE.", show_default="stdout"
    ),
    detailed_exitcode: bool = typer.Option(
        False, "--detailed-exitcode", help="Exit 2 when any billable usage is on no invoice line, else 0."
    ),
    concurrency: int = CONCURRENCY_OPT,
    verbose: int = VERBOSE_OPT,
) -> None:
    """Put every unit of usage in scope in one bucket: billed, or why not, with its price.

    The scope is plan's (same --as-of and --period). From the Management Console it reads every
    console company, also those without a company file. It reads ConnectWise and never writes to
    it. Buckets and what to do about each: docs/leakage.md.

    Example: cwbill leakage billing --as-of 2026-11-02 --format markdown --detailed-exitcode
    """
    configure_logging(verbose)
    if output_format not in FORMATS:
        raise UserError(f"--format {output_format!r}: choose text, markdown, csv or json")
    selection = Selection(as_of=as_of_day(as_of), period=month_flag(period), companies=tuple(company or ()))
    repository, warnings = load_checked_repository(directory)
    for line in warnings:
        typer.echo(line, err=True)
    client = connect(repository, concurrency=concurrency)
    try:
        found = make_leakage(RunOptions(directory, usage, selection, concurrency), repository, client)
    finally:
        client.http.close()
    write_out(render(found, output_format), out, "leakage")
    if detailed_exitcode and found.leaking:
        raise typer.Exit(exitcodes.CHANGES)
