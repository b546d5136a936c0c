"""Every reliability test runs with the sandbox's demo credentials and no CW_URL of the developer's."""

from __future__ import annotations

import pytest

from reconciler.sandbox import DEMO_CREDENTIALS


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in DEMO_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CW_URL", raising=False)
    monkeypatch.delenv("MBS_URL", raising=False)
