"""`cwbill plan`: flags in, one call into `reconciler.reconcile`, output out (its options are
`apply`'s too: reconciler/cli/apply.py)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import typer

from reconciler import exitcodes
from reconciler.cli.app import app, configure_logging, repository_argument
from reconciler.connectwise.read import Progress
from reconciler.engine.periods import Period
from reconciler.errors import UserError
from reconciler.plan.model import Reason, Selection
from reconciler.reconcile.early import EarlyReads
from reconciler.reconcile.inputs import load_checked_repository
from reconciler.reconcile.run import PlanRun, RunOptions, connect, make_plan
from reconciler.render.json import plan_to_json
from reconciler.render.markdown import (
    DEFAULT_LIMIT,
    MIN_LIMIT,
    PLATFORM_LIMITS,
    render_markdown,
    render_unowned_markdown,
)
from reconciler.render.markdown import comment_limit as comment_limit_of

# The leakage section and the text renderer (rich) are imported where they are used: `plan --format
# json`, what CI runs, then loads neither (≈ 50 ms of its start, docs/performance.md).
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


def selection_from_flags(
    as_of: str | None, period: str | None, companies: list[str] | None, adopt: bool
) -> Selection:
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
        from reconciler.leakage.markdown import leakage_section
        from reconciler.leakage.run import leakage_of

        leaking = leakage_section(leakage_of(run), limit=_leakage_limit(output.limit))
        if leaking:
            sections.append(leaking.rstrip("\n"))
        header = [DRIFT_ONLY_LINE] if output.drift_only else []
        text = render_markdown(
            plan, review=run.review, show_cost=show_cost, limit=output.limit, header=header, sections=sections
        )
        stream.write(text)
    else:
        from reconciler.render.text import make_console, render_text, render_unowned_text

        console = make_console(stream)
        render_text(plan, console, show_cost=show_cost, review=run.review)
        if output.show_unowned:
            console.print()
            render_unowned_text(run.unowned, console, show_cost=show_cost)


DRIFT_ONLY_LINE = "Drift only (--drift-only): the counts and totals are those of the changes shown."


def _leakage_limit(comment_limit: int) -> int:
    """The Revenue leakage section's size: a quarter of the comment, as the unowned listing's."""
    from reconciler.leakage.markdown import DEFAULT_LIMIT

    return min(DEFAULT_LIMIT, comment_limit // 4)


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
    if leakage and output_format == "markdown":
        from reconciler.leakage.markdown import MIN_LIMIT

        if _leakage_limit(limit) < MIN_LIMIT:
            raise UserError(
                f"--leakage: the Revenue leakage section needs a quarter of the comment, at least "
                f"{MIN_LIMIT:,} characters; use --comment-limit {4 * MIN_LIMIT} or more"
            )
    only = Reason.DRIFT if drift_only else None
    selection = selection_from_flags(as_of, period, company, adopt)
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
            with progress_bar("reading additions") as update:
                return make_plan(options, repository, client, progress=update, early=early)
        finally:
            client.http.close()


@contextmanager
def progress_bar(description: str) -> Iterator[Progress | None]:
    """A transient progress bar on stderr when it is a terminal: yields `update(done, total)`."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress as Bar

    from reconciler.render.text import make_console

    with Bar(transient=True, console=make_console(sys.stderr)) as bar:
        task = bar.add_task(description, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


__all__ = ["plan"]
