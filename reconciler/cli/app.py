"""The typer application object and the options every command shares."""

from __future__ import annotations

import logging
import os
import sys

import typer

from reconciler import __version__, exitcodes

app = typer.Typer(
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
