"""The typer application object, its lazily imported commands, and the options every command shares."""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Iterable
from typing import Any

import typer
import typer.main
from typer.core import TyperGroup

from reconciler import __version__, exitcodes

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


class _LazyCommands(TyperGroup):
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


app = typer.Typer(
    cls=_LazyCommands,
    name="cwbill",
    help=(
        "cwbill: MSP360 Managed Backup billing statistics as code, reconciled into ConnectWise "
        "Manage agreement additions.\n\n" + exitcodes.HELP
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cwbill {__version__}")
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
