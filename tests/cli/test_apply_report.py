"""After a partial apply, the `next:` line says which failures a re-run settles and which need a fix
(mirrors `reconciler/cli/apply.py: next_step`; the end-to-end run is in tests/reconcile/test_e2e.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.cli.apply import next_step
from reconciler.connectwise.apply import WriteResult
from reconciler.engine.periods import Period
from reconciler.plan.model import Action, Change, Reason

CREATE = Change(
    Action.CREATE, Reason.NEW, "ACME", "licenses", 1, "Managed Backup Service", "MBS-SERVER",
    Period(2026, 10), None, None, {"quantity": "3"},
)  # fmt: skip
JOURNAL = Path(".cwbill/journal.jsonl")
AGAIN = "run the same apply again: it converges, sending only what is still missing"


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ((503,), f"next: 1 write failed (each attempt is in {JOURNAL}); {AGAIN}"),
        ((None, 502), f"next: 2 writes failed (each attempt is in {JOURNAL}); {AGAIN}"),
        (
            (400, 503, 409),
            f"next: 3 writes failed (each attempt is in {JOURNAL}); ConnectWise refused 2 (HTTP 4xx): fix "
            f"what it names in the repository or in ConnectWise, then {AGAIN}",
        ),
    ],
    ids=["one server error", "no answer and a gateway error", "two refusals among three"],
)
def test_the_next_step_depends_on_what_failed(statuses: tuple[int | None, ...], expected: str) -> None:
    failures = [WriteResult(CREATE, False, status, "failed") for status in statuses]
    assert next_step(failures, JOURNAL) == expected
