"""The result of `cwbill doctor`: a checklist of checks, each with its status, findings and fix.

Plain frozen values, rendered as text or JSON by `reconciler.doctor.render` (as check-jsonschema
renders its result): the checks never print. A check is `ok` (✔), `warn` (!: cwbill works, but
look), `fail` (✘: plan or apply would fail or bill wrongly) or `skipped` (not checked because a
check it needs failed, or it cannot be checked read-only). The exit code is 1 when any check failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from reconciler import exitcodes
from reconciler.errors import Finding, Severity


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIPPED = "skipped"

    @property
    def mark(self) -> str:
        return {"ok": "✔", "warn": "!", "fail": "✘", "skipped": "-"}[self.value]


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the checklist; `items` name each file:line or live record concerned."""

    code: str  # stable, e.g. `connectwise-auth`
    title: str
    status: Status
    summary: str  # one line: what was found
    fix: str = ""  # what to do about it (empty when ok)
    findings: tuple[Finding, ...] = ()  # located in the user's files
    records: tuple[str, ...] = ()  # live records concerned (`agreement 4: …`)


def check_from(
    code: str,
    title: str,
    *,
    ok: str,
    problem: str,
    fix: str,
    findings: Sequence[Finding] = (),
    records: Sequence[str] = (),
    failing: bool | None = None,
) -> Check:
    """Ok without findings or records; else fail when `failing` (by default: when a finding is an
    error), warn otherwise."""
    if not findings and not records:
        return Check(code, title, Status.OK, ok)
    if failing is None:
        failing = any(f.severity is Severity.ERROR for f in findings)
    status = Status.FAIL if failing else Status.WARN
    return Check(code, title, status, problem, fix, tuple(findings), tuple(records))


def skipped(code: str, title: str, why: str) -> Check:
    return Check(code, title, Status.SKIPPED, why)


@dataclass(frozen=True, slots=True)
class Report:
    checks: tuple[Check, ...]

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status is Status.FAIL)

    @property
    def exit_code(self) -> int:
        return exitcodes.ERROR if self.failed else exitcodes.OK

    def count(self, status: Status) -> int:
        return sum(1 for c in self.checks if c.status is status)


def count(number: int, noun: str, plural: str = "") -> str:
    """`1 warning`, `2 warnings`, `3 companies`."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
