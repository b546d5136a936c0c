"""Conformance of the ConnectWise routes: discovery, auth, list/count/get of every collection, errors."""

from __future__ import annotations

import base64

import httpx
import pytest

from reconciler.sandbox import Credentials, Sandbox
from reconciler.sandbox.cw_render import ADDITION_FIELDS, AGREEMENT_FIELDS, CATALOG_FIELDS, COMPANY_FIELDS
from tests.sandbox.helpers import API, DEMO, ORIGIN, cw_client, cw_headers

COLLECTIONS = [
    ("/company/companies", COMPANY_FIELDS, 5),
    ("/finance/agreements", AGREEMENT_FIELDS, 5),
    ("/finance/agreements/3/additions", ADDITION_FIELDS, 4),
    ("/procurement/catalog", CATALOG_FIELDS, 6),
]


def test_companyinfo_answers_the_developer_guide_shape_without_auth(demo: Sandbox) -> None:
    with httpx.Client(transport=demo.transport(), base_url=ORIGIN) as client:
        known = client.get(f"/login/companyinfo/{DEMO.cw_company_id.upper()}")
        unknown = client.get("/login/companyinfo/nobody")
    assert known.status_code == 200
    assert known.headers["content-type"] == "application/json; charset=utf-8"
    info = known.json()
    assert info["Codebase"] == "v4_6_release/"
    assert info["IsCloud"] is False
    assert info["CompanyID"] == DEMO.cw_company_id
    assert set(info) == {
        "CompanyName",
        "Codebase",
        "VersionCode",
        "VersionNumber",
        "CompanyID",
        "IsCloud",
        "SiteUrl",
    }
    assert (unknown.status_code, unknown.text) == (200, "null")


def _basic(text: str) -> str:
    return "Basic " + base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "send Basic authorization"),
        ({"Authorization": "Bearer abc", "clientId": DEMO.cw_client_id}, "send Basic authorization"),
        ({"Authorization": "Basic !!!notbase64", "clientId": DEMO.cw_client_id}, "are not valid"),
        (
            {"Authorization": _basic("cwbill_demo+demo-public-key:wrong"), "clientId": DEMO.cw_client_id},
            "are not valid",
        ),
        (
            {
                "Authorization": _basic("other+demo-public-key:demo-private-key"),
                "clientId": DEMO.cw_client_id,
            },
            "are not valid",
        ),
        (
            {
                "Authorization": _basic("cwbill_demo:demo-public-key:demo-private-key"),
                "clientId": DEMO.cw_client_id,
            },
            "are not valid",
        ),
        ({"Authorization": _basic(DEMO.cw_basic_user())}, "clientId header is required"),
        (
            {"Authorization": _basic(DEMO.cw_basic_user()), "clientId": "not-the-registered-one"},
            "clientId header is required",
        ),
    ],
    ids=[
        "no authorization",
        "not basic",
        "not base64",
        "wrong private key",
        "wrong company",
        "no plus between company and key",
        "no clientId",
        "wrong clientId",
    ],
)
def test_bad_credentials_get_401_in_connectwise_format(
    demo: Sandbox, headers: dict[str, str], message: str
) -> None:
    with cw_client(demo, headers) as client:
        response = client.get("/company/companies")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "Unauthorized" and "errors" not in body and message in body["message"]
    assert DEMO.cw_private_key not in response.text and "wrong" not in response.text


def test_credentials_come_from_the_environment_and_company_ignores_case() -> None:
    credentials = Credentials.from_env({"CW_COMPANY_ID": "Tenant", "CW_PRIVATE_KEY": "s3cret"})
    sandbox = Sandbox(credentials=credentials)
    headers = {
        "Authorization": _basic("TENANT+demo-public-key:s3cret"),
        "clientid": DEMO.cw_client_id.upper(),
    }
    with cw_client(sandbox, headers) as client:
        assert client.get("/company/companies").status_code == 200
    with cw_client(sandbox, cw_headers(DEMO)) as client:
        assert client.get("/company/companies").status_code == 401


@pytest.mark.parametrize(("path", "fields", "total"), COLLECTIONS)
def test_each_collection_lists_counts_and_gets(
    cw: httpx.Client, path: str, fields: frozenset[str], total: int
) -> None:
    listed = cw.get(path)
    assert listed.status_code == 200
    records = listed.json()
    assert isinstance(records, list) and len(records) == total
    assert all(set(r) <= fields for r in records), "only fields the spec defines"
    assert all(None not in r.values() for r in records), "a field with no value is omitted, not null"
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)
    assert cw.get(f"{path}/count").json() == {"count": total}
    first = records[0]
    one = cw.get(f"{path}/{first['id']}")
    assert one.status_code == 200 and one.json() == first
    missing = cw.get(f"{path}/999")
    assert missing.status_code == 404
    assert missing.json()["code"] == "NotFound" and "999" in missing.json()["message"]


