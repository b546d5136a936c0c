"""Findings (user mistakes as data, with a location) and the one user-error exception.

Every check in cwbill reports `Finding`s; the CLI renders them as `file:line:col: path: message`
lines (or JSON) and exits 1. `UserError` carries findings (or a plain message) from deep inside an
operation to the CLI's single top-level handler, so a user's mistake never shows a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a user's file; line and col are 1-based, 0 when unknown."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Finding:
    location: Location
    path: str  # field path inside the file, e.g. `configurations[0].send`; "" for the whole file
    message: str
    severity: Severity = Severity.ERROR
    code: str = ""  # a stable machine code for warnings (e.g. `no-price`); optional for errors

    def render(self) -> str:
        # line 0 means "the whole file" (e.g. a missing file): `file: message`, not `file:0:0:`
        where = str(self.location) if self.location.line else self.location.file
        field = f" {self.path}:" if self.path else ""
        mark = "warning: " if self.severity is Severity.WARNING else ""
        return f"{where}:{field} {mark}{self.message}"

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.location.file,
            "line": self.location.line,
            "col": self.location.col,
            "path": self.path,
            "message": self.message,
            "severity": str(self.severity),
            "code": self.code,
        }


def error(location: Location, path: str, message: str, code: str = "") -> Finding:
    return Finding(location, path, message, Severity.ERROR, code)


def warning(location: Location, path: str, message: str, code: str = "") -> Finding:
    return Finding(location, path, message, Severity.WARNING, code)


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(
        findings, key=lambda f: (f.location.file, f.location.line, f.location.col, f.path, f.message)
    )


class UserError(Exception):
    """A mistake the user can fix: rendered without a traceback, exit code 1 (or `exit_code`)."""

    def __init__(self, message: str = "", findings: Sequence[Finding] = (), exit_code: int = 1) -> None:
        super().__init__(message or "; ".join(f.render() for f in findings))
        self.message = message
        self.findings = tuple(findings)
        self.exit_code = exit_code
