"""The typer application object, its lazily imported commands, and the options every command shares.

`CwbillTyper` is the one place the look of `--help` is decided, so every command — today's and those
added later with `@app.command()` or a sub-app made with `sub_app` — gets it without per-command work:
a flag shows no value placeholder (typer 0.29 prints `--yes <bool>`, `--help <bool>`, `-v <int>`,
which suggests `--yes true`, a usage error), a value option shows a click-style one (`--as-of DATE`
where the option declares a `metavar`, else its type: `PATH`, `TEXT`, `INTEGER`), an argument its
upper-case name (`[DIR]`), and a default only in typer's `[default: …]` form (never `-v [default: 0]`).

Commands are registered by name and module (`lazy_command`) and imported only when looked up, so each
command loads what it uses and no more (docs/performance.md).
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import typer
import typer.main
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption
from typer.models import CommandFunctionType

from reconciler import SCHEMA_VERSION, __version__, exitcodes
from reconciler.cli.coercion import fast_runtime_param

# typer's type labels (`<path>`, `<int range>`, `<list[str]>`) → click's classic placeholders
_PLACEHOLDERS = {"str": "TEXT", "path": "PATH", "int": "INTEGER", "float": "FLOAT", "int range": "INTEGER"}


def _placeholder(option: TyperOption, ctx: Any) -> str:
    label = option.display_type(ctx).removeprefix("<").removesuffix(">")
    if label.startswith("list[") and label.endswith("]"):
        label = label.removeprefix("list[").removesuffix("]")  # repeatable: `--company TEXT` per value
    if "|" in label:
        return label  # a choice: `text|json`, as typed
    return _PLACEHOLDERS.get(label, label.upper())


def polish(params: list[Any], ctx: Any) -> list[Any]:
    """Set each parameter's placeholder and default display, and its conversion without pydantic
    where that is plain (`reconciler.cli.coercion`); idempotent, once per parameter."""
    for param in params:
        if getattr(param, "_runtime_param", False) is None:  # typer's, not built yet (it builds lazily)
            param._runtime_param = fast_runtime_param(param.type_descriptor)  # None: typer builds its own
        if isinstance(param, TyperOption):
            if param.is_flag or param.count:
                param.metavar = ""  # takes no value: nothing to type after it
                if param.count:
                    param.show_default = False  # `-v [default: 0]` reads as if `-v 0` were valid
            elif param.metavar is None:
                param.metavar = _placeholder(param, ctx)
        elif isinstance(param, TyperArgument):
            if param.metavar is None:
                param.metavar = (param.name or "value").upper()
            # typer builds its parameter objects itself and offers no class hook: the one way to drop
            # `DIR <path>` (a type label beside the placeholder) is to re-class the argument it built
            param.__class__ = _PlainArgument
    return params


class _PlainArgument(TyperArgument):
    def display_type_rich(self, ctx: Any) -> str | None:
        return None  # its placeholder (`DIR`) is the name already shown


class PolishedCommand(TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:
        return polish(super().get_params(ctx), ctx)


class PolishedGroup(TyperGroup):
    def get_params(self, ctx: Any) -> list[Any]:
        return polish(super().get_params(ctx), ctx)


class CwbillTyper(typer.Typer):
    """A `typer.Typer` whose commands and groups render their help as described above."""

    def __init__(self, **settings: Any) -> None:
        settings.setdefault("cls", PolishedGroup)
        settings.setdefault("pretty_exceptions_enable", False)
        super().__init__(**settings)

    def command(
        self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **settings: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        return super().command(name, cls=cls or PolishedCommand, **settings)


def repository_argument(help_text: str = "The billing repository.") -> Any:
    """The `[DIR]` argument every repository command takes, declared once (default `billing`, shown
    as every literal default is: `[default: billing]`)."""
    return typer.Argument(Path("billing"), metavar="DIR", help=help_text)


def sub_app(name: str, help_text: str) -> CwbillTyper:
    """A command group (`cwbill NAME …`) registered on `app`, with the same help style."""
    group = CwbillTyper(name=name, help=help_text, no_args_is_help=True, add_completion=False)
    app.add_typer(group, name=name)
    return group


# Each command's name → the module that defines it (and registers it on `app` when imported), in the
# order help lists them; filled by `lazy_command` in reconciler/cli/__init__.py.
_COMMAND_MODULES: dict[str, str] = {}


def lazy_command(name: str, module: str) -> None:
    """Register command `name` as defined in `module`, imported only when the command is looked up:
    when it runs, or for help. So `cwbill --version` imports no command, and each command only what
    it uses (docs/performance.md; tests/cli/test_startup.py holds the boundary)."""
    _COMMAND_MODULES[name] = module


def _import(modules: Iterable[str]) -> None:
    for module in dict.fromkeys(modules):
        importlib.import_module(module)


class _LazyCommands(PolishedGroup):
    """The root group: a command's module is imported the first time the command is asked for, then
    the group's commands are rebuilt from what `app` holds, exactly as typer builds them."""

    def _refresh(self, modules: Iterable[str]) -> None:
        _import(modules)
        built = typer.main.get_command(app)
        assert isinstance(built, TyperGroup)
        self.commands = built.commands

    # `Any` for click's Context and Command: typer vendors click from 0.2x on, and depended on it before
    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands:
            module = _COMMAND_MODULES.get(cmd_name)
            # an unknown name loads every command, so that "did you mean" suggests from all of them
            self._refresh([module] if module is not None else _COMMAND_MODULES.values())
        return self.commands.get(cmd_name)

    def list_commands(self, ctx: Any) -> list[str]:
        if any(name not in self.commands for name in _COMMAND_MODULES):
            self._refresh(_COMMAND_MODULES.values())  # in registration order: help's order
        return list(self.commands)


