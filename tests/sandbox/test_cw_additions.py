"""Writing agreement additions: POST defaults, PUT, ConnectWise's PATCH dialect, DELETE, validation."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from reconciler.sandbox import Sandbox
from reconciler.sandbox.jsonio import loads
from tests.sandbox.helpers import API, new_addition

ADDITIONS = "/finance/agreements/1/additions"
BILLING_START_ERROR = {
    "code": "InvalidObject",
    "message": "addition object is invalid",
    "errors": [
        {
            "code": "InvalidField",
            "message": "effectiveDate cannot be less than the agreement billing start date.",
            "resource": "addition",
            "field": "effectiveDate",
        }
    ],
}


def test_post_creates_with_201_and_takes_defaults_from_the_catalog(cw: httpx.Client) -> None:
    response = cw.post(
        ADDITIONS,
        json={
            "product": {"identifier": "mbs-server"},
            "billCustomer": "Billable",
            "effectiveDate": "2026-12-01T00:00:00Z",
            "quantity": 2,
        },
    )
    assert response.status_code == 201
    created = loads(response.content)
    assert isinstance(created, dict)
    assert created["id"] == 10, "ids go on from the seed's"
    assert response.headers["location"] == f"{API}{ADDITIONS}/10"
    assert (created["unitPrice"], created["unitCost"]) == (Decimal("20.00"), Decimal("10.00"))
    assert created["description"] == "Managed Backup - Server"
    assert created["invoiceDescription"] == "Managed backup of a server (per activated license)"
    assert (created["uom"], created["taxableFlag"], created["lessIncluded"]) == ("Each", False, 0)
    assert (created["extPrice"], created["extCost"], created["margin"]) == (
        Decimal("40.00"),
        Decimal("20.00"),
        Decimal("20.00"),
    )
    assert created["sequenceNumber"] == 5, "after the agreement's four seeded lines"
    assert (created["agreementId"], created["agreementStatus"]) == (1, "Active")
    assert "cancelledDate" not in created, "no cancelled date: omitted, never null"
    assert cw.get(f"{ADDITIONS}/10").json() == response.json()


def test_post_keeps_what_is_sent_and_converts_numeric_strings(cw: httpx.Client) -> None:
    body = new_addition(
        quantity="3.50",
        unitPrice="12.3456",
        unitCost="7",
        invoiceDescription="Three and a half",
        serialNumber="cwbill:x:0123abcd",
        taxableFlag="true",
        billCustomer="donotbill",
    )
    created = cw.post(ADDITIONS, json=body)
    assert created.status_code == 201
    text = created.text
    assert '"quantity":3.50,' in text and '"unitPrice":12.3456,' in text and '"unitCost":7,' in text
    data = created.json()
    assert (data["invoiceDescription"], data["serialNumber"], data["taxableFlag"]) == (
        "Three and a half",
        "cwbill:x:0123abcd",
        True,
    )
    assert data["billCustomer"] == "DoNotBill", "enums are read without case, answered canonically"


def test_read_only_fields_a_client_writes_are_ignored(cw: httpx.Client) -> None:
    body = new_addition(
        id=555,
        agreementId=3,
        extPrice=1,
        margin=2,
        agreementStatus="Cancelled",
        _info={"x": "y"},
        additionStatus="Gone",
    )
    created = cw.post(ADDITIONS, json=body).json()
    assert created["id"] == 10 and created["agreementId"] == 1 and created["extPrice"] == 60.0
    assert created["agreementStatus"] == "Active" and "x" not in created["_info"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (new_addition(product=None), "product", "The product field is required."),
        (
            {k: v for k, v in new_addition().items() if k != "product"},
            "product",
            "The product field is required.",
        ),
        (new_addition(billCustomer=None), "billCustomer", "The billCustomer field is required."),
        (new_addition(product={"id": 99}), "product", "The product (id 99) was not found in the catalog."),
        (
            new_addition(product={"identifier": "NOPE"}),
            "product",
            "The product (identifier NOPE) was not found in the catalog.",
        ),
        (
            new_addition(product={"name": "x"}),
            "product",
            "The product reference needs an id or an identifier.",
        ),
        (
            new_addition(billCustomer="Sometimes"),
            "billCustomer",
            "billCustomer must be one of: Billable, DoNotBill, NoCharge.",
        ),
        (
            new_addition(serialNumber="x" * 51),
            "serialNumber",
            "The field serialNumber must be a string with a maximum length of 50.",
        ),
        (
            new_addition(invoiceDescription="x" * 6001),
            "invoiceDescription",
            "The field invoiceDescription must be a string with a maximum length of 6000.",
        ),
    ],
    ids=[
        "null product",
        "no product",
        "no billCustomer",
        "unknown product id",
        "unknown identifier",
        "reference without key",
        "bad enum",
        "serial too long",
        "description too long",
    ],
)
def test_invalid_additions_get_400_invalid_object(
    cw: httpx.Client, body: dict[str, object], field: str, message: str
) -> None:
    response = cw.post(ADDITIONS, json=body)
    assert response.status_code == 400
    code = "MaxLengthField" if "maximum length" in message else "InvalidField"  # the live code
    assert response.json() == {
        "code": "InvalidObject",
        "message": "addition object is invalid",
        "errors": [{"code": code, "message": message, "resource": "addition", "field": field}],
    }
    assert cw.get(f"{ADDITIONS}/count").json() == {"count": 4}, "nothing written"


def test_limits_are_inclusive(cw: httpx.Client) -> None:
    body = new_addition(serialNumber="x" * 50, invoiceDescription="y" * 6000)
    assert cw.post(ADDITIONS, json=body).status_code == 201


@pytest.mark.parametrize(
    ("text", "status"),
    [
        pytest.param("é" * 6000, 201, id="6000 BMP characters fit"),
        pytest.param("😀" * 3000, 201, id="3000 emoji are 6000 UTF-16 code units: they fit"),
        pytest.param("😀" * 3000 + "x", 400, id="one more unit does not"),
    ],
)
def test_lengths_count_utf16_code_units_as_connectwise_does(cw: httpx.Client, text: str, status: int) -> None:
    assert cw.post(ADDITIONS, json=new_addition(invoiceDescription=text)).status_code == status


def test_all_problems_are_reported_at_once(cw: httpx.Client) -> None:
    errors = cw.post(ADDITIONS, json={"quantity": 1}).json()["errors"]
    assert [e["field"] for e in errors] == ["product", "billCustomer"]


def test_an_effective_date_before_billing_start_is_refused_with_the_live_wording(cw: httpx.Client) -> None:
    # DELTA's agreement 4 bills from 2026-11-15.
    early = cw.post(
        "/finance/agreements/4/additions", json=new_addition(effectiveDate="2026-11-14T00:00:00Z")
    )
    assert early.status_code == 400 and early.json() == BILLING_START_ERROR
    same_day = cw.post(
        "/finance/agreements/4/additions", json=new_addition(effectiveDate="2026-11-15T00:00:00Z")
    )
    assert same_day.status_code == 201, "equal dates are allowed (MSP360's own workaround)"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("effectiveDate", "2026-12-01T00:00:00-04:00"),
        ("effectiveDate", "December 1st"),
        ("quantity", "three"),
        ("quantity", True),
        ("taxableFlag", "maybe"),
        ("product", "MBS-SERVER"),
        ("invoiceDescription", ["a"]),
    ],
)
def test_a_value_of_the_wrong_format_is_unsupported_format(
    cw: httpx.Client, field: str, value: object
) -> None:
    response = cw.post(ADDITIONS, json=new_addition(**{field: value}))
    assert response.status_code == 400
    assert response.json() == {
        "code": "UnsupportedFormat",
        "message": f"Unsupported format applied to {field}",
    }


@pytest.mark.parametrize(
    "text", ["2026-12-01", "2026-12-01T00:00:00", "2026-12-01T00:00:00.000Z", "2026-12-01T00:00:00.123456"]
)
def test_date_forms_clients_send_are_accepted_and_answered_as_utc_seconds(
    cw: httpx.Client, text: str
) -> None:
    created = cw.post(ADDITIONS, json=new_addition(effectiveDate=text))
    assert created.status_code == 201 and created.json()["effectiveDate"] == "2026-12-01T00:00:00Z"


@pytest.mark.parametrize(
    "body", [b"not json", b"[1, 2]", b'"text"'], ids=["not JSON", "an array", "a string"]
)
def test_a_body_that_is_not_an_object_is_refused(cw: httpx.Client, body: bytes) -> None:
    response = cw.post(ADDITIONS, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["code"] == "InvalidObject"


def test_json_number_tokens_are_kept_exactly_as_their_text(cw: httpx.Client) -> None:
    # what cwbill sends (the spec's `number`): no float on the way in or out
    body = b'{"product":{"id":1},"billCustomer":"Billable","quantity":12,"unitPrice":2.50,"unitCost":0.0059,'
    body += b'"effectiveDate":"2026-12-01T00:00:00Z"}'
    response = cw.post(ADDITIONS, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 201
    assert b'"unitPrice":2.50,"unitCost":0.0059' in response.content
    assert b'"extCost":0.0708' in response.content, "derived exactly: 12 x 0.0059"


def test_post_to_an_unknown_agreement_is_404(cw: httpx.Client) -> None:
    response = cw.post("/finance/agreements/42/additions", json=new_addition())
    assert response.status_code == 404 and response.json()["message"] == "Agreement with id 42 was not found."


def test_put_replaces_the_whole_addition_and_defaults_what_is_missing(cw: httpx.Client) -> None:
    before = cw.get(f"{ADDITIONS}/2").json()
    response = cw.put(
        f"{ADDITIONS}/2",
        json={
            "product": {"id": 2},
            "billCustomer": "NoCharge",
            "quantity": 9,
            "effectiveDate": "2026-10-01T00:00:00Z",
        },
    )
    assert response.status_code == 200
    after = response.json()
    assert after["id"] == 2 and after["product"]["identifier"] == "MBS-DESKTOP"
    assert (after["quantity"], after["unitPrice"], after["billCustomer"]) == (9, 6.0, "NoCharge")
    assert "serialNumber" not in after and "cancelledDate" not in after, "not sent: cleared (omitted)"
    assert after["sequenceNumber"] == before["sequenceNumber"]
    assert after["_info"]["lastUpdated"] > before["_info"]["lastUpdated"]
    assert after["_info"]["dateEntered"] == before["_info"]["dateEntered"]


def test_put_is_validated_like_post(cw: httpx.Client) -> None:
    response = cw.put("/finance/agreements/4/additions/1", json=new_addition())
    assert response.status_code == 404, "addition 1 is ACME's, not under agreement 4"
    cw.post("/finance/agreements/4/additions", json=new_addition(effectiveDate="2026-11-20T00:00:00Z"))
    response = cw.put(
        "/finance/agreements/4/additions/10", json=new_addition(effectiveDate="2026-11-01T00:00:00Z")
    )
    assert response.json() == BILLING_START_ERROR


def test_patch_replaces_fields_by_bare_name_or_leading_slash(cw: httpx.Client) -> None:
    before = cw.get(f"{ADDITIONS}/2").json()
    operations = [
        {"op": "replace", "path": "quantity", "value": "3"},
        {"op": "replace", "path": "/serialNumber", "value": "cwbill:licenses:00000000"},
        {"op": "add", "path": "invoiceDescription", "value": "MBS-SERVER for October 2026: 3 × Server"},
    ]
    response = cw.patch(f"{ADDITIONS}/2", json=operations)
    assert response.status_code == 200
    after = response.json()
    assert (after["quantity"], after["serialNumber"]) == (3, "cwbill:licenses:00000000")
    assert after["invoiceDescription"].endswith("3 × Server")
    assert after["extPrice"] == 45.0, "derived fields follow"
    untouched = {
        k: v
        for k, v in after.items()
        if k
        not in (
            "quantity",
            "serialNumber",
            "invoiceDescription",
            "extPrice",
            "extCost",
            "margin",
            "billedQuantity",
            "_info",
        )
    }
    assert untouched == {k: v for k, v in before.items() if k in untouched}
    assert after["_info"]["lastUpdated"] > before["_info"]["lastUpdated"]


def test_patch_replaces_a_reference_whole_and_remove_clears(cw: httpx.Client) -> None:
    after = cw.patch(
        f"{ADDITIONS}/2",
        json=[
            {"op": "replace", "path": "product", "value": {"identifier": "MBS-SQL"}},
            {"op": "remove", "path": "cancelledDate"},
        ],
    ).json()
    assert after["product"]["identifier"] == "MBS-SQL" and "cancelledDate" not in after
    assert after["unitPrice"] == 15.0, "PATCH does not re-default prices"


def test_patch_of_a_nested_or_read_only_path_is_a_silent_200(cw: httpx.Client) -> None:
    before = cw.get(f"{ADDITIONS}/2").json()
    response = cw.patch(
        f"{ADDITIONS}/2",
        json=[
            {"op": "replace", "path": "product/id", "value": 3},
            {"op": "replace", "path": "extPrice", "value": 1},
        ],
    )
    assert response.status_code == 200, "DG: a location inside an object may give a false 200"
    assert (
        response.json()["product"] == before["product"] and response.json()["extPrice"] == before["extPrice"]
    )
    assert response.headers["x-sandbox-ignored-patch-paths"] == "product/id, extPrice"


@pytest.mark.parametrize(
    ("operations", "message"),
    [
        ({"op": "replace", "path": "quantity", "value": 1}, "A PATCH body is an array of {op, path, value}."),
        ([{"op": "move", "path": "quantity", "value": 1}], "op must be add, replace or remove, got 'move'."),
        (
            [{"op": "replace", "path": "Quantity", "value": 1}],
            "Quantity is not a field of an addition (paths are case sensitive).",
        ),
        ([{"op": "replace", "path": "", "value": 1}], "path must name a field."),
        (["replace quantity"], "Each operation is an object {op, path, value}."),
        ([{"op": "remove", "path": "billCustomer"}], "The billCustomer field is required."),
    ],
    ids=[
        "not an array",
        "unknown op",
        "wrong case",
        "empty path",
        "not an object",
        "removing a required field",
    ],
)
def test_bad_patches_get_400(cw: httpx.Client, operations: object, message: str) -> None:
    response = cw.patch(f"{ADDITIONS}/2", json=operations)
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == message


def test_patch_revalidates_the_whole_record(cw: httpx.Client) -> None:
    created = cw.post(
        "/finance/agreements/4/additions", json=new_addition(effectiveDate="2026-11-20T00:00:00Z")
    ).json()
    response = cw.patch(
        f"/finance/agreements/4/additions/{created['id']}",
        json=[{"op": "replace", "path": "effectiveDate", "value": "2026-11-01T00:00:00Z"}],
    )
    assert response.json() == BILLING_START_ERROR


def test_delete_answers_204_and_the_addition_is_gone(cw: httpx.Client, demo: Sandbox) -> None:
    response = cw.delete("/finance/agreements/3/additions/8")
    assert response.status_code == 204 and response.content == b""
    assert cw.get("/finance/agreements/3/additions/8").status_code == 404
    assert cw.delete("/finance/agreements/3/additions/8").status_code == 404
    assert [a["id"] for a in cw.get("/finance/agreements/3/additions").json()] == [6, 7, 9]
    assert 8 not in demo.store.additions


def test_every_write_gets_a_strictly_later_last_updated_and_ids_increase(cw: httpx.Client) -> None:
    stamps: list[str] = []
    ids: list[int] = []
    for _ in range(3):
        created = cw.post(ADDITIONS, json=new_addition()).json()
        ids.append(created["id"])
        stamps.append(created["_info"]["lastUpdated"])
        patched = cw.patch(
            f"{ADDITIONS}/{created['id']}", json=[{"op": "replace", "path": "quantity", "value": 2}]
        ).json()
        stamps.append(patched["_info"]["lastUpdated"])
        cw.delete(f"{ADDITIONS}/{created['id']}")
    assert stamps == sorted(set(stamps)), "strictly increasing"
    assert ids == [10, 11, 12], "an id is never reused"
    assert all(stamp.endswith("Z") and len(stamp) == 20 for stamp in stamps)
