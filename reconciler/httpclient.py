"""HTTP plumbing shared by the ConnectWise and Management Console clients.

One retry policy (exponential backoff with full jitter, `Retry-After` honoured), one rule for which
failures may be retried, and one URL check (HTTPS only, except loopback addresses; no credentials
in a URL). Certificates are always verified, and a certificate that fails is a clear error at once,
not a retry: it will not fix itself, and it may be an interception. Only idempotent
requests are retried here; a POST is never retried blindly — the ConnectWise writer re-reads the
agreement after an ambiguous failure instead (billing-rules §6, connectwise-api §7).
Times are seconds as floats: they are durations, never money.
"""

from __future__ import annotations

import ipaddress
import json
import random
import re
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from reconciler.errors import UserError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Errors after which the server may or may not have acted on the request.
AMBIGUOUS_ERRORS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.RemoteProtocolError,
    httpx.ReadError,
    httpx.WriteError,
)
# Errors raised before the request reached the server: safe to retry for any method.
UNSENT_ERRORS: tuple[type[Exception], ...] = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 6  # total tries per request, the first included
    base_delay: float = 0.5
    max_delay: float = 30.0
    timeout: float = 30.0  # per request
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff for the `attempt`-th retry (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return self.rng.uniform(0, ceiling)


class RetriesExhausted(Exception):
    """The last response or error after every permitted attempt."""

    def __init__(self, message: str, response: httpx.Response | None = None) -> None:
        super().__init__(message)
        self.response = response


class FairSlots:
    """At most `size` holders at once (`with slots:`), served in the order they asked.

    `threading.Semaphore` lets a thread that releases its slot take it straight back: a reader
    thread working through a queue of additions reads would keep every slot, and a read asked for
    by another thread (the agreements of the next companies, which unlock more reads) could wait
    behind the whole queue. Here a leaving holder hands its slot to the longest waiter."""

    def __init__(self, size: int) -> None:
        self._free = max(1, size)
        self._lock = threading.Lock()
        self._waiters: deque[threading.Lock] = deque()

    def __enter__(self) -> FairSlots:
        with self._lock:
            if self._free and not self._waiters:
                self._free -= 1
                return self
            gate = threading.Lock()
            gate.acquire()
            self._waiters.append(gate)
        try:
            gate.acquire()  # released by the holder that hands this thread its slot
        except BaseException:  # interrupted while waiting: give up the place, or the slot just handed
            with self._lock:
                if gate in self._waiters:
                    self._waiters.remove(gate)
                    raise
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            if self._waiters:
                self._waiters.popleft().release()
            else:
                self._free += 1


def is_loopback(host: str) -> bool:
    if host in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def require_safe_url(url: str, what: str = "API URL") -> str:
    """HTTPS only, except plain HTTP to a loopback address (the local sandbox); a well-formed URL
    with no user name or password in it (credentials come from the environment)."""
    shown = _without_userinfo(url)
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL) as exc:
        raise UserError(f"{what} {shown!r} is not a valid URL ({exc})") from None
    if parts.username is not None or parts.password is not None:
        raise UserError(
            f"{what} {shown!r} holds a user name or password: credentials come from the environment, "
            "never from a URL"
        )
    if hostname and _BAD_HOST.search(hostname):
        raise UserError(f"{what} {shown!r} is not a valid URL (host {hostname!r})")
    if parts.scheme == "https" and hostname:
        return url.rstrip("/")
    if parts.scheme == "http" and hostname and is_loopback(hostname):
        return url.rstrip("/")
    raise UserError(
        f"{what} {shown!r} must use https:// (plain http:// is allowed only for loopback addresses)"
    )


_BAD_HOST = re.compile(r"[\s\x00-\x1f\x7f/\\<>\"'`{}|^%]")


def _without_userinfo(url: str) -> str:
    """The URL for a message: a password typed into it is never echoed."""
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@", r"\1***@", url)


def certificate_problem(exc: BaseException) -> str | None:
    """Why the server's TLS certificate was refused, when that is what `exc` (a chain) comes from."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen.verify_message or str(seen)
        seen = seen.__cause__ or seen.__context__
    return "certificate verify failed" if "CERTIFICATE_VERIFY_FAILED" in str(exc) else None


def json_or_none(response: httpx.Response) -> object:
    """A response body as JSON with every number a Decimal (never a float); None when it is empty or
    not JSON — for reading an error's or a probe's words, where a bad body is no error of its own."""
    try:
        return json.loads(response.content or b"null", parse_float=Decimal)
    except ValueError:
        return None


def retry_after(response: httpx.Response) -> float | None:
    """Seconds from a `Retry-After` header (delta-seconds or HTTP-date), None when absent or bad."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def request_with_retries(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    policy: RetryPolicy,
    on_retry: Callable[[int, str], None] | None = None,
    **kwargs: object,
) -> httpx.Response:
    """Send a request, retrying 429/5xx and transport failures where that is safe.

    Idempotent methods are retried on `RETRY_STATUSES` and on any transport error; other methods
    (POST) only on errors raised before the request was sent, and on 429 (the server refused it
    unprocessed). Returns the final response (which may still be an error status for the caller to
    judge); raises `RetriesExhausted` when the last attempt ended in a transport error, or re-raises
    an ambiguous transport error of a non-idempotent request at once.
    """
    idempotent = method.upper() in IDEMPOTENT
    attempt = 0
    while True:
        attempt += 1
        try:
            response = client.request(method, url, timeout=policy.timeout, **kwargs)  # type: ignore[arg-type]  # kwargs are httpx's own
        except UNSENT_ERRORS as exc:
            problem = certificate_problem(exc)
            if problem is not None:
                host = urlsplit(url).hostname
                raise UserError(
                    f"{host}: the server's TLS certificate was refused ({problem}); cwbill always "
                    "verifies certificates. If this server uses a private certificate authority, set "
                    "SSL_CERT_FILE to that authority's certificate"
                ) from None
            if attempt >= policy.attempts:
                raise RetriesExhausted(
                    f"{method} {url}: {type(exc).__name__} after {attempt} attempts"
                ) from exc
            _pause(policy, attempt, None, on_retry, type(exc).__name__)
            continue
        except AMBIGUOUS_ERRORS as exc:
            if not idempotent:
                raise
            if attempt >= policy.attempts:
                raise RetriesExhausted(
                    f"{method} {url}: {type(exc).__name__} after {attempt} attempts"
                ) from exc
            _pause(policy, attempt, None, on_retry, type(exc).__name__)
            continue
        retryable = response.status_code == 429 or (idempotent and response.status_code in RETRY_STATUSES)
        if not retryable or attempt >= policy.attempts:
            return response
        response.read()
        _pause(policy, attempt, retry_after(response), on_retry, str(response.status_code))


def _pause(
    policy: RetryPolicy,
    attempt: int,
    server_delay: float | None,
    on_retry: Callable[[int, str], None] | None,
    why: str,
) -> None:
    delay = server_delay if server_delay is not None else policy.backoff(attempt)
    if on_retry is not None:
        on_retry(attempt, why)
    policy.sleep(min(delay, policy.max_delay))
