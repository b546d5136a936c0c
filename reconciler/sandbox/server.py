"""The HTTP adapter: a stdlib threading HTTP/1.1 server around the sandbox's core.

Faults become what a client sees on a real socket: a reset or a lost response closes the
connection without a byte of response (with SO_LINGER 0, so the peer gets a reset), a slow request
stalls `slow_seconds` before answering (by then the client has given up). The server binds loopback
unless told otherwise (`allow_remote`, checked by the caller). TLS is optional (`tls=(cert, key)`),
for clients that insist on https (pyconnectwise does). `serve_in_thread` runs it in a background
thread for tests and stops it on exit.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import socket
import ssl
import struct
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from reconciler.sandbox.core import Sandbox
from reconciler.sandbox.wire import Disposition, Request, Response

MAX_BODY = 16 * 1024 * 1024


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


POLL_SECONDS = 0.05


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sandbox: Sandbox, scheme: str, verbose: bool) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.sandbox = sandbox
        self.scheme = scheme
        self.verbose = verbose
        self.stopping = threading.Event()
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that went away mid-exchange (killed, timed out, reset) is not a sandbox error: a
        line when verbose, else nothing. Anything else keeps the standard traceback (a sandbox bug)."""
        problem = sys.exc_info()[1]
        if isinstance(problem, ConnectionError):
            if self.verbose:
                sys.stderr.write(f"sandbox: a client went away ({type(problem).__name__})\n")
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]  # socketserver's own types


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes; with Nagle's algorithm the body waits for the ACK of the
    # headers, which the client delays (~40 ms on Linux): every response would take 40 ms longer.
    disable_nagle_algorithm = True
    # Buffered, so the status line, headers and body of an answer leave in one send (flushed in
    # _send), not one for the headers and one for the body: a system call less per request.
    wbufsize = 64 * 1024
    server: _Server

    def version_string(self) -> str:
        return "cwbill-sandbox"

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _serve(self) -> None:
        body = self._read_body()
        if body is None:
            return
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        request = Request.build(
            self.command,
            f"{self.server.scheme}://{host}{self.path}",
            list(self.headers.items()),
            body,
            client_is_loopback=is_loopback(str(self.client_address[0])),
        )
        exchange = self.server.sandbox.handle(request)
        if exchange.disposition is Disposition.TIMEOUT:
            self.server.stopping.wait(exchange.delay)
        if exchange.response is None or exchange.disposition in (Disposition.RESET, Disposition.LOSE):
            self._abort()
            return
        self._send(exchange.response)

    def _read_body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.send_error(413)
            return None
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _send(self, response: Response) -> None:
        try:
            self.send_response(response.status)
            for name, value in response.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
            self.wfile.flush()
        except OSError:
            self.close_connection = True  # the client left (e.g. it timed out on a slow response)

    def _abort(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format: str, *args: object) -> None:
        if self.server.verbose:  # request lines only: never headers, so never a credential
            sys.stderr.write(f"sandbox: {self.address_string()} {format % args}\n")


class SandboxServer:
    """A started server; `url` is `http(s)://HOST:PORT` with the port actually bound."""

    def __init__(
        self,
        sandbox: Sandbox,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: tuple[Path, Path] | None = None,
        verbose: bool = False,
    ) -> None:
        self._server = _Server((host, port), sandbox, "https" if tls else "http", verbose)
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        bound_port = self._server.server_address[1]
        shown = f"[{host}]" if ":" in host else host
        self.url = f"{self._server.scheme}://{shown}:{bound_port}"
        self._thread: threading.Thread | None = None

    def start(self) -> SandboxServer:
        # a short poll: `stop` (shutdown) waits for the loop to look, 0.5 s by default, on every stop
        serve = functools.partial(self._server.serve_forever, poll_interval=POLL_SECONDS)
        self._thread = threading.Thread(target=serve, name="cwbill-sandbox", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.stopping.set()  # wakes handlers stalled on a slow fault
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


@contextlib.contextmanager
def serve_in_thread(
    sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0, tls: tuple[Path, Path] | None = None
) -> Iterator[str]:
    """`with serve_in_thread(sandbox) as url:` — a real HTTP server for the block's duration."""
    server = SandboxServer(sandbox, host, port, tls).start()
    try:
        yield server.url
    finally:
        server.stop()
