"""`cwbill doctor [DIR]`: read-only checks before the first apply; flags in, a checklist out."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer

from reconciler.cli.app import app, configure_logging
from reconciler.cli.reconcile import (
    AS_OF_OPT,
    COMPANY_OPT,
    CONCURRENCY_OPT,
    DIR_ARG,
    PERIOD_OPT,
    USAGE_OPT,
    VERBOSE_OPT,
    selection_from_flags,
)
from reconciler.doctor.render import render_json, render_text, summary
from reconciler.doctor.run import run_doctor
from reconciler.reconcile.run import RunOptions


class DoctorFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


@app.command()
def doctor(
    directory: Path = DIR_ARG,
    usage: Path | None = USAGE_OPT,
    as_of: str | None = AS_OF_OPT,
    period: str | None = PERIOD_OPT,
    company: list[str] | None = COMPANY_OPT,
    output_format: DoctorFormat = typer.Option(
        DoctorFormat.TEXT, "--format", help="text: a checklist (✔ ✘ ! -); json: one object."
    ),
    concurrency: int = CONCURRENCY_OPT,
    verbose: int = VERBOSE_OPT,
) -> None:
    """Check, read-only, that ConnectWise and the Management Console meet every assumption of cwbill.

    Safe against production: only reads (GET), never writes. Lists every check with ✔ (ok),
    ! (works, but look), ✘ (plan or apply would fail or bill wrongly) or - (not checked), each
    problem with the file:line or live record concerned and its fix. Exit 0 when nothing is ✘, else 1.

    Examples:

        cwbill doctor billing

        cwbill doctor billing --as-of 2026-11-02 --format json
    """
    configure_logging(verbose)
    options = RunOptions(directory, usage, selection_from_flags(as_of, period, company, False), concurrency)
    report = run_doctor(options)
    if output_format is DoctorFormat.JSON:
        sys.stdout.write(render_json(report))
    else:
        render_text(report, sys.stdout)
    typer.echo(summary(report), err=True)
    raise typer.Exit(report.exit_code)
