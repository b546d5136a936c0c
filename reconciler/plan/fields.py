"""The managed fields of an addition: typed values, comparison, normalised and display text.

billing-rules §6: quantity, unitPrice, unitCost (unless `send: quantity`), billCustomer,
effectiveDate, cancelledDate, invoiceDescription (when sent). Numbers compare as decimals (15 ==
15.0000), dates as dates. What a configuration manages is exactly what its desired line sets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from decimal import Decimal

from reconciler.connectwise.live import LiveAddition
from reconciler.engine.model import DesiredAddition
from reconciler.engine.money import decimal_places, fixed, normalize
from reconciler.plan.marker import FIELD_ORDER

Value = Decimal | dt.date | str | None
Values = Mapping[str, Value]
MONEY_FIELDS = frozenset({"unitPrice", "unitCost"})


def desired_values(line: DesiredAddition) -> dict[str, Value]:
    """The fields a desired line manages (None-valued fields are not managed), in field order."""
    values: dict[str, Value] = {}
    if line.quantity is not None:
        values["quantity"] = line.quantity
    if line.unit_price is not None:
        values["unitPrice"] = line.unit_price
    if line.unit_cost is not None:
        values["unitCost"] = line.unit_cost
    if line.bill_customer is not None:
        values["billCustomer"] = line.bill_customer
    if line.effective_date is not None:
        values["effectiveDate"] = line.effective_date
    if line.cancelled_date is not None:
        values["cancelledDate"] = line.cancelled_date
    if line.invoice_description is not None:
        values["invoiceDescription"] = line.invoice_description
    return values


def live_values(addition: LiveAddition, managed: Collection[str] = FIELD_ORDER) -> dict[str, Value]:
    values: dict[str, Value] = {
        "quantity": addition.quantity,
        "unitPrice": addition.unit_price,
        "unitCost": addition.unit_cost,
        "billCustomer": addition.bill_customer,
        "effectiveDate": addition.effective_date,
        "cancelledDate": addition.cancelled_date,
        "invoiceDescription": addition.invoice_description,
    }
    if managed is FIELD_ORDER:
        return values
    return {name: values[name] for name in FIELD_ORDER if name in managed}


def differing(desired: Values, live: Values) -> tuple[str, ...]:
    """Managed fields (in field order) whose live value is not the desired one: decimals compare by
    value (15 == 15.0000), dates as dates, text as text."""
    return tuple(name for name in FIELD_ORDER if name in desired and desired[name] != live.get(name))


def _text(value: Value) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return normalize(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def normalized(values: Values) -> dict[str, str | None]:
    """Text for the marker digest: decimals without trailing zeros, dates YYYY-MM-DD."""
    return {name: _text(values.get(name)) for name in FIELD_ORDER if name in values}


def display(values: Values, places: int) -> dict[str, str | None]:
    """Text for plans: money with at least `places` decimals (more when the value has them)."""
    return {name: _shown(name, values[name], places) for name in FIELD_ORDER if name in values}


def display_and_normalized(
    values: Values, places: int
) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """`display(values, places)` and `normalized(values)` at once: outside money they are the same
    text, worked out once (a plan computes both for every line it writes)."""
    shown: dict[str, str | None] = {}
    canonical: dict[str, str | None] = {}
    for name in FIELD_ORDER:
        if name not in values:
            continue
        value = values[name]
        canonical[name] = text = _text(value)
        shown[name] = _money(value, places) if name in MONEY_FIELDS and isinstance(value, Decimal) else text
    return shown, canonical


def _shown(name: str, value: Value, places: int) -> str | None:
    if isinstance(value, Decimal) and name in MONEY_FIELDS:
        return _money(value, places)
    return _text(value)


def _money(value: Decimal, places: int) -> str:
    return fixed(value, max(places, decimal_places(value)))
