"""`cwbill validate [DIR]`: check a billing repository before anything is read from a server.

Thin, as check-jsonschema is: load the repository (schemas, billing-rules §2, secret guards), print
the findings — the command's output, on stdout, as `file:line:col: path: message` lines or one JSON
object — and a one-line summary on stderr. Exit 0 when valid (warnings allowed), 1 when not.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

import typer

from reconciler import exitcodes
from reconciler.cli.app import app, repository_argument
from reconciler.config.load import display_path, load_repository
from reconciler.config.model import Repository
from reconciler.config.vendor import check_vendored
from reconciler.errors import Finding, Severity, has_errors, sort_findings
from reconciler.usage.snapshot import load_usage, usage_files


class ValidateFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def _count(number: int, noun: str, plural: str = "") -> str:
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def _errors_and_warnings(findings: Sequence[Finding]) -> tuple[int, int]:
    errors = sum(1 for finding in findings if finding.severity is Severity.ERROR)
    return errors, len(findings) - errors


def render_json(findings: Sequence[Finding]) -> str:
    """`{"valid", "errors", "warnings", "findings"}`, keys sorted, for machines."""
    errors, warnings = _errors_and_warnings(findings)
    payload = {
        "valid": errors == 0,
        "errors": errors,
        "warnings": warnings,
        "findings": [finding.to_json() for finding in findings],
    }
    return json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False)


def summary(name: str, repository: Repository | None, findings: Sequence[Finding]) -> str:
    """`billing: valid (5 companies, 6 configurations, 1 warning)` or `billing: invalid (2 errors)`."""
    errors, warnings = _errors_and_warnings(findings)
    if repository is None:
        counts = [_count(errors, "error")] + ([_count(warnings, "warning")] if warnings else [])
        return f"{name}: invalid ({', '.join(counts)})"
    counts = [
        _count(len(repository.companies), "company", "companies"),
        _count(repository.configuration_count, "configuration"),
        _count(warnings, "warning"),
    ]
    return f"{name}: valid ({', '.join(counts)})"


@app.command()
def validate(
    directory: Path = repository_argument("The billing repository to check."),
    output_format: ValidateFormat = typer.Option(
        ValidateFormat.TEXT,
        "--format",
        help="text: one `file:line:col: path: message` line per finding; json: one object.",
    ),
) -> None:
    """Check a billing repository: schemas, billing rules, secrets and usage/ snapshots; nothing is sent.

    A vendored DIR/schemas/ that differs from this cwbill's schemas is a warning (`stale-schemas`).

    Every finding is printed at once, sorted by file and line, on stdout; a summary goes to stderr.
    Exit 0 when valid (warnings allowed), 1 when not.

    Examples:

        cwbill validate

        cwbill validate path/to/billing --format json
    """
    repository, findings = load_repository(directory)
    findings = [*findings, *check_vendored(directory, display_path(directory))]  # warnings only
    usage_folder = directory / "usage"
    if repository is not None and usage_folder.is_dir() and usage_files(usage_folder):
        # committed usage snapshots are part of the repository: a bad one fails here, before a plan
        _, usage_findings = load_usage(usage_folder, repository)
        findings = [*findings, *usage_findings]
        if has_errors(usage_findings):
            repository = None
    ordered = sort_findings(findings)
    if output_format is ValidateFormat.JSON:
        typer.echo(render_json(ordered))
    else:
        for finding in ordered:
            typer.echo(finding.render())
    typer.echo(summary(display_path(directory), repository, ordered), err=True)
    raise typer.Exit(exitcodes.OK if repository is not None else exitcodes.ERROR)
