"""Every reliability test runs with the sandbox's demo credentials and no CW_URL of the developer's;
`served` is the generated workload on loopback, its writes slowed so a run can be killed or raced."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.sandbox import DEMO_CREDENTIALS, serve_in_thread
from tests.reliability.harness import Bench
from tests.reliability.matrix import WRITES, workload


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in DEMO_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CW_URL", raising=False)
    monkeypatch.delenv("MBS_URL", raising=False)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Bench, str]]:
    """The generated workload served on loopback, 10 ms added to every write; idle before teardown."""
    bench = Bench(workload("generated"), tmp_path, sandbox_sleep=time.sleep)
    bench.sandbox.faults.update({"latency": 1.0, "latency_seconds": 0.01, "methods": WRITES})
    with serve_in_thread(bench.sandbox) as url:
        yield bench, url
        bench.sandbox.wait_idle()
