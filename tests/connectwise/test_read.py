"""Additions read before the engine knows the exact scope are the same as those read after it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import httpx
import pytest

from reconciler.connectwise.client import ConnectWiseClient, Credentials
from reconciler.connectwise.live import LiveAddition, parse_addition, parse_agreement
from reconciler.connectwise.read import PendingAdditions
from reconciler.engine.periods import Period
from reconciler.sandbox import API_PATH, DEMO_CREDENTIALS, Sandbox
from reconciler.sandbox.seeds import load_seed

OCT, NOV = Period(2026, 10), Period(2026, 11)
API = f"http://127.0.0.1{API_PATH}"  # in-process transport; the client wants loopback for http


@pytest.fixture
def client() -> Iterator[ConnectWiseClient]:
    sandbox = Sandbox(load_seed("demo"))
    with httpx.Client(transport=sandbox.transport()) as http:
        yield ConnectWiseClient(http, API, Credentials.from_env(DEMO_CREDENTIALS), concurrency=4)


def agreement_ids(client: ConnectWiseClient) -> list[int]:
    records = client.agreements_of(["ACME", "BETA", "GAMMA", "DELTA", "EPSILON"])
    return sorted(parse_agreement(r).id for r in records)


def one_by_one(client: ConnectWiseClient, wanted: Mapping[int, Sequence[Period]]) -> tuple[LiveAddition, ...]:
    """The reference: each agreement read on its own, unfiltered, kept in its periods."""
    found = []
    for agreement_id, periods in wanted.items():
        records = client.additions_of(agreement_id, list(periods))
        found += [a for a in (parse_addition(r, agreement_id) for r in records) if a.period in periods]
    return tuple(sorted(found, key=lambda a: a.id))


def test_collecting_what_was_started_is_one_read_per_agreement(client: ConnectWiseClient) -> None:
    wanted = {i: (OCT, NOV) for i in agreement_ids(client)}
    assert len(wanted) >= 4
    before = client.requests_sent
    pending = PendingAdditions(client, wanted)
    try:
        found = pending.collect(wanted)
    finally:
        pending.close()
    assert client.requests_sent - before == len(wanted)
    assert found == one_by_one(client, wanted)
    assert {a.period for a in found} == {OCT, NOV}


def test_a_narrower_scope_keeps_only_its_agreements_and_periods_without_new_reads(
    client: ConnectWiseClient,
) -> None:
    ids = agreement_ids(client)
    before = client.requests_sent
    pending = PendingAdditions(client, {i: (OCT, NOV) for i in ids})
    narrow = {ids[0]: (OCT,), ids[2]: (NOV,)}
    try:
        found = pending.collect(narrow)
    finally:
        pending.close()
    # reads for agreements left out may have been cancelled, never added
    assert client.requests_sent - before <= len(ids)
    assert found == one_by_one(client, narrow)
    assert {(a.agreement_id, a.period) for a in found} <= {(ids[0], OCT), (ids[2], NOV)}


def test_a_period_or_agreement_not_read_yet_is_read_at_collect(client: ConnectWiseClient) -> None:
    ids = agreement_ids(client)
    before = client.requests_sent
    pending = PendingAdditions(client, {ids[0]: (OCT,)})
    wider = {ids[0]: (OCT, NOV), ids[1]: (OCT, NOV)}
    try:
        found = pending.collect(wider)
    finally:
        pending.close()
    assert client.requests_sent - before == 3  # the early read of ids[0], then ids[0] again and ids[1]
    assert found == one_by_one(client, wider)
    assert NOV in {a.period for a in found if a.agreement_id == ids[0]}


def test_progress_hears_of_every_agreement_read(client: ConnectWiseClient) -> None:
    ids = agreement_ids(client)
    heard: list[tuple[int, int]] = []
    pending = PendingAdditions(
        client, {i: (OCT, NOV) for i in ids}, progress=lambda d, t: heard.append((d, t))
    )
    try:
        pending.collect({i: (OCT, NOV) for i in ids})
    finally:
        pending.close()
    assert sorted(heard) == [(n, len(ids)) for n in range(1, len(ids) + 1)]
