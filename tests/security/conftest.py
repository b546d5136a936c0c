"""Security fixtures: cwbill through its real entry point against a served sandbox that accepts a
set of known fake credentials (so a scan of every output knows exactly what must never appear)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from reconciler.sandbox import Credentials, Sandbox, serve_in_thread
from reconciler.sandbox.seeds import load_seed
from reconciler.sandbox.state import Store
from tests.conftest import Served

AS_OF = "2026-11-02"
FAKE = {
    "CW_COMPANY_ID": "acme_msp",
    "CW_PUBLIC_KEY": "pubKEY-7Qx2Lm9Vz4Rt",
    "CW_PRIVATE_KEY": "privKEY-Hn3Wc8Pk5Jd1",
    "CW_CLIENT_ID": "c0ffee00-1234-4cde-9abc-5f6e7d8c9b0a",
    "MBS_USERNAME": "billing@acme-msp.example",
    "MBS_PASSWORD": "mbsPASS-Zr6Ty2Gq8Nv4",
}


def secret_needles(values: dict[str, str]) -> dict[str, str]:
    """What a leak would look like: each secret value, and the Basic token that carries the keys."""
    basic = f"{values['CW_COMPANY_ID']}+{values['CW_PUBLIC_KEY']}:{values['CW_PRIVATE_KEY']}"
    return {
        "CW_PUBLIC_KEY": values["CW_PUBLIC_KEY"],
        "CW_PRIVATE_KEY": values["CW_PRIVATE_KEY"],
        "MBS_PASSWORD": values["MBS_PASSWORD"],
        "Basic token": base64.b64encode(basic.encode()).decode(),
    }


def leaks(text: str, values: dict[str, str] = FAKE) -> list[str]:
    return [name for name, needle in secret_needles(values).items() if needle in text]


def sandbox_credentials() -> Credentials:
    return Credentials(
        cw_company_id=FAKE["CW_COMPANY_ID"],
        cw_public_key=FAKE["CW_PUBLIC_KEY"],
        cw_private_key=FAKE["CW_PRIVATE_KEY"],
        cw_client_id=FAKE["CW_CLIENT_ID"],
        mbs_username=FAKE["MBS_USERNAME"],
        mbs_password=FAKE["MBS_PASSWORD"],
    )


@contextmanager
def serving(
    store: Store,
    billing: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tls: tuple[Path, Path] | None = None,
) -> Iterator[Served]:
    """Serve `store` (accepting FAKE) with FAKE and CW_URL/MBS_URL in the environment."""
    sandbox = Sandbox(store, sandbox_credentials())
    with serve_in_thread(sandbox, tls=tls) as url:
        yield Served(sandbox, url, billing, capsys, monkeypatch).point(FAKE)


@pytest.fixture(scope="module")
def read_only_server() -> Iterator[tuple[Sandbox, str]]:
    """One demo sandbox for a module whose tests must never write (its counter proves they did not)."""
    sandbox = Sandbox(load_seed("demo"), sandbox_credentials())
    with serve_in_thread(sandbox) as url:
        yield sandbox, url


@pytest.fixture
def read_only(
    read_only_server: tuple[Sandbox, str],
    billing_copy: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Served:
    sandbox, url = read_only_server
    return Served(sandbox, url, billing_copy, capsys, monkeypatch).point(FAKE)


@pytest.fixture
def served(
    billing_copy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Served]:
    """The example repository against the demo seed."""
    with serving(load_seed("demo"), billing_copy, capsys, monkeypatch) as world:
        yield world
