"""Usage the console reports but cwbill cannot bill to a company: said, with names and amounts.

Pure, like `console_map`. `PUT /api/Billing` for a month (mbs-api §8.2) lists every user the
console billed in it, under the company it billed them to; `/api/Users` is who exists *now*. Three
cases would otherwise lose usage without a word:
- a user without a company (`Company: ""`): its licenses and storage belong to no company file;
- a deleted user (in the month's billing, no longer in `/api/Users`): its usage cannot be read per
  storage account any more (Billing/Details needs the user), so it is not billed;
- a moved user (billed under one company in the month, in another now): Billing/Details is per
  user, so its whole month is billed to where it is now; the note names both companies.
Each finding is a note on the record of the company concerned when that company is pulled, else a
warning of the pull.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from reconciler.engine.periods import Period
from reconciler.usage.console_map import ConsoleState, gigabytes
from reconciler.usage.console_wire import Billing, ConsoleUser, DetailRow

NO_COMPANY = "user-without-company"
DELETED_USER = "deleted-user"
MOVED_USER = "moved-user"

# (company name or "", period, code, message) → kept as a note or a warning by the caller
Report = Callable[[str, Period, str, str], None]


def companyless_users(state: ConsoleState) -> list[ConsoleUser]:
    """Users of no company, whose usage is read only to say how much goes unbilled."""
    return sorted((u for u in state.users if not u.company), key=lambda u: u.id)


def _storage_text(rows: Sequence[DetailRow]) -> str:
    backup = sum(row.backup_bytes for row in rows)
    restore = sum(row.restore_bytes for row in rows)
    return f"{gigabytes(backup)} GB stored and {gigabytes(restore)} GB restored"


def report_companyless(
    state: ConsoleState,
    period: Period,
    details: Mapping[tuple[str, Period], Sequence[DetailRow]],
    report: Report,
) -> None:
    for user in companyless_users(state):
        licenses = sum(
            1 for lic in state.licenses if lic.user_id == user.id and lic.active_in(period.first_day)
        )
        rows = details.get((user.id, period), ())
        if not licenses and not any(row.backup_bytes or row.restore_bytes for row in rows):
            continue  # nothing of it to bill, so nothing is lost
        message = (
            f"console user {user.email or user.id!r} belongs to no company: {licenses} activated "
            f"licenses and {_storage_text(rows)} in {period} are not billed; assign the user to a "
            "company in the console"
        )
        report("", period, NO_COMPANY, message)


def report_unattributed(
    state: ConsoleState,
    period: Period,
    billing: Billing,
    details: Mapping[tuple[str, Period], Sequence[DetailRow]],
    report: Report,
) -> None:
    """Deleted and moved users of `period`, from its `PUT /api/Billing` rows."""
    users = {user.id.lower(): user for user in state.users}
    for row in sorted(billing.users, key=lambda r: (r.company, r.email, r.user_id)):
        user = users.get(row.user_id.lower())
        name = row.email or row.user_id
        if user is None:
            if not row.average_space and not row.licenses_used:
                continue
            message = (
                f"user {name!r} of {row.company or 'no company'!r} is in the console's billing of "
                f"{period} ({gigabytes(row.average_space)} GB average space, {row.licenses_used} licenses "
                "used) but no longer a console user: its usage cannot be read per storage account "
                "and is not billed"
            )
            report(row.company, period, DELETED_USER, message)
        elif row.company != user.company:
            rows = details.get((user.id, period), ())
            now = repr(user.company) if user.company else "no company"
            message = (
                f"user {name!r} is billed under {row.company or 'no company'!r} in the console's "
                f"billing of {period} but belongs to {now} now: its {_storage_text(rows)} in "
                f"{period} count for {now}"
            )
            report(user.company or row.company, period, MOVED_USER, message)