def test_records_carry_references_and_info_blocks(cw: httpx.Client) -> None:
    agreement = cw.get("/finance/agreements/4").json()
    assert agreement["company"] == {
        "id": 4,
        "identifier": "DELTA",
        "name": "Delta Dental",
        "_info": {"company_href": f"{API}/company/companies/4"},
    }
    assert agreement["type"]["name"] == "Managed Backup Service"
    assert (agreement["startDate"], agreement["billStartDate"]) == (
        "2026-11-01T00:00:00Z",
        "2026-11-15T00:00:00Z",
    )
    assert "endDate" not in agreement, "no ending date: omitted, never null"
    assert (agreement["noEndingDateFlag"], agreement["cancelledFlag"]) == (True, False)
    assert agreement["contact"] == {
        "id": 4,
        "name": "Billing Contact",
        "_info": {"contact_href": f"{API}/company/contacts/4"},
    }, "the spec requires a contact: the company's default one"
    assert agreement["agreementStatus"] == "Active"
    assert set(agreement["_info"]) == {"lastUpdated", "updatedBy", "dateEntered", "enteredBy"}
    addition = cw.get("/finance/agreements/3/additions/7").json()
    assert addition["product"] == {
        "id": 1,
        "identifier": "MBS-SERVER",
        "_info": {"product_href": f"{API}/procurement/catalog/1"},
    }
    assert addition["agreementId"] == 3


def test_addition_numbers_are_exact_decimals_and_derived(cw: httpx.Client) -> None:
    raw = cw.get("/finance/agreements/1/additions/2").text
    assert '"quantity":4,' in raw and '"unitPrice":15.00,' in raw and '"unitCost":8.00,' in raw
    assert '"extPrice":60.00,' in raw and '"extCost":32.00,' in raw and '"margin":28.00,' in raw
    storage = cw.post(
        "/finance/agreements/1/additions",
        json={
            "product": {"identifier": "MBS-STORAGE"},
            "billCustomer": "Billable",
            "quantity": "1234.5",
            "effectiveDate": "2026-12-01T00:00:00Z",
        },
    )
    assert '"unitPrice":0.025,' in storage.text and '"extPrice":30.8625,' in storage.text


def test_additions_of_an_unknown_agreement_are_404(cw: httpx.Client) -> None:
    for response in (
        cw.get("/finance/agreements/77/additions"),
        cw.get("/finance/agreements/77/additions/count"),
    ):
        assert response.status_code == 404
        assert response.json() == {
            "code": "NotFound",
            "message": "Agreement with id 77 was not found.",
        }


def test_an_addition_is_found_only_under_its_own_agreement(cw: httpx.Client) -> None:
    assert cw.get("/finance/agreements/3/additions/7").status_code == 200
    assert cw.get("/finance/agreements/1/additions/7").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        f"{ORIGIN}/v4_6_release/apis/3.0/company/companies/",
        f"{ORIGIN}/v4_6_release/apis/3.0/Company/Companies",
        f"{ORIGIN}/v2025_1/apis/3.0/company/companies",
        f"{ORIGIN}/V4_6_RELEASE/APIS/3.0/COMPANY/COMPANIES?PAGESIZE=2&CONDITIONS=id>0",
    ],
    ids=["trailing slash", "route case", "versioned codebase", "upper case everything"],
)
def test_routes_ignore_case_trailing_slash_and_codebase(cw: httpx.Client, url: str) -> None:
    response = cw.get(url)
    assert response.status_code == 200 and len(response.json()) >= 2


def test_unknown_endpoint_and_method_answer_like_connectwise(cw: httpx.Client, demo: Sandbox) -> None:
    unknown = cw.get("/service/tickets")
    assert unknown.status_code == 404
    assert unknown.json() == {"code": "ConnectWiseApi", "message": "The endpoint does not exist."}
    not_allowed = cw.delete("/company/companies/1")
    assert not_allowed.status_code == 405
    assert not_allowed.json()["message"] == "The requested resource does not support http method 'DELETE'."
    assert not_allowed.headers["allow"] == "GET"
    with httpx.Client(transport=demo.transport(), base_url=ORIGIN) as client:
        assert client.get("/favicon.ico").status_code == 404


def test_responses_carry_the_headers_a_real_server_sends(cw: httpx.Client) -> None:
    response = cw.get("/company/companies")
    assert response.headers["api-current-version"] == "2025.8"
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["content-type"] == "application/json; charset=utf-8"


def test_any_accept_header_is_accepted(cw: httpx.Client) -> None:
    for accept in ("application/vnd.connectwise.com+json; version=2025.8", "application/json", "*/*"):
        assert cw.get("/company/companies", headers={"Accept": accept}).status_code == 200
