"""The Management Console client against a console that serves the documented shapes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

import httpx
import pytest

from reconciler.engine.periods import Period
from reconciler.errors import UserError
from reconciler.httpclient import RetryPolicy
from reconciler.usage.console import fetch_usage
from reconciler.usage.model import Source, Usage
from reconciler.usage.snapshot import dump_usage
from tests.engine.builders import company, repository, storage
from tests.usage.fake_console import PASSWORD, USERNAME, FakeConsole, example_data

REPOSITORY = repository(company(), company(identifier="BETA", console_company="Beta Logistics"))
OCT, NOV = Period(2026, 10), Period(2026, 11)
URL = "https://console.example"
LISTS = [  # the calls of every pull: one login, each list once
    "POST /api/provider/login",
    "GET /api/companies",
    "GET /api/users",
    "GET /api/licenses",
    "GET /api/accounts",
    "GET /api/packages",
]


def _fetch(
    console: FakeConsole,
    periods: tuple[Period, ...] = (OCT,),
    *,
    password: str = PASSWORD,
    concurrency: int = 4,
) -> tuple[Usage, list[tuple[str, str, str, str]]]:
    sleeps: list[float] = []
    policy = RetryPolicy(attempts=3, sleep=sleeps.append)
    with httpx.Client(transport=console.transport()) as client:
        usage, warnings = fetch_usage(
            client, REPOSITORY, periods, USERNAME, password, policy, base_url=URL, concurrency=concurrency
        )
    return usage, [(w.code, w.company, w.period, w.message) for w in warnings]


def test_usage_of_each_configured_company() -> None:
    usage, warnings = _fetch(FakeConsole(), (OCT, NOV))
    acme_oct = usage.of("Acme Corp", OCT)
    assert acme_oct is not None
    # 3 taken Server licenses (a trial and an available one are not counted), 12 Desktop;
    # Wasabi: 1000 + 234.5 GB stored by two users, 20 GB restored, limit = packages 1500 + 500.
    assert acme_oct.licenses == {"desktop": 12, "server": 3}
    assert acme_oct.storage == {"wasabi": storage("1234.5", "20", "2000")}
    assert str(acme_oct.storage["wasabi"].stored) == "1234.5"
    # Licenses and limits are the console's current state: the same for every period pulled.
    acme_nov = usage.of("Acme Corp", NOV)
    assert acme_nov is not None
    assert acme_nov.licenses == acme_oct.licenses
    assert acme_nov.storage == {"wasabi": storage("1300.25", "0", "2000")}
    beta_oct, beta_nov = usage.of("Beta Logistics", OCT), usage.of("Beta Logistics", NOV)
    assert beta_oct is not None and beta_nov is not None
    assert beta_oct.storage == {"wasabi": storage("0.123457")}  # six places survive bytes → GB
    assert (beta_nov.licenses, beta_nov.storage) == ({"server": 2}, {})
    assert usage.of("Orphan Inc", OCT) is None
    assert len(usage.records) == 4
    assert warnings == [
        ("unmapped-console-company", "", "", "1 activated licenses belong to no user; not billed"),
        ("unmapped-console-company", "", "", "console company 'Orphan Inc' has no company file; not pulled"),
        (
            "unmapped-console-product",
            "ACME",
            "",
            "1 activated 'Hyper-V' licenses of 'Acme Corp' match no license product in products.yaml "
            "(console:); not billed",
        ),
        (
            "unmapped-console-product",
            "ACME",
            "2026-10",
            "5 GB stored and 0 GB restored on storage account 'Backblaze B2' of 'Acme Corp' matches no "
            "storage product in products.yaml (console:); not billed",
        ),
    ]


def test_the_digest_is_that_of_the_snapshot_text_without_provenance() -> None:
    def pulled_at(hour: int) -> Usage:
        moment = dt.datetime(2026, 11, 2, hour, tzinfo=dt.UTC)
        with httpx.Client(transport=FakeConsole().transport()) as client:
            return fetch_usage(
                client, REPOSITORY, [OCT], USERNAME, PASSWORD, base_url=URL, now=lambda: moment
            )[0]

    usage, again = pulled_at(6), pulled_at(9)
    figures = {k: dataclasses.replace(r, provenance=None, notes=()) for k, r in usage.records.items()}
    assert usage.digest == hashlib.sha256(dump_usage(Usage(figures)).encode()).hexdigest()
    # read at another moment, the same figures: the same digest (a saved plan is not stale for it)
    assert again.digest == usage.digest
    assert dump_usage(again) != dump_usage(usage)  # …though the snapshots say when they were read


def test_each_record_says_when_and_how_it_was_read() -> None:
    moment = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)
    with httpx.Client(transport=FakeConsole().transport()) as client:
        usage, _ = fetch_usage(
            client, REPOSITORY, [OCT], USERNAME, PASSWORD, base_url=URL, now=lambda: moment
        )
    acme = usage.of("Acme Corp", OCT)
    assert acme is not None and acme.provenance is not None
    assert (acme.provenance.source, acme.provenance.taken_at) == (Source.CONSOLE_API, moment)
    assert acme.provenance.methods["stored"] == "sum of SizeBackup for the month (PUT /api/Billing/Details)"
    assert acme.provenance.methods["licenses"].startswith("activated at taken_at")
    text = dump_usage(usage)
    assert '    taken_at: "2026-11-02T06:00:00Z"\n' in text and "    source: console-api\n" in text


def test_one_request_per_list_and_per_user_and_month() -> None:
    console = FakeConsole()
    _fetch(console, (OCT, NOV))
    # Billing/Details only for users of configured companies (u1, u2, u3), never Orphan Inc's u4.
    assert sorted(console.calls) == sorted(
        [
            *LISTS,
            *["PUT /api/billing/details"] * 6,
            *["PUT /api/billing"] * 2,  # who the console billed in each month (moved, deleted users)
        ]
    )
    assert console.logins == 1  # the token is cached for the run


def test_a_company_file_the_console_lacks_is_a_warning() -> None:
    repo = repository(company(), company(identifier="GONE", console_company="Gone Ltd"))
    with httpx.Client(transport=FakeConsole().transport()) as client:
        usage, warnings = fetch_usage(client, repo, [OCT], USERNAME, PASSWORD, base_url=URL)
    assert usage.of("Gone Ltd", OCT) is None  # no record: missing usage, not zero usage
    assert (
        "GONE",
        "console_company 'Gone Ltd' is not a company of the Management Console; no usage pulled",
    ) in [(w.company, w.message) for w in warnings if w.code == "unmapped-console-company"]


def test_an_expired_token_means_one_new_login() -> None:
    console = FakeConsole(revoke_after=2)
    usage, _ = _fetch(console)
    assert console.logins == 2
    assert usage.of("Acme Corp", OCT) is not None


@pytest.mark.parametrize(
    ("console", "password", "words"),
    [
        pytest.param(
            FakeConsole(),
            "wrong-password",
            (
                "refused the login (HTTP 400: The user name or password is incorrect. (invalid_grant))",
                "MBS_PASSWORD",
            ),
            id="bad credentials: the documented 400 invalid_grant",
        ),
        pytest.param(
            FakeConsole(always_refuse=True),
            PASSWORD,
            ("access refused after a new login (HTTP 401",),
            id="refused twice",
        ),
    ],
)
def test_refused_credentials_fail_without_naming_a_secret(
    console: FakeConsole, password: str, words: tuple[str, ...]
) -> None:
    with pytest.raises(UserError) as raised:
        _fetch(console, password=password)
    message = str(raised.value)
    for word in words:
        assert word in message
    for secret in (password, PASSWORD, "token-1", "token-2"):
        assert secret not in message
    assert console.logins <= 2


def test_rate_limits_and_server_errors_are_retried() -> None:
    console = FakeConsole(
        failures={
            "POST /api/provider/login": [503, 429],
            "GET /api/users": [429, 503],
            "PUT /api/billing/details": [502],
        }
    )
    usage, _ = _fetch(console)
    assert usage.of("Acme Corp", OCT) is not None
    assert console.calls.count("GET /api/users") == 3
    assert console.calls.count("POST /api/provider/login") == 3  # a login is safe to repeat


def test_a_persistent_server_error_names_the_route() -> None:
    console = FakeConsole(failures={"GET /api/licenses": [500, 500, 500]})
    with pytest.raises(UserError, match=r"GET /api/Licenses: HTTP 500: busy"):
        _fetch(console)


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        pytest.param(
            "users",
            {"not": "a list"},
            "GET /api/Users: expected a JSON array, got dict",
            id="an object for a list",
        ),
        pytest.param(
            "licenses",
            ["text"],
            "GET /api/Licenses: expected objects in the array, got str",
            id="strings in a list",
        ),
        pytest.param(
            "packages",
            [{"ID": "x1", "StorageLimit": 1}],
            "GET /api/Packages: ID is not a whole number",
            id="a bad id",
        ),
    ],
)
def test_unexpected_shapes_are_user_errors(key: str, value: object, words: str) -> None:
    data = example_data()
    data[key] = value
    with pytest.raises(UserError, match=words):
        _fetch(FakeConsole(data=data))


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://console.example", id="plain http to a remote host"),
        pytest.param("ftp://console.example", id="another scheme"),
    ],
)
def test_only_https_or_loopback(url: str) -> None:
    with (
        httpx.Client(transport=FakeConsole().transport()) as client,
        pytest.raises(UserError, match="https://"),
    ):
        fetch_usage(client, REPOSITORY, [OCT], USERNAME, PASSWORD, base_url=url)


def test_plain_http_to_loopback_is_allowed() -> None:
    with httpx.Client(transport=FakeConsole().transport()) as client:
        usage, _ = fetch_usage(
            client, REPOSITORY, [OCT], USERNAME, PASSWORD, base_url="http://127.0.0.1:8080"
        )
    assert usage.of("Acme Corp", OCT) is not None


def test_an_unreachable_console_is_a_user_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    policy = RetryPolicy(attempts=2, sleep=lambda _: None)
    with httpx.Client(transport=httpx.MockTransport(refuse)) as client, pytest.raises(UserError) as raised:
        fetch_usage(client, REPOSITORY, [OCT], USERNAME, PASSWORD, policy, base_url=URL)
    assert "no answer from https://console.example" in str(raised.value)
    assert PASSWORD not in str(raised.value)


@pytest.mark.parametrize(
    ("client_url", "explicit", "reached"),
    [
        pytest.param("http://127.0.0.1:7001", None, "127.0.0.1:7001", id="the client's own base_url"),
        pytest.param("http://127.0.0.1:7001", "http://127.0.0.1:7002", "127.0.0.1:7002", id="base_url wins"),
        pytest.param("", None, "api.mspbackups.com", id="else settings.console_url"),
    ],
)
def test_which_url_is_asked(client_url: str, explicit: str | None, reached: str) -> None:
    console = FakeConsole()
    hosts: list[str] = []

    def record(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.netloc.decode())
        return console.handle(request)

    with httpx.Client(transport=httpx.MockTransport(record), base_url=client_url) as client:
        fetch_usage(client, REPOSITORY, [OCT], USERNAME, PASSWORD, base_url=explicit)
    assert set(hosts) == {reached}


def test_all_companies_adds_the_companies_without_a_file_and_what_no_product_maps() -> None:
    console = FakeConsole()
    with httpx.Client(transport=console.transport()) as client:
        usage, warnings = fetch_usage(
            client, REPOSITORY, [OCT, NOV], USERNAME, PASSWORD, base_url=URL, all_companies=True
        )
    orphan = usage.of("Orphan Inc", OCT)
    assert orphan is not None and (orphan.licenses, orphan.storage) == ({"server": 1}, {})
    acme = usage.of("Acme Corp", OCT)
    assert acme is not None
    assert acme.unmapped_licenses == {"Hyper-V": 1}
    assert acme.unmapped_storage == {"Backblaze B2": storage("5")}
    assert acme.licenses == {"desktop": 12, "server": 3}  # what products.yaml maps is as without the flag
    assert len(usage.records) == 6
    # the digest is of what a plan bills: a plan made for leakage stays fresh for apply
    assert usage.digest == _fetch(FakeConsole(), (OCT, NOV))[0].digest
    assert "console company 'Orphan Inc' has no company file; pulled, not billed" in [
        w.message for w in warnings
    ]
    # one more Billing/Details per month for Orphan Inc's user, and no other call
    assert sorted(console.calls) == sorted(
        [*LISTS, *["PUT /api/billing/details"] * 8, *["PUT /api/billing"] * 2]
    )
