"""The in-process adapter: an httpx transport that hands each request to the sandbox's core.

`httpx.Client(transport=sandbox.transport(), base_url=…)` talks to the sandbox with no socket.
Faults surface as the exceptions a real connection would raise: a reset before handling as
`httpx.ConnectError` (nothing was processed), a lost response after handling as
`httpx.RemoteProtocolError` ("Server disconnected without sending a response.", what httpx raises
when a server closes the connection), a slow response as `httpx.ReadTimeout` — at once, since an
in-process test has no timeout to wait for.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import httpx

from reconciler.sandbox.wire import Disposition, Exchange, Request

if TYPE_CHECKING:
    from reconciler.sandbox.core import Sandbox


def _to_sandbox(request: httpx.Request, body: bytes) -> Request:
    return Request.build(request.method, str(request.url), request.headers.multi_items(), body)


def _to_httpx(exchange: Exchange, request: httpx.Request) -> httpx.Response:
    if exchange.disposition is Disposition.RESET:
        raise httpx.ConnectError("[sandbox fault: reset] connection reset by peer", request=request)
    if exchange.disposition is Disposition.LOSE:
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
    if exchange.disposition is Disposition.TIMEOUT:
        raise httpx.ReadTimeout("[sandbox fault: slow] timed out", request=request)
    assert exchange.response is not None
    response = exchange.response
    return httpx.Response(
        response.status, headers=list(response.headers), content=response.body, request=request
    )


class SandboxTransport(httpx.BaseTransport):
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        return _to_httpx(self.sandbox.handle(_to_sandbox(request, body)), request)


class AsyncSandboxTransport(httpx.AsyncBaseTransport):
    """The same for `httpx.AsyncClient`; the core runs in a worker thread (it may sleep for latency)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        exchange = await asyncio.to_thread(self.sandbox.handle, _to_sandbox(request, body))
        return _to_httpx(exchange, request)
