"""The ConnectWise `conditions` language: a tokenizer and a recursive-descent parser into an AST.

Grammar (connectwise-api §3; DG "Conditions"), with AND binding tighter than OR as in SQL Server:

    expression  := conjunction ( OR conjunction )*
    conjunction := primary ( AND primary )*
    primary     := "(" expression ")" | comparison
    comparison  := field ( "=" | "!=" | "<" | "<=" | ">" | ">=" ) value
                 | field [NOT] ( CONTAINS | LIKE ) string
                 | field [NOT] IN "(" value ( "," value )* ")"
    field       := name ( "/" name )*
    value       := string | number | "[" date-time "]" | NULL | TRUE | FALSE

Keywords and field names ignore case; strings take double or single quotes with `\\` escapes;
date-times in brackets may carry an offset (converted to UTC). `condition_eval` evaluates the AST.
A condition that cannot be parsed, or names a field the resource has not got, raises
`ConditionError` with the position of the problem; the routes answer it with 400.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from reconciler.sandbox import datetimes


class ConditionError(ValueError):
    def __init__(self, message: str, position: int | None = None) -> None:
        where = f" (at position {position + 1})" if position is not None else ""
        super().__init__(f"{message}{where}")
        self.position = position


class LiteralKind(StrEnum):
    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATETIME = "date-time"
    NULL = "null"


@dataclass(frozen=True, slots=True)
class Literal:
    kind: LiteralKind
    value: str | Decimal | bool | dt.datetime | None


@dataclass(frozen=True, slots=True)
class Comparison:
    field: tuple[str, ...]
    operator: str  # = != < <= > >= contains like in
    values: tuple[Literal, ...]
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Junction:
    operator: str  # and | or
    operands: tuple[Node, ...]


Node = Comparison | Junction

# ---------------------------------------------------------------------------------------------- tokens

_TOKEN = re.compile(
    r"""(?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')
      |(?P<datetime>\[[^\]]*\])
      |(?P<number>-?\d+(?:\.\d+)?(?![\w.]))
      |(?P<op><=|>=|!=|=|<|>)
      |(?P<punct>[(),])
      |(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:/[A-Za-z_][A-Za-z0-9_]*)*)""",
    re.VERBOSE,
)
_KEYWORDS = frozenset({"and", "or", "not", "contains", "like", "in", "null", "true", "false"})


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # string datetime number op punct name end
    text: str
    position: int

    def is_word(self, *words: str) -> bool:
        return self.kind == "name" and self.text.lower() in words


def tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            tokens.append(_Token("end", "", position))
            return tokens
        match = _TOKEN.match(text, position)
        if match is None or match.lastgroup is None:
            raise ConditionError(_unexpected_character(text, position), position)
        tokens.append(_Token(match.lastgroup, match.group(), position))
        position = match.end()


def _unexpected_character(text: str, position: int) -> str:
    char = text[position]
    if char in "\"'":
        return "unterminated string"
    if char == "[":
        return "unterminated date-time (missing ']')"
    return f"unexpected character {char!r}"


# ---------------------------------------------------------------------------------------------- parser


def parse(text: str) -> Node:
    """The AST of a `conditions` text; ConditionError with the position of the first problem."""
    parser = _Parser(tokenize(text))
    node = parser.expression()
    token = parser.peek()
    if token.kind != "end":
        raise ConditionError(f"unexpected {_describe(token)}; expected AND, OR or the end", token.position)
    return node


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def expression(self) -> Node:
        operands = [self.conjunction()]
        while self.peek().is_word("or"):
            self.take()
            operands.append(self.conjunction())
        return operands[0] if len(operands) == 1 else Junction("or", tuple(operands))

    def conjunction(self) -> Node:
        operands = [self.primary()]
        while self.peek().is_word("and"):
            self.take()
            operands.append(self.primary())
        return operands[0] if len(operands) == 1 else Junction("and", tuple(operands))

    def primary(self) -> Node:
        token = self.peek()
        if token.kind == "punct" and token.text == "(":
            self.take()
            node = self.expression()
            self.expect(")", "to close the parenthesis")
            return node
        return self.comparison()

    def comparison(self) -> Comparison:
        token = self.take()
        if token.kind != "name" or token.text.lower() in _KEYWORDS:
            raise ConditionError(f"expected a field name, got {_describe(token)}", token.position)
        field = tuple(token.text.split("/"))
        operator = self.take()
        if operator.kind == "op":
            return Comparison(field, operator.text, (self.value(),))
        negated = operator.is_word("not")
        if negated:
            operator = self.take()
        if operator.is_word("contains", "like"):
            value = self.value()
            if value.kind is not LiteralKind.STRING:
                raise ConditionError(f"{operator.text.lower()} takes a quoted string", operator.position)
            return Comparison(field, operator.text.lower(), (value,), negated)
        if operator.is_word("in"):
            return Comparison(field, "in", self.value_list(), negated)
        wanted = "contains, like or in" if negated else "an operator (= != < <= > >= contains like in)"
        raise ConditionError(
            f"expected {wanted} after {token.text}, got {_describe(operator)}", operator.position
        )

    def value_list(self) -> tuple[Literal, ...]:
        self.expect("(", "after in")
        values = [self.value()]
        while self.peek().kind == "punct" and self.peek().text == ",":
            self.take()
            values.append(self.value())
        self.expect(")", "to close the in (...) list")
        return tuple(values)

    def value(self) -> Literal:
        token = self.take()
        if token.kind == "string":
            return Literal(LiteralKind.STRING, _unquote(token.text))
        if token.kind == "number":
            return Literal(LiteralKind.NUMBER, Decimal(token.text))
        if token.kind == "datetime":
            try:
                return Literal(LiteralKind.DATETIME, datetimes.parse(token.text[1:-1], allow_offset=True))
            except ValueError:
                raise ConditionError(f"{token.text} is not a date-time", token.position) from None
        if token.is_word("null"):
            return Literal(LiteralKind.NULL, None)
        if token.is_word("true", "false"):
            return Literal(LiteralKind.BOOLEAN, token.text.lower() == "true")
        hint = " (strings need quotes)" if token.kind == "name" else ""
        raise ConditionError(f"expected a value, got {_describe(token)}{hint}", token.position)

    def expect(self, punct: str, why: str) -> None:
        token = self.take()
        if token.kind != "punct" or token.text != punct:
            raise ConditionError(f"expected {punct!r} {why}, got {_describe(token)}", token.position)


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1], flags=re.DOTALL)


def _describe(token: _Token) -> str:
    return "the end of the conditions" if token.kind == "end" else repr(token.text)


# ---------------------------------------------------------------------------------------------- checks


def check_fields(node: Node, known: Collection[str]) -> None:
    """Refuse a condition on a field the resource does not have (top-level names, any case)."""
    names = {name.lower() for name in known}
    if isinstance(node, Junction):
        for operand in node.operands:
            check_fields(operand, known)
    elif node.field[0].lower() not in names:
        raise ConditionError(f"unknown field {'/'.join(node.field)!r}")
