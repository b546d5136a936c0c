"""cwbill sandbox commands (registered on the app when imported): `cwbill sandbox serve`.

Thin by design: flags become `ServeOptions`, `reconciler.sandbox.runner.serve` does the rest. The
sandbox package is imported lazily, so `cwbill --help` and the product's commands never load it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from reconciler.cli.app import sub_app
from reconciler.errors import UserError

sandbox_app = sub_app(
    "sandbox", "A local ConnectWise Manage + Management Console for demos, tests and benchmarks."
)

_FAULTS = "Faults"
_GENERATOR = "Generated seed (benchmark)"


@sandbox_app.command(
    epilog=(
        "Examples:\n\n"
        "  cwbill sandbox serve --seed demo\n\n"
        "  cwbill sandbox serve --seed my-seed.yaml --port 8080 --state .demo/state.json\n\n"
        "  cwbill sandbox serve --companies 2000 --months 12 --seed-number 7\n\n"
        "  cwbill sandbox serve --lost-response 0.1 --fault-methods POST --fault-seed 3\n\n"
        "Credentials: CW_COMPANY_ID, CW_PUBLIC_KEY, CW_PRIVATE_KEY, CW_CLIENT_ID, MBS_USERNAME, "
        "MBS_PASSWORD from the environment; each unset one takes its demo value (docs/sandbox.md)."
    )
)
def serve(
    seed: str = typer.Option(
        "demo",
        "--seed",
        metavar="NAME|FILE",
        help="demo, empty, console-edge-cases (the demo with a console holding real accounts' edge "
        "cases, docs/sandbox.md), or a seed FILE (YAML or JSON).",
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (loopback unless --allow-remote)."),
    port: int = typer.Option(0, "--port", metavar="PORT", help="Port to listen on; 0 takes a free one."),
    state: Path | None = typer.Option(
        None, "--state", metavar="FILE", help="Load this JSON state at start if it exists; save it at exit."
    ),
    allow_remote: bool = typer.Option(False, "--allow-remote", help="Allow a non-loopback --host."),
    tls_cert: Path | None = typer.Option(None, "--tls-cert", help="Serve https with this PEM certificate."),
    tls_key: Path | None = typer.Option(None, "--tls-key", help="The private key of --tls-cert (PEM)."),
    verbose: bool = typer.Option(False, "--verbose", help="Log each request line to stderr."),
    companies: int | None = typer.Option(
        None,
        "--companies",
        metavar="N",
        help="Generate N companies instead of --seed.",
        rich_help_panel=_GENERATOR,
    ),
    months: int = typer.Option(
        12, "--months", help="Months of generated history.", rich_help_panel=_GENERATOR
    ),
    seed_number: int = typer.Option(
        0, "--seed-number", help="Random seed of the generator.", rich_help_panel=_GENERATOR
    ),
    last_period: str = typer.Option(
        "2026-10",
        "--last-period",
        metavar="YYYY-MM",
        help="Newest generated month.",
        rich_help_panel=_GENERATOR,
    ),
    latency: float = typer.Option(
        0.0, "--latency", help="Rate (0..1) of requests delayed.", rich_help_panel=_FAULTS
    ),
    latency_seconds: float = typer.Option(
        0.0, "--latency-seconds", help="Delay of a delayed request.", rich_help_panel=_FAULTS
    ),
    rate_limit: float = typer.Option(
        0.0, "--rate-limit", help="Rate of 429 answers.", rich_help_panel=_FAULTS
    ),
    retry_after: int = typer.Option(
        30, "--retry-after", help="Retry-After seconds of a 429.", rich_help_panel=_FAULTS
    ),
    server_error: float = typer.Option(
        0.0, "--server-error", help="Rate of 500/503 answers (nothing written).", rich_help_panel=_FAULTS
    ),
    lost_response: float = typer.Option(
        0.0,
        "--lost-response",
        help="Rate of handled requests whose response is lost.",
        rich_help_panel=_FAULTS,
    ),
    slow: float = typer.Option(
        0.0, "--slow", help="Rate of responses stalled past the client's timeout.", rich_help_panel=_FAULTS
    ),
    slow_seconds: float = typer.Option(
        30.0, "--slow-seconds", help="How long a slow response stalls.", rich_help_panel=_FAULTS
    ),
    slow_no_commit: bool = typer.Option(
        False, "--slow-no-commit", help="A slow request is not handled (no write).", rich_help_panel=_FAULTS
    ),
    reset: float = typer.Option(
        0.0, "--reset", help="Rate of connections reset before handling.", rich_help_panel=_FAULTS
    ),
    fault_seed: int = typer.Option(
        0, "--fault-seed", help="Random seed of the fault draws.", rich_help_panel=_FAULTS
    ),
    fault_methods: str = typer.Option(
        "", "--fault-methods", help="Only these methods, e.g. POST,PATCH.", rich_help_panel=_FAULTS
    ),
    faults_mbs: bool = typer.Option(
        False, "--faults-mbs", help="Also fault the Management Console routes.", rich_help_panel=_FAULTS
    ),
) -> None:
    """Serve the sandbox over HTTP until SIGINT/SIGTERM (first stdout line: its URL)."""
    from reconciler.engine.periods import Period
    from reconciler.sandbox.faults import FaultSettings
    from reconciler.sandbox.generator import GeneratorSpec
    from reconciler.sandbox.runner import ServeOptions
    from reconciler.sandbox.runner import serve as run

    if (tls_cert is None) != (tls_key is None):
        raise UserError("--tls-cert and --tls-key go together")
    try:
        faults = FaultSettings(
            seed=fault_seed,
            latency=latency,
            latency_seconds=latency_seconds,
            rate_limit=rate_limit,
            retry_after=retry_after,
            server_error=server_error,
            lost_response=lost_response,
            slow=slow,
            slow_seconds=slow_seconds,
            slow_commits=not slow_no_commit,
            reset=reset,
            methods=tuple(m.strip().upper() for m in fault_methods.split(",") if m.strip()),
            include_mbs=faults_mbs,
        )
        generator = None
        if companies is not None:
            generator = GeneratorSpec(companies, months, seed_number, Period.parse(last_period))
    except ValueError as problem:
        raise UserError(str(problem)) from None
    options = ServeOptions(
        seed=seed,
        host=host,
        port=port,
        state=state,
        allow_remote=allow_remote,
        faults=faults,
        generator=generator,
        tls=(tls_cert, tls_key) if tls_cert is not None and tls_key is not None else None,
        verbose=verbose,
    )
    raise typer.Exit(run(options, os.environ, sys.stdout, sys.stderr))
