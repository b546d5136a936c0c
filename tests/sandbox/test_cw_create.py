"""POST of companies, agreements and catalog items (what tests and seeds create)."""

from __future__ import annotations

import httpx
import pytest


def test_a_company_is_created_and_a_duplicate_identifier_refused_as_live(cw: httpx.Client) -> None:
    created = cw.post("/company/companies", json={"identifier": "ZETA", "name": "Zeta Inc", "city": "Tampa"})
    assert created.status_code == 201
    assert (created.json()["id"], created.json()["identifier"], created.json()["city"]) == (
        6,
        "ZETA",
        "Tampa",
    )
    duplicate = cw.post("/company/companies", json={"identifier": "zeta", "name": "Other"})
    assert duplicate.status_code == 400
    assert duplicate.json() == {
        "code": "InvalidObject",
        "message": "company object is invalid",
        "errors": [
            {
                "code": "ObjectExists",
                "message": "Company ID already in use.",
                "resource": "company",
                "field": "identifier",
            }
        ],
    }


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, ["identifier", "name"]),
        ({"identifier": "X" * 31, "name": "n"}, ["identifier"]),
    ],
    ids=["nothing", "identifier too long"],
)
def test_company_validation(cw: httpx.Client, body: dict[str, object], fields: list[str]) -> None:
    response = cw.post("/company/companies", json=body)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == fields


def test_an_agreement_is_created_for_a_company_and_bills_from_its_start_by_default(cw: httpx.Client) -> None:
    body = {
        "name": "Backup 2027",
        "type": {"id": 1},
        "company": {"identifier": "BETA"},
        "startDate": "2027-01-01T00:00:00Z",
    }
    created = cw.post("/finance/agreements", json=body)
    assert created.status_code == 201
    agreement = created.json()
    assert agreement["id"] == 6 and agreement["company"]["id"] == 2
    assert agreement["billStartDate"] == "2027-01-01T00:00:00Z"
    assert agreement["type"]["name"] == "Managed Backup Service"
    addition = {"product": {"id": 1}, "billCustomer": "Billable", "effectiveDate": "2026-12-01T00:00:00Z"}
    assert cw.post("/finance/agreements/6/additions", json=addition).status_code == 400, (
        "before its billing start"
    )


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"name": "x"}, ["type", "company"]),
        ({"name": "x", "type": {"id": 9}, "company": {"id": 1}}, ["type"]),
        (
            {"name": "x", "type": {"name": "Managed Backup Service"}, "company": {"identifier": "NOPE"}},
            ["company"],
        ),
    ],
    ids=["no type or company", "unknown type", "unknown company"],
)
def test_agreement_validation(cw: httpx.Client, body: dict[str, object], fields: list[str]) -> None:
    response = cw.post("/finance/agreements", json=body)
    assert response.status_code == 400
    assert response.json()["message"] == "agreement object is invalid"
    assert [e["field"] for e in response.json()["errors"]] == fields


def test_a_catalog_item_is_created_and_its_price_used_by_new_additions(cw: httpx.Client) -> None:
    body = {
        "identifier": "MBS-M365",
        "description": "M365 backup",
        "price": "2.50",
        "cost": 1,
        "unitOfMeasure": {"name": "User"},
    }
    created = cw.post("/procurement/catalog", json=body)
    assert created.status_code == 201
    item = created.json()
    assert (item["id"], item["customerDescription"], item["unitOfMeasure"]["name"]) == (
        7,
        "M365 backup",
        "User",
    )
    addition = cw.post(
        "/finance/agreements/1/additions",
        json={"product": {"id": 7}, "billCustomer": "Billable", "effectiveDate": "2026-12-01"},
    )
    assert (addition.json()["unitPrice"], addition.json()["uom"]) == (2.5, "User")
    again = cw.post("/procurement/catalog", json=body)
    assert again.status_code == 400 and again.json()["errors"][0]["code"] == "ObjectExists"
