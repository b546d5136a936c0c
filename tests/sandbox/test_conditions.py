"""The `conditions` parser: the AST's shape, parse errors with their position, field checks."""

from __future__ import annotations

import pytest

from reconciler.sandbox.conditions import ConditionError, Junction, check_fields, parse


def test_the_ast_keeps_the_shape_of_the_text() -> None:
    node = parse("a = 1 or b = 2 and c = 3")
    assert isinstance(node, Junction) and node.operator == "or"
    assert isinstance(node.operands[1], Junction) and node.operands[1].operator == "and"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('name = "unterminated', "unterminated string (at position 8)"),
        ("id =", "expected a value, got the end of the conditions (at position 5)"),
        ("id = 1 and", "expected a field name, got the end of the conditions (at position 11)"),
        ("(id = 1", "expected ')' to close the parenthesis, got the end of the conditions (at position 8)"),
        ("id = 1)", "unexpected ')'; expected AND, OR or the end (at position 7)"),
        ("id == 1", "expected a value, got '=' (at position 5)"),
        ("name = acme", "expected a value, got 'acme' (strings need quotes) (at position 8)"),
        ("id 1", "expected an operator (= != < <= > >= contains like in) after id, got '1' (at position 4)"),
        ("id not = 1", "expected contains, like or in after id, got '=' (at position 8)"),
        ("id in 1, 2", "expected '(' after in, got '1' (at position 7)"),
        ("name like 5", "like takes a quoted string (at position 6)"),
        ("effectiveDate > [yesterday]", "[yesterday] is not a date-time (at position 17)"),
        ("effectiveDate > [2026-10-01", "unterminated date-time (missing ']') (at position 17)"),
        ("id = 1 # 2", "unexpected character '#' (at position 8)"),
        ("and = 1", "expected a field name, got 'and' (at position 1)"),
        ("", "expected a field name, got the end of the conditions (at position 1)"),
    ],
)
def test_malformed_conditions_say_what_and_where(text: str, expected: str) -> None:
    with pytest.raises(ConditionError) as caught:
        parse(text)
    assert str(caught.value) == expected


def test_unknown_fields_are_refused_before_evaluation() -> None:
    check_fields(parse("company/identifier = 'X' and id = 1"), {"id", "company"})
    with pytest.raises(ConditionError, match="unknown field 'prodcut/id'"):
        check_fields(parse("id = 1 or prodcut/id = 5"), {"id", "product"})
