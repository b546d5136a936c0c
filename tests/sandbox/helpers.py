"""Shared helpers of the sandbox tests: clients, credentials and a few builders."""

from __future__ import annotations

import base64
from collections.abc import Mapping

import httpx

from reconciler.sandbox import API_PATH, Credentials, Sandbox

ORIGIN = "http://sandbox.test"
API = f"{ORIGIN}{API_PATH}"
DEMO = Credentials()


def cw_headers(credentials: Credentials = DEMO) -> dict[str, str]:
    token = base64.b64encode(credentials.cw_basic_user().encode()).decode()
    return {"Authorization": f"Basic {token}", "clientId": credentials.cw_client_id}


def cw_client(sandbox: Sandbox, headers: Mapping[str, str] | None = None) -> httpx.Client:
    """An httpx client on the sandbox's ConnectWise API, in process."""
    chosen = cw_headers(sandbox.credentials) if headers is None else dict(headers)
    return httpx.Client(transport=sandbox.transport(), base_url=API, headers=chosen)


def mbs_client(sandbox: Sandbox, login: bool = True) -> httpx.Client:
    """An httpx client on the sandbox's Management Console, logged in unless `login` is False.

    A logged-in client is already open: close it yourself (`with` works only with login=False)."""
    client = httpx.Client(transport=sandbox.transport(), base_url=ORIGIN)
    if login:
        answer = client.post(
            "/api/Provider/Login",
            json={"UserName": sandbox.credentials.mbs_username, "Password": sandbox.credentials.mbs_password},
        )
        client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
    return client


def control(sandbox: Sandbox) -> httpx.Client:
    return httpx.Client(transport=sandbox.transport(), base_url=f"{ORIGIN}/_sandbox")


def new_addition(**overrides: object) -> dict[str, object]:
    """A valid POST body for agreement 1 of the demo seed (billing starts 2026-01-01)."""
    body: dict[str, object] = {
        "product": {"id": 1},
        "billCustomer": "Billable",
        "quantity": 3,
        "effectiveDate": "2026-12-01T00:00:00Z",
        "cancelledDate": "2026-12-31T00:00:00Z",
    }
    body.update(overrides)
    return body
