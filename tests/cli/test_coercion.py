"""Every parameter of every command converts a value as typer itself does, without pydantic when the
value is plain (reconciler/cli/coercion.py): the same value of the same type, or the same error."""

from __future__ import annotations

import importlib
from enum import Enum
from pathlib import Path
from typing import Any, get_args

import pytest
import typer.main
from typer._click import Context
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param

from reconciler.cli import app
from reconciler.cli.app import _COMMAND_MODULES
from reconciler.cli.coercion import fast_runtime_param


def _parameters() -> list[tuple[str, Any, Any]]:
    for module in dict.fromkeys(_COMMAND_MODULES.values()):
        importlib.import_module(module)
    found: list[tuple[str, Any, Any]] = []

    def walk(command: Any, prefix: str) -> None:
        for param in command.params:
            if hasattr(param, "type_descriptor"):
                found.append((f"{prefix} {param.name}".strip(), command, param))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{prefix} {name}".strip())

    walk(typer.main.get_command(app), "")
    return found


PARAMETERS = _parameters()
TEXTS = ["", "0", "1", "8", "32", "33", "-1", "+2", "007", "1_000", " 5", "5 ", "1.5", ".5", "1e3", "abc"]
TEXTS += ["billing", ".", "/", "/nonexistent/x", "json", "text", "markdown", "JSON", "a\0b", "é"]


def _samples(param: Any) -> list[object]:
    annotation = param.type_descriptor.annotation
    samples: list[object] = [param.default, *TEXTS, 3, 2.5, True, Path("billing"), Path("/nonexistent")]
    for kind in (annotation, *get_args(annotation)):
        if isinstance(kind, type) and issubclass(kind, Enum):
            samples += [*kind, *(str(member.value) for member in kind)]
    if param.multiple or param.nargs == -1:
        samples = [(), ("a",), ("a", "b"), ("1", "x"), *[(text,) for text in TEXTS], ["a"]]
    return samples


def _outcome(runtime: Any, value: object, param: Any, ctx: Context) -> tuple[str, object]:
    try:
        converted = runtime.coerce(value, param=param, ctx=ctx)
    except BadParameter as exc:
        return "error", exc.format_message()
    return type(converted).__name__, converted


def test_every_command_line_type_cwbill_uses_is_converted_without_pydantic() -> None:
    slow = [name for name, _, param in PARAMETERS if fast_runtime_param(param.type_descriptor) is None]
    assert slow == []
    assert len(PARAMETERS) > 80  # every command was found


@pytest.mark.parametrize(("name", "command", "param"), PARAMETERS, ids=[name for name, _, _ in PARAMETERS])
def test_a_parameter_converts_each_value_as_typer_does(name: str, command: Any, param: Any) -> None:
    fast = fast_runtime_param(param.type_descriptor)
    assert fast is not None
    typer_own = build_runtime_param(param.type_descriptor)
    ctx = Context(command)
    for value in _samples(param):
        assert _outcome(fast, value, param, ctx) == _outcome(typer_own, value, param, ctx), (name, value)


def test_a_value_typer_would_refuse_gets_typers_own_message() -> None:
    (concurrency,) = [param for name, _, param in PARAMETERS if name == "plan concurrency"]
    (command,) = [command for name, command, _ in PARAMETERS if name == "plan concurrency"]
    fast = fast_runtime_param(concurrency.type_descriptor)
    assert fast is not None
    ctx = Context(command)
    assert _outcome(fast, "8", concurrency, ctx) == ("int", 8)
    kind, message = _outcome(fast, "0", concurrency, ctx)
    assert kind == "error" and "greater than or equal to 1" in str(message)
