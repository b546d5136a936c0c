"""The two processes a benchmark measures: the sandbox (`cwbill sandbox serve`) and one cwbill run.

Each runs as its own process so that neither shares the other's GIL: the figures are cwbill's alone.
A cwbill run is waited for with `os.wait4`, which gives that one child's peak resident memory
(`ru_maxrss`, KiB on Linux) and CPU time. The sandbox is told its world by the generator's flags,
listens on a free loopback port, and is stopped by SIGTERM (then killed if it lingers). While cwbill
runs, the sandbox's request total is polled, so each run also tells when its first and last
requests reached the server: the time before is start-up and loading, the time after is planning
and output.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from reconciler.sandbox import API_PATH
from reconciler.sandbox.credentials import DEMO_CREDENTIALS
from reconciler.sandbox.generator import GeneratorSpec

CWBILL = str(Path(sys.executable).parent / "cwbill")
START_TIMEOUT = 300.0  # seconds for the sandbox to build its world and listen (10,000 companies: ~60 s)
_LISTENING = re.compile(r"cwbill sandbox listening on (http://\S+)")


def environment(url: str | None = None) -> dict[str, str]:
    """The process environment with the sandbox's demo credentials (never the caller's own keys)."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("CW_", "MBS_"))}
    env = {**keep, **DEMO_CREDENTIALS, "NO_COLOR": "1"}
    if url is not None:
        env.update(CW_URL=url + API_PATH, MBS_URL=url)
    return env


@dataclass(frozen=True, slots=True)
class Counters:
    requests: Mapping[str, int]  # "GET /finance/agreements" → count
    writes_committed: int

    @property
    def total(self) -> int:
        return sum(self.requests.values())


class Sandbox:
    """A running `cwbill sandbox serve` subprocess; `url` is its origin."""

    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process = process
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=60)

    def counters(self) -> Counters:
        body = self.http.get("/_sandbox/counters").raise_for_status().json()
        requests = {str(k): int(v) for k, v in body["requests"].items()}
        return Counters(requests, int(body["writes_committed"]))

    def reset_counters(self) -> None:
        self.http.post("/_sandbox/reset-counters").raise_for_status()

    def set_latency(self, seconds: float) -> None:
        faults = {"latency": 1 if seconds > 0 else 0, "latency_seconds": seconds}
        self.http.put("/_sandbox/faults", content=json.dumps(faults)).raise_for_status()

    def cpu_seconds(self) -> float:
        """User + system CPU the sandbox process has used so far (from /proc; 0 where there is none)."""
        return _proc_cpu_seconds(self.process.pid)

    def stop(self) -> None:
        self.http.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


@contextmanager
def sandbox(spec: GeneratorSpec, latency: float, log: Path) -> Iterator[Sandbox]:
    """The generator's world served over HTTP on a free loopback port, `latency` seconds per request."""
    command = [
        CWBILL,
        "sandbox",
        "serve",
        "--port",
        "0",
        "--companies",
        str(spec.companies),
        "--months",
        str(spec.months),
        "--seed-number",
        str(spec.seed),
        "--last-period",
        str(spec.last_period),
        "--latency",
        "1" if latency > 0 else "0",
        "--latency-seconds",
        str(latency),
    ]
    with log.open("w", encoding="utf-8") as errors:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=errors, text=True, env=environment()
        )
        try:
            url = _wait_for_url(process, log)
            server = Sandbox(process, url)
        except BaseException:
            process.kill()
            process.wait()
            if process.stdout is not None:
                process.stdout.close()
            raise
        try:
            yield server
        finally:
            server.stop()


def _wait_for_url(process: subprocess.Popen[str], log: Path) -> str:
    assert process.stdout is not None
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.append(process.stdout.readline()), daemon=True)  # type: ignore[union-attr]  # checked above
    reader.start()
    reader.join(START_TIMEOUT)
    match = _LISTENING.fullmatch(found[0].strip()) if found else None
    if match is None:
        raise RuntimeError(f"the sandbox did not start: {log.read_text(encoding='utf-8')[-2000:]}")
    return match.group(1)


@dataclass(frozen=True, slots=True)
class Run:
    """One cwbill process: how it ended, how long it took, what it used."""

    exit_code: int
    wall: float  # seconds, start to exit
    peak_rss_kib: int
    cpu: float  # user + system seconds
    first_request: float | None  # seconds after start when the sandbox had seen a request
    last_request: float | None  # seconds after start when the sandbox had seen the last one
    stderr: str
    # The benchmark's own peak when it started cwbill: Linux carries the starting process's peak into
    # the child's `ru_maxrss`, so `peak_rss_kib` is cwbill's own only when it is above this.
    launcher_rss_kib: int = 0

    @property
    def rss_is_own(self) -> bool:
        return self.peak_rss_kib > self.launcher_rss_kib


def run_cwbill(args: Sequence[str], env: Mapping[str, str], cwd: Path, out: Path, server: Sandbox) -> Run:
    """Run `cwbill ARGS` with stdout to `out`; peak memory from wait4, request times by polling."""
    poller = _Poller(server)
    launcher = own_peak_rss_kib()
    with out.open("w", encoding="utf-8") as stdout, (out.with_suffix(".err")).open("w+") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen([CWBILL, *args], stdout=stdout, stderr=stderr, env=dict(env), cwd=cwd)
        poller.start(started)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        first, last = poller.stop()
        stderr.seek(0)
        errors = stderr.read()
    return Run(
        exit_code=process.returncode,
        wall=wall,
        peak_rss_kib=usage.ru_maxrss,
        cpu=usage.ru_utime + usage.ru_stime,
        first_request=first,
        last_request=last,
        stderr=errors,
        launcher_rss_kib=launcher,
    )


def own_peak_rss_kib() -> int:
    """This process's peak resident memory so far (VmHWM), KiB; 0 where /proc has none."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


class _Poller:
    """Polls the sandbox's request total every 50 ms; remembers when it first and last moved."""

    INTERVAL = 0.05

    def __init__(self, server: Sandbox) -> None:
        self.server = server
        self.done = threading.Event()
        self.moves: list[float] = []
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.started = 0.0
        self.seen = 0

    def start(self, started: float) -> None:
        self.started = started
        self.seen = self.server.counters().total
        self.thread.start()

    def _poll(self) -> None:
        while not self.done.wait(self.INTERVAL):
            total = self.server.counters().total
            if total > self.seen:
                self.seen = total
                self.moves.append(time.perf_counter() - self.started)

    def stop(self) -> tuple[float | None, float | None]:
        self.done.set()
        self.thread.join()
        return (self.moves[0], self.moves[-1]) if self.moves else (None, None)


def _proc_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (fields 14 and 15 of stat)
