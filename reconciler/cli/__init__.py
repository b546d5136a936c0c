"""The `cwbill` command line: a thin typer app.

Each command module parses flags and calls one function of the core; `main` is the single top-level
handler that turns a `UserError` into its message and exit code (STYLE §12). A traceback means a bug.
Machine output goes to stdout, human messages to stderr.
"""

from __future__ import annotations

import gc
import sys

import typer

from reconciler import __version__, exitcodes
from reconciler.cli.app import app, lazy_command
from reconciler.cli.interrupts import Interrupted, ctrl_c_raises_interrupted
from reconciler.errors import UserError

# One line per command: its name and the module that registers it on `app`, imported only when the
# command runs (or help lists it), so each command loads what it uses and no more. Help lists them
# in this order (a module's commands before the sub-groups such as `usage` and `sandbox`).
lazy_command("validate", "reconciler.cli.validate")
lazy_command("doctor", "reconciler.cli.doctor")
lazy_command("usage", "reconciler.cli.usage")
lazy_command("plan", "reconciler.cli.reconcile")
lazy_command("apply", "reconciler.cli.apply")
lazy_command("sandbox", "reconciler.cli.sandbox")
lazy_command("init", "reconciler.cli.init")
lazy_command("schemas", "reconciler.cli.schemas")
lazy_command("import", "reconciler.cli.imports")
lazy_command("report", "reconciler.cli.report")
lazy_command("leakage", "reconciler.cli.leakage")

__all__ = ["__version__", "app", "main"]


# Two interpreter settings for a batch command that holds a large, mostly acyclic working set while
# up to `--concurrency` threads wait on the network (measured in docs/performance.md):
GC_THRESHOLDS = (50_000, 20, 100)  # CPython's (700, 10, 10) runs a full collection over ~100k live
# objects again and again while a plan is being built: ≈ 1 s of a 2,000-company plan, for no cycle
SWITCH_INTERVAL = 0.001  # seconds; CPython's 5 ms lets a CPU-bound main thread (the engine) hold the
# GIL while reader threads wait to hand in a response and send the next request


def main() -> None:
    """Console-script entry point with the one top-level handler."""
    gc.set_threshold(*GC_THRESHOLDS)
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        with ctrl_c_raises_interrupted():
            sys.exit(_run())
    finally:
        # The run is over: the cycles it left would be collected only by the interpreter's exit, in
        # one full pass over everything still alive (≈ 0.15 s after a 2,000-company plan). Frozen,
        # they are left to the process's end, as everything else is.
        gc.freeze()


def _run() -> int:
    try:
        code = app(standalone_mode=False)
    except UserError as exc:
        for finding in exc.findings:
            typer.echo(finding.render(), err=True)
        if exc.message:
            typer.echo(f"error: {exc.message}", err=True)
        return exc.exit_code
    except (Interrupted, KeyboardInterrupt):
        typer.echo("interrupted", err=True)
        return exitcodes.INTERRUPTED
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        typer.echo("aborted", err=True)
        return exitcodes.ERROR
    except typer.TyperException as exc:  # typer's own usage errors (it vendors click)
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(f"error: {exc}", err=True)
        exit_code = getattr(exc, "exit_code", exitcodes.ERROR)
        return exitcodes.ERROR if exit_code == 2 else exit_code
    # standalone_mode=False returns the code of a typer.Exit instead of raising it
    return code if isinstance(code, int) else exitcodes.OK
