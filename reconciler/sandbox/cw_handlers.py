"""The handlers of the ConnectWise collections: list, count, get, and the writes.

A `Collection` names a store table, its fields (for conditions and orderBy) and its renderer;
`CwContext` carries one request, the store and a cache of rendered records (companies, agreements
and catalog items change only by POST, so a rendering keyed by id and lastUpdated stays right).
Lists render, filter, sort and page (`listing`); writes go through `cw_create`/`cw_additions`, whose
refusals (`BodyError`) the router turns into their ConnectWise-shaped answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from reconciler.sandbox import conditions, cw_additions, cw_create, jsonio, listing
from reconciler.sandbox.cw_fields import BodyError, error_payload
from reconciler.sandbox.cw_render import (
    ADDITION_FIELDS,
    ADDITION_STORED_FIELDS,
    AGREEMENT_FIELDS,
    CATALOG_FIELDS,
    COMPANY_FIELDS,
    render_addition,
    render_agreement,
    render_catalog,
    render_company,
)
from reconciler.sandbox.state import Record, Store
from reconciler.sandbox.wire import JSON_TYPE, Request, Response, empty_response, json_response

Renderer = Callable[[Store, Record, str], dict[str, object]]


@dataclass(slots=True)
class Rendered:
    """A cached rendering, and its compact JSON once a list has sent it whole (never changed after)."""

    record: dict[str, object]
    json: str | None = None


RenderCache = dict[tuple[str, object, object, str], Rendered]


@dataclass(frozen=True, slots=True)
class Collection:
    resource: str  # how 404 messages name it
    kind: str  # Store table
    fields: frozenset[str]
    render: Renderer
    cacheable: bool  # additions change and are many: rendered per request instead


COMPANIES: Final = Collection("Company", "companies", COMPANY_FIELDS, render_company, True)
AGREEMENTS: Final = Collection("Agreement", "agreements", AGREEMENT_FIELDS, render_agreement, True)
ADDITIONS: Final = Collection("Addition", "additions", ADDITION_FIELDS, render_addition, False)
CATALOG: Final = Collection("Catalog item", "catalog", CATALOG_FIELDS, render_catalog, True)
_STORED_LOWER: Final = frozenset(name.lower() for name in ADDITION_STORED_FIELDS)


@dataclass
class CwContext:
    store: Store
    request: Request
    api: str  # absolute API base of this request, for hrefs
    cache: RenderCache = field(default_factory=dict)
    # this request's cached renderings by the id of their record, to find their JSON again
    cached: dict[int, Rendered] = field(default_factory=dict)

    def render(self, collection: Collection, record: Record) -> dict[str, object]:
        if not collection.cacheable:
            return collection.render(self.store, record, self.api)
        info = record.get("_info")
        key = (
            collection.kind,
            record.get("id"),
            info.get("lastUpdated") if isinstance(info, dict) else None,
            self.api,
        )
        rendered = self.cache.get(key)
        if rendered is None:
            if len(self.cache) > 100_000:
                self.cache.clear()
            rendered = self.cache[key] = Rendered(collection.render(self.store, record, self.api))
        self.cached[id(rendered.record)] = rendered
        return rendered.record

    def json_of(self, record: Mapping[str, object]) -> str:
        """`record`'s compact JSON; a cached rendering's is written once (agreements: ~80 fields each,
        sent again to every company-chunked list)."""
        rendered = self.cached.get(id(record))
        if rendered is None or rendered.record is not record:
            return jsonio.dumps(record)
        if rendered.json is None:
            rendered.json = jsonio.dumps(record)
        return rendered.json


Handler = Callable[[CwContext, tuple[int, ...]], Response]


def not_found(collection: Collection, record_id: int) -> Response:
    message = f"{collection.resource} with id {record_id} was not found."
    return json_response(404, error_payload("NotFound", message))


def _parse_body(context: CwContext) -> object:
    try:
        return jsonio.loads(context.request.body or b"null")
    except jsonio.JsonError:
        raise BodyError(
            json_response(400, error_payload("InvalidObject", "The request body is not valid JSON."))
        ) from None


# ------------------------------------------------------------------------------------------ handlers


def _records(context: CwContext, collection: Collection, ids: tuple[int, ...]) -> Iterable[Record] | None:
    if collection is ADDITIONS:
        return None if ids[0] not in context.store.agreements else context.store.additions_of(ids[0])
    table: dict[int, Record] = getattr(context.store, collection.kind)
    return table.values()


def _one(context: CwContext, collection: Collection, ids: tuple[int, ...]) -> Record | None:
    if collection is ADDITIONS:
        record = context.store.additions.get(ids[1])
        return record if record is not None and record.get("agreementId") == ids[0] else None
    table: dict[int, Record] = getattr(context.store, collection.kind)
    return table.get(ids[0])


def _selected(
    context: CwContext, collection: Collection, ids: tuple[int, ...]
) -> tuple[list[listing.Record], listing.ListQuery] | Response:
    records = _records(context, collection, ids)
    if records is None:
        return not_found(AGREEMENTS, ids[0])
    query = listing.parse_query(context.request, collection.fields)
    matches, condition = query.matches, query.condition
    if collection is ADDITIONS and matches is not None and condition is not None and _on_stored(condition):
        records = [r for r in records if matches(r)]
    rendered = [context.render(collection, r) for r in records]
    return listing.select(rendered, query), query


def _on_stored(node: conditions.Node) -> bool:
    """Whether `node` names only top-level fields an addition renders exactly as stored."""
    if isinstance(node, conditions.Junction):
        return all(_on_stored(operand) for operand in node.operands)
    return len(node.field) == 1 and node.field[0].lower() in _STORED_LOWER


def list_handler(collection: Collection) -> Handler:
    def handler(context: CwContext, ids: tuple[int, ...]) -> Response:
        selected = _selected(context, collection, ids)
        if isinstance(selected, Response):
            return selected
        records, query = selected
        page = listing.paginate(records, query, context.request)
        if query.fields is None:  # the same bytes as json_response's, from each record's own JSON
            body = "[" + ",".join(context.json_of(r) for r in page.records) + "]"
            headers = (("Content-Type", JSON_TYPE), ("Link", page.link))
            return Response(200, headers, body.encode("utf-8"))
        projected = [listing.project(r, query.fields) for r in page.records]
        return json_response(200, projected, [("Link", page.link)])

    return handler


def count_handler(collection: Collection) -> Handler:
    def handler(context: CwContext, ids: tuple[int, ...]) -> Response:
        selected = _selected(context, collection, ids)
        return selected if isinstance(selected, Response) else json_response(200, {"count": len(selected[0])})

    return handler


def get_handler(collection: Collection) -> Handler:
    def handler(context: CwContext, ids: tuple[int, ...]) -> Response:
        record = _one(context, collection, ids)
        if record is None:
            return not_found(collection, ids[-1])
        fields = listing.parse_fields(context.request.param("fields"))
        return json_response(200, listing.project(context.render(collection, record), fields))

    return handler


def _written(context: CwContext, collection: Collection, record: Record, status: int, path: str) -> Response:
    fields = listing.parse_fields(context.request.param("fields"))
    body = listing.project(context.render(collection, record), fields)
    headers = [("Location", f"{context.api}{path}/{record['id']}")] if status == 201 else []
    return json_response(status, body, headers)


def post_company(context: CwContext, ids: tuple[int, ...]) -> Response:
    record = context.store.insert("companies", cw_create.create_company(context.store, _parse_body(context)))
    return _written(context, COMPANIES, record, 201, "/company/companies")


def post_agreement(context: CwContext, ids: tuple[int, ...]) -> Response:
    record = context.store.insert(
        "agreements", cw_create.create_agreement(context.store, _parse_body(context))
    )
    return _written(context, AGREEMENTS, record, 201, "/finance/agreements")


def post_catalog(context: CwContext, ids: tuple[int, ...]) -> Response:
    record = context.store.insert(
        "catalog", cw_create.create_catalog_item(context.store, _parse_body(context))
    )
    return _written(context, CATALOG, record, 201, "/procurement/catalog")


def post_addition(context: CwContext, ids: tuple[int, ...]) -> Response:
    agreement = context.store.agreements.get(ids[0])
    if agreement is None:
        return not_found(AGREEMENTS, ids[0])
    record = context.store.insert(
        "additions", cw_additions.create(context.store, agreement, _parse_body(context))
    )
    return _written(context, ADDITIONS, record, 201, f"/finance/agreements/{ids[0]}/additions")


def _existing_addition(context: CwContext, ids: tuple[int, ...]) -> tuple[Record, Record] | Response:
    agreement = context.store.agreements.get(ids[0])
    if agreement is None:
        return not_found(AGREEMENTS, ids[0])
    existing = _one(context, ADDITIONS, ids)
    return not_found(ADDITIONS, ids[1]) if existing is None else (agreement, existing)


def put_addition(context: CwContext, ids: tuple[int, ...]) -> Response:
    found = _existing_addition(context, ids)
    if isinstance(found, Response):
        return found
    agreement, existing = found
    record = cw_additions.replace(context.store, agreement, existing, _parse_body(context))
    return _written(context, ADDITIONS, context.store.replace_addition(ids[1], record), 200, "")


def patch_addition(context: CwContext, ids: tuple[int, ...]) -> Response:
    found = _existing_addition(context, ids)
    if isinstance(found, Response):
        return found
    agreement, existing = found
    record, ignored = cw_additions.patch(context.store, agreement, existing, _parse_body(context))
    response = _written(context, ADDITIONS, context.store.replace_addition(ids[1], record), 200, "")
    if ignored:  # not ConnectWise's: says which paths the "false 200" skipped, for whoever debugs
        warning = ("x-sandbox-ignored-patch-paths", ", ".join(ignored))
        return Response(response.status, (*response.headers, warning), response.body)
    return response


def delete_addition(context: CwContext, ids: tuple[int, ...]) -> Response:
    found = _existing_addition(context, ids)
    if isinstance(found, Response):
        return found
    context.store.delete_addition(ids[1])
    return empty_response(204)
