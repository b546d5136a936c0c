"""ConnectWise records as read, turned into plain frozen values (connectwise-api §4).

Parsing is lenient where the real API is known to vary (numbers as JSON numbers or numeric strings,
null or absent fields, date-times with or without a time part) and strict about what billing needs.
Numbers arrive as `Decimal` because every response is parsed with `parse_float=Decimal`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from reconciler.engine.model import AgreementInfo
from reconciler.engine.periods import Period

Record = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class LiveAddition:
    id: int
    agreement_id: int
    product: str  # catalog item identifier
    quantity: Decimal | None
    unit_price: Decimal | None
    unit_cost: Decimal | None
    bill_customer: str | None
    effective_date: dt.date | None
    cancelled_date: dt.date | None
    invoice_description: str | None
    serial_number: str | None
    last_updated: str  # _info.lastUpdated, the only concurrency token ConnectWise offers

    @property
    def period(self) -> Period | None:
        return Period.of(self.effective_date) if self.effective_date else None


@dataclass(frozen=True, slots=True)
class CatalogItem:
    id: int
    identifier: str
    price: Decimal | None
    cost: Decimal | None
    inactive: bool = False


def parse_date(value: object) -> dt.date | None:
    """`2026-11-01T00:00:00Z` (or a bare date) → date; None/"" → None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def parse_decimal(value: object) -> Decimal | None:
    # a float would mean a response parsed without parse_float=Decimal: a bug, not data
    assert not isinstance(value, float), "ConnectWise numbers must be parsed as Decimal"
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str) and value.strip():
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None


def _ref(record: Record, name: str) -> Mapping[str, object]:
    value = record.get(name)
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"not an id: {value!r}")
    return int(value)


def parse_addition(record: Record, agreement_id: int) -> LiveAddition:
    info = _ref(record, "_info")
    return LiveAddition(
        id=_int(record.get("id")),
        agreement_id=agreement_id,
        product=str(_ref(record, "product").get("identifier") or ""),
        quantity=parse_decimal(record.get("quantity")),
        unit_price=parse_decimal(record.get("unitPrice")),
        unit_cost=parse_decimal(record.get("unitCost")),
        bill_customer=_text(record.get("billCustomer")),
        effective_date=parse_date(record.get("effectiveDate")),
        cancelled_date=parse_date(record.get("cancelledDate")),
        invoice_description=_text(record.get("invoiceDescription")),
        serial_number=_text(record.get("serialNumber")),
        last_updated=str(info.get("lastUpdated") or info.get("dateEntered") or ""),
    )


def parse_agreement(record: Record) -> AgreementInfo:
    company = _ref(record, "company")
    return AgreementInfo(
        id=_int(record.get("id")),
        name=str(record.get("name") or ""),
        company=str(company.get("identifier") or ""),
        start_date=parse_date(record.get("startDate")),
        bill_start_date=parse_date(record.get("billStartDate")),
        end_date=parse_date(record.get("endDate")),
        cancelled=bool(record.get("cancelledFlag")),
        date_cancelled=parse_date(record.get("dateCancelled")),
    )


def parse_catalog_item(record: Record) -> CatalogItem:
    return CatalogItem(
        id=_int(record.get("id")),
        identifier=str(record.get("identifier") or ""),
        price=parse_decimal(record.get("price")),
        cost=parse_decimal(record.get("cost")),
        inactive=bool(record.get("inactiveFlag")),
    )
