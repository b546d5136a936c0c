"""Agreement additions written through the API: POST, PUT and ConnectWise's PATCH dialect.

POST and PUT take a whole addition; what is not sent is defaulted the way the sandbox documents
(connectwise-api §8): unitPrice/unitCost from the catalog item's price/cost, description, uom and
taxableFlag from the catalog item, invoiceDescription from its customerDescription, quantity 1,
sequenceNumber after the agreement's last. PATCH applies `[{op, path, value}]` (op add|replace|remove;
a bare field name, a leading `/` treated alike; a reference replaced whole) to the stored addition and
revalidates the whole record, as ConnectWise does. Read-only fields a client writes are ignored.
Every write is checked: product and billCustomer required, the product known to the catalog,
billCustomer one of its enum, serialNumber ≤ 50 and invoiceDescription ≤ 6000 characters (UTF-16
code units, as ConnectWise counts: `connectwise.limits`), and the
effective date not before the agreement's billing start date (connectwise-api §6, the live wording).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from reconciler.connectwise import limits
from reconciler.sandbox import datetimes
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
from reconciler.sandbox.cw_render import ADDITION_FIELDS
from reconciler.sandbox.state import Record, Store
from reconciler.sandbox.wire import json_response

RESOURCE: Final = "addition"
BILL_CUSTOMER: Final = ("Billable", "DoNotBill", "NoCharge")
SPECS: Final = (
    FieldSpec("product", "ref"),
    FieldSpec("quantity", "decimal"),
    FieldSpec("lessIncluded", "decimal"),
    FieldSpec("unitPrice", "decimal"),
    FieldSpec("unitCost", "decimal"),
    FieldSpec("billCustomer", "enum", choices=BILL_CUSTOMER),
    FieldSpec("effectiveDate", "datetime"),
    FieldSpec("cancelledDate", "datetime"),
    FieldSpec("taxableFlag", "bool"),
    FieldSpec("serialNumber", "str", max_length=limits.SERIAL_NUMBER),
    FieldSpec("invoiceDescription", "str", max_length=limits.INVOICE_DESCRIPTION),
    FieldSpec("purchaseItemFlag", "bool"),
    FieldSpec("specialOrderFlag", "bool"),
    FieldSpec("description", "str"),
    FieldSpec("uom", "str"),
    FieldSpec("sequenceNumber", "decimal"),
    FieldSpec("prorateCurrentPeriodFlag", "bool"),
    FieldSpec("opportunity", "ref"),
    FieldSpec("invoiceGrouping", "ref"),
    FieldSpec("customFields", "list"),
)
WRITABLE: Final = tuple(spec.name for spec in SPECS)
READ_ONLY: Final = ADDITION_FIELDS - set(WRITABLE)
_FLAGS: Final = ("purchaseItemFlag", "specialOrderFlag", "prorateCurrentPeriodFlag")


def create(store: Store, agreement: Record, body: object) -> Record:
    """The addition a POST would store (not yet stored); BodyError when it is refused."""
    fields = read_fields(_object(body), SPECS)
    record = _complete(store, agreement, fields, defaults=True)
    return {**record, "agreementId": agreement["id"]}


def replace(store: Store, agreement: Record, existing: Record, body: object) -> Record:
    """A PUT: the whole addition replaced; what is not sent is defaulted again."""
    fields = read_fields(_object(body), SPECS)
    fields.setdefault("sequenceNumber", existing.get("sequenceNumber"))
    record = _complete(store, agreement, fields, defaults=True)
    return {**record, "agreementId": existing["agreementId"]}


def patch(store: Store, agreement: Record, existing: Record, body: object) -> tuple[Record, list[str]]:
    """A PATCH applied to `existing`; also the paths it ignored (nested or read-only, DG's 'false 200')."""
    if not isinstance(body, list):
        raise invalid_object(RESOURCE, [FieldError("body", "A PATCH body is an array of {op, path, value}.")])
    document: dict[str, object] = {name: existing.get(name) for name in WRITABLE}
    ignored: list[str] = []
    for index, operation in enumerate(body):
        _apply(document, operation, index, ignored)
    fields = read_fields(document, SPECS)
    record = _complete(store, agreement, fields, defaults=False)
    return {**record, "agreementId": existing["agreementId"]}, ignored


def _apply(document: dict[str, object], operation: object, index: int, ignored: list[str]) -> None:
    where = f"operations[{index}]"
    if not isinstance(operation, dict):
        raise invalid_object(RESOURCE, [FieldError(where, "Each operation is an object {op, path, value}.")])
    op = str(operation.get("op", "")).strip().lower()
    raw_path = operation.get("path")
    if op not in ("add", "replace", "remove"):
        raise invalid_object(RESOURCE, [FieldError(where, f"op must be add, replace or remove, got {op!r}.")])
    if not isinstance(raw_path, str) or not raw_path.strip("/ "):
        raise invalid_object(RESOURCE, [FieldError(where, "path must name a field.")])
    path = raw_path.strip().lstrip("/")
    head = path.split("/", 1)[0]
    if ("/" in path or path in READ_ONLY) and (head in WRITABLE or head in READ_ONLY):
        ignored.append(raw_path)  # ConnectWise answers 200 and changes nothing here (DG, "Patch")
        return
    if path not in WRITABLE:
        raise invalid_object(
            RESOURCE, [FieldError(path, f"{path} is not a field of an addition (paths are case sensitive).")]
        )
    document[path] = None if op == "remove" else operation.get("value")


def _object(body: object) -> Mapping[str, object]:
    if not isinstance(body, dict):
        raise BodyError(
            json_response(400, error_payload("InvalidObject", "The request body must be a JSON object."))
        )
    return body


def _complete(store: Store, agreement: Record, fields: dict[str, object], *, defaults: bool) -> Record:
    fields["billCustomer"] = canonical_choice(fields.get("billCustomer"), BILL_CUSTOMER)
    errors = required(fields, "product", "billCustomer")
    item = None
    product = fields.get("product")
    if isinstance(product, dict):
        item, problem = _catalog_item(store, product)
        if problem:
            errors.append(FieldError("product", problem))
    errors += check_text(fields, SPECS)
    errors += _billing_start(agreement, fields.get("effectiveDate"))
    if errors:
        raise invalid_object(RESOURCE, errors)
    assert item is not None
    record: Record = {name: fields.get(name) for name in WRITABLE}
    record["product"] = {"id": item["id"]}
    if defaults:
        _default(store, agreement, item, record)
    return record


def _catalog_item(store: Store, reference: Mapping[str, object]) -> tuple[Record | None, str]:
    key = reference_key(reference, "id", "identifier")
    if key is None:
        return None, "The product reference needs an id or an identifier."
    if key[0] == "id":
        item_id = reference_id(key[1])
        item = store.catalog_item(item_id=item_id) if item_id is not None else None
    else:
        item = store.catalog_item(identifier=str(key[1]))
    return (item, "") if item else (None, f"The product ({key[0]} {key[1]}) was not found in the catalog.")


def _billing_start(agreement: Record, effective: object) -> list[FieldError]:
    start = agreement.get("billStartDate")
    if not isinstance(effective, str) or not isinstance(start, str):
        return []
    if datetimes.parse(effective) < datetimes.parse(start):
        return [
            FieldError("effectiveDate", "effectiveDate cannot be less than the agreement billing start date.")
        ]
    return []


def _default(store: Store, agreement: Record, item: Record, record: Record) -> None:
    defaults: dict[str, object] = {
        "quantity": Decimal(1),
        "lessIncluded": Decimal(0),
        "unitPrice": item.get("price"),
        "unitCost": item.get("cost"),
        "description": item.get("description"),
        "invoiceDescription": item.get("customerDescription"),
        "uom": item.get("unitOfMeasure") or "Each",
        "taxableFlag": bool(item.get("taxableFlag", False)),
        "customFields": [],
        **dict.fromkeys(_FLAGS, False),
    }
    for name, value in defaults.items():
        if record.get(name) is None:
            record[name] = value
    if record.get("sequenceNumber") is None:
        agreement_id = agreement["id"]
        assert isinstance(agreement_id, int)
        numbers = [r.get("sequenceNumber") for r in store.additions_of(agreement_id)]
        record["sequenceNumber"] = max((n for n in numbers if isinstance(n, Decimal)), default=Decimal(0)) + 1
