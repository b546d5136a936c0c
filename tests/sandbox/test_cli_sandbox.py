"""`cwbill sandbox serve` as a user runs it: first line, signals, exit codes, seed errors, --state."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.sandbox.helpers import cw_headers

FIRST_LINE = re.compile(r"^cwbill sandbox listening on (http://127\.0\.0\.1:\d+)\n$")


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "reconciler", "sandbox", "serve", *args]


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CW_", "MBS_"))}
    return {**env, **extra}


@contextmanager
def served(*args: str, env: dict[str, str] | None = None) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env or environment()
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = FIRST_LINE.match(line)
        assert match, f"first line {line!r}; stderr: {process.stderr.read() if process.stderr else ''}"
        yield process, match.group(1)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_prints_its_url_first_answers_and_stops_cleanly(stop: signal.Signals) -> None:
    with served("--seed", "demo", "--port", "0") as (process, url):
        with httpx.Client(trust_env=False, timeout=5) as http:
            companies = http.get(f"{url}/v4_6_release/apis/3.0/company/companies", headers=cw_headers())
        assert companies.status_code == 200 and len(companies.json()) == 5
        process.send_signal(stop)
        out, err = process.communicate(timeout=15)
    assert process.returncode == 0
    assert out == "", "nothing but the first line on stdout"
    assert "5 companies" in err and "demo-private-key" not in err


def test_credentials_come_from_the_environment() -> None:
    env = environment(CW_PRIVATE_KEY="from-env")
    with served("--seed", "empty", env=env) as (process, url):
        with httpx.Client(trust_env=False, timeout=5) as http:
            demo = http.get(f"{url}/v4_6_release/apis/3.0/company/companies", headers=cw_headers())
        process.terminate()
        _, err = process.communicate(timeout=15)
    assert demo.status_code == 401 and "from-env" not in err


def test_state_is_saved_at_exit_and_loaded_at_the_next_start(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    body = {"product": {"id": 1}, "billCustomer": "Billable", "effectiveDate": "2026-12-01"}
    with served("--seed", "demo", "--state", str(state)) as (process, url):
        with httpx.Client(trust_env=False, timeout=5) as http:
            assert (
                http.post(
                    f"{url}/v4_6_release/apis/3.0/finance/agreements/1/additions",
                    json=body,
                    headers=cw_headers(),
                ).status_code
                == 201
            )
        process.terminate()
        process.communicate(timeout=15)
    assert process.returncode == 0 and state.exists()
    with served("--seed", "empty", "--state", str(state)) as (process, url):
        with httpx.Client(trust_env=False, timeout=5) as http:
            count = http.get(
                f"{url}/v4_6_release/apis/3.0/finance/agreements/1/additions/count", headers=cw_headers()
            ).json()
        process.terminate()
        _, err = process.communicate(timeout=15)
    assert count == {"count": 5} and "the seed is not used" in err


def test_a_bad_seed_is_refused_with_file_line_col_lines_and_exit_1(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text("connectwise:\n  catalog:\n    - identifier: X\n      price: -1\n  nonsense: 1\n")
    done = subprocess.run(
        command("--seed", str(seed)),
        capture_output=True,
        text=True,
        timeout=60,
        env=environment(),
        check=False,
    )
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"{seed}:3:7: connectwise.catalog[0].description: is required but missing",
        f"{seed}:4:14: connectwise.catalog[0].price: -1 is below the minimum of 0",
        f"{seed}:5:3: connectwise.nonsense: unknown key (allowed: catalog, companies)",
    ]


def test_a_non_loopback_host_is_refused_without_allow_remote() -> None:
    done = subprocess.run(
        command("--host", "0.0.0.0"),
        capture_output=True,
        text=True,
        timeout=60,
        env=environment(),
        check=False,
    )
    assert done.returncode == 1 and done.stdout == ""
    assert "not a loopback address" in done.stderr and "--allow-remote" in done.stderr


def test_generator_flags_serve_a_generated_world() -> None:
    with served("--companies", "3", "--months", "2", "--seed-number", "5") as (process, url):
        with httpx.Client(trust_env=False, timeout=5) as http:
            count = http.get(
                f"{url}/v4_6_release/apis/3.0/company/companies/count", headers=cw_headers()
            ).json()
        process.terminate()
        process.communicate(timeout=15)
    assert count == {"count": 3}


def test_fault_flags_are_applied() -> None:
    with served("--rate-limit", "1", "--retry-after", "3", "--fault-methods", "get") as (process, url):
        with httpx.Client(trust_env=False, timeout=5) as http:
            limited = http.get(f"{url}/v4_6_release/apis/3.0/company/companies", headers=cw_headers())
            settings = http.get(f"{url}/_sandbox/faults").json()
        process.terminate()
        process.communicate(timeout=15)
    assert limited.status_code == 429 and settings["methods"] == ["GET"] and settings["retry_after"] == 3


def test_a_bad_fault_flag_is_a_user_error() -> None:
    done = subprocess.run(
        command("--reset", "1.5"), capture_output=True, text=True, timeout=60, env=environment(), check=False
    )
    assert done.returncode == 1 and "reset is a rate between 0 and 1" in done.stderr
