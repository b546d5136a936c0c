"""`cwbill plan` and `cwbill apply`: flags in, one call into `reconciler.reconcile`, output out."""

from __future__ import annotations

import datetime as dt
import itertools
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import typer

from reconciler import exitcodes
from reconciler.cli.app import app, configure_logging, repository_argument
from reconciler.cli.interrupts import stop_on_signal
from reconciler.connectwise.apply import ApplyReport, WriteResult
from reconciler.connectwise.read import Progress
from reconciler.engine.periods import Period
from reconciler.errors import UserError
from reconciler.leakage.markdown import DEFAULT_LIMIT as LEAKAGE_LIMIT
from reconciler.leakage.markdown import MIN_LIMIT as LEAKAGE_MIN_LIMIT
from reconciler.leakage.markdown import leakage_section
from reconciler.leakage.run import leakage_of
from reconciler.plan.model import Plan, Reason, Selection
from reconciler.reconcile.early import EarlyReads
from reconciler.reconcile.inputs import load_checked_repository
from reconciler.reconcile.run import PlanRun, RunOptions, connect, make_plan
from reconciler.reconcile.writes import (
    apply_lock,
    check_thresholds,
    execute,
    load_saved_plan,
    review_saved_plan,
)
from reconciler.render.json import plan_to_json
from reconciler.render.markdown import (
    DEFAULT_LIMIT,
    MIN_LIMIT,
    PLATFORM_LIMITS,
    render_markdown,
    render_unowned_markdown,
)
from reconciler.render.markdown import comment_limit as comment_limit_of
from reconciler.render.text import make_console, render_text, render_unowned_text

DIR_ARG = repository_argument()
USAGE_OPT = typer.Option(
    None,
    "--usage",
    metavar="FILE|DIR",
    help="Usage snapshot file, or a folder of them.",
    show_default="DIR/usage/, else the console API",
)
AS_OF_OPT = typer.Option(
    None,
    "--as-of",
    metavar="DATE",
    help="The date that decides the scope, YYYY-MM-DD.",
    show_default="today, UTC",
)
PERIOD_OPT = typer.Option(
    None, "--period", metavar="YYYY-MM", help="Re-send one month (overrides the scope of --as-of)."
)
COMPANY_OPT = typer.Option(
    None, "--company", metavar="ID", help="Only this ConnectWise company identifier (repeatable)."
)
ADOPT_OPT = typer.Option(False, "--adopt", help="Adopt unmarked additions that bill a desired line.")
CONCURRENCY_OPT = typer.Option(
    8, "--concurrency", min=1, max=32, metavar="N", help="Requests in flight at most."
)
VERBOSE_OPT = typer.Option(
    0, "--verbose", "-v", count=True, help="Log what cwbill does on stderr (-v), in detail (-vv)."
)


def _selection(as_of: str | None, period: str | None, companies: list[str] | None, adopt: bool) -> Selection:
    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.datetime.now(dt.UTC).date()
    except ValueError as exc:
        raise UserError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from exc
    try:
        chosen = Period.parse(period) if period else None
    except ValueError as exc:
        raise UserError(f"--period {period!r} is not a month (YYYY-MM)") from exc
    return Selection(as_of=day, period=chosen, companies=tuple(companies or ()), adopt=adopt)


@dataclass(frozen=True, slots=True)
class _Output:
    """How the plan is shown: `--format`, costs, the unowned listing, the comment's size."""

    fmt: str
    show_cost: bool
    show_unowned: bool
    limit: int = DEFAULT_LIMIT
    drift_only: bool = False


