"""The Management Console (MBS provider API) routes, per the emulation contract (mbs-contract).

`POST /api/Provider/Login` trades the configured username/password for a bearer token; wrong ones
get the documented 400 `{"error": "invalid_grant", "error_description": …}` (MSP360's API
documentation, "Initial Authentication"), and a seed's `login_refusal` makes every login a 403 of
that kind (an IP address not allowed, API access turned off; their bodies are unconfirmed). Every
other route needs `Authorization: Bearer <token>` (scheme without case), else 401 with ASP.NET Web
API's default message. Routes ignore case; lists are bare, unpaged arrays with PascalCase names; an
unknown `/{id}` and an unknown billing user answer 200 `null`. `PUT /api/Billing` sums each user's
month (mbs-api §8.2) under the company it was billed to.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import Counter
from collections.abc import Callable
from typing import Final

from reconciler.sandbox import jsonio
from reconciler.sandbox.credentials import Credentials
from reconciler.sandbox.mbs_data import ConsoleData
from reconciler.sandbox.wire import Request, Response, json_response

DENIED: Final = {"Message": "Authorization has been denied for this request."}
INVALID_GRANT: Final = {
    "error": "invalid_grant",
    "error_description": "The user name or password is incorrect.",
}
# The 403 bodies are unconfirmed (mbs-api §2): the emulator's wording, for the client's hints.
REFUSALS: Final = {
    "ip-restricted": {"Message": "Access to the API is not allowed from IP address 203.0.113.7."},
    "api-disabled": {"Message": "API access is disabled for this provider."},
}
INVALID: Final = {"Message": "The request is invalid."}
TOKEN_LIFETIME: Final = 1_209_600  # two weeks (mbs-api §2)
_DATE: Final = re.compile(r"^(\d{4})-(\d{2})-\d{2}")
_LISTS: Final = {
    "companies": ("companies", "Id", "Companies"),
    "users": ("users", "ID", "Users"),
    "licenses": ("licenses", "ID", "Licenses"),
    "accounts": ("accounts", "AccountID", "Accounts"),
    "packages": ("packages", "ID", "Packages"),
}
_PATH: Final = re.compile(r"^/api/(?P<name>[A-Za-z]+)(?:/(?P<sub>[^/]+))?/?$", re.IGNORECASE)


class TokenBook:
    """Bearer tokens handed out since start (random; never derived from the credentials)."""

    def __init__(self) -> None:
        self._tokens: set[str] = set()
        self._lock = threading.Lock()

    def issue(self) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens.add(token)
        return token

    def valid(self, token: str) -> bool:
        with self._lock:
            return token in self._tokens


def route_template(method: str, path: str) -> str | None:
    found = _PATH.match(path)
    if not found:
        return None
    name, sub = found.group("name").lower(), found.group("sub")
    if name == "provider" and (sub or "").lower() == "login":
        return f"{method} /api/Provider/Login"
    if name == "billing" and (sub or "").lower() == "details":
        return f"{method} /api/Billing/Details"
    if name == "billing" and sub is None:
        return f"{method} /api/Billing"
    if name in _LISTS:
        canonical = _LISTS[name][2]
        return f"{method} /api/{canonical}" + ("/{id}" if sub else "")
    return f"{method} (unknown console route)"


def handle(console: ConsoleData, credentials: Credentials, tokens: TokenBook, request: Request) -> Response:
    template = route_template(request.method, request.path) or ""
    if template == "POST /api/Provider/Login":
        if console.login_refusal:
            return json_response(403, REFUSALS[console.login_refusal])
        return _login(credentials, tokens, request)
    if not _authorized(tokens, request):
        return json_response(401, DENIED)
    handler = _HANDLERS.get(template.split(" ", 1)[1] if " " in template else "")
    if handler is None:
        if template.endswith("(unknown console route)"):
            message = f"No HTTP resource was found that matches the request URI '{request.url}'."
            return json_response(404, {"Message": message})
        return json_response(
            405, {"Message": f"The requested resource does not support http method '{request.method}'."}
        )
    return handler(console, request, template.split(" ", 1)[0])


def _login(credentials: Credentials, tokens: TokenBook, request: Request) -> Response:
    try:
        body = jsonio.loads(request.body or b"null")
    except jsonio.JsonError:
        return json_response(400, INVALID)
    if not isinstance(body, dict):
        return json_response(400, INVALID)
    fields = {str(k).lower(): v for k, v in body.items()}
    if not credentials.mbs_matches(fields.get("username"), fields.get("password")):
        return json_response(400, INVALID_GRANT)
    return json_response(
        200, {"access_token": tokens.issue(), "token_type": "bearer", "expires_in": TOKEN_LIFETIME}
    )


def _authorized(tokens: TokenBook, request: Request) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and tokens.valid(token.strip())


def _list_handler(name: str) -> Callable[[ConsoleData, Request, str], Response]:
    attribute, key, _ = _LISTS[name]

    def handler(console: ConsoleData, request: Request, method: str) -> Response:
        if method != "GET":
            return json_response(
                405, {"Message": f"The requested resource does not support http method '{method}'."}
            )
        items: list[dict[str, object]] = getattr(console, attribute)
        found = _PATH.match(request.path)
        sub = found.group("sub") if found else None
        if sub is not None:
            return json_response(
                200, next((i for i in items if str(i.get(key, "")).lower() == sub.lower()), None)
            )
        if name == "licenses" and (request.param("isAvailable") or "").strip().lower() == "true":
            items = [i for i in items if i.get("IsTaken") is False]
        return json_response(200, items)

    return handler


def _put_fields(request: Request, method: str) -> dict[str, object] | Response:
    """A billing PUT's body, its names without case; the error answer when there is none."""
    if method != "PUT":
        return json_response(
            405, {"Message": f"The requested resource does not support http method '{method}'."}
        )
    try:
        body = jsonio.loads(request.body or b"null")
    except jsonio.JsonError:
        return json_response(400, INVALID)
    return {str(k).lower(): v for k, v in body.items()} if isinstance(body, dict) else {}


