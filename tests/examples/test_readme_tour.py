"""The README's five-minute tour pastes and runs as written: its shell blocks, in order, in one bash,
against the real sandbox it starts — and every `# output` comment under a command is what it prints.

Two substitutions only, each for the test's sake: the port (8765 in the README) becomes a free one,
so that parallel runs on one machine do not collide, and the run happens in a scratch copy of the
checkout's `billing/` with `.venv` pointing at the interpreter running the tests (apply writes to
the sandbox and leaves `.cwbill/` behind, never in the checkout).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import PROJECT

README = PROJECT / "README.md"
BLOCK = re.compile(r"^( *)```sh\n(.*?)^\1```", re.MULTILINE | re.DOTALL)
PORT = "8765"
MARK = "=== cwbill-tour block {} ==="


def tour_blocks() -> list[str]:
    """The shell blocks of the README's tour section, dedented, in order."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## A five-minute tour", 1)[1].split("\n## ", 1)[0]
    return [textwrap.dedent(match.group(2)) for match in BLOCK.finditer(section)]


def expected_output(block: str) -> list[str]:
    """The `# …` comment lines that follow the block's last command: what the README says it prints."""
    lines = block.rstrip("\n").splitlines()
    shown: list[str] = []
    for line in reversed(lines):
        if not line.startswith("# "):
            break
        shown.insert(0, line[2:])
    return shown


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_tour_has_the_blocks_it_describes() -> None:
    blocks = tour_blocks()
    assert len(blocks) == 6
    assert f"--port {PORT}" in blocks[0]
    assert blocks[-1].strip() == "kill %1"
    assert "PORT" not in "".join(blocks).replace(f"{PORT}", "")  # nothing to edit by hand


def test_the_tour_runs_as_written_against_the_sandbox(tmp_path: Path) -> None:
    blocks = tour_blocks()
    shutil.copytree(PROJECT / "billing", tmp_path / "billing")
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parent.parent)
    port = str(_free_port())
    # a failing step must not leave the sandbox running (and holding the pipes open)
    script = ["set -eu", "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT"]
    for number, block in enumerate(blocks):
        script += [f"echo '{MARK.format(number)}'", block.replace(PORT, port)]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CW_", "MBS_"))  # the tour exports its own
    }
    done = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**env, "COLUMNS": "120", "NO_COLOR": "1"},
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    outputs = re.split(r"^=== cwbill-tour block \d+ ===\n", done.stdout, flags=re.MULTILINE)[1:]
    assert len(outputs) == len(blocks)
    # the sandbox's start-up lines are in its log, shown once by `cat`, and in no later output
    assert outputs[0].startswith(f"cwbill sandbox listening on http://127.0.0.1:{port}\n")
    assert "sandbox:" not in "".join(outputs[1:]) + done.stderr.replace("sandbox: state", "")
    validate_stderr_and_stdout = expected_output(blocks[1])
    assert outputs[1].splitlines() == validate_stderr_and_stdout[:1]  # the finding, on stdout
    assert validate_stderr_and_stdout[1] in done.stderr  # the summary, on stderr
    assert "+ create" in outputs[2]
    assert "Applied:" in done.stderr
    assert outputs[4].splitlines()[-1] == expected_output(blocks[4])[-1] == "No changes."
    assert not (tmp_path / ".cwbill" / "sandbox.log").read_text().count("Traceback")
