"""The plan made company by company as the reads arrive is `build_plan`'s, and the JSON written
from the changes' text made ahead is the same bytes."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from reconciler.plan.diff import build_plan
from reconciler.plan.model import Reason, Selection
from reconciler.reconcile.inputs import load_checked_repository
from reconciler.reconcile.run import RunOptions, connect, make_plan
from reconciler.render.json import ChangeTexts, plan_to_json
from reconciler.sandbox import API_PATH, DEMO_CREDENTIALS, Sandbox
from tests.reliability.world import generated_workload

AS_OF = dt.date(2026, 11, 2)


@pytest.mark.parametrize("only", [None, Reason.DRIFT])
@pytest.mark.parametrize("adopt", [False, True])
def test_the_plan_made_as_the_reads_arrive_is_build_plans(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, only: Reason | None, adopt: bool
) -> None:
    for name, value in DEMO_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CW_URL", "http://127.0.0.1" + API_PATH)  # in process: nothing listens there
    world = generated_workload(companies=30, seed=5)  # conflicts, duplicates, orphans, drift
    root = world.write_billing(tmp_path / "billing")
    sandbox = Sandbox(world.build_store())
    repository, _ = load_checked_repository(root)
    selection = Selection(as_of=AS_OF, adopt=adopt)
    options = RunOptions(root, None, selection, 4, only, leakage=True, review=True, json_plan=True)
    client = connect(repository, sandbox.transport(), concurrency=4)
    try:
        run = make_plan(options, repository, client, sandbox.transport())
    finally:
        client.http.close()
    assert run.inputs is not None and run.texts is not None
    inputs = run.inputs
    usage_digest = inputs.usage.digest
    expected = build_plan(repository, inputs.desired, inputs.live, selection, usage_digest, only=only)
    assert run.plan == replace(expected, usage_ages=run.plan.usage_ages)  # the ages come from the usage
    whole = build_plan(repository, inputs.desired, inputs.live, selection, usage_digest)
    # leakage's plan has every change: the run's own plan (with its ages) unless --drift-only cut it
    assert inputs.plan == (replace(whole, usage_ages=run.plan.usage_ages) if only is None else whole)
    assert run.plan.changes  # the world gives every run something to show
    # the JSON from the text made ahead is the JSON made from the plan alone
    for show_cost in (False, True):
        ahead = plan_to_json(run.plan, run.review, show_cost=show_cost, texts=run.texts)
        assert ahead == plan_to_json(run.plan, run.review, show_cost=show_cost)


def test_text_made_for_other_change_objects_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Equal changes are not the same changes: texts are matched by identity, else all is written anew."""
    for name, value in DEMO_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CW_URL", "http://127.0.0.1" + API_PATH)
    world = generated_workload(companies=6, seed=2)
    root = world.write_billing(tmp_path / "billing")
    sandbox = Sandbox(world.build_store())
    repository, _ = load_checked_repository(root)
    client = connect(repository, sandbox.transport(), concurrency=2)
    try:
        run = make_plan(
            RunOptions(root, None, Selection(as_of=AS_OF), 2), repository, client, sandbox.transport()
        )
    finally:
        client.http.close()
    partial = ChangeTexts()
    partial.add(run.plan.changes[1:])  # one change missing
    assert partial.of(run.plan.changes) is None
    assert plan_to_json(run.plan, texts=partial) == plan_to_json(run.plan)
