"""Stored ConnectWise records rendered as the API returns them (connectwise-api §4).

Field names, enums and references follow the spec: `{id, identifier, name, _info: {company_href}}`
for a company reference, `{id, identifier, _info: {product_href}}` for an addition's product (an
IvItemReference has no name), `_info` of a record with `lastUpdated`/`updatedBy`/`dateEntered`/
`enteredBy`. A field with no value is omitted, never null (`_present`): the spec (OpenAPI 3.0) allows
null only where it marks a property `nullable`, and never for a `$ref` property; a record carries no
property the spec's schema does not define. The sandbox has no contacts, yet the spec requires an
agreement's `contact`: each company has one, its `defaultContact` (`default_contact`). What
ConnectWise derives is computed here: an addition's extPrice = quantity × unitPrice, extCost,
margin = extPrice − extCost, billedQuantity, agreementStatus (the agreement's), product identifier,
description and uom (from the catalog item when the addition has none).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from reconciler.engine.money import add, multiply
from reconciler.sandbox.state import Record, Store

API_VERSION: Final = "2025.8"
ZERO: Final = Decimal(0)
_UOM_IDS: Final = {"each": 1, "gb": 2, "tb": 3, "month": 4}


def _words(text: str) -> list[str]:
    return text.split()


def _names(text: str) -> frozenset[str]:
    return frozenset(_words(text))


COMPANY_FIELDS: Final = _names(
    "id identifier name status addressLine1 addressLine2 city state zip country phoneNumber faxNumber "
    "website territory market accountNumber defaultContact dateAcquired annualRevenue timeZoneSetup "
    "leadFlag unsubscribeFlag taxCode billingTerms billToCompany billingSite billingContact "
    "invoiceDeliveryMethod deletedFlag dateDeleted deletedBy currency isVendorFlag types site "
    "_info customFields"
)
AGREEMENT_FIELDS: Final = _names(
    "id name type company contact site parentAgreement customerPO location department startDate "
    "endDate noEndingDateFlag opportunity cancelledFlag dateCancelled reasonCancelled sla workOrder "
    "internalNotes applicationUnits applicationLimit applicationCycle applicationUnlimitedFlag "
    "oneTimeFlag coverAgreementTime coverAgreementProduct coverAgreementExpense coverSalesTax "
    "carryOverUnused allowOverruns expiredDays limit expireWhenZero chargeToFirm employeeCompRate "
    "employeeCompNotExceed compHourlyRate compLimitAmount billingCycle billOneTimeFlag billingTerms "
    "invoicingCycle billToCompany billToContact billToSite billAmount taxable prorateFirstBill "
    "billStartDate taxCode restrictDownPayment prorateFlag invoiceProratedAdditionsFlag "
    "invoiceDescription topComment bottomComment workRole workType projectType invoiceTemplate "
    "billTime billExpenses billProducts billableTimeInvoice billableExpenseInvoice "
    "billableProductInvoice currency periodType autoInvoiceFlag nextInvoiceDate companyLocation "
    "agreementStatus _info customFields"
)
CATALOG_FIELDS: Final = _names(
    "id identifier description inactiveFlag subcategory type productClass serializedFlag "
    "serializedCostFlag phaseProductFlag unitOfMeasure minStockLevel price cost priceAttribute "
    "taxableFlag dropShipFlag specialOrderFlag customerDescription manufacturer manufacturerPartNumber "
    "vendor vendorSku notes integrationXRef category recurringFlag recurringRevenue "
    "recurringCost recurringOneTimeFlag recurringBillCycle recurringCycleType calculatedPriceFlag "
    "calculatedCostFlag billableOption _info customFields"
)
ADDITION_FIELDS: Final = _names(
    "id product quantity lessIncluded unitPrice unitCost billCustomer effectiveDate cancelledDate "
    "taxableFlag serialNumber invoiceDescription purchaseItemFlag specialOrderFlag agreementId "
    "description billedQuantity uom extPrice extCost sequenceNumber margin prorateCost proratePrice "
    "extendedProrateCost extendedProratePrice prorateCurrentPeriodFlag opportunity agreementStatus "
    "invoiceGrouping _info customFields"
)


def _ref(id_: int, name: str, key: str, href: str) -> dict[str, object]:
    return {"id": id_, "name": name, "_info": {f"{key}_href": href}}


def _present(fields: dict[str, object]) -> dict[str, object]:
    """`fields` without those that have no value (None): an unset property is omitted."""
    return {name: value for name, value in fields.items() if value is not None}


DEFAULT_CONTACT_NAME: Final = "Billing Contact"


def default_contact(company_id: int, api: str) -> dict[str, object]:
    """A company's one contact (docs/sandbox.md): id = the company's id, so it needs no table."""
    href = f"{api}/company/contacts/{company_id}"
    return {"id": company_id, "name": DEFAULT_CONTACT_NAME, "_info": {"contact_href": href}}


def contact_reference(record: Record, company_id: int, api: str) -> dict[str, object]:
    """An agreement's contact: the one it was created with, else its company's default contact."""
    contact_id = record.get("contactId")
    if not isinstance(contact_id, int) or contact_id == company_id:
        return default_contact(company_id, api)
    return {"id": contact_id, "_info": {"contact_href": f"{api}/company/contacts/{contact_id}"}}


def company_reference(store: Store, company_id: int, api: str) -> dict[str, object] | None:
    company = store.companies.get(company_id)
    if company is None:
        return None
    href = f"{api}/company/companies/{company_id}"
    return {
        "id": company_id,
        "identifier": company["identifier"],
        "name": company["name"],
        "_info": {"company_href": href},
    }


def render_company(store: Store, record: Record, api: str) -> dict[str, object]:
    info = record["_info"]
    assert isinstance(info, dict)
    company_id = record["id"]
    assert isinstance(company_id, int)
    return _present(
        {
            "id": company_id,
            "identifier": record["identifier"],
            "name": record["name"],
            "status": {
                "id": 1,
                "name": "Active",
                "_info": {"status_href": f"{api}/company/companies/statuses/1"},
            },
            **{name: record.get(name) for name in ("addressLine1", "addressLine2", "city", "state", "zip")},
            **dict.fromkeys(("country", "phoneNumber", "faxNumber", "website", "territory", "market")),
            "accountNumber": None,
            "defaultContact": default_contact(company_id, api),
            "dateAcquired": info.get("dateEntered"),
            "annualRevenue": None,
            "timeZoneSetup": None,
            "leadFlag": False,
            "unsubscribeFlag": False,
            **dict.fromkeys(("taxCode", "billingTerms", "billToCompany", "billingSite", "billingContact")),
            "invoiceDeliveryMethod": None,
            "deletedFlag": bool(record.get("deletedFlag", False)),
            "dateDeleted": None,
            "deletedBy": None,
            "currency": None,
            "isVendorFlag": False,
            "types": [],
            "site": None,
            "_info": dict(info),
            "customFields": [],
        }
    )


def render_agreement(store: Store, record: Record, api: str) -> dict[str, object]:
    agreement_id, type_id, company_id = record["id"], record["typeId"], record["companyId"]
    assert isinstance(type_id, int) and isinstance(company_id, int)
    type_name = store.agreement_types[type_id]["name"]
    company = company_reference(store, company_id, api)
    flags_false = dict.fromkeys(
        _words(
            "applicationUnlimitedFlag oneTimeFlag coverAgreementTime coverAgreementProduct "
            "coverAgreementExpense coverSalesTax carryOverUnused allowOverruns expireWhenZero "
            "chargeToFirm"
        ),
        False,
    )
    return _present(
        {
            "id": agreement_id,
            "name": record["name"],
            "type": {
                "id": type_id,
                "name": type_name,
                "_info": {"type_href": f"{api}/finance/agreements/types/{type_id}"},
            },
            "company": company,
            "contact": contact_reference(record, company_id, api),
            **dict.fromkeys(("site", "parentAgreement", "customerPO", "location", "department")),
            "startDate": record.get("startDate"),
            "endDate": record.get("endDate"),
            "noEndingDateFlag": record.get("endDate") is None,
            "opportunity": None,
            "cancelledFlag": bool(record.get("cancelledFlag", False)),
            "dateCancelled": record.get("dateCancelled"),
            "reasonCancelled": record.get("reasonCancelled"),
            **dict.fromkeys(("sla", "workOrder", "internalNotes")),
            "applicationUnits": "Amount",
            "applicationLimit": ZERO,
            "applicationCycle": "CalendarMonth",
            **flags_false,
            "expiredDays": 0,
            "limit": 0,
            "employeeCompRate": "Actual",
            "employeeCompNotExceed": "Billing",
            "compHourlyRate": ZERO,
            "compLimitAmount": ZERO,
            "billingCycle": {
                "id": 1,
                "name": "Monthly",
                "_info": {"billingCycle_href": f"{api}/finance/billingCycles/1"},
            },
            "billOneTimeFlag": False,
            "billingTerms": None,
            "invoicingCycle": "CalendarYear",
            "billToCompany": company,
            **dict.fromkeys(("billToContact", "billToSite")),
            "billAmount": ZERO,
            "taxable": False,
            "prorateFirstBill": None,
            "billStartDate": record.get("billStartDate"),
            "taxCode": None,
            "restrictDownPayment": False,
            "prorateFlag": bool(record.get("prorateFlag", False)),
            "invoiceProratedAdditionsFlag": False,
            "invoiceDescription": record.get("invoiceDescription"),
            "topComment": False,
            "bottomComment": False,
            **dict.fromkeys(("workRole", "workType", "projectType", "invoiceTemplate")),
            **dict.fromkeys(("billTime", "billExpenses", "billProducts"), "Billable"),
            **dict.fromkeys(
                ("billableTimeInvoice", "billableExpenseInvoice", "billableProductInvoice"), False
            ),
            "currency": None,
            "periodType": "Current",
            "autoInvoiceFlag": False,
            "nextInvoiceDate": None,
            "companyLocation": None,
            "agreementStatus": record.get("agreementStatus", "Active"),
            "_info": dict(_info(record)),
            "customFields": [],
        }
    )


def render_catalog(store: Store, record: Record, api: str) -> dict[str, object]:
    uom = str(record.get("unitOfMeasure") or "Each")
    uom_id = _UOM_IDS.get(uom.lower(), 99)
    info = _info(record)
    return _present(
        {
            "id": record["id"],
            "identifier": record["identifier"],
            "description": record["description"],
            "inactiveFlag": bool(record.get("inactiveFlag", False)),
            "subcategory": _ref(1, "Backup", "subcategory", f"{api}/procurement/subcategories/1"),
            "type": _ref(1, "Service", "type", f"{api}/procurement/types/1"),
            "productClass": record.get("productClass", "NonInventory"),
            "serializedFlag": False,
            "serializedCostFlag": False,
            "phaseProductFlag": False,
            "unitOfMeasure": _ref(uom_id, uom, "unitOfMeasure", f"{api}/procurement/unitOfMeasures/{uom_id}"),
            "minStockLevel": 0,
            "price": record.get("price"),
            "cost": record.get("cost"),
            "priceAttribute": "FixedFee",
            "taxableFlag": bool(record.get("taxableFlag", False)),
            "dropShipFlag": False,
            "specialOrderFlag": False,
            "customerDescription": record.get("customerDescription") or record["description"],
            **dict.fromkeys(("manufacturer", "manufacturerPartNumber", "vendor", "vendorSku", "notes")),
            "integrationXRef": None,
            "category": _ref(1, "Managed Services", "category", f"{api}/procurement/categories/1"),
            "recurringFlag": True,
            "recurringRevenue": record.get("price"),
            "recurringCost": record.get("cost"),
            "recurringOneTimeFlag": False,
            "recurringBillCycle": _ref(1, "Monthly", "billingCycle", f"{api}/finance/billingCycles/1"),
            "recurringCycleType": "CalendarYear",
            "calculatedPriceFlag": False,
            "calculatedCostFlag": False,
            "billableOption": "Billable",
            "_info": dict(info),
            "customFields": [],
        }
    )


# Fields `render_addition` answers exactly as stored (`record.get(name)`): a condition on these alone
# gives the same result on the stored record as on its rendering, so a list can filter first and
# render only what matched (an agreement with years of history, read one month at a time).
ADDITION_STORED_FIELDS: Final = _names(
    "id quantity unitPrice unitCost billCustomer effectiveDate cancelledDate serialNumber "
    "invoiceDescription agreementId description uom sequenceNumber"
)


def render_addition(store: Store, record: Record, api: str) -> dict[str, object]:
    product = record.get("product")
    product_id = product.get("id") if isinstance(product, dict) else None
    item = store.catalog.get(product_id) if isinstance(product_id, int) else None
    agreement_id = record["agreementId"]
    agreement = store.agreements.get(agreement_id) if isinstance(agreement_id, int) else None
    quantity, price, cost = record.get("quantity"), record.get("unitPrice"), record.get("unitCost")
    ext_price = _times(quantity, price)
    ext_cost = _times(quantity, cost)
    margin = add(ext_price, -ext_cost) if ext_price is not None and ext_cost is not None else None
    return _present(
        {
            "id": record["id"],
            "product": None
            if item is None
            else {
                "id": item["id"],
                "identifier": item["identifier"],
                "_info": {"product_href": f"{api}/procurement/catalog/{item['id']}"},
            },
            "quantity": quantity,
            "lessIncluded": record.get("lessIncluded", ZERO),
            "unitPrice": price,
            "unitCost": cost,
            "billCustomer": record.get("billCustomer"),
            "effectiveDate": record.get("effectiveDate"),
            "cancelledDate": record.get("cancelledDate"),
            "taxableFlag": bool(record.get("taxableFlag", False)),
            "serialNumber": record.get("serialNumber"),
            "invoiceDescription": record.get("invoiceDescription"),
            "purchaseItemFlag": bool(record.get("purchaseItemFlag", False)),
            "specialOrderFlag": bool(record.get("specialOrderFlag", False)),
            "agreementId": agreement_id,
            "description": record.get("description"),
            "billedQuantity": quantity,
            "uom": record.get("uom"),
            "extPrice": ext_price,
            "extCost": ext_cost,
            "sequenceNumber": record.get("sequenceNumber"),
            "margin": margin,
            **dict.fromkeys(("prorateCost", "proratePrice", "extendedProrateCost", "extendedProratePrice")),
            "prorateCurrentPeriodFlag": bool(record.get("prorateCurrentPeriodFlag", False)),
            "opportunity": record.get("opportunity"),
            "agreementStatus": agreement.get("agreementStatus", "Active") if agreement else None,
            "invoiceGrouping": record.get("invoiceGrouping"),
            "_info": dict(_info(record)),
            "customFields": record.get("customFields") or [],
        }
    )


def _times(a: object, b: object) -> Decimal | None:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return multiply(a, b)
    return None


def _info(record: Record) -> dict[str, object]:
    info = record.get("_info")
    return info if isinstance(info, dict) else {}
