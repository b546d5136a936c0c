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
    """The fields a desired line manages (None-valued fields are not managed)."""
    values: dict[str, Value] = {
        "quantity": line.quantity,
        "unitPrice": line.unit_price,
        "unitCost": line.unit_cost,
        "billCustomer": line.bill_customer,
        "effectiveDate": line.effective_date,
        "cancelledDate": line.cancelled_date,
        "invoiceDescription": line.invoice_description,
    }
    return {name: value for name, value in values.items() if value is not None}


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
    return {name: values[name] for name in FIELD_ORDER if name in managed}


def _equal(a: Value, b: Value) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b  # by value: 15 == 15.0000
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return a == b


def differing(desired: Values, live: Values) -> tuple[str, ...]:
    """Managed fields (in field order) whose live value is not the desired one."""
    return tuple(
        name for name in FIELD_ORDER if name in desired and not _equal(desired[name], live.get(name))
    )


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
    shown: dict[str, str | None] = {}
    for name in FIELD_ORDER:
        if name not in values:
            continue
        value = values[name]
        if isinstance(value, Decimal) and name in MONEY_FIELDS:
            shown[name] = fixed(value, max(places, decimal_places(value)))
        else:
            shown[name] = _text(value)
    return shown
