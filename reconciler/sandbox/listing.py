"""List queries as ConnectWise answers them: conditions, orderBy, fields, paging and the Link header.

Parameter names ignore case (connectwise-api §2). Navigable paging takes `page` (from 1) and
`pageSize` (default 25, capped at 1000); the `Link` header always carries `last`, `next`/`prev` only
when they exist, `first` when not on page 1, with `page=` last in each URL (pyconnectwise's parser
relies on that) and every other parameter kept and percent-encoded. Forward-only paging
(`pagination-type: forward-only`) filters `id > pageId`, orders by id and links the next `pageId`
while more records remain; its `Link` is empty on the last page.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from reconciler.sandbox import condition_eval, conditions
from reconciler.sandbox.condition_compile import Predicate, compile_condition
from reconciler.sandbox.wire import Request

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 1000
_PAGING = frozenset({"page", "pagesize", "pageid"})

Record = Mapping[str, object]


class QueryError(ValueError):
    """A query parameter the sandbox cannot honour; answered with 400."""


@dataclass(frozen=True, slots=True)
class ListQuery:
    condition: conditions.Node | None = None
    matches: Predicate | None = None  # the condition compiled (None: every record)
    order_by: tuple[tuple[tuple[str, ...], bool], ...] = ()  # (field path, descending)
    fields: tuple[tuple[str, ...], ...] | None = None
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    forward_only: bool = False
    page_id: int = 0


def parse_query(request: Request, known_fields: Collection[str]) -> ListQuery:
    """The list parameters of `request`; QueryError/ConditionError for what cannot be parsed."""
    params = {name.lower(): value for name, value in request.query}  # the last one wins (param)
    condition, matches = None, None
    text = params.get("conditions")
    if text and text.strip():
        condition, matches = _condition(text, frozenset(known_fields))
    forward_only = (request.headers.get("pagination-type") or "").strip().lower() == "forward-only"
    order_by = _parse_order_by(params.get("orderby") or "", known_fields)
    if forward_only and order_by:
        raise QueryError("orderBy cannot be used with forward-only pagination (results are ordered by id)")
    page_size = _integer(params.get("pagesize"), "pageSize", DEFAULT_PAGE_SIZE)
    return ListQuery(
        condition=condition,
        matches=matches,
        order_by=order_by,
        fields=parse_fields(params.get("fields")),
        page=max(1, _integer(params.get("page"), "page", 1)),
        page_size=min(MAX_PAGE_SIZE, page_size if page_size > 0 else DEFAULT_PAGE_SIZE),
        forward_only=forward_only,
        page_id=_integer(params.get("pageid"), "pageId", 0),
    )


@functools.lru_cache(maxsize=256)
def _condition(text: str, known_fields: frozenset[str]) -> tuple[conditions.Node, Predicate]:
    """A condition's checked AST and its predicate, by its text: a client sends the same few again
    and again (an agreement's additions for the plan's months, for each agreement). The AST is
    frozen and the predicate keeps no state, so both are shared; a refusal raises every time."""
    node = conditions.parse(text)
    conditions.check_fields(node, known_fields)
    return node, compile_condition(node)


def parse_fields(text: str | None) -> tuple[tuple[str, ...], ...] | None:
    if not text or not text.strip():
        return None
    return tuple(tuple(part.strip().split("/")) for part in text.split(",") if part.strip())


def _integer(text: str | None, name: str, default: int) -> int:
    if text is None or not text.strip():
        return default
    try:
        return int(text.strip())
    except ValueError:
        raise QueryError(f"{name} must be a whole number, got {text!r}") from None


def _parse_order_by(text: str, known: Collection[str]) -> tuple[tuple[tuple[str, ...], bool], ...]:
    names = {name.lower() for name in known}
    keys: list[tuple[tuple[str, ...], bool]] = []
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        words = part.split()
        direction = words[1].lower() if len(words) == 2 else "asc"
        if len(words) > 2 or direction not in ("asc", "desc"):
            raise QueryError(f"orderBy {part!r} is not 'field asc' or 'field desc'")
        path = tuple(words[0].split("/"))
        if path[0].lower() not in names:
            raise QueryError(f"orderBy names an unknown field {words[0]!r}")
        keys.append((path, direction == "desc"))
    return tuple(keys)


def select(records: Iterable[Record], query: ListQuery) -> list[Record]:
    """Filtered and sorted records (by id unless orderBy says otherwise)."""
    matches = query.matches
    chosen = list(records) if matches is None else [r for r in records if matches(r)]
    if query.forward_only:
        chosen = [r for r in chosen if _id(r) > query.page_id]
    chosen.sort(key=_id)
    for path, descending in reversed(query.order_by):  # stable sorts, last key first
        chosen.sort(key=_key_of(path), reverse=descending)
    return chosen


def _key_of(path: tuple[str, ...]) -> Callable[[Record], tuple[int, int, object]]:
    def key(record: Record) -> tuple[int, int, object]:
        return _sort_key(condition_eval.resolve(record, path))

    return key


def _id(record: Record) -> int:
    value = record.get("id")
    return value if isinstance(value, int) else 0


def _sort_key(value: object) -> tuple[int, int, object]:
    # SQL Server sorts nulls first in ascending order; strings ignore case.
    if value is None:
        return (0, 0, 0)
    if isinstance(value, bool):
        return (1, 2, int(value))
    if isinstance(value, int | Decimal):
        return (1, 0, Decimal(value))
    return (1, 1, str(value).casefold())


@dataclass(frozen=True, slots=True)
class Page:
    records: list[Record]
    link: str


def paginate(selected: Sequence[Record], query: ListQuery, request: Request) -> Page:
    endpoint = request.url.split("?", 1)[0]
    kept = [(k, v) for k, v in request.query if k.lower() not in _PAGING]
    if query.forward_only:
        chunk = list(selected[: query.page_size])
        more = len(selected) > len(chunk)
        link = ""
        if chunk and more:
            url = _url(endpoint, [*kept, ("pageSize", str(query.page_size)), ("pageId", str(_id(chunk[-1])))])
            link = f'<{url}>; rel="next"'
        return Page(chunk, link)
    last = max(1, math.ceil(len(selected) / query.page_size))
    start = (query.page - 1) * query.page_size
    chunk = list(selected[start : start + query.page_size])
    rels: list[tuple[str, int]] = []
    if query.page > 1:
        rels += [("first", 1), ("prev", min(query.page - 1, last))]
    if query.page < last:
        rels.append(("next", query.page + 1))
    rels.append(("last", last))
    link = ", ".join(
        f'<{_url(endpoint, [*kept, ("pageSize", str(query.page_size)), ("page", str(number))])}>; rel="{rel}"'
        for rel, number in rels
    )
    return Page(chunk, link)


def _url(endpoint: str, params: Sequence[tuple[str, str]]) -> str:
    return f"{endpoint}?{'&'.join(_encoded(k, v) for k, v in params)}"


@functools.lru_cache(maxsize=1024)
def _encoded(key: str, value: str) -> str:
    """`key=value` percent-encoded, commas and quotes too: clients split the Link header on ","
    (pyconnectwise does). Remembered: every page of a list, and a client's every list of the same
    kind, link the same long `conditions` again (quote costs ~50 ns a character)."""
    return f"{quote(key, safe='')}={quote(value, safe='/')}"


def project(record: Record, fields: Sequence[tuple[str, ...]] | None) -> dict[str, object]:
    """A partial response: only the named fields (`company/id` keeps `{"company": {"id": …}}`)."""
    if fields is None:
        return dict(record)
    result: dict[str, object] = {}
    for key, value in record.items():
        wanted = [path[1:] for path in fields if path[0].lower() == key.lower()]
        if not wanted:
            continue
        if any(not rest for rest in wanted) or not isinstance(value, Mapping):
            result[key] = value
        else:
            result[key] = project(value, wanted)
    return result
