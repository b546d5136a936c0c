"""`make demo`: the main job, end to end, against the bundled sandbox.

Starts `cwbill sandbox serve --seed demo` on a free loopback port, then runs what a billing
repository's CI would: validate, plan, apply --yes, and a second plan that must show "No changes." —
and stops the sandbox. The demo credentials are exported to both sides (cwbill never defaults a
credential; the sandbox accepts exactly what its environment says).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from reconciler.sandbox import API_PATH
from reconciler.sandbox.credentials import DEMO_CREDENTIALS

ROOT = Path(__file__).resolve().parent.parent
CWBILL = str(Path(sys.executable).parent / "cwbill")
AS_OF = "2026-11-02"  # day 2: auto-billing sends October; manual configurations cover Oct + Nov


def banner(text: str) -> None:
    print(f"\n=== {text}", flush=True)


def run(*args: str, env: dict[str, str], ok: tuple[int, ...] = (0,)) -> int:
    print("$ cwbill " + " ".join(args), flush=True)
    code = subprocess.run([CWBILL, *args], env=env, cwd=ROOT, check=False).returncode
    if code not in ok:
        print(f"demo: `cwbill {args[0]}` exited {code}", file=sys.stderr)
        raise SystemExit(1)
    return code


def main() -> int:
    env = {**os.environ, **DEMO_CREDENTIALS, "NO_COLOR": os.environ.get("NO_COLOR", "")}
    journal = ROOT / ".demo" / "journal.jsonl"
    journal.unlink(missing_ok=True)
    server = subprocess.Popen(
        [CWBILL, "sandbox", "serve", "--seed", "demo", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline().strip()
        match = re.fullmatch(r"cwbill sandbox listening on (http://\S+)", first)
        if not match:
            print(f"demo: the sandbox did not start ({first!r})", file=sys.stderr)
            return 1
        url = match.group(1)
        env.update(CW_URL=url + API_PATH, MBS_URL=url)
        banner(f"sandbox (demo seed) at {url}")
        selection = ("--as-of", AS_OF)
        banner("validate the example billing repository")
        run("validate", "billing", env=env)
        banner(f"plan (as of {AS_OF})")
        run("plan", "billing", *selection, "--detailed-exitcode", env=env, ok=(2,))
        banner("apply")
        run("apply", "billing", *selection, "--yes", "--journal", str(journal), env=env)
        banner("plan again: ConnectWise now matches the repository")
        run("plan", "billing", *selection, "--detailed-exitcode", env=env, ok=(0,))
        print(f"\ndemo: done; every write is in {journal.relative_to(ROOT)}", flush=True)
        return 0
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
