"""The console's data built from a seed: bytes ↔ GB, snapshots of the latest month, stable ids."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from reconciler.engine.money import divide, quantize
from reconciler.sandbox.mbs_data import ConsoleCompany, ConsoleMonth, StorageAmounts, build_console, to_bytes

GB = Decimal(2**30)


@given(st.decimals(min_value=0, max_value=10**7, places=6, allow_nan=False, allow_infinity=False))
def test_any_gb_amount_with_six_decimals_survives_the_bytes_round_trip(gigabytes: Decimal) -> None:
    as_bytes = to_bytes(gigabytes)
    assert isinstance(as_bytes, int)
    assert quantize(divide(Decimal(as_bytes), GB), 6) == gigabytes


def test_bytes_round_half_up() -> None:
    assert to_bytes(Decimal("1")) == 2**30
    assert to_bytes(Decimal("0.0000000005")) == 1  # 0.537 bytes → 1
    assert to_bytes(Decimal("0.0000000004")) == 0


def months() -> tuple[ConsoleMonth, ...]:
    return (
        ConsoleMonth(
            "2026-10", {"Server": 3}, {"Wasabi": StorageAmounts(Decimal(1), Decimal(0), Decimal(500))}
        ),
        ConsoleMonth(
            "2026-09", {"Server": 1, "Desktop": 2}, {"B2": StorageAmounts(Decimal(2), Decimal(0), Decimal(9))}
        ),
    )


def test_licenses_and_packages_are_a_snapshot_of_the_latest_month_whatever_the_order() -> None:
    data = build_console([ConsoleCompany("Acme", months())])
    taken = [i for i in data.licenses if i["IsTaken"] and not i["IsTrial"]]
    assert [i["LicenseType"] for i in taken] == ["Server"] * 3
    assert [p["StorageLimit"] for p in data.packages] == [Decimal(500)]
    destinations = data.users[0]["DestinationList"]
    assert isinstance(destinations, list)
    assert [d["AccountDisplayName"] for d in destinations] == ["Wasabi", "B2"]
    assert [d["PackageID"] for d in destinations] == [1, None], (
        "an account without a limit in the latest month"
    )
    assert data.current_period == "2026-10"
    assert sorted(k.split("|")[1] for k in data.details) == ["2026-09", "2026-10"]


def test_ids_are_guids_derived_from_names_so_seeds_are_stable() -> None:
    first = build_console([ConsoleCompany("Acme", months())])
    second = build_console([ConsoleCompany("Acme", months())])
    assert first.to_document() == second.to_document()
    other = build_console([ConsoleCompany("Other", months())])
    assert first.companies[0]["Id"] != other.companies[0]["Id"]
    assert len(str(first.users[0]["ID"])) == 36


def test_a_company_without_usage_still_has_a_user_and_no_licenses() -> None:
    data = build_console([ConsoleCompany("Idle")])
    assert data.users[0]["DestinationList"] == [] and data.licenses == [] and data.current_period == ""
