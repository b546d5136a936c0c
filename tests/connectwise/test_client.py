"""What cwbill's ConnectWise client puts on the wire, and how it reads ConnectWise's error bodies."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from reconciler.connectwise.client import ConnectWiseClient, Credentials, error_message
from reconciler.sandbox import API_PATH, DEMO_CREDENTIALS, Sandbox
from reconciler.sandbox.seeds import load_seed

API = f"http://127.0.0.1{API_PATH}"  # in-process transport; the client wants loopback for http
LINE = {
    "product": {"id": 1},
    "quantity": Decimal("12"),
    "unitPrice": Decimal("2.50"),
    "unitCost": Decimal("0.0059"),
    "billCustomer": "Billable",
    "effectiveDate": "2026-12-01T00:00:00Z",
}


def test_numbers_go_out_as_json_number_tokens_of_the_exact_decimal_text() -> None:
    sent: list[bytes] = []
    http = httpx.Client(
        transport=Sandbox(load_seed("demo")).transport(),
        event_hooks={"request": [lambda request: sent.append(request.read())]},
    )
    with http:
        client = ConnectWiseClient(http, API, Credentials.from_env(DEMO_CREDENTIALS))
        created = client.create_addition(1, LINE)
        assert created.status_code == 201
        patch = [{"op": "replace", "path": "unitPrice", "value": Decimal("3.10")}]
        assert client.patch_addition(1, created.json()["id"], patch).status_code == 200
    assert b'"quantity":12,"unitPrice":2.50,"unitCost":0.0059' in sent[0]
    assert sent[1] == b'[{"op":"replace","path":"unitPrice","value":3.10}]'
    assert b'"2.50"' not in sent[0], "not a string (the spec types it number)"


def test_a_float_never_reaches_the_wire() -> None:
    with httpx.Client(transport=Sandbox(load_seed("demo")).transport()) as http:
        client = ConnectWiseClient(http, API, Credentials.from_env(DEMO_CREDENTIALS))
        with pytest.raises(TypeError, match="float"):
            client.create_addition(1, {**LINE, "unitPrice": 2.5})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            b'{"code":"NotFound","message":"Gone."}', "Gone.", id="errors absent (the spec, the sandbox)"
        ),
        pytest.param(
            b'{"code":"NotFound","message":"Gone.","errors":null}', "Gone.", id="errors null (the DG)"
        ),
        pytest.param(b'{"code":"NotFound","message":"Gone.","errors":[]}', "Gone.", id="errors empty"),
        pytest.param(
            b'{"code":"InvalidObject","message":"bad","errors":[{"code":"X","message":"too long"}]}',
            "bad; too long",
            id="each field error's message",
        ),
    ],
)
def test_error_bodies_read_alike_with_errors_absent_null_or_listed(body: bytes, message: str) -> None:
    assert error_message(httpx.Response(400, content=body)) == message
