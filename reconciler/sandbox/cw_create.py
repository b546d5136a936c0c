"""POST of companies, agreements and catalog items (cwbill only reads them; tests and seeds create them).

Required fields follow the spec where the sandbox can honour them (connectwise-api §4.2–§4.4):
a company needs `identifier` (unique, ≤ 30) and `name` (≤ 50), refused as a live server refuses a
duplicate (`ObjectExists`, "Company ID already in use."); an agreement needs `name`, `type` and
`company` (the spec requires `contact` too, but the sandbox has no contacts: without one the
agreement takes its company's default contact, `cw_render.default_contact`); a catalog item needs a unique
`identifier` and a `description`. An agreement's omitted billStartDate defaults to its startDate
(a live server takes its own "today", which a deterministic sandbox has not got).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from reconciler.sandbox.cw_fields import (
    BodyError,
    FieldError,
    FieldSpec,
    canonical_choice,
    check_text,
    error_payload,
    invalid_object,
    read_fields,
    reference_id,
    reference_key,
    required,
)
from reconciler.sandbox.state import Record, Store
from reconciler.sandbox.wire import json_response

PRODUCT_CLASSES: Final = ("Agreement", "Bundle", "Inventory", "NonInventory", "Service")
AGREEMENT_STATUSES: Final = ("Active", "Cancelled", "Expired", "Inactive")

COMPANY_SPECS: Final = (
    FieldSpec("identifier", "str", max_length=30),
    FieldSpec("name", "str", max_length=50),
    FieldSpec("addressLine1", "str", max_length=50),
    FieldSpec("addressLine2", "str", max_length=50),
    FieldSpec("city", "str", max_length=50),
    FieldSpec("state", "str", max_length=50),
    FieldSpec("zip", "str", max_length=12),
    FieldSpec("deletedFlag", "bool"),
)
AGREEMENT_SPECS: Final = (
    FieldSpec("name", "str", max_length=100),
    FieldSpec("type", "ref"),
    FieldSpec("company", "ref"),
    FieldSpec("contact", "ref"),
    FieldSpec("startDate", "datetime"),
    FieldSpec("endDate", "datetime"),
    FieldSpec("billStartDate", "datetime"),
    FieldSpec("cancelledFlag", "bool"),
    FieldSpec("dateCancelled", "datetime"),
    FieldSpec("reasonCancelled", "str", max_length=100),
    FieldSpec("prorateFlag", "bool"),
    FieldSpec("invoiceDescription", "str"),
)
CATALOG_SPECS: Final = (
    FieldSpec("identifier", "str", max_length=75),
    FieldSpec("description", "str", max_length=60),
    FieldSpec("customerDescription", "str", max_length=6000),
    FieldSpec("price", "decimal"),
    FieldSpec("cost", "decimal"),
    FieldSpec("inactiveFlag", "bool"),
    FieldSpec("productClass", "enum", choices=PRODUCT_CLASSES),
    FieldSpec("taxableFlag", "bool"),
    FieldSpec("unitOfMeasure", "ref"),
)


def _object(body: object) -> Mapping[str, object]:
    if not isinstance(body, dict):
        raise BodyError(
            json_response(400, error_payload("InvalidObject", "The request body must be a JSON object."))
        )
    return body


def create_company(store: Store, body: object) -> Record:
    fields = read_fields(_object(body), COMPANY_SPECS)
    errors = required(fields, "identifier", "name") + check_text(fields, COMPANY_SPECS)
    identifier = fields.get("identifier")
    if isinstance(identifier, str) and store.company(identifier=identifier) is not None:
        errors.append(FieldError("identifier", "Company ID already in use.", code="ObjectExists"))
    if errors:
        raise invalid_object("company", errors)
    return {spec.name: fields.get(spec.name) for spec in COMPANY_SPECS} | {
        "deletedFlag": bool(fields.get("deletedFlag"))
    }


def create_agreement(store: Store, body: object, *, create_types: bool = False) -> Record:
    fields = read_fields(_object(body), AGREEMENT_SPECS)
    errors = required(fields, "name", "type", "company") + check_text(fields, AGREEMENT_SPECS)
    company_id = _company_id(store, fields.get("company"), errors)
    type_id = _type_id(store, fields.get("type"), errors, create_types)
    if errors:
        raise invalid_object("agreement", errors)
    cancelled = bool(fields.get("cancelledFlag"))
    return {
        "name": fields["name"],
        "typeId": type_id,
        "companyId": company_id,
        "contactId": _contact_id(fields.get("contact")),
        "startDate": fields.get("startDate"),
        "endDate": fields.get("endDate"),
        "billStartDate": fields.get("billStartDate") or fields.get("startDate"),
        "cancelledFlag": cancelled,
        "dateCancelled": fields.get("dateCancelled"),
        "reasonCancelled": fields.get("reasonCancelled"),
        "prorateFlag": bool(fields.get("prorateFlag")),
        "invoiceDescription": fields.get("invoiceDescription"),
        "agreementStatus": "Cancelled" if cancelled else "Active",
    }


def _contact_id(reference: object) -> int | None:
    key = reference_key(reference, "id") if isinstance(reference, dict) else None
    return reference_id(key[1]) if key else None


def _company_id(store: Store, reference: object, errors: list[FieldError]) -> int | None:
    if not isinstance(reference, dict):
        return None
    key = reference_key(reference, "id", "identifier")
    company = None
    if key and key[0] == "id":
        company_id = reference_id(key[1])
        company = store.company(company_id=company_id) if company_id is not None else None
    elif key:
        company = store.company(identifier=str(key[1]))
    if company is None:
        errors.append(FieldError("company", "The company was not found."))
        return None
    found = company["id"]
    return found if isinstance(found, int) else None


def _type_id(store: Store, reference: object, errors: list[FieldError], create: bool) -> int | None:
    if not isinstance(reference, dict):
        return None
    key = reference_key(reference, "id", "name")
    if key and key[0] == "id":
        type_id = reference_id(key[1])
        if type_id in store.agreement_types:
            return type_id
    elif key:
        name = str(key[1])
        match = [t for t, r in store.agreement_types.items() if str(r["name"]).lower() == name.lower()]
        if match:
            return match[0]
        if create:
            return store.agreement_type_id(name)
    errors.append(FieldError("type", "The agreement type was not found."))
    return None


def create_catalog_item(store: Store, body: object) -> Record:
    fields = read_fields(_object(body), CATALOG_SPECS)
    fields["productClass"] = canonical_choice(fields.get("productClass") or "NonInventory", PRODUCT_CLASSES)
    errors = required(fields, "identifier", "description") + check_text(fields, CATALOG_SPECS)
    identifier = fields.get("identifier")
    if isinstance(identifier, str) and store.catalog_item(identifier=identifier) is not None:
        errors.append(FieldError("identifier", "Product ID already in use.", code="ObjectExists"))
    if errors:
        raise invalid_object("catalogItem", errors)
    unit = fields.get("unitOfMeasure")
    unit_name = reference_key(unit, "name") if isinstance(unit, dict) else None
    return {
        "identifier": identifier,
        "description": fields["description"],
        "customerDescription": fields.get("customerDescription") or fields["description"],
        "price": fields.get("price") if fields.get("price") is not None else Decimal(0),
        "cost": fields.get("cost") if fields.get("cost") is not None else Decimal(0),
        "inactiveFlag": bool(fields.get("inactiveFlag")),
        "productClass": fields["productClass"],
        "taxableFlag": bool(fields.get("taxableFlag")),
        "unitOfMeasure": str(unit_name[1]) if unit_name else "Each",
    }
