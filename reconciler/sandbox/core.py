"""The sandbox's core: one request in, one `Exchange` out, whatever carried the request.

It routes a request to the sandbox's controls (`/_sandbox/…`, never faulted), the ConnectWise API
or the Management Console, counts it by route template, lets the fault injector decide its fate,
and handles it under the store's lock, so each request is atomic. Faults that strike before the
request is handled (reset, 429, 500/503, a slow request that does not commit) never write; a lost or
slow response after handling means the write has committed — the case that makes duplicates.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from reconciler.sandbox import controls, cw_routes, mbs_routes
from reconciler.sandbox.credentials import Credentials
from reconciler.sandbox.cw_handlers import RenderCache
from reconciler.sandbox.faults import NO_FAULT, FaultDecision, FaultInjector, FaultSettings
from reconciler.sandbox.state import Store
from reconciler.sandbox.wire import Disposition, Exchange, Request, Response, json_response

if TYPE_CHECKING:
    from reconciler.sandbox.transport import AsyncSandboxTransport, SandboxTransport

_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


# The body a live server gave a member without the security role (connectwise-api §6, SH)
FORBIDDEN_MESSAGE = "You do not have security permission to perform this action."


class Counters:
    """Requests by method and route template, and ConnectWise writes that committed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.writes_committed = 0

    def count(self, route: str) -> None:
        with self._lock:
            self.requests[route] += 1

    def commit(self) -> None:
        with self._lock:
            self.writes_committed += 1

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.writes_committed = 0

    def to_json(self) -> dict[str, object]:
        with self._lock:
            return {
                "requests": dict(sorted(self.requests.items())),
                "total": sum(self.requests.values()),
                "writes_committed": self.writes_committed,
            }


class Sandbox:
    def __init__(
        self,
        store: Store | None = None,
        credentials: Credentials | None = None,
        faults: FaultSettings | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store = store if store is not None else Store()
        self.credentials = credentials if credentials is not None else Credentials()
        self.faults = FaultInjector(faults)
        self.counters = Counters()
        self.tokens = mbs_routes.TokenBook()
        self._sleep = sleep
        self._render_cache: RenderCache = {}

    def transport(self) -> SandboxTransport:
        from reconciler.sandbox.transport import SandboxTransport

        return SandboxTransport(self)

    def async_transport(self) -> AsyncSandboxTransport:
        from reconciler.sandbox.transport import AsyncSandboxTransport

        return AsyncSandboxTransport(self)

    def handle(self, request: Request) -> Exchange:
        lowered = request.path.lower()
        if lowered == "/_sandbox" or lowered.startswith("/_sandbox/"):
            return Exchange(controls.handle(self, request), route=f"{request.method} {request.path}")
        route = cw_routes.route_template(request.method, request.path)
        is_mbs = route is None
        if is_mbs:
            route = mbs_routes.route_template(request.method, request.path)
        if route is None:
            self.counters.count(f"{request.method} (unknown route)")
            body = {"code": "ConnectWiseApi", "message": "The endpoint does not exist."}
            return Exchange(json_response(404, body), route="")
        self.counters.count(route)
        # Faults strike the APIs; codebase discovery (/login/companyinfo) is not part of them.
        discovery = route.split(" ", 1)[1].startswith("/login/")
        if not is_mbs and route in self.faults.settings.forbidden:
            refusal = {"code": "Security", "message": FORBIDDEN_MESSAGE, "errors": None}
            return Exchange(json_response(403, refusal), route=route)
        decision = NO_FAULT if discovery else self.faults.decide(request.method, is_mbs)
        if decision.latency:
            self._sleep(decision.latency)
        early = self._early_fault(decision, is_mbs, route)
        if early is not None:
            return early
        with self.store.lock:
            response = self._dispatch(request, is_mbs)
            if not is_mbs and request.method in _WRITES and response.status < 300:
                self.counters.commit()
        if decision.fault == "lost_response":
            return Exchange(response, Disposition.LOSE, route=route)
        if decision.fault == "slow":
            return Exchange(response, Disposition.TIMEOUT, self.faults.settings.slow_seconds, route)
        return Exchange(response, route=route)

    def _dispatch(self, request: Request, is_mbs: bool) -> Response:
        if is_mbs:
            return mbs_routes.handle(self.store.console, self.credentials, self.tokens, request)
        return cw_routes.handle(self.store, self.credentials, request, self._render_cache)

    def _early_fault(self, decision: FaultDecision, is_mbs: bool, route: str) -> Exchange | None:
        settings = self.faults.settings
        if decision.fault == "reset":
            return Exchange(None, Disposition.RESET, route=route)
        if decision.fault == "rate_limit":
            seconds = settings.retry_after
            message = f"Too many requests. Please try again in {seconds} seconds."
            body: dict[str, object] = (
                {"Message": message} if is_mbs else {"error": "ConnectWiseAPI", "message": message}
            )
            return Exchange(json_response(429, body, [("Retry-After", str(seconds))]), route=route)
        if decision.fault == "server_error":
            return Exchange(
                json_response(decision.status, _server_error(decision.status, is_mbs)), route=route
            )
        if decision.fault == "slow" and not settings.slow_commits:
            return Exchange(None, Disposition.TIMEOUT, settings.slow_seconds, route)
        return None


def _server_error(status: int, is_mbs: bool) -> dict[str, object]:
    if is_mbs:
        return {"Message": "An error has occurred."}
    if status == 503:
        return {
            "code": "ConnectWiseApi",
            "message": "The service is temporarily unavailable. Please try again.",
        }
    # The wording (and its typo) of a real ConnectWise timeout, which pyconnectwise retries on.
    return {"code": "ConnectWiseApi", "message": "A timeout has occured. Please try again."}
