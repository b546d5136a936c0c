"""Making the leakage report: the plan's run, reading the usage of every console company and keeping
what the plan was made from, then the pure classification (`leakage.classify`).

It reads ConnectWise (agreements, catalog, the additions in scope) and the usage exactly as `cwbill
plan` does, and never writes. From the Management Console, the usage of every console company is read
(no further list call: only the Billing/Details of the users of companies without a file); from usage
files, what they hold (`cwbill usage pull --all-companies` writes every company, and what no product
maps).
"""

from __future__ import annotations

from dataclasses import replace

import httpx

from reconciler.config.model import Repository
from reconciler.connectwise.client import ConnectWiseClient
from reconciler.leakage.classify import classify_usage
from reconciler.leakage.model import Leakage
from reconciler.reconcile.run import PlanRun, RunOptions, make_plan


def make_leakage(
    options: RunOptions,
    repository: Repository,
    client: ConnectWiseClient,
    console_transport: httpx.BaseTransport | None = None,
) -> Leakage:
    found = leakage_of(make_plan(replace(options, leakage=True), repository, client, console_transport))
    assert found is not None  # RunOptions.leakage keeps the inputs
    return found


def leakage_of(run: PlanRun) -> Leakage | None:
    """The leakage of a plan made with `RunOptions.leakage` (None otherwise: nothing was kept)."""
    if run.inputs is None:
        return None
    inputs = run.inputs
    return classify_usage(run.repository, inputs.usage, inputs.desired, inputs.live, inputs.plan)
