"""JSON Schema checks of loaded documents, reported as findings at the offending line.

The schemas ship inside the package (`reconciler/schemas/`, also reachable as the top-level
`schemas/` of the repository). Every file kind (settings, products, prices, company, usage,
sandbox-seed, plan) is checked here the same way: all errors at once, each at the position of the
value (or, for an unknown key, of the key itself), with a readable message. Valid data — nearly
always — is recognised by the compiled predicate of `reconciler.config.schemacheck` (≈ 30× faster);
jsonschema then runs only to explain what is invalid.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, cast

from reconciler.config.schemacheck import Check, Unsure, compile_schema
from reconciler.config.yamlload import Document, PathKey, format_path
from reconciler.errors import Finding, error

if TYPE_CHECKING:  # jsonschema (≈ 90 ms to import) is loaded only when some data is invalid
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

SCHEMA_KINDS = ("settings", "products", "prices", "company", "usage", "sandbox-seed", "plan")


def schema_text(kind: str) -> str:
    """The text of `schemas/<kind>.schema.json` as shipped in the package."""
    return resources.files("reconciler").joinpath("schemas", f"{kind}.schema.json").read_text("utf-8")


@cache
def load_schema(kind: str) -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(schema_text(kind)))


@cache
def _validator(kind: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    # the schemas ship with the package: tests/config/test_schemas.py checks each against the
    # metaschema once, instead of every run (≈ 10 ms a kind at start-up)
    return Draft202012Validator(load_schema(kind), format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def _predicate(kind: str) -> Check | None:
    return compile_schema(load_schema(kind))


def is_valid(data: object, kind: str) -> bool:
    """Whether `data` is valid against schema `kind`, when the compiled predicate can tell; False
    means "ask jsonschema", which alone explains what is wrong."""
    predicate = _predicate(kind)
    if predicate is None:
        return False
    try:
        return predicate(data)
    except Unsure:
        return False


def check_schema(document: Document, kind: str) -> list[Finding]:
    """All schema violations of `document` against schema `kind`, as findings."""
    if is_valid(document.data, kind):
        return []
    findings: list[Finding] = []
    for violation in _validator(kind).iter_errors(document.data):
        findings.extend(_to_findings(document, violation))
    return findings


def check_data(data: object, kind: str) -> list[str]:
    """Schema violations of plain data (e.g. a plan JSON) as `path: message` strings."""
    if is_valid(data, kind):
        return []
    return [
        f"{format_path(tuple(v.absolute_path)) or '(root)'}: {_message(v)}"
        for v in _validator(kind).iter_errors(data)
    ]


def _to_findings(document: Document, violation: ValidationError) -> list[Finding]:
    path: PathKey = tuple(violation.absolute_path)
    if "propertyNames" in violation.absolute_schema_path and isinstance(violation.instance, str):
        # jsonschema reports a bad key at its mapping; point at the key itself
        key_path = (*path, violation.instance)
        return [error(document.location(key_path, key=True), format_path(key_path), _message(violation))]
    if violation.validator == "additionalProperties" and isinstance(violation.instance, dict):
        allowed = violation.schema.get("properties", {}) if isinstance(violation.schema, dict) else {}
        patterns = violation.schema.get("patternProperties", {}) if isinstance(violation.schema, dict) else {}
        unknown = sorted(k for k in violation.instance if k not in allowed and not patterns)
        if unknown:
            hint = f" (allowed: {', '.join(sorted(allowed))})" if allowed else ""
            return [
                error(
                    document.location((*path, key), key=True),
                    format_path((*path, key)),
                    f"unknown key{hint}{_decimal_comma(violation.instance, key)}",
                )
                for key in unknown
            ]
    if violation.validator == "required" and isinstance(violation.validator_value, list):
        missing = [
            k
            for k in violation.validator_value
            if isinstance(violation.instance, dict) and k not in violation.instance
        ]
        return [
            error(document.location(path), format_path((*path, key)), "is required but missing")
            for key in missing
        ] or [error(document.location(path), format_path(path), _message(violation))]
    return [error(document.location(path), format_path(path), _message(violation))]


def _decimal_comma(mapping: dict[str, object], key: str) -> str:
    """The likely cause of a digits-only key without a value right after a number: a decimal comma
    in a flow mapping (`{cost: 8.00, price: 15,00}` reads as `price: 15` and a key `00`)."""
    keys = list(mapping)
    position = keys.index(key)
    if not key.isdigit() or mapping[key] is not None or position == 0:
        return ""
    before = keys[position - 1]
    number = mapping[before]
    if not isinstance(number, int | Decimal) or isinstance(number, bool):
        return ""
    whole = _show(number)
    return (
        f"; `{before}: {whole},{key}` reads as `{before}: {whole}` and a key `{key}`, as a decimal comma "
        f"splits `{{…}}` in two: write {whole}.{key}"
    )


def _show(value: object) -> str:
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        text = format(value, "f") if isinstance(value, Decimal) else str(value)
        return text if len(text) <= 24 else f"{text[:12]}… ({len(text)} characters)"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return str(value)


_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "null",
}


def _message(violation: ValidationError) -> str:
    kind = violation.validator
    value = violation.validator_value
    instance = violation.instance
    if kind == "type":
        names = value if isinstance(value, list) else [value]
        wanted = " or ".join(_TYPE_NAMES.get(str(n), str(n)) for n in names)
        return f"expected {wanted}, got {_show(instance)}"
    if kind == "enum" and isinstance(value, list):
        return f"{_show(instance)} is not one of: {', '.join(_show(v) for v in value)}"
    if kind == "const":
        return f"must be {_show(value)}, got {_show(instance)}"
    if kind == "minimum":
        return f"{_show(instance)} is below the minimum of {_show(value)}"
    if kind == "exclusiveMinimum":
        return f"{_show(instance)} must be greater than {_show(value)}"
    if kind == "maximum":
        return f"{_show(instance)} is above the maximum of {_show(value)}"
    if kind == "pattern":
        described = violation.schema.get("x-pattern-message") if isinstance(violation.schema, dict) else None
        return f"{_show(instance)} {described or f'does not match {value}'}"
    if kind == "maxLength":
        return f"is longer than {value} characters"
    if kind == "minLength":
        return "must not be empty" if value == 1 else f"is shorter than {value} characters"
    if kind == "minItems":
        return "must not be empty" if value == 1 else f"needs at least {value} items"
    if kind == "uniqueItems":
        return "has duplicate items"
    if kind == "format":
        return f"{_show(instance)} is not a valid {value}"
    return violation.message


__all__ = ["SCHEMA_KINDS", "check_data", "check_schema", "is_valid", "load_schema", "schema_text"]
