"""Bytes → GB and the mapping of console rows to usage records (billing-rules §3, mbs-api §9)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.engine.periods import Period
from reconciler.usage.console_map import ConsoleState, UsageBuilder, gigabytes
from reconciler.usage.console_wire import ConsoleCompany, ConsoleUser, Destination, DetailRow, License
from tests.engine.builders import company, repository, storage
from tests.usage.fake_console import to_bytes

OCT = Period(2026, 10)


@pytest.mark.parametrize(
    ("count", "text"),
    [
        pytest.param(2**30, "1", id="one GiB is one GB"),
        pytest.param(10**9, "0.931323", id="10^9 bytes are not a GB (the console's unit is 2^30)"),
        pytest.param(1000 * 2**30, "1000", id="1000 GB, no trailing zeros"),
        pytest.param(0, "0", id="nothing"),
        pytest.param(537, "0.000001", id="half-up at the sixth place (537 / 2^30 = 0.00000050…)"),
        pytest.param(536, "0", id="below half of the sixth place"),
    ],
)
def test_gigabytes(count: int, text: str) -> None:
    assert str(gigabytes(count)) == text


@given(st.decimals(min_value=0, max_value=10**7, places=6, allow_nan=False, allow_infinity=False))
def test_six_decimal_gigabytes_survive_the_round_trip(amount: Decimal) -> None:
    assert gigabytes(to_bytes(str(amount))) == amount


def _state(licenses: list[License], users: list[ConsoleUser], packages: dict[int, Decimal]) -> ConsoleState:
    return ConsoleState([ConsoleCompany("c-1", "Acme Corp")], users, licenses, {"a-w": "Wasabi"}, packages)


@pytest.mark.parametrize(
    ("licenses", "counted"),
    [
        pytest.param([License("Server", "u1", True)] * 3, {"server": 3}, id="activated licenses are counted"),
        pytest.param([License("Server", "u1", False)], {}, id="trials and available licenses are not"),
        pytest.param(
            [License("Server", "u1", True), License("Desktop", "u2", True)],
            {"server": 1, "desktop": 1},
            id="summed over every user of the company",
        ),
        pytest.param([License("Server", "u9", True)], {}, id="a license of an unknown user counts nowhere"),
    ],
)
def test_license_counts(licenses: list[License], counted: dict[str, int]) -> None:
    users = [ConsoleUser("u1", "Acme Corp", ()), ConsoleUser("u2", "Acme Corp", ())]
    records = UsageBuilder(repository(company()), _state(licenses, users, {})).build([OCT], {})
    assert records[("Acme Corp", OCT)].licenses == counted


def test_the_limit_sums_the_packages_of_every_destination_on_the_account() -> None:
    users = [
        ConsoleUser("u1", "Acme Corp", (Destination("a-w", 1), Destination("a-w", 2))),
        ConsoleUser("u2", "Acme Corp", (Destination("a-w", 1), Destination("a-w", None))),
    ]
    state = _state([], users, {1: Decimal("100"), 2: Decimal("0.5")})
    details = {("u2", OCT): [DetailRow("a-w", to_bytes("1.25"), 0)]}
    records = UsageBuilder(repository(company()), state).build([OCT], details)
    # 100 + 0.5 + 100 GB of packages; 1.25 GB stored
    assert records[("Acme Corp", OCT)].storage == {"wasabi": storage("1.25", "0", "200.5")}


def test_a_limit_alone_is_still_usage() -> None:
    users = [ConsoleUser("u1", "Acme Corp", (Destination("a-w", 1),))]
    records = UsageBuilder(repository(company()), _state([], users, {1: Decimal("50")})).build([OCT], {})
    assert records[("Acme Corp", OCT)].storage == {"wasabi": storage("0", "0", "50")}
