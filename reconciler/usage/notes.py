"""A usage record's notes as plan warnings, and how old each period's figures are.

Pure. The notes of a record (`unlimited-limit`, `expired-license`, `late-pull`, `moved-user`, …)
travel with the snapshot, so a plan made from committed files warns exactly as the pull did; the
age of the figures (`taken_at`, per period) is what a reviewer needs to judge a month's bill.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reconciler.config.model import Repository
from reconciler.engine.model import PlanWarning
from reconciler.engine.periods import Period
from reconciler.usage.model import Source, Usage
from reconciler.usage.yamlwrite import timestamp_text


def note_warnings(usage: Usage, repository: Repository, periods: Iterable[Period]) -> list[PlanWarning]:
    """One warning per note of the configured companies' records of `periods`, under the company's
    identifier (records of companies without a file, `usage pull --all-companies`, are never billed)."""
    identifiers = {c.console_company: c.identifier for c in repository.companies}
    wanted = set(periods)
    return [
        PlanWarning(note.code, identifiers[record.console_company], "", note.message, str(record.period))
        for record in sorted(usage.records.values(), key=lambda r: (r.period, r.console_company))
        if record.period in wanted and record.console_company in identifiers
        for note in record.notes
    ]


@dataclass(frozen=True, slots=True)
class UsageAge:
    """Where a period's figures came from and when they were read (earliest and latest record)."""

    period: Period
    sources: tuple[str, ...]  # Source values, "file" for a record that does not say
    oldest: str  # taken_at text, "" when no record says
    newest: str
    unknown: int  # records that do not say when they were read

    def text(self) -> str:
        """`2026-10: taken 2026-11-01T06:00:00Z (console-api)`, or a range, or "taken_at unknown"."""
        when = self.oldest if self.oldest == self.newest else f"{self.oldest} to {self.newest}"
        said = f"taken {when}" if self.oldest else "taken_at unknown"
        if self.oldest and self.unknown:
            said += f", {self.unknown} records without taken_at"
        return f"{self.period}: {said} ({', '.join(self.sources)})"


def usage_ages(usage: Usage, periods: Iterable[Period]) -> tuple[UsageAge, ...]:
    ages = []
    for period in sorted(set(periods)):
        records = [r for r in usage.records.values() if r.period == period]
        if not records:
            continue
        stamps = sorted(
            timestamp_text(r.provenance.taken_at)
            for r in records
            if r.provenance is not None and r.provenance.taken_at is not None
        )
        sources = sorted({(r.provenance.source if r.provenance else Source.FILE).value for r in records})
        ages.append(
            UsageAge(
                period,
                tuple(sources),
                stamps[0] if stamps else "",
                stamps[-1] if stamps else "",
                len(records) - len(stamps),
            )
        )
    return tuple(ages)
