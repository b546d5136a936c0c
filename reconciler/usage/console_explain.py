"""`usage pull --explain`: which console figure is cwbill's "stored"? (docs/billing.md §9)

cwbill bills the sum of `SizeBackup` of `PUT /api/Billing/Details` per storage account. MSP360's
own billing endpoint, `PUT /api/Billing {CompanyName, Date}`, reports per company the month's
`AverageSpace` (per user, summed here) and `CurrentSpaceUsed` (updated daily), without a storage
account. Put side by side per company and month, with their ratios, they show a user with a real
console at once which figure matches the console's billing report. Pure: figures in, rows out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from reconciler.engine import money
from reconciler.engine.periods import Period
from reconciler.usage.console_map import gigabytes
from reconciler.usage.console_wire import Billing, ConsoleUser, DetailRow

RATIO_PLACES = 3
HEADINGS = (
    "company",
    "period",
    "SizeBackup sum GB",
    "AverageSpace GB",
    "CurrentSpaceUsed GB",
    "AverageSpace/SizeBackup",
    "CurrentSpaceUsed/SizeBackup",
)


@dataclass(frozen=True, slots=True)
class StorageCheck:
    company: str  # console company name
    period: Period
    size_backup: Decimal  # GB: Σ SizeBackup of the company's users, every storage account
    average_space: Decimal  # GB: Σ AverageSpace of PUT /api/Billing's rows for the company
    current_space: Decimal  # GB: CurrentSpaceUsed of PUT /api/Billing for the company

    def cells(self) -> tuple[str, ...]:
        return (
            self.company,
            str(self.period),
            str(self.size_backup),
            str(self.average_space),
            str(self.current_space),
            _ratio(self.average_space, self.size_backup),
            _ratio(self.current_space, self.size_backup),
        )


def storage_checks(
    users: Sequence[ConsoleUser],
    details: Mapping[tuple[str, Period], Sequence[DetailRow]],
    billing: Mapping[tuple[str, Period], Billing],
) -> list[StorageCheck]:
    """One row per (company, period) of `billing` (the answers of PUT /api/Billing per company)."""
    rows = []
    for (company, period), answer in sorted(billing.items()):
        backup = sum(
            row.backup_bytes
            for user in users
            if user.company == company
            for row in details.get((user.id, period), ())
        )
        average = sum(user.average_space for user in answer.users)
        rows.append(
            StorageCheck(
                company, period, gigabytes(backup), gigabytes(average), gigabytes(answer.current_space_used)
            )
        )
    return rows


def _ratio(figure: Decimal, base: Decimal) -> str:
    if base == 0:
        return "-"
    return money.normalize(money.quantize(money.divide(figure, base), RATIO_PLACES))


def render_checks(checks: Sequence[StorageCheck]) -> list[str]:
    """A plain aligned table (stderr), headings first."""
    table = [HEADINGS, *(check.cells() for check in checks)]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADINGS))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in table
    ]