def _print_plan(run: PlanRun, output: _Output, stream: TextIO) -> None:
    plan, show_cost = run.plan, output.show_cost
    if output.fmt == "json":
        stream.write(plan_to_json(plan, run.review, show_cost=show_cost, texts=run.texts))
    elif output.fmt == "markdown":
        sections = []
        if output.show_unowned:
            listing = render_unowned_markdown(run.unowned, show_cost=show_cost, limit=output.limit // 4)
            sections.append(listing.rstrip("\n"))
        # `--leakage`: only when anything leaks, in a quarter of the comment at most
        leaking = leakage_section(leakage_of(run), limit=_leakage_limit(output.limit))
        if leaking:
            sections.append(leaking.rstrip("\n"))
        header = [DRIFT_ONLY_LINE] if output.drift_only else []
        text = render_markdown(
            plan, review=run.review, show_cost=show_cost, limit=output.limit, header=header, sections=sections
        )
        stream.write(text)
    else:
        console = make_console(stream)
        render_text(plan, console, show_cost=show_cost, review=run.review)
        if output.show_unowned:
            console.print()
            render_unowned_text(run.unowned, console, show_cost=show_cost)


DRIFT_ONLY_LINE = "Drift only (--drift-only): the counts and totals are those of the changes shown."


def _leakage_limit(comment_limit: int) -> int:
    """The Revenue leakage section's size: a quarter of the comment, as the unowned listing's."""
    return min(LEAKAGE_LIMIT, comment_limit // 4)


def _comment_limit(platform: str, comment_limit: int | None) -> int:
    if platform not in PLATFORM_LIMITS:
        raise UserError(f"--platform {platform!r}: choose {' or '.join(PLATFORM_LIMITS)}")
    if comment_limit is None:
        return comment_limit_of(platform)
    if comment_limit < MIN_LIMIT:
        raise UserError(
            f"--comment-limit {comment_limit}: a Markdown plan needs at least {MIN_LIMIT:,} characters"
        )
    return comment_limit


@app.command()
def plan(
    directory: Path = DIR_ARG,
    usage: Path | None = USAGE_OPT,
    as_of: str | None = AS_OF_OPT,
    period: str | None = PERIOD_OPT,
    company: list[str] | None = COMPANY_OPT,
    output_format: str = typer.Option(
        "text", "--format", metavar="text|markdown|json", help="How the plan is printed on stdout."
    ),
    out: Path | None = typer.Option(
        None, "--out", metavar="PLAN.json", help="Also save the plan as JSON for `apply --plan`."
    ),
    adopt: bool = ADOPT_OPT,
    show_cost: bool = typer.Option(
        False, "--show-cost", help="Show costs and margins in Markdown and in the JSON plan's review notes."
    ),
    detailed_exitcode: bool = typer.Option(
        False, "--detailed-exitcode", help="Exit 2 when there are changes, 0 when none."
    ),
    drift_only: bool = typer.Option(
        False,
        "--drift-only",
        help="Only cwbill's lines edited in ConnectWise since cwbill wrote them; exit 2 when there are any.",
    ),
    show_unowned: bool = typer.Option(
        False,
        "--show-unowned",
        help="Also list the additions in scope without cwbill's marker (text and markdown; "
        "the JSON plan always has their ids in `unowned`).",
    ),
    platform: str = typer.Option(
        "github",
        "--platform",
        help="Where the Markdown plan is posted, for its size limit: github (65,536 characters a "
        "comment) or gitlab (1,000,000); cwbill keeps 500 for the CI's marker and footer.",
    ),
    comment_limit: int | None = typer.Option(
        None,
        "--comment-limit",
        help="Characters per Markdown comment (overrides --platform). A plan whose summary does not fit "
        "goes on in further comments, separated by a `<!-- cwbill: next comment -->` line.",
    ),
    leakage: bool = typer.Option(
        False,
        "--leakage",
        help="Markdown: add a Revenue leakage section when billable usage is on no invoice line "
        "(reads every console company; `cwbill leakage` has the detail).",
    ),
    concurrency: int = CONCURRENCY_OPT,
    verbose: int = VERBOSE_OPT,
) -> None:
    """Show what apply would change in ConnectWise, and why.

    Example: cwbill plan billing --as-of 2026-11-02 --format markdown > plan.md
    """
    configure_logging(verbose)
    if output_format not in ("text", "markdown", "json"):
        raise UserError(f"--format {output_format!r}: choose text, markdown or json")
    if show_unowned and output_format == "json":
        raise UserError(
            "--show-unowned lists them in text and markdown; the JSON plan has their ids in `unowned`"
        )
    limit = _comment_limit(platform, comment_limit)
    if leakage and output_format == "markdown" and _leakage_limit(limit) < LEAKAGE_MIN_LIMIT:
        raise UserError(
            f"--leakage: the Revenue leakage section needs a quarter of the comment, at least "
            f"{LEAKAGE_MIN_LIMIT:,} characters; use --comment-limit {4 * LEAKAGE_MIN_LIMIT} or more"
        )
    only = Reason.DRIFT if drift_only else None
    selection = _selection(as_of, period, company, adopt)
    json_plan = output_format == "json" or out is not None
    options = RunOptions(
        directory, usage, selection, concurrency, only, leakage=leakage, review=True, json_plan=json_plan
    )
    run = _make(options)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(
            plan_to_json(run.plan, run.review, show_cost=show_cost, texts=run.texts), encoding="utf-8"
        )
        typer.echo(f"plan saved to {out}", err=True)
    output = _Output(output_format, show_cost or output_format == "text", show_unowned, limit, drift_only)
    _print_plan(run, output, sys.stdout)
    if (detailed_exitcode or drift_only) and run.plan.summary.has_changes:
        raise typer.Exit(exitcodes.CHANGES)


def _make(options: RunOptions) -> PlanRun:
    """`plan`'s run: its first reads start while the repository loads (reconcile/early.py)."""
    with EarlyReads(options.selection, options.concurrency) as early:
        repository, warnings = load_checked_repository(options.root, observer=early)
        for line in warnings:
            typer.echo(line, err=True)
        client = early.client or connect(repository, concurrency=options.concurrency)
        try:
            with _bar("reading additions") as update:
                return make_plan(options, repository, client, progress=update, early=early)
        finally:
            client.http.close()


@contextmanager
def _bar(description: str) -> Iterator[Progress | None]:
    """A transient progress bar on stderr when it is a terminal: yields `update(done, total)`."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress as Bar

    with Bar(transient=True, console=make_console(sys.stderr)) as bar:
        task = bar.add_task(description, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


@contextmanager
def _progress(total: int) -> Iterator[Callable[[WriteResult], None]]:
    """`tick(result)` per write, on the bar."""
    with _bar("applying") as update:
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
        directory, usage, _selection(as_of, period, company, adopt), concurrency, review=True
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
            with _bar("reading additions") as update:
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


__all__ = ["WriteResult", "apply", "plan"]
