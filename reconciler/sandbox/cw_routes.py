"""The ConnectWise Manage routes: codebase discovery, authentication and the four collections.

`GET /login/companyinfo/{company}` needs no auth; everything under `/{codebase}/apis/3.0` (any
codebase: `v4_6_release`, `v2025_1`, …) needs `Authorization: Basic base64(company+public:private)`
and the `clientId` header (the sandbox's documented choice: required), else 401
`{"code":"Unauthorized",…}`. Routes ignore case and a trailing slash, as the real API does. Lists,
`/count` and get-by-id exist for companies, agreements, an agreement's additions and the catalog;
POST creates in each; additions also take PUT, PATCH and DELETE (other methods answer 405). The
handlers themselves live in `cw_handlers`; this module routes, authenticates and shapes errors.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from reconciler.sandbox import conditions, listing
from reconciler.sandbox.credentials import Credentials
from reconciler.sandbox.cw_fields import BodyError, error_payload
from reconciler.sandbox.cw_handlers import (
    ADDITIONS,
    AGREEMENTS,
    CATALOG,
    COMPANIES,
    Collection,
    CwContext,
    Handler,
    RenderCache,
    count_handler,
    delete_addition,
    get_handler,
    list_handler,
    patch_addition,
    post_addition,
    post_agreement,
    post_catalog,
    post_company,
    put_addition,
)
from reconciler.sandbox.cw_render import API_VERSION
from reconciler.sandbox.state import Store
from reconciler.sandbox.wire import Request, Response, json_response

CODEBASE: Final = "v4_6_release/"
API_PATH: Final = f"/{CODEBASE}apis/3.0"  # what follows the origin in a client's ConnectWise URL
_API: Final = re.compile(r"^/(?P<codebase>[^/]+)/apis/3\.0(?P<rest>/.*)?$", re.IGNORECASE)
_COMPANYINFO: Final = re.compile(r"^/(?:[^/]+/)?login/companyinfo/(?P<company>[^/]+)/?$", re.IGNORECASE)
COMMON_HEADERS: Final = (
    ("api-current-version", API_VERSION),
    ("Cache-Control", "no-cache"),
    ("Pragma", "no-cache"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("x-server-name", "cwbill-sandbox"),
)


@dataclass(frozen=True, slots=True)
class Route:
    template: str
    pattern: re.Pattern[str]
    methods: Mapping[str, Handler]


def route_template(method: str, path: str) -> str | None:
    """`GET /finance/agreements/{id}` for a ConnectWise path, or None when it is not one."""
    info = _COMPANYINFO.match(path)
    if info:
        return f"{method} /login/companyinfo/{{company}}"
    api = _API.match(path)
    if not api:
        return None
    found = _match((api.group("rest") or "/").rstrip("/") or "/")
    return f"{method} {found[0].template}" if found else f"{method} (unknown ConnectWise route)"


def handle(store: Store, credentials: Credentials, request: Request, cache: RenderCache) -> Response:
    info = _COMPANYINFO.match(request.path)
    if info:
        return _company_info(credentials, request, info.group("company"))
    api = _API.match(request.path)
    assert api is not None, "route_template() said this is a ConnectWise path"
    denied = _authenticate(credentials, request)
    if denied is not None:
        return _with_headers(denied)
    context = CwContext(store, request, f"{request.origin}/{api.group('codebase')}/apis/3.0", cache)
    return _with_headers(_dispatch(context, (api.group("rest") or "/").rstrip("/") or "/"))


def _with_headers(response: Response) -> Response:
    return Response(response.status, (*response.headers, *COMMON_HEADERS), response.body)


def _company_info(credentials: Credentials, request: Request, company: str) -> Response:
    if company.lower() != credentials.cw_company_id.lower():
        return json_response(200, None)  # an unknown company id gives JSON null (django-connectwise)
    return json_response(
        200,
        {
            "CompanyName": credentials.cw_company_id,
            "Codebase": CODEBASE,
            "VersionCode": f"v{API_VERSION}",
            "VersionNumber": "v4.6.10000",
            "CompanyID": credentials.cw_company_id,
            "IsCloud": False,
            "SiteUrl": request.origin.split("://", 1)[1],
        },
    )


def _unauthorized(message: str) -> Response:
    return json_response(401, error_payload("Unauthorized", message))


def _authenticate(credentials: Credentials, request: Request) -> Response | None:
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        return _unauthorized(
            "Authentication failed: send Basic authorization (companyId+publicKey:privateKey)."
        )
    try:
        user = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        user = ""
    if not credentials.cw_user_matches(user):
        return _unauthorized("Authentication failed: the company id or the API keys are not valid.")
    if not credentials.cw_client_matches(request.headers.get("clientid")):
        return _unauthorized("Authentication failed: a registered clientId header is required.")
    return None


def _dispatch(context: CwContext, rest: str) -> Response:
    found = _match(rest)
    if found is None:
        return json_response(404, {"code": "ConnectWiseApi", "message": "The endpoint does not exist."})
    route, ids = found
    handler = route.methods.get(context.request.method)
    if handler is None:
        message = f"The requested resource does not support http method '{context.request.method}'."
        return json_response(
            405, {"code": "ConnectWiseApi", "message": message}, [("Allow", ", ".join(route.methods))]
        )
    try:
        return handler(context, ids)
    except BodyError as refused:
        return refused.response
    except (conditions.ConditionError, listing.QueryError) as problem:
        return _bad_query(problem)


def _bad_query(problem: ValueError) -> Response:
    name = "conditions" if isinstance(problem, conditions.ConditionError) else "query"
    details = [{"code": "InvalidField", "message": str(problem), "resource": name, "field": name}]
    return json_response(400, error_payload("InvalidObject", f"The {name} parameter is invalid.", details))


def _routes() -> tuple[Route, ...]:
    table: list[tuple[str, Collection, Handler, dict[str, Handler]]] = [
        ("/company/companies", COMPANIES, post_company, {}),
        ("/finance/agreements", AGREEMENTS, post_agreement, {}),
        ("/finance/agreements/{id}/additions", ADDITIONS, post_addition,
         {"PUT": put_addition, "PATCH": patch_addition, "DELETE": delete_addition}),
        ("/procurement/catalog", CATALOG, post_catalog, {}),
    ]  # fmt: skip
    routes: list[Route] = []
    for base, collection, post, item_methods in table:
        pattern = re.escape(base).replace(r"\{id\}", r"(\d+)")
        routes += [
            Route(
                f"{base}/count", re.compile(f"^{pattern}/count$", re.I), {"GET": count_handler(collection)}
            ),
            Route(base, re.compile(f"^{pattern}$", re.I), {"GET": list_handler(collection), "POST": post}),
            Route(
                f"{base}/{{id}}",
                re.compile(rf"^{pattern}/(\d+)$", re.I),
                {"GET": get_handler(collection), **item_methods},
            ),
        ]
    return tuple(routes)


ROUTES: Final = _routes()


def _match(rest: str) -> tuple[Route, tuple[int, ...]] | None:
    for route in ROUTES:
        found = route.pattern.match(rest)
        if found:
            return route, tuple(int(group) for group in found.groups())
    return None
