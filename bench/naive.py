"""The baseline: how a hand-written script reads the same data, for a ratio against cwbill.

It does what such scripts do (and what the GUI integration's API use suggests): list every agreement,
then, one agreement at a time, list all of its additions — no `conditions`, so every month of
history comes back — following the pages. Only the reads are timed: they are what a plan needs from
ConnectWise, and a script still has to compute the plan afterwards, so this is a lower bound on its
time. Page size 1000, the most the API gives (a script left at the default 25 would be slower still).
"""

from __future__ import annotations

import base64
import json
import re
import time
from dataclasses import dataclass
from decimal import Decimal

import httpx

from reconciler.sandbox import API_PATH
from reconciler.sandbox.credentials import DEMO_CREDENTIALS

_NEXT = re.compile(r'rel="next"')


@dataclass(frozen=True, slots=True)
class NaiveRun:
    requests: int
    records: int  # additions transferred
    wall: float  # seconds


def _headers() -> dict[str, str]:
    credentials = DEMO_CREDENTIALS
    token = f"{credentials['CW_COMPANY_ID']}+{credentials['CW_PUBLIC_KEY']}:{credentials['CW_PRIVATE_KEY']}"
    return {
        "Authorization": "Basic " + base64.b64encode(token.encode()).decode("ascii"),
        "clientId": credentials["CW_CLIENT_ID"],
    }


def _list(client: httpx.Client, path: str) -> tuple[list[dict[str, object]], int]:
    """Every record of a collection, page after page; and the requests it took."""
    records: list[dict[str, object]] = []
    page = 1
    while True:
        response = client.get(path, params={"pageSize": "1000", "page": str(page)})
        response.raise_for_status()
        batch = json.loads(response.content, parse_float=Decimal)
        records.extend(batch)
        if not batch or not _NEXT.search(response.headers.get("Link", "")):
            return records, page
        page += 1


def read_everything(origin: str) -> NaiveRun:
    """All agreements, then all additions of each, sequentially."""
    started = time.perf_counter()
    with httpx.Client(base_url=origin + API_PATH, headers=_headers(), timeout=60) as client:
        agreements, requests = _list(client, "/finance/agreements")
        records = 0
        for agreement in agreements:
            additions, sent = _list(client, f"/finance/agreements/{agreement['id']}/additions")
            requests += sent
            records += len(additions)
    return NaiveRun(requests, records, time.perf_counter() - started)
