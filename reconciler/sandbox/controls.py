"""The sandbox's own controls under `/_sandbox/` (no auth, loopback clients only, never faulted).

`GET counters` (requests by method and route template, total, ConnectWise writes committed, faults
injected), `POST reset-counters`, `GET`/`PUT faults` (read or change fault settings at run time;
PUT takes a partial object), `GET state` (the whole state, in the `--state` file's format).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reconciler.sandbox import jsonio
from reconciler.sandbox.wire import JSON_TYPE, Request, Response, empty_response, json_response

if TYPE_CHECKING:
    from reconciler.sandbox.core import Sandbox


def handle(sandbox: Sandbox, request: Request) -> Response:
    if not request.client_is_loopback:
        return json_response(403, {"message": "the sandbox's controls answer loopback clients only"})
    action = (request.method, request.path.lower().rstrip("/"))
    if action == ("GET", "/_sandbox/counters"):
        return json_response(
            200, {**sandbox.counters.to_json(), "faults_injected": dict(sandbox.faults.injected)}
        )
    if action == ("POST", "/_sandbox/reset-counters"):
        sandbox.counters.reset()
        sandbox.faults.injected.clear()
        return empty_response(204)
    if action == ("GET", "/_sandbox/faults"):
        return json_response(200, sandbox.faults.settings.to_json())
    if action == ("PUT", "/_sandbox/faults"):
        return _put_faults(sandbox, request)
    if action == ("GET", "/_sandbox/state"):
        with sandbox.store.lock:
            body = jsonio.dump_bytes(sandbox.store.to_document(), decimal_as_string=True)
        return Response(200, (("Content-Type", JSON_TYPE),), body)
    return json_response(404, {"message": f"no sandbox control {request.method} {request.path}"})


def _put_faults(sandbox: Sandbox, request: Request) -> Response:
    try:
        changes = jsonio.loads(request.body or b"{}")
        if not isinstance(changes, dict):
            raise ValueError("send a JSON object of fault settings")
        settings = sandbox.faults.update(changes)
    except ValueError as problem:  # JsonError is a ValueError
        return json_response(400, {"message": str(problem)})
    return json_response(200, settings.to_json())
