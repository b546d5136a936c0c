"""read_import_input against the sandbox's in-process transport (demo seed): reads only."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from reconciler.connectwise.client import ConnectWiseClient, Credentials
from reconciler.engine.periods import Period
from reconciler.errors import UserError
from reconciler.importer.read import choose_agreements, read_import_input
from reconciler.sandbox import DEMO_CREDENTIALS, Sandbox, SandboxTransport
from reconciler.sandbox.seeds import load_seed
from tests.importer.builders import MBS

BASE = "http://127.0.0.1/v4_6_release/apis/3.0"  # in process: no socket is opened
OCT, NOV = Period(2026, 10), Period(2026, 11)


@pytest.fixture
def client() -> Iterator[ConnectWiseClient]:
    sandbox = Sandbox(load_seed("demo"))
    http = httpx.Client(transport=SandboxTransport(sandbox))
    yield ConnectWiseClient(http, BASE, Credentials.from_env(DEMO_CREDENTIALS))
    http.close()


def test_the_period_s_additions_of_the_company_are_read(client: ConnectWiseClient) -> None:
    read = read_import_input(client, "acme", None, NOV)
    assert (read.company, read.company_name) == ("ACME", "Acme Corp")
    assert [a.name for a in read.agreements] == ["Managed Backup Service"]
    assert sorted(a.id for a in read.additions) == [3, 4]  # November only: not June's or October's
    assert (
        read.catalog["MBS-DESKTOP"].customer_description
        == "Managed backup of a desktop (per activated license)"
    )
    assert client.requests_sent == 4  # company, agreements, one agreement's additions, catalog


@pytest.mark.parametrize(
    ("wanted", "ids"),
    [
        pytest.param(None, [1, 2], id="all agreements"),
        pytest.param("2", [2], id="by id"),
        pytest.param("Other", [2], id="by exact name"),
    ],
)
def test_agreements_are_chosen_by_id_or_name(wanted: str | None, ids: list[int]) -> None:
    agreements = (MBS, replace(MBS, id=2, name="Other"))
    assert [a.id for a in choose_agreements(agreements, wanted, "ACME")] == ids


@pytest.mark.parametrize(
    ("agreements", "wanted", "message"),
    [
        pytest.param((), None, "has no agreements", id="a company without agreements"),
        pytest.param((MBS,), "Nope", "no such agreement", id="an unknown name"),
        pytest.param(
            (MBS, replace(MBS, id=2)),
            MBS.name,
            "pass its id",
            id="a shared name",
        ),
    ],
)
def test_a_wrong_agreement_is_a_user_error(
    agreements: tuple[object, ...], wanted: str | None, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        choose_agreements(agreements, wanted, "ACME")  # type: ignore[arg-type]


def test_an_unknown_company_is_a_user_error(client: ConnectWiseClient) -> None:
    with pytest.raises(UserError, match="no company with that identifier"):
        read_import_input(client, "NOPE", None, OCT)
