"""A fast yes/no for "is this data valid against this schema?", so jsonschema runs only on invalid data.

jsonschema walks a 20,000-record usage file in ≈ 4.6 s (a `$ref` resolved, a validator evolved, per
value); the repository's files are valid nearly always, and then only the answer matters.
`compile_schema` writes a schema as Python source, one function per schema node whose statements
test each of its keywords, for the keywords cwbill's schemas use, each written to decide exactly as
jsonschema's Draft 2020-12 keyword does (`jsonschema._keywords`, its type checker and its format
checker): one call per value, not one closure per keyword (a 20,000-record usage file: 0.30 ->
0.12 s). Schema values are never written into that source, only names bound to them (see
`_Generator`). A schema with any other keyword is not compiled (None), and
a value the predicate cannot judge exactly (`uniqueItems` over mixed items) raises `Unsure`. The
caller (`reconciler.config.schema`) runs jsonschema whenever the predicate does not say "valid",
so findings and their messages always come from jsonschema; tests/config/test_schemacheck.py holds
the predicate to jsonschema's verdict on the shipped examples and on generated data.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, cast

Check = Callable[[object], bool]
Schema = Mapping[str, Any]

_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$defs",
        "$comment",
        "title",
        "description",
        "examples",
        "default",
        "x-pattern-message",
    }
)
_HANDLED_ELSEWHERE = frozenset({"then", "else"})  # read by `if`


class Unsure(Exception):
    """The predicate cannot decide this value exactly as jsonschema would: ask jsonschema."""


class _Unsupported(Exception):
    pass


def _is_number(value: object) -> bool:
    kind = type(value)
    if kind is int or kind is Decimal:  # what the loaders make: skip the ABC's slower check
        return True
    return isinstance(value, numbers.Number) and kind is not bool


# Each type's test of `v` (the value checked), as jsonschema's type checker decides it
_TYPE_TESTS = {
    "object": "isinstance(v, dict)",
    "array": "isinstance(v, list)",
    "string": "isinstance(v, str)",
    "integer": "(isinstance(v, int) and not isinstance(v, bool))",
    "number": "_is_number(v)",
    "boolean": "isinstance(v, bool)",
    "null": "v is None",
}
Lines = list[str]


def compile_schema(root: Schema) -> Check | None:
    """The predicate of `root` (a whole schema with its `$defs`), or None when it uses a keyword
    this module does not decide exactly."""
    try:
        return _Generator(root).predicate()
    except _Unsupported:
        return None


def _fail_if(condition: str) -> Lines:
    return [f"if {condition}:", "    return False"]


def _indent(lines: Lines, levels: int = 1) -> Lines:
    return [" " * 4 * levels + line for line in lines]


class _Generator:
    """Writes one Python function per schema node, each keyword of the node a few statements that
    return False, so that a value costs one call, not one closure per keyword. No schema value is
    ever written into the source: each is a constant of the namespace it runs in, by a generated
    name (`_k3`); the source holds only those names, function names (`_f3`) and the fixed tests of
    `_TYPE_TESTS`."""

    def __init__(self, root: Schema) -> None:
        self.root = root
        self.constants: dict[str, object] = {"_is_number": _is_number, "_unique": _unique}
        self.tables: dict[str, dict[str, str]] = {}  # a constant: property → its function's name
        self.functions: list[Lines] = []
        self.aliases: dict[str, str] = {}  # a `$ref`'s name → the function of its target
        self.references: dict[str, str] = {}  # `$ref` target → its name

    def predicate(self) -> Check:
        name = self.function(self.root)
        source = [line for function in self.functions for line in function]
        source += [f"{alias} = {target}" for alias, target in self.aliases.items()]
        namespace = dict(self.constants)
        exec("\n".join(source), namespace)  # noqa: S102  # generated above from names alone
        for table, functions in self.tables.items():
            namespace[table] = {key: namespace[function] for key, function in functions.items()}
        return cast(Check, namespace[name])

    def constant(self, value: object) -> str:
        name = f"_k{len(self.constants)}"
        self.constants[name] = value
        return name

    def function(self, schema: object) -> str:
        """The name of the function that checks `schema` (a `$ref` alone: its target's)."""
        name = f"_f{len(self.functions)}"
        if schema is True or schema is False:
            self.functions.append([f"def {name}(v):", f"    return {schema}"])
            return name
        if not isinstance(schema, dict):
            raise _Unsupported
        active = [key for key in schema if key not in _ANNOTATIONS and key not in _HANDLED_ELSEWHERE]
        if active == ["$ref"]:
            return self.reference(schema["$ref"])
        self.functions.append([])  # its place; the functions its body calls are written after it
        place = len(self.functions) - 1
        types = schema.get("type")
        kind = types if types in ("object", "array", "string") else None
        body: Lines = []
        if "type" in schema:  # first: once it holds, the keywords for that kind need no guard
            body += self.type(types)
        for keyword in active:
            if keyword != "type":
                body += self.keyword(schema, keyword, schema[keyword], kind)
        self.functions[place] = [f"def {name}(v):", *_indent(body), "    return True"]
        return name

    def type(self, argument: object) -> Lines:
        names = [argument] if isinstance(argument, str) else argument
        if not isinstance(names, list) or any(name not in _TYPE_TESTS for name in names):
            raise _Unsupported
        return _fail_if(f"not ({' or '.join(_TYPE_TESTS[name] for name in names)})")

    def keyword(self, schema: Schema, name: str, argument: Any, kind: str | None) -> Lines:  # noqa: PLR0912  # one case per keyword
        def only_for(applies_to: str, lines: Lines) -> Lines:
            """jsonschema applies the keyword to one kind of value and ignores it for the others."""
            if kind == applies_to:
                return lines
            return [f"if {_TYPE_TESTS[applies_to]}:", *_indent(lines)]

        if name == "$ref":
            return _fail_if(f"not {self.reference(argument)}(v)")
        if name == "properties":
            if not isinstance(argument, dict):
                raise _Unsupported
            table = self.constant(None)  # filled with the functions once they are defined
            self.tables[table] = {key: self.function(sub) for key, sub in argument.items()}
            loop = ["for key, item in v.items():", f"    check = {table}.get(key)"]
            return only_for("object", [*loop, *_indent(_fail_if("check is not None and not check(item)"))])
        if name == "additionalProperties":
            if "patternProperties" in schema:
                raise _Unsupported  # not used by cwbill's schemas; jsonschema decides
            known = self.constant(frozenset(schema.get("properties", {})))
            if argument is False:  # the keys, as a set, within the known ones (in C)
                return only_for("object", _fail_if(f"not v.keys() <= {known}"))
            extra = self.function(argument)
            return only_for(
                "object", [f"for key in v.keys() - {known}:", *_indent(_fail_if(f"not {extra}(v[key])"))]
            )
        if name == "required":
            return only_for("object", _fail_if(f"not v.keys() >= {self.constant(frozenset(argument))}"))
        if name == "propertyNames":
            names = self.function(argument)
            return only_for("object", ["for key in v:", *_indent(_fail_if(f"not {names}(key)"))])
        if name == "items":
            if "prefixItems" in schema:
                raise _Unsupported
            item = self.function(argument)
            return only_for("array", ["for item in v:", *_indent(_fail_if(f"not {item}(item)"))])
        if name == "minItems":
            return only_for("array", _fail_if(f"len(v) < {self.constant(argument)}"))
        if name == "uniqueItems":
            return _fail_if("not _unique(v)") if argument else []
        if name == "pattern":  # jsonschema: re.search(pattern, instance)
            return only_for("string", _fail_if(f"{self.constant(re.compile(argument).search)}(v) is None"))
        if name in ("minLength", "maxLength"):
            compare = "<" if name == "minLength" else ">"
            return only_for("string", _fail_if(f"len(v) {compare} {self.constant(argument)}"))
        if name == "format":
            from jsonschema import Draft202012Validator  # only a schema with `format` (the plan's) needs it

            # the checker jsonschema is given (config/schema.py)
            checker = Draft202012Validator.FORMAT_CHECKER
            return _fail_if(f"not {self.constant(checker.conforms)}(v, {self.constant(argument)})")
        if name in ("minimum", "maximum"):
            if not _is_number(argument):
                raise _Unsupported
            compare = "<" if name == "minimum" else ">"
            return _fail_if(f"_is_number(v) and v {compare} {self.constant(argument)}")
        if name in ("enum", "const"):
            return _fail_if(f"not {self.constant(_one_of(argument if name == 'enum' else [argument]))}(v)")
        if name == "allOf":
            return [line for part in argument for line in _fail_if(f"not {self.function(part)}(v)")]
        if name == "oneOf":
            branches = ", ".join(self.function(part) for part in argument)
            return _fail_if(f"sum(1 for branch in ({branches},) if branch(v)) != 1")
        if name == "if":
            condition = self.function(argument)
            then, otherwise = self.function(schema.get("then", True)), self.function(schema.get("else", True))
            return _fail_if(f"not ({then}(v) if {condition}(v) else {otherwise}(v))")
        raise _Unsupported

    def reference(self, target: object) -> str:
        """A name for the function of `target`, bound to it at the end of the source (so a recursive
        `$ref` finds it)."""
        if not isinstance(target, str) or not target.startswith("#/"):
            raise _Unsupported
        if target not in self.references:
            node: Any = self.root
            for escaped in target[2:].split("/"):
                part = escaped.replace("~1", "/").replace("~0", "~")
                if not isinstance(node, dict) or part not in node:
                    raise _Unsupported
                node = node[part]
            alias = self.references[target] = f"_r{len(self.references)}"
            self.aliases[alias] = self.function(node)
        return self.references[target]


def _one_of(values: object) -> Check:
    """`enum` / `const` as jsonschema's `equal` decides them, for strings, integers and null: a string
    equals only a string, a number only a number (never a boolean), null only null."""
    if not isinstance(values, list) or not all(
        value is None or isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))
        for value in values
    ):
        raise _Unsupported
    strings = frozenset(value for value in values if isinstance(value, str))
    numbers_allowed = [value for value in values if isinstance(value, int)]
    null = None in values

    def check(value: object) -> bool:
        if isinstance(value, str):
            return value in strings
        if _is_number(value):
            return any(value == allowed for allowed in numbers_allowed)
        return value is None and null

    return check


def _unique(value: object) -> bool:
    if not isinstance(value, list):
        return True
    if all(isinstance(item, str) for item in value) or all(
        isinstance(item, int) and not isinstance(item, bool) for item in value
    ):
        return len(set(value)) == len(value)
    raise Unsure  # jsonschema's equality across numbers, booleans and collections: its own to decide
