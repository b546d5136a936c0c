"""List queries through the API: paging and the Link header, forward-only, conditions, orderBy, fields."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from reconciler.sandbox import Sandbox
from reconciler.sandbox.generator import GeneratorSpec, generate
from tests.sandbox.helpers import API, cw_client


@pytest.fixture(scope="module")
def sixty() -> Sandbox:
    return Sandbox(generate(GeneratorSpec(companies=60, months=1, seed=1)))


@pytest.fixture
def client(sixty: Sandbox) -> Iterator[httpx.Client]:
    with cw_client(sixty) as made:
        yield made


def links(response: httpx.Response) -> dict[str, str]:
    """rel → URL, parsed the way pyconnectwise does (split on ',', `page=N>; rel="x"`)."""
    found = {}
    for part in response.headers["link"].split(","):
        match = re.search(r'<([^>]*)>; rel="(.*?)"', part)
        assert match, part
        found[match.group(2)] = match.group(1)
    return found


def test_default_page_size_is_25_and_link_has_next_and_last_only(client: httpx.Client) -> None:
    response = client.get("/company/companies")
    assert [c["id"] for c in response.json()] == list(range(1, 26))
    assert response.headers["link"] == (
        f'<{API}/company/companies?pageSize=25&page=2>; rel="next", '
        f'<{API}/company/companies?pageSize=25&page=3>; rel="last"'
    )


def test_paging_walks_every_record_once_following_next(client: httpx.Client) -> None:
    seen: list[int] = []
    url: str | None = "/company/companies?pageSize=7&orderBy=identifier desc"
    pages = 0
    while url:
        response = client.get(url)
        seen += [c["id"] for c in response.json()]
        url = links(response).get("next")
        pages += 1
    assert pages == 9 and seen == list(range(60, 0, -1))


def test_middle_pages_link_first_prev_next_last_with_page_last(client: httpx.Client) -> None:
    response = client.get(
        "/company/companies", params={"page": 3, "pageSize": 10, "conditions": 'name like "Company%"'}
    )
    rels = links(response)
    assert list(rels) == ["first", "prev", "next", "last"]
    for rel, page in (("first", "1"), ("prev", "2"), ("next", "4"), ("last", "6")):
        assert rels[rel].endswith(f"&page={page}"), "page= comes last, right before '>'"
        query = dict(parse_qsl(urlsplit(rels[rel]).query))
        assert query == {"conditions": 'name like "Company%"', "pageSize": "10", "page": page}
    assert "%22Company%25%22" in rels["next"], "other parameters kept and percent-encoded"


def test_past_the_end_is_an_empty_page_and_single_page_still_links_last(client: httpx.Client) -> None:
    past = client.get("/company/companies", params={"page": 99, "pageSize": 50})
    assert past.status_code == 200 and past.json() == []
    assert links(past)["last"].endswith("page=2")
    single = client.get("/company/companies", params={"conditions": "id = 5"})
    assert (
        single.headers["link"]
        == f'<{API}/company/companies?conditions=id%20%3D%205&pageSize=25&page=1>; rel="last"'
    )
    nothing = client.get("/company/companies", params={"conditions": "id > 500"})
    assert nothing.json() == [] and links(nothing) == {
        "last": f"{API}/company/companies?conditions=id%20%3E%20500&pageSize=25&page=1"
    }


@pytest.mark.parametrize(
    ("page_size", "returned"),
    [("1000", 60), ("5000", 60), ("0", 25), ("-3", 25), ("2", 2)],
    ids=["the maximum", "over the maximum is capped", "zero means the default", "negative too", "small"],
)
def test_page_size_is_capped_at_1000(client: httpx.Client, page_size: str, returned: int) -> None:
    assert len(client.get("/company/companies", params={"pageSize": page_size}).json()) == returned


def test_a_page_size_over_1000_pages_by_1000(client: httpx.Client) -> None:
    assert "pageSize=1000&page=1" in client.get("/company/companies?pageSize=5000").headers["link"]


def test_parameter_names_ignore_case(client: httpx.Client) -> None:
    response = client.get("/company/companies?PAGESIZE=5&Page=2&ORDERBY=id desc&Fields=id")
    assert response.json() == [{"id": i} for i in range(55, 50, -1)]


def test_forward_only_paging_follows_page_id_until_the_link_is_empty(client: httpx.Client) -> None:
    headers = {"pagination-type": "forward-only"}
    seen: list[int] = []
    url = "/company/companies?pageSize=25&pageId=0&page=7&conditions=id != 13"
    while url:
        response = client.get(url, headers=headers)
        seen += [c["id"] for c in response.json()]
        url = response.headers["link"][1:].split(">", 1)[0] if response.headers["link"] else ""
        if url:
            assert response.headers["link"].endswith(f'pageId={seen[-1]}>; rel="next"')
    assert seen == [i for i in range(1, 61) if i != 13], "page is ignored; ids ascend; nothing twice"


def test_forward_only_refuses_order_by(client: httpx.Client) -> None:
    response = client.get("/company/companies?orderBy=name", headers={"pagination-type": "forward-only"})
    assert response.status_code == 400 and "forward-only" in response.json()["errors"][0]["message"]


def test_order_by_takes_several_keys_and_directions(demo: Sandbox) -> None:
    with cw_client(demo) as client:
        additions = client.get(
            "/finance/agreements/3/additions?orderBy=quantity desc, id asc&fields=id,quantity"
        ).json()
    assert additions == [
        {"id": 7, "quantity": 8},
        {"id": 8, "quantity": 8},
        {"id": 9, "quantity": 8},
        {"id": 6, "quantity": 7},
    ]


def test_order_by_puts_nulls_first_ascending(demo: Sandbox) -> None:
    with cw_client(demo) as client:
        ordered = client.get("/finance/agreements/1/additions?orderBy=serialNumber&fields=id").json()
    assert [a["id"] for a in ordered] == [1, 3, 2, 4]


def test_fields_gives_a_partial_response_with_nested_fields(demo: Sandbox) -> None:
    with cw_client(demo) as client:
        partial = client.get(
            "/finance/agreements", params={"fields": "id,company/identifier,type", "pageSize": 1}
        ).json()
        one = client.get("/finance/agreements/5", params={"fields": "name, company/id, nothing"}).json()
    assert partial == [{"id": 1, "type": partial[0]["type"], "company": {"identifier": "ACME"}}]
    assert partial[0]["type"]["name"] == "Managed Backup Service"
    assert one == {"name": "Managed Backup Service", "company": {"id": 5}}


def test_conditions_and_count_agree(demo: Sandbox) -> None:
    condition = (
        'product/identifier="MBS-SERVER" and effectiveDate>=[2026-11-01T00:00:00Z] '
        "and effectiveDate<[2026-12-01T00:00:00Z]"
    )
    with cw_client(demo) as client:
        listed = client.get("/finance/agreements/3/additions", params={"conditions": condition}).json()
        counted = client.get("/finance/agreements/3/additions/count", params={"conditions": condition}).json()
    assert [a["id"] for a in listed] == [9] and counted == {"count": 1}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"conditions": "id = "}, "expected a value, got the end of the conditions (at position 6)"),
        ({"conditions": "prodcut/id = 1"}, "unknown field 'prodcut/id'"),
        ({"conditions": "name > 5"}, "name: 'Company 00001' is not a number"),
        ({"orderBy": "name sideways"}, "orderBy 'name sideways' is not 'field asc' or 'field desc'"),
        ({"orderBy": "nme"}, "orderBy names an unknown field 'nme'"),
        ({"page": "two"}, "page must be a whole number, got 'two'"),
        ({"pageSize": "1.5"}, "pageSize must be a whole number, got '1.5'"),
    ],
)
def test_bad_queries_get_400_in_connectwise_format(
    client: httpx.Client, params: dict[str, str], message: str
) -> None:
    response = client.get("/company/companies", params=params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "InvalidObject"
    assert body["errors"][0]["message"] == message
    assert body["errors"][0]["field"] in ("conditions", "query")