app = CwbillTyper(
    cls=_LazyCommands,
    name="cwbill",
    help=(
        "cwbill: MSP360 Managed Backup billing statistics as code, reconciled into ConnectWise "
        "Manage agreement additions.\n\n" + exitcodes.HELP
    ),
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion [bash|zsh|fish|powershell]
)


def version_text() -> str:
    """`cwbill --version`: the package, and the versions of the formats it reads and writes."""
    from reconciler.plan.model import FORMAT_VERSION

    return f"cwbill {__version__} (schemas {SCHEMA_VERSION}, plan format {FORMAT_VERSION})"


def _version(value: bool) -> None:
    if value:
        typer.echo(version_text())
        raise typer.Exit(exitcodes.OK)


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """cwbill — billing as code for MSP360 Managed Backup and ConnectWise Manage."""


SECRET_VARIABLES = ("CW_PRIVATE_KEY", "CW_PUBLIC_KEY", "MBS_PASSWORD")
_HANDLER_NAME = "cwbill-verbose"


class _Redact(logging.Filter):
    """The last line of defence: a secret's value never reaches the log, whatever a message holds."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = sorted(secrets, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        for secret in self.secrets:
            text = text.replace(secret, "***")
        record.msg, record.args = text, None
        return True


def configure_logging(verbosity: int) -> None:
    """`-v`: cwbill's own loggers (`cwbill.*`) at INFO on stderr; `-vv`: DEBUG. Libraries stay quiet
    (httpx would log URLs only, but nothing of theirs is needed to follow a run)."""
    logger = logging.getLogger("cwbill")
    for handler in [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]:
        logger.removeHandler(handler)  # a second run in one process (the tests) starts afresh
    if verbosity <= 0:
        logger.setLevel(logging.WARNING)
        logger.propagate = True
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_Redact([v for v in map(os.environ.get, SECRET_VARIABLES) if v]))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbosity > 1 else logging.INFO)
    logger.propagate = False
