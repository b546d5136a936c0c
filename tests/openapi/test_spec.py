"""The OpenAPI 3.0 → JSON Schema conversion and the exchange check catch what the spec forbids."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from jsonschema import Draft202012Validator

from tests.openapi.conformance import Exchange, check_exchange
from tests.openapi.spec import (
    definitions,
    find_operation,
    load_extract,
    to_json_schema,
    utf16_length,
    validator,
)

ADDITION = {"$ref": "#/components/schemas/Addition"}
LINE: dict[str, object] = {"product": {"id": 1}, "billCustomer": "Billable"}
API = "http://sandbox.test/v4_6_release/apis/3.0"


def problems(schema: dict[str, object], instance: object) -> list[str]:
    return [error.message for error in validator(to_json_schema(schema)).iter_errors(instance)]


@pytest.mark.parametrize(
    ("instance", "allowed"),
    [
        pytest.param(LINE, True, id="the required properties alone are an addition"),
        pytest.param({"product": {"id": 1}}, False, id="billCustomer is required"),
        pytest.param({**LINE, "quantity": None}, True, id="a nullable number may be null"),
        pytest.param({**LINE, "serialNumber": None}, False, id="a string not marked nullable may not"),
        pytest.param({**LINE, "opportunity": None}, False, id="a $ref property is never null"),
        pytest.param({**LINE, "quantity": "12"}, False, id="a number as a string is not a number"),
        pytest.param({**LINE, "quantity": Decimal("2.50")}, True, id="an exact decimal is a number"),
        pytest.param({**LINE, "serialNumber": "x" * 50}, True, id="Max length 50 holds 50"),
        pytest.param({**LINE, "serialNumber": "x" * 51}, False, id="but not 51"),
        pytest.param({**LINE, "serialNumber": "😀" * 25 + "x"}, False, id="an emoji counts two"),
        pytest.param({**LINE, "effectiveDate": "2026-10-01T00:00:00Z"}, True, id="a date-time"),
        pytest.param({**LINE, "effectiveDate": "2026-10-01"}, False, id="a bare date is no date-time"),
        pytest.param({**LINE, "billCustomer": "Sometimes"}, False, id="an enum holds its members only"),
        pytest.param({**LINE, "billCustomer": None}, True, id="a nullable enum may be null"),
        pytest.param({**LINE, "dateEntered": "2026-10-01T00:00:00Z"}, False, id="an undefined property"),
        pytest.param({**LINE, "product": {"id": 1, "name": "x"}}, False, id="also inside a reference"),
        pytest.param({**LINE, "_info": {"lastUpdated": 5}}, False, id="_info holds strings"),
        pytest.param({**LINE, "id": 2**31}, False, id="an int32 id stays in range"),
    ],
)
def test_an_addition_is_checked_by_openapi_3_rules(instance: object, allowed: bool) -> None:
    assert (problems(ADDITION, instance) == []) is allowed


def test_every_component_schema_converts_to_a_valid_json_schema() -> None:
    names = set(load_extract()["components"]["schemas"])
    assert set(definitions()) == names
    Draft202012Validator.check_schema({"$defs": dict(definitions())})


def test_count_is_matched_before_an_id() -> None:
    found = find_operation("GET", "/finance/agreements/3/additions/count")
    assert found is not None and found.template.endswith("/additions/count")
    by_id = find_operation("GET", "/finance/agreements/3/additions/7")
    assert by_id is not None and by_id.template.endswith("/additions/{id}")
    assert find_operation("GET", "/company/companies/count") is None, "not an operation of the extract"


def _exchange(
    method: str, path: str, request: object = None, status: int = 200, response: object = None
) -> Exchange:
    def raw(value: object) -> bytes:
        return b"" if value is None else json.dumps(value).encode()

    return Exchange(method, API + path, raw(request), status, raw(response))


@pytest.mark.parametrize(
    ("exchange", "expected"),
    [
        pytest.param(
            _exchange(
                "PATCH",
                "/finance/agreements/1/additions/2",
                [{"op": "replace", "path": "quantity", "value": "13"}],
                200,
                LINE,
            ),
            ["request at [0].value: '13' is not of type 'number', 'null'"],
            id="a PATCH value is checked against the patched property",
        ),
        pytest.param(
            _exchange(
                "PATCH",
                "/finance/agreements/1/additions/2",
                [{"op": "replace", "path": "Quantity", "value": 13}],
                200,
                LINE,
            ),
            ["request at [0].path: 'Quantity' is not a property of the patched resource"],
            id="a PATCH path names a property, case and all",
        ),
        pytest.param(
            _exchange("GET", "/finance/agreements/1/additions?fields=id", None, 200, [{"id": 1}]),
            [],
            id="a projection need not carry the required properties",
        ),
        pytest.param(
            _exchange("GET", "/finance/agreements/1/additions?colour=red", None, 200, []),
            ["query at colour: not a parameter of the operation"],
            id="an undeclared query parameter",
        ),
        pytest.param(
            _exchange(
                "GET",
                "/finance/agreements/9",
                None,
                404,
                {"code": "NotFound", "message": "m", "errors": None},
            ),
            ["response at errors: None is not of type 'array'"],
            id="an error body is an ErrorResponseMessage, whose errors is an array",
        ),
        pytest.param(
            _exchange("DELETE", "/finance/agreements/1/additions/2", None, 204, {"id": 2}),
            ["response: a body on a 204"],
            id="a 204 has no body",
        ),
        pytest.param(
            _exchange("GET", "/finance/agreements/1/additions", None, 201, []),
            ["response: status 201 is not a response of the operation"],
            id="a status the operation does not declare",
        ),
        pytest.param(
            _exchange("GET", "/finance/invoices", None, 200, []),
            ["route: no operation of the spec has this method and path"],
            id="a path outside the extract",
        ),
        pytest.param(
            Exchange("GET", "http://sandbox.test/login/companyinfo/x", b"", 200, b"null"),
            [],
            id="companyinfo is outside apis/3.0 and not checked",
        ),
    ],
)
def test_the_exchange_check_names_each_violation(exchange: Exchange, expected: list[str]) -> None:
    assert [str(v).split(": ", 1)[1] for v in check_exchange(exchange)] == expected


def test_utf16_length_counts_code_units() -> None:
    assert [utf16_length(text) for text in ("abc", "é", "😀", "a😀b")] == [3, 1, 2, 4]
