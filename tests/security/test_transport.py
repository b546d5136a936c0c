"""HTTPS certificates are always checked, and plain http:// is refused except for loopback addresses.

A sandbox served over TLS with a throw-away self-signed certificate is refused at once — a clear
error, exit 1, no retries, nothing written — and accepted once SSL_CERT_FILE names that certificate
(so it is the check that refused it, not anything else). Plain HTTP to anything but a loopback
address is refused for ConnectWise and for the Management Console alike, before any request.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.sandbox.seeds import load_seed
from tests.conftest import PROJECT
from tests.security.conftest import AS_OF, Served, serving


@pytest.fixture
def tls_world(
    billing_copy: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    certificate: tuple[Path, Path],
) -> Iterator[Served]:
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
    with serving(load_seed("demo"), billing_copy, capsys, monkeypatch, tls=certificate) as world:
        assert world.url.startswith("https://127.0.0.1:")
        yield world


def test_a_self_signed_certificate_is_refused_at_once(tls_world: Served) -> None:
    result = tls_world.cwbill("apply", "billing", "--as-of", AS_OF, "--yes")
    assert result.code == 1
    assert "Traceback" not in result.err
    assert "127.0.0.1: the server's TLS certificate was refused (self-signed certificate)" in result.err
    assert "SSL_CERT_FILE" in result.err
    assert tls_world.sandbox.counters.to_json()["total"] == 0  # refused in the handshake, not retried
    assert tls_world.writes() == 0


def test_the_same_server_is_trusted_once_its_authority_is_named(
    tls_world: Served, certificate: tuple[Path, Path]
) -> None:
    tls_world.monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    result = tls_world.cwbill("plan", "billing", "--as-of", AS_OF, "--detailed-exitcode")
    assert result.code == 2, result.err


@pytest.mark.parametrize("variable", ["CW_URL", "MBS_URL"])
@pytest.mark.parametrize(
    "url",
    [
        "http://api-na.myconnectwise.net/v4_6_release/apis/3.0",
        "http://10.0.0.5/v4_6_release/apis/3.0",
        "http://localhost.evil.example/v4_6_release/apis/3.0",
        "http://127.0.0.1.nip.io/v4_6_release/apis/3.0",
        "ftp://api-na.myconnectwise.net/",
        "api-na.myconnectwise.net/v4_6_release/apis/3.0",
    ],
    ids=[
        "plain http",
        "a private address",
        "loopback-looking name",
        "a name ending in an ip",
        "ftp",
        "no scheme",
    ],
)
def test_plain_http_is_refused_except_for_loopback(read_only: Served, variable: str, url: str) -> None:
    read_only.monkeypatch.setenv(variable, url)
    if variable == "MBS_URL":
        shutil.rmtree(read_only.billing / "usage")  # the console is asked only without usage files
    result = read_only.cwbill("plan", "billing", "--as-of", AS_OF)
    assert result.code == 1
    assert "must use https:// (plain http:// is allowed only for loopback addresses)" in result.err
    assert "Traceback" not in result.err


def test_plain_http_to_loopback_is_allowed(read_only: Served) -> None:
    assert read_only.url.startswith("http://127.0.0.1:")
    assert read_only.cwbill("plan", "billing", "--as-of", AS_OF, "--detailed-exitcode").code == 2


def test_nothing_in_cwbill_turns_certificate_checks_off() -> None:
    sources = [p for p in (PROJECT / "reconciler").rglob("*.py") if "sandbox" not in p.parts]
    for needle in ("verify=False", "CERT_NONE", "check_hostname = False", "_create_unverified_context"):
        assert [str(p) for p in sources if needle in p.read_text(encoding="utf-8")] == [], needle


@pytest.mark.parametrize(
    "url",
    [
        "https://[api-na.myconnectwise.net/v4_6_release/apis/3.0",
        "https://api na.example/v4_6_release/apis/3.0",
    ],
    ids=["an unclosed IPv6 bracket", "a space in the host"],
)
def test_a_malformed_url_is_a_clear_error(read_only: Served, url: str) -> None:
    read_only.monkeypatch.setenv("CW_URL", url)
    result = read_only.cwbill("plan", "billing", "--as-of", AS_OF)
    assert result.code == 1
    assert "is not a valid URL" in result.err and "Traceback" not in result.err
