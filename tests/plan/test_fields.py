"""The managed fields' texts: display (plans) and normalised (the marker's digest), billing-rules §6."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from reconciler.plan.fields import Values, display, display_and_normalized, normalized

D = Decimal
OCTOBER = {"effectiveDate": dt.date(2026, 10, 1), "cancelledDate": dt.date(2026, 10, 31)}


@pytest.mark.parametrize(
    "values",
    [
        {},
        {
            "quantity": D("3"),
            "unitPrice": D("15.00"),
            "unitCost": D("8"),
            "billCustomer": "Billable",
            **OCTOBER,
        },
        {"quantity": D("12.50"), "unitPrice": D("0.0059"), "unitCost": D("1E+1"), "invoiceDescription": "x"},
        {"quantity": D("-0"), "unitPrice": D("-0.000"), "unitCost": None, "billCustomer": None},
        {"unitPrice": D("15.123456"), "quantity": D("0"), **OCTOBER},  # not in field order
        {"quantity": "3", "unitPrice": "15"},  # text where a number belongs: shown as it is
    ],
    ids=["nothing", "a whole line", "more places than the settings", "zeros and nulls", "any order", "text"],
)
@pytest.mark.parametrize("places", [0, 2, 4])
def test_display_and_normalized_at_once_are_each_alone(values: Values, places: int) -> None:
    shown, canonical = display_and_normalized(values, places)
    assert (shown, list(shown)) == (display(values, places), list(display(values, places)))
    assert (canonical, list(canonical)) == (normalized(values), list(normalized(values)))


def test_money_shows_at_least_the_settings_places_and_the_digest_none() -> None:
    shown, canonical = display_and_normalized({"quantity": D("3.0"), "unitPrice": D("15.5")}, 2)
    assert shown == {"quantity": "3", "unitPrice": "15.50"}
    assert canonical == {"quantity": "3", "unitPrice": "15.5"}