def _billing_details(console: ConsoleData, request: Request, method: str) -> Response:
    fields = _put_fields(request, method)
    if isinstance(fields, Response):
        return fields
    user_id, date = fields.get("userid"), fields.get("date")
    if not isinstance(user_id, str) or not user_id:
        return json_response(400, INVALID)
    period = _period(console, date)
    if period is None:
        return json_response(400, INVALID)
    user = next((u for u in console.users if str(u["ID"]).lower() == user_id.lower()), None)
    if user is None:
        return json_response(200, None)
    rows = console.details.get(f"{user['ID']}|{period}", [])
    return json_response(
        200,
        {
            "UserID": user["ID"],
            "TotalBackupBytes": sum(_int(r["SizeBackup"]) for r in rows),
            "TotalRestoreBytes": sum(_int(r["SizeRestore"]) for r in rows),
            "UserDetailList": rows,
        },
    )


def _billing(console: ConsoleData, request: Request, method: str) -> Response:
    """`PUT /api/Billing {CompanyName?, Date?}`: one row per user billed in the month (deleted users
    too), `CompanyName` the company it was billed to; sizes in bytes, as the samples show."""
    fields = _put_fields(request, method)
    if isinstance(fields, Response):
        return fields
    period = _period(console, fields.get("date"))
    if period is None:
        return json_response(400, INVALID)
    wanted = str(fields.get("companyname") or "")
    used = Counter(str(i["UserID"]) for i in console.licenses if i["IsTaken"] and not i["IsTrial"])
    rows = []
    for user in [*console.users, *console.deleted_users]:
        company = console.billed_as.get(str(user["ID"]), str(user["Company"]))
        if wanted and company.lower() != wanted.lower():
            continue
        key = f"{user['ID']}|{period}"
        space = console.averages.get(key, sum(_int(r["SizeBackup"]) for r in console.details.get(key, [])))
        rows.append(_statistic(user, company, space, used[str(user["ID"])]))
    current = sum(
        _int(u["SpaceUsed"])
        for u in console.users
        if not wanted or str(u["Company"]).lower() == wanted.lower()
    )
    return json_response(
        200,
        {
            "CurrentSpaceUsed": current,
            "AverageSpaceUsed": sum(_int(r["AverageSpace"]) for r in rows),
            "TotalRestore": 0,
            "StatisticBilling": rows,
        },
    )


def _statistic(user: dict[str, object], company: str, space: int, used: int) -> dict[str, object]:
    return {
        "UserId": user["ID"],
        "Email": user["Email"],
        "FirstName": user["FirstName"],
        "LastName": user["LastName"],
        "CompanyName": company or None,  # the samples show null for a user of no company
        "AverageSpace": space,
        "TotalVolumeRestore": 0,
        "PlanCost": 0,
        "StorageCost": 0,
        "RestoreCost": 0,
        "TotalCost": 0,
        "LicensesUsed": used,
    }


def _period(console: ConsoleData, date: object) -> str | None:
    """The month a billing `Date` selects (empty: the current one); None when it is no date."""
    if not isinstance(date, str) or not date.strip():
        return console.current_period
    match = _DATE.match(date.strip())
    return f"{match.group(1)}-{match.group(2)}" if match else None


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


_HANDLERS: Final[dict[str, Callable[[ConsoleData, Request, str], Response]]] = {
    **{f"/api/{canonical}": _list_handler(name) for name, (_, _, canonical) in _LISTS.items()},
    **{f"/api/{canonical}/{{id}}": _list_handler(name) for name, (_, _, canonical) in _LISTS.items()},
    "/api/Billing/Details": _billing_details,
    "/api/Billing": _billing,
}
