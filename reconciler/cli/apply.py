"""`cwbill apply`: flags in (those of `plan`, and its own), the run, the writes, the outcome out."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import typer

from reconciler import exitcodes
from reconciler.cli.app import app, configure_logging
from reconciler.cli.interrupts import stop_on_signal
from reconciler.cli.reconcile import (
    ADOPT_OPT,
    AS_OF_OPT,
    COMPANY_OPT,
    CONCURRENCY_OPT,
    DIR_ARG,
    PERIOD_OPT,
    USAGE_OPT,
    VERBOSE_OPT,
    progress_bar,
    selection_from_flags,
)
from reconciler.connectwise.apply import ApplyReport, WriteResult
from reconciler.errors import UserError
from reconciler.plan.model import Plan
from reconciler.reconcile.inputs import load_checked_repository
from reconciler.reconcile.run import PlanRun, RunOptions, connect, make_plan
from reconciler.reconcile.writes import (
    apply_lock,
    check_thresholds,
    execute,
    load_saved_plan,
    review_saved_plan,
)
from reconciler.render.text import make_console, render_text


@contextmanager
def _progress(total: int) -> Iterator[Callable[[WriteResult], None]]:
    """`tick(result)` per write, on the bar."""
    with progress_bar("applying") as update:
        if update is None or total == 0:
            yield lambda result: None
            return
        written = itertools.count(1)
        yield lambda result: update(next(written), total)


def _counts(results: list[WriteResult]) -> str:
    done: dict[str, int] = {}
    for result in results:
        if result.ok:
            done[result.change.action.value] = done.get(result.change.action.value, 0) + 1
    return (
        f"{done.get('create', 0)} created, {done.get('update', 0)} updated, {done.get('delete', 0)} deleted"
    )


def _report(report: ApplyReport, planned: int, again: str, journal: Path) -> int:
    """The outcome on stderr; the exit code. `planned`: the plan's writes; `again`: what to run next;
    `journal`: where each attempt is recorded."""
    if report.interrupted:
        written = list(report.results[:planned])  # no verification ran, so nothing was appended
        done = sum(r.ok for r in written)
        failed = len([r for r in written if not r.ok and r.sent])
        typer.echo(
            f"interrupted: {done} of {planned} writes done ({_counts(written)}; {failed} failed, "
            f"{len(report.not_sent)} not sent).",
            err=True,
        )
    else:
        typer.echo(f"Applied: {_counts(list(report.results))}.", err=True)
    for failure in report.failures:
        change = failure.change
        typer.echo(
            f"failed: {change.action.value} {change.company} {change.product} {change.period}"
            f"{f' #{change.addition_id}' if change.addition_id else ''}: {failure.message}",
            err=True,
        )
    if report.interrupted:
        typer.echo(f"Nothing else was sent. To write what is left, run {again}", err=True)
        return exitcodes.INTERRUPTED
    if report.failures:
        typer.echo(next_step(report.failures, journal), err=True)
    return exitcodes.PARTIAL if report.failures else exitcodes.OK


def next_step(failures: Sequence[WriteResult], journal: Path) -> str:
    """What to do after a partial apply: which failures a re-run can settle, which need a fix first."""
    refused = sum(1 for f in failures if f.status is not None and 400 <= f.status < 500)
    count = len(failures)
    text = f"next: {count} write{'s' if count != 1 else ''} failed (each attempt is in {journal}); "
    if refused:
        text += (
            f"ConnectWise refused {refused} (HTTP 4xx): fix what it names in the repository or in "
            "ConnectWise, then "
        )
    return text + "run the same apply again: it converges, sending only what is still missing"


@app.command()
def apply(
    directory: Path = DIR_ARG,
    plan_file: Path | None = typer.Option(
        None,
        "--plan",
        metavar="PLAN.json",
        help="Apply this reviewed plan: only if it is exactly the plan computed now (refused, naming "
        "each difference, when not); after a partial apply, the same command resumes it.",
    ),
    usage: Path | None = USAGE_OPT,
    as_of: str | None = AS_OF_OPT,
    period: str | None = PERIOD_OPT,
    company: list[str] | None = COMPANY_OPT,
    yes: bool = typer.Option(
        False, "--yes", help="Do not ask for confirmation (required without a terminal)."
    ),
    force: bool = typer.Option(False, "--force", help="Apply even beyond the safety thresholds of settings."),
    adopt: bool = ADOPT_OPT,
    journal: Path = typer.Option(
        Path(".cwbill/journal.jsonl"), "--journal", metavar="FILE", help="JSON Lines journal of every write."
    ),
    concurrency: int = CONCURRENCY_OPT,
    verbose: int = VERBOSE_OPT,
) -> None:
    """Make ConnectWise match the billing repository.

    Example: cwbill apply billing --plan plan.json --yes
    """
    configure_logging(verbose)
    options = RunOptions(
        directory, usage, selection_from_flags(as_of, period, company, adopt), concurrency, review=True
    )
    saved: Plan | None = None
    again = "the same `cwbill apply` again: it plans what is left (`cwbill plan` shows it)."
    if plan_file is not None:
        saved = load_saved_plan(plan_file)
        options = RunOptions(directory, usage, saved.selection, concurrency, review=True)
        again = (
            f"the same `cwbill apply --plan {plan_file}` again: it resumes this plan, writing only "
            "what is left of it."
        )
    repository, _ = load_checked_repository(options.root)
    client = connect(repository, concurrency=options.concurrency)
    try:
        with apply_lock(client):  # one apply per ConnectWise and company on this machine
            moved_since = None if saved is None else saved.fingerprint.additions
            with progress_bar("reading additions") as update:
                run = make_plan(options, repository, client, progress=update, moved_since=moved_since)
            chosen = run.plan  # a saved plan is a review token: what is written is what is computed
            if saved is not None and not _resumes(saved, run, str(plan_file)):
                return
            render_text(chosen, make_console(sys.stdout), show_cost=True, review=run.review)
            if not chosen.summary.has_changes:
                return
            check_thresholds(saved or chosen, repository, force)
            if not yes:
                if not sys.stdin.isatty():
                    raise UserError("refusing to apply without confirmation: no terminal (pass --yes)")
                if not typer.confirm("Apply these changes?", default=False):
                    raise UserError("apply cancelled; nothing was written")
            with _progress(len(chosen.changes)) as tick, stop_on_signal() as stop:
                report = execute(chosen, client, journal, progress=tick, stop=stop)
    finally:
        client.http.close()
    code = _report(report, len(chosen.changes), again, journal)
    if code:
        raise typer.Exit(code)


def _resumes(saved: Plan, run: PlanRun, source: str) -> bool:
    """Check the saved plan against the computed one; False when there is nothing left to do."""
    resumption = review_saved_plan(saved, run, source)
    if resumption.applied and not run.plan.summary.has_changes:
        typer.echo(f"{source}: this plan is already applied; nothing to do.", err=True)
        return False
    if resumption.done:
        extra = len(resumption.duplicates)
        copies = f", and deleting {extra} extra copies of lines it created" if extra else ""
        typer.echo(
            f"{source}: {len(resumption.done)} of {len(saved.changes)} changes of this plan are in "
            f"ConnectWise already (an earlier apply of it); resuming with the {len(resumption.remaining)} "
            f"left{copies}.",
            err=True,
        )
    return True


__all__ = ["WriteResult", "apply"]
