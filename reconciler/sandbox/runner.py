"""`cwbill sandbox serve`: build the sandbox, serve it until SIGINT/SIGTERM, save `--state`.

The interface is a contract (sandbox-seed.md): the first stdout line is exactly
`cwbill sandbox listening on http://HOST:PORT`, flushed at once; everything else goes to stderr;
a stop signal ends it with exit 0 (after saving `--state FILE`); a non-loopback `--host` is refused
unless `--allow-remote`. With `--state FILE`, an existing file is loaded instead of the seed.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TextIO

from reconciler import exitcodes
from reconciler.errors import UserError
from reconciler.sandbox.core import Sandbox
from reconciler.sandbox.credentials import Credentials
from reconciler.sandbox.faults import FaultSettings
from reconciler.sandbox.generator import GeneratorSpec, generate
from reconciler.sandbox.seeds import load_seed
from reconciler.sandbox.server import SandboxServer, is_loopback
from reconciler.sandbox.state import Store


@dataclass(frozen=True, slots=True)
class ServeOptions:
    seed: str = "demo"
    host: str = "127.0.0.1"
    port: int = 0
    state: Path | None = None
    allow_remote: bool = False
    faults: FaultSettings = field(default_factory=FaultSettings)
    generator: GeneratorSpec | None = None
    tls: tuple[Path, Path] | None = None
    verbose: bool = False


def build_store(options: ServeOptions, err: TextIO) -> Store:
    if options.state is not None and options.state.exists():
        try:
            store = Store.load(options.state)
        except (OSError, ValueError, KeyError, TypeError) as problem:
            raise UserError(f"cannot load the sandbox state file {options.state}: {problem}") from None
        err.write(f"sandbox: state loaded from {options.state} (the seed is not used)\n")
        return store
    if options.generator is not None:
        return generate(options.generator)
    return load_seed(options.seed)


def serve(options: ServeOptions, environ: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    if not is_loopback(options.host) and not options.allow_remote:
        raise UserError(
            f"refusing to listen on {options.host}: not a loopback address; the sandbox accepts "
            "demo credentials, so exposing it needs --allow-remote"
        )
    sandbox = Sandbox(build_store(options, err), Credentials.from_env(environ), options.faults)
    try:
        server = SandboxServer(sandbox, options.host, options.port, options.tls, options.verbose)
    except OSError as problem:
        raise UserError(
            f"cannot listen on {options.host}:{options.port}: {problem.strerror or problem}"
        ) from None
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.start()
        out.write(f"cwbill sandbox listening on {server.url}\n")
        out.flush()
        store = sandbox.store
        err.write(
            f"sandbox: {len(store.catalog)} catalog items, {len(store.companies)} companies, "
            f"{len(store.agreements)} agreements, {len(store.additions)} additions, "
            f"{len(store.console.companies)} console companies; stop with Ctrl-C or SIGTERM\n"
        )
        err.flush()
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if options.state is not None:
        with sandbox.store.lock:
            sandbox.store.save(options.state)
        err.write(f"sandbox: state saved to {options.state}\n")
    return exitcodes.OK
