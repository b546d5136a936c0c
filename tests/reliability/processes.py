"""Real `cwbill` processes against a served sandbox: start one, kill it with SIGKILL at a chosen point."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from reconciler.sandbox import API_PATH, DEMO_CREDENTIALS
from tests.reliability.world import AS_OF

CWBILL = str(Path(sys.executable).parent / "cwbill")


def environment(url: str, **extra: str) -> dict[str, str]:
    """The demo credentials, CW_URL at the sandbox, no colour; nothing else of the developer's."""
    keep = {
        k: v
        for k, v in os.environ.items()
        if k in ("PATH", "HOME", "LANG", "TMPDIR", "SYSTEMROOT", "PYTHONPATH")
    }
    return {**keep, **DEMO_CREDENTIALS, "CW_URL": url + API_PATH, "NO_COLOR": "1", **extra}


def start_apply(cwd: Path, env: dict[str, str], journal: Path, *args: str) -> subprocess.Popen[str]:
    command = [CWBILL, "apply", "billing", "--as-of", AS_OF, "--yes", "--force", "--journal", str(journal)]
    return subprocess.Popen(
        [*command, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_apply(cwd: Path, env: dict[str, str], journal: Path, *args: str) -> subprocess.CompletedProcess[str]:
    process = start_apply(cwd, env, journal, *args)
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def lines_in(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def kill_when(process: subprocess.Popen[str], journal: Path, *, lines: int = 0, delay: float = 0.0) -> bool:
    """SIGKILL `process` once the journal has `lines` lines, or `delay` seconds after its first line
    (the first write): either way, while it writes.

    True when it was killed, False when it had ended on its own first."""
    deadline: float | None = None
    while process.poll() is None:
        written = lines_in(journal)
        if deadline is None and written:
            deadline = time.monotonic() + delay
        if written and ((lines and written >= lines) or (not lines and time.monotonic() >= deadline)):
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=30)
            return True
        time.sleep(0.002)
    process.communicate(timeout=30)
    return False
