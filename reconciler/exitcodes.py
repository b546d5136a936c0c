"""Exit codes, everywhere (billing-rules §7), defined once."""

from typing import Final

OK: Final = 0  # success; with --detailed-exitcode: no changes
ERROR: Final = 1  # error, nothing written
CHANGES: Final = 2  # plan with --detailed-exitcode: changes present (or drift with --drift-only)
PARTIAL: Final = 3  # apply wrote part of the plan and some writes failed; the next run converges
INTERRUPTED: Final = 130  # Ctrl-C

HELP: Final = (
    "Exit codes: 0 success (no changes with --detailed-exitcode); 1 error, nothing written; "
    "2 changes present (with --detailed-exitcode); 3 apply partly failed (re-run converges); "
    "130 interrupted."
)
