"""Console products no product maps: an error when a billed company uses one, a warning otherwise."""

from __future__ import annotations

import pytest

from reconciler.doctor.console import unmapped_check
from reconciler.doctor.model import Status
from reconciler.usage.console_map import ConsoleState
from reconciler.usage.console_wire import ConsoleCompany, ConsoleUser, Destination, License
from tests.engine.builders import company, repository

ACME = ConsoleUser("u1", "Acme Corp", (Destination("a-w", None),))
OTHER = ConsoleUser("u2", "Zeta Inc", (Destination("a-b2", None),))
ACCOUNTS = {"a-w": "Wasabi"}


def _state(licenses: list[License], accounts: dict[str, str] = ACCOUNTS) -> ConsoleState:
    companies = [ConsoleCompany("c-1", "Acme Corp"), ConsoleCompany("c-2", "Zeta Inc")]
    return ConsoleState(companies, [ACME, OTHER], licenses, accounts, {})


CASES = {
    "every activated license type and account is mapped": (
        _state([License("Server", "u1", True)]),
        Status.OK,
        [],
    ),
    "an unmapped type only trials or free licenses have is never billed anyway": (
        _state([License("Hyper-V", "u1", False), License("Hyper-V", "", False)]),
        Status.OK,
        [],
    ),
    "a billed company's activated licenses of an unmapped type are dropped: an error": (
        _state(
            [License("Hyper-V", "u1", True), License("Hyper-V", "u1", True), License("Hyper-V", "u2", True)]
        ),
        Status.FAIL,
        ["license type 'Hyper-V': 3 activated (Acme Corp 2, Zeta Inc 1)"],
    ),
    "an unmapped type only companies without a file use: a warning": (
        _state([License("Hyper-V", "u2", True)]),
        Status.WARN,
        ["license type 'Hyper-V': 1 activated (Zeta Inc 1)"],
    ),
    "an unmapped account a billed company stores on: an error": (
        _state([], {"a-w": "Wasabi Hot"}),
        Status.FAIL,
        ["storage account 'Wasabi Hot' (AccountID a-w): used by Acme Corp"],
    ),
    "an unmapped account no billed company uses: a warning": (
        _state([], {**ACCOUNTS, "a-b2": "Backblaze B2 (EU)"}),
        Status.WARN,
        ["storage account 'Backblaze B2 (EU)' (AccountID a-b2): used by no company with a company file"],
    ),
}


@pytest.mark.parametrize(("state", "status", "records"), CASES.values(), ids=CASES.keys())
def test_unmapped_console_products(state: ConsoleState, status: Status, records: list[str]) -> None:
    check = unmapped_check(repository(company()), state)
    assert (check.status, list(check.records)) == (status, records)
