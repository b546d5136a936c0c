"""Can cwbill reach ConnectWise, and may it read what it needs? (connectwise-api §0, §1, §6)

Each probe is one small GET (`pageSize=1&fields=id`) sent through the run's own client, so it meets
the same URL, headers and retries a plan does; its answer becomes a check: the URL answers, codebase
discovery (`/login/companyinfo/{company}`, sent without credentials as DG's clients do), the member
authenticates, and each read permission works. Nothing here writes — and so the write permission
cannot be verified: ConnectWise tells a missing Add/Edit/Delete level only by refusing a write (403),
and reading the member's security role (`/system/members`, `/system/securityRoles/{id}/settings`,
outside the paths cwbill uses) needs System-module rights a billing member should not hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import httpx

from reconciler.connectwise.client import ConnectWiseClient, error_message
from reconciler.doctor.model import Check, Status, skipped
from reconciler.errors import UserError
from reconciler.httpclient import RetriesExhausted, RetryPolicy, json_or_none, request_with_retries

QUICK = RetryPolicy(attempts=2, base_delay=0.5, timeout=15.0)  # a doctor waits less than a plan

# (check code, what is read, the path probed, the security setting it needs)
READS = (
    ("read-companies", "read companies", "/company/companies", "Companies › Company Maintenance"),
    ("read-agreements", "read agreements", "/finance/agreements", "Finance › Agreements"),
    ("read-catalog", "read the catalog", "/procurement/catalog", "Procurement › Product Catalog"),
)
ADDITIONS_SETTING = "Finance › Agreements"
WRITE_FIX = (
    "give the API member's security role Add, Edit and Delete on Finance › Agreements (agreement "
    "additions belong to it), besides Inquire on Companies › Company Maintenance, Finance › "
    "Agreements and Procurement › Product Catalog. A refused write is reported line by line at the "
    "first apply (403, exit 3) and harms nothing else; apply again once the role is fixed"
)


# every access check, in the order of the checklist: (code, title)
ACCESS_CHECKS = (
    ("connectwise-url", "ConnectWise URL answers"),
    ("connectwise-codebase", "codebase discovery (/login/companyinfo)"),
    ("connectwise-auth", "the API member authenticates"),
    *((code, f"permission: {what}") for code, what, _, _ in READS),
    ("read-additions", "permission: read additions"),
    ("write-additions", "permission: write additions (apply)"),
)


@dataclass(frozen=True, slots=True)
class Probe:
    status: int | None  # None: no answer at all
    message: str  # the API's own words, or why there was no answer
    body: object = None


def probe(client: ConnectWiseClient, path: str) -> Probe:
    """One small authenticated GET of `path`."""
    params = {"pageSize": "1", "fields": "id"}
    try:
        response = client.request("GET", path, params=params)
    except (RetriesExhausted, httpx.HTTPError, UserError) as exc:
        return Probe(None, str(exc))
    if response.status_code >= 400:
        return Probe(response.status_code, error_message(response))
    return Probe(response.status_code, "", json_or_none(response))


def discover(client: ConnectWiseClient) -> Probe:
    """`GET {site}/login/companyinfo/{company}` without credentials (connectwise-api §0)."""
    parts = urlsplit(client.base_url)
    url = f"{parts.scheme}://{parts.netloc}/login/companyinfo/{quote(client.credentials.company_id)}"
    try:
        response = request_with_retries(
            client.http, "GET", url, policy=QUICK, headers={"Accept": "application/json"}
        )
    except (RetriesExhausted, httpx.HTTPError, UserError) as exc:
        return Probe(None, str(exc))
    return Probe(response.status_code, error_message(response), json_or_none(response))


def url_check(client: ConnectWiseClient, discovery: Probe) -> Check:
    title = "ConnectWise URL answers"
    if discovery.status is None:
        return Check(
            "connectwise-url",
            title,
            Status.FAIL,
            f"no answer from {client.base_url} ({discovery.message})",
            "check connectwise.url in settings.yaml (or CW_URL): the api- host of your region, e.g. "
            "https://api-na.myconnectwise.net/v4_6_release/apis/3.0, and that this machine may reach it",
        )
    return Check("connectwise-url", title, Status.OK, f"{client.base_url} answers")


def codebase_check(client: ConnectWiseClient, discovery: Probe) -> Check:
    code, title = "connectwise-codebase", "codebase discovery (/login/companyinfo)"
    company = client.credentials.company_id
    info = discovery.body
    if discovery.status is None:
        return skipped(code, title, "not checked: the URL does not answer")
    if discovery.status != 200:
        return Check(
            code,
            title,
            Status.WARN,
            f"/login/companyinfo/{company} answered {discovery.status} ({discovery.message})",
            "nothing to do if the checks below pass; otherwise check the host of the URL",
        )
    if not isinstance(info, dict):
        return Check(
            code,
            title,
            Status.FAIL,
            f"ConnectWise knows no company {company!r} (companyinfo answered null)",
            "set CW_COMPANY_ID to the company id you log in to ConnectWise with",
        )
    codebase = str(info.get("Codebase") or "").strip("/")
    version = str(info.get("VersionCode") or "?")
    summary = f"company {info.get('CompanyName') or company!r}, codebase {codebase}/, version {version}"
    problems = _url_problems(client.base_url, codebase, info)
    if problems:
        return Check(code, title, Status.WARN, f"{summary}; {'; '.join(problems)}", URL_FIX)
    return Check(code, title, Status.OK, summary)


URL_FIX = "use https://api-<region>.myconnectwise.net/<codebase>/apis/3.0 in connectwise.url"


def _url_problems(base_url: str, codebase: str, info: dict[str, object]) -> list[str]:
    parts = urlsplit(base_url)
    problems: list[str] = []
    used = parts.path.strip("/").split("/", 1)[0]
    # v4_6_release works on every server (DG's own cloud examples use it); another one must match
    if codebase and used not in (codebase, "v4_6_release"):
        problems.append(f"the URL uses codebase {used}/, the server reports {codebase}/")
    cloud = info.get("IsCloud") in (True, "True", "true")
    if cloud and not (parts.hostname or "").startswith("api-"):
        problems.append("a cloud server answers API calls on its api- host only (DG)")
    return problems


def auth_check(client: ConnectWiseClient, first: Probe) -> Check:
    code, title = "connectwise-auth", "the API member authenticates"
    if first.status is None:
        return Check(code, title, Status.FAIL, f"no answer from the API ({first.message})", URL_FIX)
    if first.status == 401:
        return Check(
            code,
            title,
            Status.FAIL,
            f"ConnectWise rejected the credentials (401: {first.message})",
            "check CW_COMPANY_ID, CW_PUBLIC_KEY, CW_PRIVATE_KEY (an API member's key pair) and "
            "CW_CLIENT_ID (your integration's id from developer.connectwise.com)",
        )
    if first.status == 404:
        return Check(
            code,
            title,
            Status.FAIL,
            f"{client.base_url}: the API answered 404 ({first.message})",
            "check the codebase and /apis/3.0 in the URL; on cloud, wrong credentials can also "
            "answer 404 (DG)",
        )
    if first.status >= 400 and first.status != 403:
        return Check(code, title, Status.FAIL, f"the API answered {first.status} ({first.message})", URL_FIX)
    who = client.credentials.company_id
    return Check(code, title, Status.OK, f"authenticated as an API member of {who}")


def read_check(code: str, what: str, setting: str, answer: Probe) -> Check:
    title = f"permission: {what}"
    if answer.status == 403:
        return Check(
            code,
            title,
            Status.FAIL,
            f"refused (403: {answer.message})",
            f"give the API member's security role Inquire on {setting}",
        )
    if answer.status is None or answer.status >= 400:
        shown = "no answer" if answer.status is None else str(answer.status)
        return Check(code, title, Status.FAIL, f"the read failed ({shown}: {answer.message})", URL_FIX)
    return Check(code, title, Status.OK, f"{setting}: Inquire works")


def write_check() -> Check:
    return Check(
        "write-additions",
        "permission: write additions (apply)",
        Status.WARN,
        "cannot be verified without writing: ConnectWise reports a missing Add/Edit/Delete level "
        "only by refusing a write, and reading the member's security role needs System-module "
        "rights a billing member should not hold",
        WRITE_FIX,
    )


def check_access(client: ConnectWiseClient) -> tuple[list[Check], bool]:
    """The access checks, and whether every read works (the data checks need them)."""
    discovery = discover(client)
    checks = [url_check(client, discovery), codebase_check(client, discovery)]
    if discovery.status is None:
        why = "not checked: the URL does not answer"
        later = [(c, t) for c, t in ACCESS_CHECKS if c not in {check.code for check in checks}]
        return [*checks, *(skipped(c, t, why) for c, t in later[:-1]), write_check()], False
    answers = [probe(client, path) for _, _, path, _ in READS]
    checks.append(auth_check(client, answers[0]))
    authenticated = checks[-1].status is Status.OK
    for (code, what, _, setting), answer in zip(READS, answers, strict=True):
        checks.append(
            read_check(code, what, setting, answer)
            if authenticated
            else skipped(code, f"permission: {what}", "not checked: the member does not authenticate")
        )
    checks.append(_additions_check(client, answers[1], authenticated))
    checks.append(write_check())
    needed = [c for c in checks if c.code.startswith(("read-", "connectwise-auth"))]
    return checks, not any(c.status is Status.FAIL for c in needed)


def _additions_check(client: ConnectWiseClient, agreements: Probe, authenticated: bool) -> Check:
    code, title = "read-additions", "permission: read additions"
    if not authenticated:
        return skipped(code, title, "not checked: the member does not authenticate")
    found = agreements.body if isinstance(agreements.body, list) else []
    first = found[0].get("id") if found and isinstance(found[0], dict) else None
    if not isinstance(first, int):
        return skipped(code, title, "not checked: no agreement is readable to read additions of")
    answer = probe(client, f"/finance/agreements/{first}/additions")
    return read_check(code, "read additions", ADDITIONS_SETTING, answer)
