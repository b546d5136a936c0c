"""Checking ConnectWise exchanges against the spec: request bodies, response bodies, query names.

`RecordingTransport` wraps any httpx transport (the sandbox's in-process one) and keeps every
exchange; `check_exchange` lists what in one exchange the spec does not allow, as `Violation`s:
- a request under `…/apis/3.0` whose method and path are no operation of the spec, or that names a
  query parameter the operation does not declare;
- a request body that does not validate against the operation's `requestBody` schema; for a PATCH
  also each operation's `value` against the patched property's schema (PatchOperation.value is .NET
  `object` in the spec, so the property is what says what the value may be) and its `path`;
- a 2xx status the operation does not declare, a body that does not validate against its schema
  (with `fields=` the answer is a projection, so `required` is not asked of it), a body on a 204;
- an error (4xx/5xx) whose body is not an `ErrorResponseMessage`. The spec declares no error
  responses on these operations; ErrorResponseMessage is the component it uses for errors.
`/login/companyinfo/{company}` is served outside `apis/3.0` and is not in the spec: not checked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit

import httpx

from tests.openapi.spec import Operation, Schema, definitions, find_operation, to_json_schema, validator

API_MARK: Final = "/apis/3.0"
ERROR_SCHEMA: Final = {"$ref": "#/components/schemas/ErrorResponseMessage"}


@dataclass(frozen=True, slots=True)
class Exchange:
    method: str
    url: str
    request_body: bytes
    status: int
    response_body: bytes

    @property
    def api_path(self) -> str | None:
        """The path after `…/apis/3.0`, or None for a request outside the API (companyinfo, console)."""
        path = urlsplit(self.url).path
        index = path.lower().find(API_MARK)
        return None if index < 0 else path[index + len(API_MARK) :] or "/"

    @property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.url).query, keep_blank_values=True)

    def __str__(self) -> str:
        return f"{self.method} {self.api_path} → {self.status}"


@dataclass(frozen=True, slots=True)
class Violation:
    exchange: str  # e.g. "GET /finance/agreements/1/additions → 200"
    where: str  # request | response | query | route
    pointer: str  # JSON path inside the body, "" for the whole
    message: str

    def __str__(self) -> str:
        at = f" at {self.pointer}" if self.pointer else ""
        return f"{self.exchange}: {self.where}{at}: {self.message}"


@dataclass
class RecordingTransport(httpx.BaseTransport):
    """Passes every request to `inner` and keeps the exchange (bodies read in full)."""

    inner: httpx.BaseTransport
    exchanges: list[Exchange] = field(default_factory=list)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        body = response.read()
        self.exchanges.append(
            Exchange(request.method, str(request.url), request.read(), response.status_code, body)
        )
        return httpx.Response(response.status_code, headers=response.headers, content=body, request=request)


def parse_body(raw: bytes) -> object:
    """A body as ConnectWise would read it: numbers exact (Decimal), never float."""
    return json.loads(raw, parse_float=Decimal)


def _pointer(path: Any) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path).lstrip(".")


def _validate(
    schema: Schema, instance: object, *, skip: frozenset[str] = frozenset()
) -> Iterator[tuple[str, str]]:
    for problem in validator(schema).iter_errors(instance):
        if problem.validator not in skip:
            yield _pointer(problem.absolute_path), problem.message


def _patch_values(operation: Operation, operations: object) -> Iterator[tuple[str, str]]:
    """Each PATCH operation's path names a property of the patched resource; its value fits it."""
    resource = operation.response_schema(200)
    assert resource is not None and "$ref" in resource

    properties = definitions()[resource["$ref"].rsplit("/", 1)[1]]["properties"]
    if not isinstance(operations, list):
        return
    for index, patch in enumerate(operations):
        if not isinstance(patch, dict):
            continue
        name = str(patch.get("path", "")).lstrip("/")
        if name not in properties:
            yield f"[{index}].path", f"{name!r} is not a property of the patched resource"
        elif patch.get("op") != "remove":
            for pointer, message in _validate(properties[name], patch.get("value")):
                yield f"[{index}].value{'.' + pointer if pointer else ''}", message


def check_exchange(exchange: Exchange) -> list[Violation]:
    path = exchange.api_path
    if path is None:
        return []
    name = str(exchange)
    operation = find_operation(exchange.method, path)
    if operation is None:
        return [Violation(name, "route", "", "no operation of the spec has this method and path")]
    found: list[Violation] = []
    declared = operation.parameters()
    for key, _ in exchange.query:
        if key.lower() not in declared:
            found.append(Violation(name, "query", key, "not a parameter of the operation"))
    found += _check_request(name, operation, exchange)
    found += _check_response(name, operation, exchange)
    return found


def _check_request(name: str, operation: Operation, exchange: Exchange) -> list[Violation]:
    schema = operation.request_schema()
    if schema is None:
        return (
            []
            if not exchange.request_body
            else [Violation(name, "request", "", "a body where the spec has none")]
        )
    try:
        body = parse_body(exchange.request_body)
    except ValueError as exc:
        return [Violation(name, "request", "", f"not JSON: {exc}")]
    problems = list(_validate(schema, body))
    if operation.method == "PATCH":
        problems += _patch_values(operation, body)
    return [Violation(name, "request", pointer, message) for pointer, message in problems]


def _check_response(name: str, operation: Operation, exchange: Exchange) -> list[Violation]:
    status = exchange.status
    if status >= 400:
        schema: Schema | None = to_json_schema(ERROR_SCHEMA)
    elif status not in operation.statuses():
        return [Violation(name, "response", "", f"status {status} is not a response of the operation")]
    else:
        schema = operation.response_schema(status)
    if schema is None:
        return [] if not exchange.response_body else [Violation(name, "response", "", "a body on a 204")]
    try:
        body = parse_body(exchange.response_body)
    except ValueError as exc:
        return [Violation(name, "response", "", f"not JSON: {exc}")]
    projected = any(key.lower() == "fields" for key, _ in exchange.query)
    skip = frozenset({"required"}) if projected else frozenset()
    return [Violation(name, "response", p, m) for p, m in _validate(schema, body, skip=skip)]


def check_all(exchanges: list[Exchange]) -> list[Violation]:
    return [violation for exchange in exchanges for violation in check_exchange(exchange)]
