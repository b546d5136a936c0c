"""The typer application object and the options every command shares."""

from __future__ import annotations

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
