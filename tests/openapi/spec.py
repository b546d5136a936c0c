"""ConnectWise's OpenAPI 3.0 extract (test data) as JSON Schema, and its operations by method and path.

The extract (`data/connectwise-openapi-2025.8-extract.json`, copied unchanged from
`../shared/domain`) is OpenAPI 3.0.1, whose Schema Object is not JSON Schema. `to_json_schema`
converts one node by OpenAPI 3.0's rules:
- `nullable: true` adds `null` to the type (and to an `enum`); without it `null` is refused;
- a `$ref` stands alone (OpenAPI 3.0 ignores its siblings), so a `$ref` property is never null;
- ConnectWise writes string limits in the description (`" Max length: 50;"`): they become
  `maxLength`, counted in UTF-16 code units (`validator`), the unit .NET and SQL Server count in;
- an object with `properties` and no `additionalProperties` allows no other property (the spec
  describes every property ConnectWise returns; an undefined one is a sandbox invention);
- a bare `{"type": "object"}` (PatchOperation.value, CustomFieldValue.value) is .NET's `object`
  rendered by Swashbuckle: any JSON value. A PATCH value is checked against the patched property's
  own schema instead (`conformance`).
Formats are checked: `date-time` (RFC 3339), `int32`, `double` (any finite number), `uuid`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final
from uuid import UUID

import jsonschema
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.protocols import Validator

EXTRACT: Final = Path(__file__).parent / "data" / "connectwise-openapi-2025.8-extract.json"
_REF_PREFIX: Final = "#/components/schemas/"
_MAX_LENGTH: Final = re.compile(r"Max length: (\d+);")
_DATE_TIME: Final = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?"
    r"(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$",
    re.IGNORECASE,
)
INT32: Final = (-(2**31), 2**31 - 1)
Schema = dict[str, Any]


def utf16_length(text: str) -> int:
    """Characters as .NET counts them: UTF-16 code units (an emoji outside the BMP counts 2).
    Counted per character, apart from `connectwise.limits.length` (which encodes), so that each
    checks the other."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


@cache
def load_extract() -> Mapping[str, Any]:
    document: Mapping[str, Any] = json.loads(EXTRACT.read_text(encoding="utf-8"))
    return document


def to_json_schema(node: Mapping[str, Any]) -> Schema:
    """One OpenAPI 3.0 Schema Object as a JSON Schema (2020-12) node; refs point into `$defs`."""
    if "$ref" in node:
        reference = str(node["$ref"])
        assert reference.startswith(_REF_PREFIX), reference
        return {"$ref": "#/$defs/" + reference.removeprefix(_REF_PREFIX)}
    if node.get("type") == "object" and "properties" not in node and "additionalProperties" not in node:
        return {}  # .NET `object`: any JSON value
    converted: Schema = {}
    for key in ("type", "enum", "format", "required"):
        if key in node:
            converted[key] = node[key]
    if "items" in node:
        converted["items"] = to_json_schema(node["items"])
    if "properties" in node:
        converted["properties"] = {name: to_json_schema(sub) for name, sub in node["properties"].items()}
        converted["additionalProperties"] = False
    if isinstance(node.get("additionalProperties"), Mapping):
        converted["additionalProperties"] = to_json_schema(node["additionalProperties"])
    limit = _MAX_LENGTH.search(str(node.get("description", "")))
    if limit:
        converted["maxLength"] = int(limit.group(1))
    if node.get("nullable") is True:
        converted["type"] = [converted["type"], "null"] if "type" in converted else ["null"]
        if "enum" in converted:
            converted["enum"] = [*converted["enum"], None]
    return converted


@cache
def definitions() -> Mapping[str, Schema]:
    schemas = load_extract()["components"]["schemas"]
    return {name: to_json_schema(schema) for name, schema in schemas.items()}


def _utf16_max_length(validator: Any, limit: int, instance: object, schema: Schema) -> Iterator[Any]:
    if isinstance(instance, str) and utf16_length(instance) > limit:
        yield jsonschema.ValidationError(
            f"{utf16_length(instance)} characters (UTF-16 code units), more than the maximum {limit}"
        )


def _checker() -> FormatChecker:
    checker = FormatChecker(formats=())

    @checker.checks("date-time")
    def date_time(value: object) -> bool:
        return not isinstance(value, str) or bool(_DATE_TIME.match(value))

    @checker.checks("int32")
    def int32(value: object) -> bool:
        return not isinstance(value, int) or INT32[0] <= value <= INT32[1]

    @checker.checks("double")
    def double(value: object) -> bool:
        try:
            return not isinstance(value, int | float) or abs(float(value)) < float("inf")
        except OverflowError:
            return False

    @checker.checks("uuid", raises=ValueError)
    def uuid(value: object) -> bool:
        return not isinstance(value, str) or bool(UUID(value))

    return checker


_OpenApiValidator = jsonschema.validators.extend(Draft202012Validator, {"maxLength": _utf16_max_length})


def validator(schema: Schema) -> Validator:
    """A validator of `schema` (a converted node) with every component schema in reach."""
    return _validator(json.dumps(schema, sort_keys=True))


@cache
def _validator(schema_json: str) -> Validator:  # one per schema: building one resolves every $def
    document = {**json.loads(schema_json), "$defs": dict(definitions())}
    checked: Validator = _OpenApiValidator(document, format_checker=_checker())
    return checked


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    template: str  # the spec's path, e.g. /finance/agreements/{parentId}/additions/{id}
    spec: Mapping[str, Any]

    def parameters(self) -> frozenset[str]:
        return frozenset(str(p["name"]).lower() for p in self.spec.get("parameters", []))

    def request_schema(self) -> Schema | None:
        content = self.spec.get("requestBody", {}).get("content", {})
        found = content.get("application/json")
        return None if found is None else to_json_schema(found["schema"])

    def response_schema(self, status: int) -> Schema | None:
        """The schema of a 2xx answer; None when the spec has no body for it (204)."""
        response = self.spec["responses"][str(status)]
        contents = list(response.get("content", {}).values())
        return to_json_schema(contents[0]["schema"]) if contents else None

    def statuses(self) -> frozenset[int]:
        return frozenset(int(code) for code in self.spec["responses"])


def _pattern(template: str) -> re.Pattern[str]:
    # every path parameter of these paths is an int32 id
    parts = [r"\d+" if part.startswith("{") else re.escape(part) for part in template.split("/")]
    return re.compile("^" + "/".join(parts) + "$", re.IGNORECASE)


@cache
def operations() -> tuple[tuple[re.Pattern[str], Operation], ...]:
    """Every operation; literal paths before templated ones (`…/additions/count` before `…/{id}`)."""
    found: list[tuple[int, re.Pattern[str], Operation]] = []
    for template, item in load_extract()["paths"].items():
        for method, spec in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                found.append(
                    (template.count("{"), _pattern(template), Operation(method.upper(), template, spec))
                )
    found.sort(key=lambda entry: entry[0])
    return tuple((pattern, operation) for _, pattern, operation in found)


def find_operation(method: str, path: str) -> Operation | None:
    """The operation for `method` on `path` (relative to `…/apis/3.0`), or None when the spec has none."""
    for pattern, operation in operations():
        if operation.method == method.upper() and pattern.match(path.rstrip("/")):
            return operation
    return None
