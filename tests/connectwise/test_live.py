"""cwbill reads a record the same whether an unset field is absent (the spec, the sandbox) or null
(older servers, other emulators)."""

from __future__ import annotations

import pytest

from reconciler.connectwise.live import parse_addition, parse_agreement, parse_catalog_item

ADDITION = {"id": 7, "product": {"id": 1, "identifier": "MBS-SERVER"}, "billCustomer": "Billable"}
AGREEMENT = {"id": 3, "name": "Managed Backup Service", "company": {"identifier": "ACME"}}
ITEM = {"id": 2, "identifier": "MBS-DESKTOP"}
UNSET = {
    "addition": ("quantity", "unitPrice", "unitCost", "effectiveDate", "cancelledDate", "invoiceDescription",
                 "serialNumber", "_info"),
    "agreement": ("startDate", "billStartDate", "endDate", "cancelledFlag", "dateCancelled"),
    "catalog item": ("price", "cost", "inactiveFlag"),
}  # fmt: skip
PARSERS = {
    "addition": (lambda r: parse_addition(r, 1), ADDITION),
    "agreement": (parse_agreement, AGREEMENT),
    "catalog item": (parse_catalog_item, ITEM),
}


@pytest.mark.parametrize("kind", PARSERS)
def test_an_absent_field_and_a_null_one_read_alike(kind: str) -> None:
    parse, record = PARSERS[kind]
    with_nulls = {**record, **dict.fromkeys(UNSET[kind])}
    assert parse(with_nulls) == parse(record)  # type: ignore[operator]  # each parser takes its record
