"""Reading ConnectWise request bodies field by field, and ConnectWise's error bodies.

A body is read the way ASP.NET's JSON binding reads it: member names match without case, unknown
members are ignored, numbers may come as numeric strings (django-connectwise sends them so),
booleans as `true`/`"true"`. A value of the wrong type fails the whole body before any validation,
as `{"code":"UnsupportedFormat","message":"Unsupported format applied to <field>"}` (the shape a live
server gave for a date with an offset). Validation problems are collected and answered together as
`400 {"code":"InvalidObject","message":"<resource> object is invalid","errors":[…]}` (connectwise-api §6).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from reconciler.connectwise import limits
from reconciler.sandbox import datetimes
from reconciler.sandbox.wire import Response, json_response


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    kind: str  # decimal | datetime | bool | str | enum | ref | list
    max_length: int | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str
    code: str = "InvalidField"


class BodyError(Exception):
    """A request body the sandbox refuses; `response` is the ConnectWise-shaped answer."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def error_payload(code: str, message: str, errors: object = None) -> dict[str, object]:
    """ConnectWise's error body (spec: ErrorResponseMessage); `errors`, an array, only when there are
    field errors — the spec does not allow it to be null (docs/sandbox.md)."""
    payload: dict[str, object] = {"code": code, "message": message}
    if errors is not None:
        payload["errors"] = errors
    return payload


def invalid_object(resource: str, errors: Sequence[FieldError]) -> BodyError:
    details = [{"code": e.code, "message": e.message, "resource": resource, "field": e.field} for e in errors]
    return BodyError(
        json_response(400, error_payload("InvalidObject", f"{resource} object is invalid", details))
    )


def unsupported_format(field: str) -> BodyError:
    return BodyError(
        json_response(400, error_payload("UnsupportedFormat", f"Unsupported format applied to {field}"))
    )


def read_fields(body: Mapping[str, object], specs: Sequence[FieldSpec]) -> dict[str, object]:
    """The writable fields present in `body`, converted; BodyError(UnsupportedFormat) on a bad type."""
    by_name = {spec.name.lower(): spec for spec in specs}
    values: dict[str, object] = {}
    for key, raw in body.items():
        spec = by_name.get(str(key).lower())
        if spec is not None:
            values[spec.name] = _convert(spec, raw)
    return values


def _convert(spec: FieldSpec, raw: object) -> object:
    if raw is None:
        return None
    converted = _CONVERTERS[spec.kind](raw)
    if converted is _BAD:
        raise unsupported_format(spec.name)
    return converted


_BAD = object()


def _decimal(raw: object) -> object:
    if isinstance(raw, bool):
        return _BAD
    if isinstance(raw, int | Decimal):
        return Decimal(raw)
    if isinstance(raw, str):
        try:
            value = Decimal(raw.strip())
        except InvalidOperation:
            return _BAD
        return value if value.is_finite() else _BAD
    return _BAD


def _datetime(raw: object) -> object:
    if not isinstance(raw, str):
        return _BAD
    try:
        return datetimes.normalize(raw)
    except ValueError:
        return _BAD


def _bool(raw: object) -> object:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        return raw.strip().lower() == "true"
    return _BAD


def _text(raw: object) -> object:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int | Decimal) and not isinstance(raw, bool):
        return str(raw)
    return _BAD


def _reference(raw: object) -> object:
    return dict(raw) if isinstance(raw, dict) else _BAD


def _list(raw: object) -> object:
    return list(raw) if isinstance(raw, list) else _BAD


_CONVERTERS = {
    "decimal": _decimal,
    "datetime": _datetime,
    "bool": _bool,
    "str": _text,
    "enum": _text,
    "ref": _reference,
    "list": _list,
}


def check_text(values: Mapping[str, object], specs: Sequence[FieldSpec]) -> list[FieldError]:
    """Length limits (in UTF-16 code units, as .NET counts: `connectwise.limits`) and enum members,
    in ASP.NET's DataAnnotations wording; a length error has the live code `MaxLengthField`."""
    errors: list[FieldError] = []
    for spec in specs:
        value = values.get(spec.name)
        if not isinstance(value, str):
            continue
        if spec.max_length is not None and limits.length(value) > spec.max_length:
            errors.append(
                FieldError(
                    spec.name,
                    f"The field {spec.name} must be a string with a maximum length of {spec.max_length}.",
                    code="MaxLengthField",
                )
            )
        if spec.choices and value not in spec.choices:
            errors.append(FieldError(spec.name, f"{spec.name} must be one of: {', '.join(spec.choices)}."))
    return errors


def canonical_choice(value: object, choices: Sequence[str]) -> object:
    """An enum member named without case (`billable` → `Billable`); other values unchanged."""
    if isinstance(value, str):
        return next((c for c in choices if c.lower() == value.strip().lower()), value)
    return value


def required(values: Mapping[str, object], *names: str) -> list[FieldError]:
    return [
        FieldError(name, f"The {name} field is required.") for name in names if values.get(name) in (None, "")
    ]


def reference_key(reference: Mapping[str, object], *keys: str) -> tuple[str, object] | None:
    """The first of `keys` present (any case) in a reference object, e.g. ("id", 3)."""
    for wanted in keys:
        for key, value in reference.items():
            if str(key).lower() == wanted.lower() and value not in (None, ""):
                return wanted, value
    return None


def reference_id(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str | Decimal):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            return None
        return int(number) if number == number.to_integral_value() else None
    return None
