"""ConnectWise down while cwbill reads: exit 1 with one clear line, no traceback, nothing written.

Through the real entry point; the sandbox answers every request 429 with `Retry-After: 0`, so the
client's six attempts take no time. (The fault matrix's "outage" case does the same with 503s.)
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from reconciler.cli import main
from reconciler.sandbox import API_PATH, DEMO_CREDENTIALS, Sandbox, serve_in_thread
from reconciler.sandbox.seeds import load_seed

COMMANDS = {"plan": ["plan"], "apply": ["apply", "--yes"]}


@pytest.mark.parametrize("command", list(COMMANDS.values()), ids=list(COMMANDS))
def test_an_outage_during_the_reads_is_a_clear_error(
    billing_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    for name, value in DEMO_CREDENTIALS.items():  # billing_copy clears the secret ones
        monkeypatch.setenv(name, value)
    sandbox = Sandbox(load_seed("demo"))
    sandbox.faults.update({"rate_limit": 1.0, "retry_after": 0})
    with serve_in_thread(sandbox) as url:
        monkeypatch.setenv("CW_URL", url + API_PATH)
        monkeypatch.setattr(
            sys, "argv", ["cwbill", command[0], "billing", "--as-of", "2026-11-02", *command[1:]]
        )
        with pytest.raises(SystemExit) as exit_:
            main()
    err = capsys.readouterr().err
    assert exit_.value.code == 1
    assert "Traceback" not in err
    assert "error: ConnectWise: GET /finance/agreements: 429 Too many requests" in err
    assert "nothing was written" in err
    assert sandbox.counters.to_json()["writes_committed"] == 0
