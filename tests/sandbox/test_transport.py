"""The in-process adapters: the sync and async httpx transports over the same core."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from reconciler.sandbox import FaultSettings, Sandbox
from reconciler.sandbox.seeds import load_seed
from tests.sandbox.helpers import API, cw_headers, new_addition


def test_the_async_transport_serves_an_async_client() -> None:
    sandbox = Sandbox(load_seed("demo"))

    async def run() -> tuple[int, int]:
        async with httpx.AsyncClient(
            transport=sandbox.async_transport(), base_url=API, headers=cw_headers()
        ) as client:
            listed, created = await asyncio.gather(
                client.get("/company/companies"),
                client.post("/finance/agreements/1/additions", json=new_addition()),
            )
            return listed.status_code, created.status_code

    assert asyncio.run(run()) == (200, 201)


def test_async_faults_raise_the_same_exceptions() -> None:
    sandbox = Sandbox(load_seed("demo"), faults=FaultSettings(queue=("lost_response",)))

    async def run() -> None:
        async with httpx.AsyncClient(
            transport=sandbox.async_transport(), base_url=API, headers=cw_headers()
        ) as client:
            await client.post("/finance/agreements/1/additions", json=new_addition())

    with pytest.raises(httpx.RemoteProtocolError):
        asyncio.run(run())
    assert sandbox.counters.writes_committed == 1


def test_fault_exceptions_carry_the_request() -> None:
    sandbox = Sandbox(load_seed("demo"), faults=FaultSettings(queue=("slow",)))
    with (
        httpx.Client(transport=sandbox.transport(), base_url=API, headers=cw_headers()) as client,
        pytest.raises(httpx.ReadTimeout) as caught,
    ):
        client.get("/company/companies")
    assert caught.value.request.url.path == "/v4_6_release/apis/3.0/company/companies"
