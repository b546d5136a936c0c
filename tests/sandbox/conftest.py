"""Fixtures of the sandbox tests: a demo sandbox and clients on it (in process, no socket)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from reconciler.sandbox import Sandbox
from reconciler.sandbox.seeds import load_seed
from tests.sandbox.helpers import cw_client, mbs_client


@pytest.fixture
def demo() -> Sandbox:
    return Sandbox(load_seed("demo"))


@pytest.fixture
def cw(demo: Sandbox) -> Iterator[httpx.Client]:
    with cw_client(demo) as client:
        yield client


@pytest.fixture
def mbs(demo: Sandbox) -> Iterator[httpx.Client]:
    client = mbs_client(demo)  # already open: it has logged in
    yield client
    client.close()
