"""The doctor's checklist as text (✔ / ✘ / ! / -, each problem with its findings and fix) or JSON."""

from __future__ import annotations

import json
from typing import TextIO

from reconciler.doctor.model import Report, Status, count


def render_text(report: Report, stream: TextIO) -> None:
    for check in report.checks:
        stream.write(f"{check.status.mark} {check.title}: {check.summary}\n")
        for finding in check.findings:
            stream.write(f"    {finding.render()}\n")
        for record in check.records:
            stream.write(f"    {record}\n")
        if check.fix and check.status in (Status.FAIL, Status.WARN):
            stream.write(f"    fix: {check.fix}\n")


def summary(report: Report) -> str:
    """`doctor: 14 ok, 2 warnings, 1 failed, 0 skipped` — the last line, on stderr."""
    ok, warn, fail, skip = (report.count(s) for s in Status)
    verdict = "ready" if not fail else "not ready"
    return f"doctor: {verdict} ({ok} ok, {count(warn, 'warning')}, {fail} failed, {skip} skipped)"


def render_json(report: Report) -> str:
    payload = {
        "ok": not report.failed,
        "counts": {str(status): report.count(status) for status in Status},
        "checks": [
            {
                "code": check.code,
                "title": check.title,
                "status": str(check.status),
                "summary": check.summary,
                "fix": check.fix,
                "findings": [finding.to_json() for finding in check.findings],
                "records": list(check.records),
            }
            for check in report.checks
        ],
    }
    return json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
