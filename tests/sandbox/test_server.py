"""The served sandbox through a real socket on 127.0.0.1: answers, links, faults on the wire, stop."""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from reconciler.sandbox import API_PATH, FaultSettings, Sandbox, serve_in_thread
from reconciler.sandbox.generator import GeneratorSpec, generate
from reconciler.sandbox.seeds import load_seed
from reconciler.sandbox.server import SandboxServer, is_loopback
from tests.sandbox.helpers import ORIGIN, cw_client, cw_headers, new_addition


def client(url: str, timeout: float = 5.0) -> httpx.Client:
    # trust_env=False: a proxy from the environment must not get between the test and 127.0.0.1
    return httpx.Client(base_url=f"{url}{API_PATH}", headers=cw_headers(), timeout=timeout, trust_env=False)


def test_a_served_sandbox_answers_over_http_with_absolute_links_to_itself() -> None:
    sandbox = Sandbox(load_seed("demo"))
    with serve_in_thread(sandbox) as url, client(url) as http:
        assert url.startswith("http://127.0.0.1:")
        companies = http.get("/company/companies", params={"pageSize": 2})
        assert companies.status_code == 200 and len(companies.json()) == 2
        assert (
            f'<{url}/v4_6_release/apis/3.0/company/companies?pageSize=2&page=2>; rel="next"'
            in companies.headers["link"]
        )
        created = http.post("/finance/agreements/1/additions", json=new_addition())
        assert created.status_code == 201
        assert (
            created.json()["product"]["_info"]["product_href"]
            == f"{url}/v4_6_release/apis/3.0/procurement/catalog/1"
        )
        assert http.delete(f"/finance/agreements/1/additions/{created.json()['id']}").status_code == 204
        info = httpx.get(f"{url}/login/companyinfo/cwbill_demo", trust_env=False)
        assert info.json()["SiteUrl"] == urlsplit(url).netloc
        counters = httpx.get(f"{url}/_sandbox/counters", trust_env=False).json()
    assert counters["writes_committed"] == 2


@pytest.mark.parametrize(
    "page_size", ["1", "1000"], ids=["a-small-answer", "an-answer-over-the-write-buffer"]
)
def test_answers_on_one_connection_are_whole_and_the_same_bytes_as_in_process(page_size: str) -> None:
    sandbox = Sandbox(generate(GeneratorSpec(60, 2)))  # 60 agreements: ~150 KiB at pageSize 1000
    params = {"pageSize": page_size, "orderBy": "id desc"}
    in_process = cw_client(sandbox).get("/finance/agreements", params=params)
    with serve_in_thread(sandbox) as url, client(url) as http:
        for _ in range(3):  # kept alive: each answer ends where its Content-Length says
            answer = http.get("/finance/agreements", params=params)
            assert answer.status_code == 200
            assert answer.content == in_process.content.replace(ORIGIN.encode(), url.encode())
            assert int(answer.headers["content-length"]) == len(answer.content)
    assert len(in_process.content) > (64 * 1024 if page_size == "1000" else 0)


def test_a_lost_response_closes_the_connection_after_the_write() -> None:
    sandbox = Sandbox(load_seed("demo"), faults=FaultSettings(queue=("lost_response",)))
    with serve_in_thread(sandbox) as url, client(url) as http:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            http.post("/finance/agreements/1/additions", json=new_addition())
        assert http.get("/finance/agreements/1/additions/count").json() == {"count": 5}


def test_a_reset_drops_the_connection_before_anything_is_written() -> None:
    sandbox = Sandbox(load_seed("demo"), faults=FaultSettings(queue=("reset",)))
    with serve_in_thread(sandbox) as url, client(url) as http:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            http.post("/finance/agreements/1/additions", json=new_addition())
        assert http.get("/finance/agreements/1/additions/count").json() == {"count": 4}


def test_a_slow_response_outlasts_the_client_timeout_and_the_server_still_stops() -> None:
    sandbox = Sandbox(load_seed("demo"), faults=FaultSettings(queue=("slow",), slow_seconds=5))
    with serve_in_thread(sandbox) as url, client(url, timeout=0.3) as http:
        with pytest.raises(httpx.ReadTimeout):
            http.get("/company/companies")
        assert http.get("/company/companies").status_code == 200


def test_a_rate_limit_reaches_the_client_with_retry_after() -> None:
    sandbox = Sandbox(load_seed("demo"), faults=FaultSettings(queue=("rate_limit",), retry_after=1))
    with serve_in_thread(sandbox) as url, client(url) as http:
        response = http.get("/company/companies")
    assert response.status_code == 429 and response.headers["retry-after"] == "1"


def test_chunked_request_bodies_are_read() -> None:
    sandbox = Sandbox(load_seed("demo"))
    body = b'{"product": {"id": 1}, "billCustomer": "Billable", "effectiveDate": "2026-12-01"}'

    def chunks() -> Iterator[bytes]:
        yield body[:20]
        yield body[20:]

    with serve_in_thread(sandbox) as url, client(url) as http:
        response = http.post(
            "/finance/agreements/1/additions", content=chunks(), headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 201


def test_the_port_is_free_again_after_stop() -> None:
    server = SandboxServer(Sandbox()).start()
    port = int(server.url.rsplit(":", 1)[1])
    server.stop()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.5.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.4", False),
        ("example.com", False),
    ],
)
def test_loopback_detection(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize("verbose", [False, True])
def test_a_client_that_resets_its_connection_leaves_no_traceback(
    verbose: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    server = SandboxServer(Sandbox(load_seed("demo")), verbose=verbose).start()
    try:
        parts = urlsplit(server.url)
        raw = socket.create_connection((parts.hostname, parts.port))
        raw.sendall(b"GET /v4_6_release/apis/3.0/company/companies HTTP/1.1\r\nHost: x\r\n")  # unfinished
        time.sleep(0.1)  # the handler is now reading the headers
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = RST
        raw.close()
        time.sleep(0.3)
        with client(server.url) as http:  # still serving
            assert http.get("/company/companies").status_code == 200
    finally:
        server.stop()
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert ("a client went away (ConnectionResetError)" in err) is verbose
