"""The console's answers in MSP360's documented sample shapes, read into typed rows.

The bodies below are the samples of MSP360's API documentation (the help pages' JSON samples, and
"Get Billing for Current Month" / "List Existing Packages" of its API guide), not invented ones, so
a reader that breaks on them breaks on the real console.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from reconciler.usage import console_wire as wire

BILLING_SAMPLE = """{
  "CurrentSpaceUsed": 77060622, "AverageSpaceUsed": 71852916, "TotalRestore": 0,
  "StatisticBilling": [
    {"UserId": "e9e498ce-4cec-4df7-83d4-c7065143795e", "Email": "user", "FirstName": "John",
     "LastName": "Techhead", "CompanyName": null, "AverageSpace": 0, "TotalVolumeRestore": 0,
     "PlanCost": 1.0, "StorageCost": 0.0, "RestoreCost": 0.0, "TotalCost": 1.0, "LicensesUsed": 0},
    {"UserId": "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "Email": "sample string 2",
     "FirstName": "sample string 3", "LastName": "sample string 4", "CompanyName": "sample string 5",
     "AverageSpace": 6, "TotalVolumeRestore": 7, "PlanCost": 8.0, "StorageCost": 9.0,
     "RestoreCost": 10.0, "TotalCost": 11.0, "LicensesUsed": 12}
  ]
}"""

PACKAGES_SAMPLE = """[{"ID": 20988, "Cost": 0.0, "Description": "10-gig limit", "Enabled": true,
  "Name": "10 gigs", "StorageLimit": 10.0, "isGlacierRestoreLimit": false, "RestoreLimit": -1.0,
  "GlacierRestoreType": 0, "UseRestoreLimit": true},
 {"ID": 7, "Cost": 0.0, "Description": "", "Enabled": true, "Name": "unlimited",
  "StorageLimit": -1.0, "isGlacierRestoreLimit": false, "RestoreLimit": -1.0,
  "GlacierRestoreType": 0, "UseRestoreLimit": false}]"""


def _json(text: str) -> object:
    return json.loads(text, parse_float=Decimal)


def test_billing_reads_the_documented_sample() -> None:
    billing = wire.billing(_json(BILLING_SAMPLE))
    assert (billing.current_space_used, billing.average_space_used) == (77060622, 71852916)
    assert billing.users == (
        wire.BillingUser("e9e498ce-4cec-4df7-83d4-c7065143795e", "user", "", 0, 0),  # CompanyName null
        wire.BillingUser("0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "sample string 2", "sample string 5", 6, 12),
    )
    assert wire.billing(None) == wire.Billing(0, 0, ())


def test_a_negative_package_limit_is_read_as_it_is_written() -> None:
    # the console's "unlimited" (-1.0, as RestoreLimit in the sample); console_map decides what it means
    assert wire.packages(_json(PACKAGES_SAMPLE)) == {20988: Decimal("10.0"), 7: Decimal("-1.0")}


@pytest.mark.parametrize(
    ("date", "expires"),
    [
        pytest.param("2027-12-31T00:00:00Z", dt.date(2027, 12, 31), id="the new samples' Z"),
        pytest.param("2019-08-28T14:06:23.78+00:00", dt.date(2019, 8, 28), id="the old samples' offset"),
        pytest.param(None, None, id="null: never expired"),
        pytest.param("soon", None, id="unreadable: never dropped for it"),
    ],
)
def test_date_expired(date: str | None, expires: dt.date | None) -> None:
    row = {"LicenseType": "Server", "UserID": "u1", "IsTaken": True, "IsTrial": False, "DateExpired": date}
    (license,) = wire.licenses([row])
    assert license.expires == expires


@pytest.mark.parametrize(
    ("expires", "counted"),
    [
        pytest.param(dt.date(2026, 10, 31), False, id="expired the day before the month: not counted"),
        pytest.param(dt.date(2026, 11, 1), True, id="expiring on the first day: counted"),
        pytest.param(dt.date(2026, 11, 15), True, id="expiring inside the month: counted"),
        pytest.param(None, True, id="no expiry: counted"),
    ],
)
def test_a_license_counts_for_a_month_unless_it_expired_before(
    expires: dt.date | None, counted: bool
) -> None:
    assert wire.License("Server", "u1", True, expires).active_in(dt.date(2026, 11, 1)) is counted
