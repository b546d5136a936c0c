"""The sandbox's speed-ups for the benchmark answer byte for byte what the plain path answers.

Three shortcuts serve the benchmark's load (reconciler/sandbox): an addition list whose conditions
name only fields rendered as stored is filtered before rendering; a list without `fields` is written
from each cached record's own JSON; `in (…)` over strings is a set lookup. Each is compared here
with the path it short-cuts, forced by a condition or parameter that selects the same records.
"""

from __future__ import annotations

import httpx
import pytest

from reconciler.sandbox import Sandbox
from reconciler.sandbox.cw_render import AGREEMENT_FIELDS
from reconciler.sandbox.generator import GeneratorSpec, generate
from tests.sandbox.helpers import cw_client

OCTOBER = "effectiveDate>=[2026-10-01T00:00:00Z] and effectiveDate<[2026-11-01T00:00:00Z]"


@pytest.fixture(scope="module")
def client() -> httpx.Client:
    return cw_client(Sandbox(generate(GeneratorSpec(30, 4, seed=3))))


def _get(client: httpx.Client, path: str, **params: str) -> httpx.Response:
    response = client.get(path, params={"pageSize": "1000", **params})
    assert response.status_code == 200, response.text
    return response


@pytest.mark.parametrize(
    ("fast", "plain"),
    [
        (OCTOBER, f"{OCTOBER} and agreementStatus != 'no such status'"),
        (
            f"({OCTOBER}) or serialNumber like 'cwbill:storage:*'",
            f"({OCTOBER}) or product/identifier = 'MBS-STORAGE'",
        ),
        ("quantity > 5 and billCustomer = 'Billable'", "quantity > 5 and extPrice != null"),
        ("id in (3, 4, 5000)", "id in (3, 4, 5000) and margin != null"),
    ],
    ids=["a-month", "a-month-or-the-storage-lines", "numbers-and-strings", "ids"],
)
def test_additions_filtered_before_rendering_are_the_same(
    client: httpx.Client, fast: str, plain: str
) -> None:
    found = 0
    for agreement in (1, 7, 30):
        path = f"/finance/agreements/{agreement}/additions"
        quick, reference = _get(client, path, conditions=fast), _get(client, path, conditions=plain)
        assert quick.content == reference.content
        found += len(quick.json())
    assert found > 0  # the comparison was about something


def test_lists_written_from_cached_json_are_the_same_bytes(client: httpx.Client) -> None:
    every_field = ",".join(sorted(AGREEMENT_FIELDS))
    for _ in range(2):  # the second answer comes from the cache
        whole = _get(client, "/finance/agreements", conditions='company/identifier in ("C00002", "c00005")')
        projected = _get(
            client,
            "/finance/agreements",
            conditions='company/identifier in ("C00002", "c00005")',
            fields=every_field,
        )
        assert [record["company"]["identifier"] for record in whole.json()] == ["C00002", "C00005"]
        assert whole.content == projected.content


@pytest.mark.parametrize(
    ("condition", "identifiers"),
    [
        ('company/identifier in ("c00003", "C00001", null)', ["C00001", "C00003"]),
        ('company/identifier not in ("C00001", "C00002")', [f"C{n:05d}" for n in range(3, 31)]),
        ("company/identifier in (\"C00004\") and name = 'Managed Backup Service'", ["C00004"]),
    ],
    ids=["in-ignores-case-and-null", "not-in", "in-within-and"],
)
def test_in_over_strings_keeps_its_meaning(
    client: httpx.Client, condition: str, identifiers: list[str]
) -> None:
    records = _get(client, "/finance/agreements", conditions=condition).json()
    assert [record["company"]["identifier"] for record in records] == identifiers
