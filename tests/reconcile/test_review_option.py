"""The review aids are worked out only when asked for (plan and apply show them); the plan is the same."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from reconciler.plan.model import Selection
from reconciler.plan.review import NO_REVIEW
from reconciler.reconcile.inputs import load_checked_repository
from reconciler.reconcile.run import RunOptions, connect, make_plan
from reconciler.sandbox import API_PATH, DEMO_CREDENTIALS, Sandbox
from reconciler.sandbox.seeds import load_seed

AS_OF = dt.date(2026, 11, 2)  # the demo seed's day


def test_only_a_run_that_asks_for_the_review_works_it_out(
    billing_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in DEMO_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CW_URL", "http://127.0.0.1" + API_PATH)  # in process: nothing listens there
    monkeypatch.setenv("MBS_URL", "http://127.0.0.1")
    sandbox = Sandbox(load_seed("demo"))
    repository, _ = load_checked_repository(billing_copy)
    assert repository is not None
    client = connect(repository, sandbox.transport(), concurrency=1)
    runs = {
        asked: make_plan(
            RunOptions(billing_copy, None, Selection(as_of=AS_OF), 1, review=asked),
            repository,
            client,
            sandbox.transport(),
        )
        for asked in (False, True)
    }
    assert runs[False].review == NO_REVIEW
    assert runs[True].review != NO_REVIEW  # the demo has month-over-month figures to show
    assert runs[True].plan == runs[False].plan
