"""A real ConnectWise client, pyconnectwise, unchanged, against the served sandbox over real HTTP(S).

pyconnectwise builds every URL as `https://{manage_url}/…` (it cannot be pointed at plain http), so
the sandbox serves TLS here with a throw-away self-signed certificate for 127.0.0.1, and requests —
pyconnectwise's HTTP library — is told to trust it through its documented `REQUESTS_CA_BUNDLE`
variable. Nothing in pyconnectwise is patched or subclassed.
"""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.sandbox import Sandbox, serve_in_thread
from reconciler.sandbox.cw_render import render_addition, render_agreement, render_catalog, render_company
from reconciler.sandbox.seeds import load_seed
from tests.sandbox.helpers import DEMO

pytestmark = [
    pytest.mark.skipif(
        shutil.which("openssl") is None, reason="needs the openssl command for a test certificate"
    ),
    # pyconnectwise's generated models use pydantic v1-style Field(example=...): not ours to fix.
    pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecatedSince20"),
]


def pyconnectwise_models() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyconnectwise.models import manage

    return manage


@pytest.fixture
def client(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Sandbox]]:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate[0]))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    for proxy in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(proxy, raising=False)
    pyconnectwise_models()
    from pyconnectwise import ConnectWiseManageAPIClient

    sandbox = Sandbox(load_seed("demo"))
    with serve_in_thread(sandbox, tls=certificate) as url:
        manage_url = url.removeprefix("https://")
        yield (
            ConnectWiseManageAPIClient(
                DEMO.cw_company_id, manage_url, DEMO.cw_client_id, DEMO.cw_public_key, DEMO.cw_private_key
            ),
            sandbox,
        )


def test_pyconnectwise_discovers_the_codebase_and_lists_companies_and_agreements(
    client: tuple[Any, Sandbox],
) -> None:
    cw, _ = client
    assert cw.codebase == "v4_6_release/"
    assert [c.identifier for c in cw.company.companies.get()] == ["ACME", "BETA", "GAMMA", "DELTA", "EPSILON"]
    agreements = cw.finance.agreements.get(params={"conditions": 'company/identifier="EPSILON"'})
    assert [(a.id, a.name, a.company.identifier) for a in agreements] == [
        (5, "Managed Backup Service", "EPSILON")
    ]
    assert cw.finance.agreements.count.get().count == 5


def test_pyconnectwise_reads_an_agreements_additions_and_pages_with_the_link_header(
    client: tuple[Any, Sandbox],
) -> None:
    cw, _ = client
    additions = cw.finance.agreements.id(3).additions.get()
    assert [(a.id, a.quantity, a.serial_number, a.product.identifier) for a in additions] == [
        (6, 7.0, "cwbill:servers:4cf217e3", "MBS-SERVER"),
        (7, 8.0, "cwbill:servers:9b2b3766", "MBS-SERVER"),
        (8, 8.0, "cwbill:servers:9b2b3766", "MBS-SERVER"),
        (9, 8.0, "cwbill:servers:9d1aa903", "MBS-SERVER"),
    ]
    pages = cw.company.companies.paginated(1, 2)
    assert (pages.has_next_page, pages.last_page) == (True, 3)
    assert [c.id for c in pages.all()] == [1, 2, 3, 4, 5]


def test_pyconnectwise_creates_an_addition(client: tuple[Any, Sandbox]) -> None:
    cw, sandbox = client
    created = cw.finance.agreements.id(5).additions.post(
        data={
            "product": {"identifier": "MBS-STORAGE-TB"},
            "billCustomer": "Billable",
            "quantity": 2.4,
            "effectiveDate": "2026-10-01T00:00:00Z",
        }
    )
    assert (created.id, created.unit_price, created.ext_price) == (10, 30.0, 72.0)
    assert created.invoice_description == "Cloud backup storage, per TB stored"
    assert str(sandbox.store.additions[10]["quantity"]) == "2.4", "the float pyconnectwise sent, kept exact"


def test_pyconnectwise_surfaces_the_billing_start_error(client: tuple[Any, Sandbox]) -> None:
    cw, _ = client
    from pyconnectwise.exceptions import MalformedRequestException

    with pytest.raises(MalformedRequestException) as caught:
        cw.finance.agreements.id(4).additions.post(
            data={"product": {"id": 2}, "billCustomer": "NoCharge", "effectiveDate": "2026-11-01T00:00:00Z"}
        )
    assert "effectiveDate cannot be less than the agreement billing start date." in caught.value.response.text


def test_every_rendered_record_validates_against_pyconnectwise_models() -> None:
    manage = pyconnectwise_models()
    store = load_seed("demo")
    api = "https://sandbox.test/v4_6_release/apis/3.0"
    for record in store.companies.values():
        manage.Company.model_validate(render_company(store, record, api))
    for record in store.agreements.values():
        manage.Agreement.model_validate(render_agreement(store, record, api))
    for record in store.catalog.values():
        manage.CatalogItem.model_validate(render_catalog(store, record, api))
    for record in store.additions.values():
        manage.Addition.model_validate(render_addition(store, record, api))
