"""Ctrl-C and SIGTERM while `apply` writes: stop cleanly instead of dying between a write and its
journal line.

While the writes run, SIGINT and SIGTERM only set an event: the applier sends no new write, the ones
in flight finish or time out (the client's timeout bounds them), every change not sent is journaled
as such, and the command reports how far it got and exits 130. A second signal does not cut the
writes in flight short — a write whose answer is lost is the one case a re-run has to recover —, it
only says what is being waited for; SIGKILL remains for a process that must end now (docs/reliability.md).
Before the writes (reading, planning) Ctrl-C interrupts at once: nothing has been written, and the
top-level handler prints `interrupted` (`Interrupted`, below).
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """Ctrl-C, raised by cwbill's SIGINT handler instead of KeyboardInterrupt: typer turns a
    KeyboardInterrupt into a silent exit 130 before cwbill's top-level handler could say a word."""


@contextmanager
def ctrl_c_raises_interrupted() -> Iterator[None]:
    """Inside the block, SIGINT raises `Interrupted` (in the main thread; elsewhere nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise Interrupted

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def stop_on_signal() -> Iterator[threading.Event]:
    """An event set by the first SIGINT or SIGTERM received inside the block; the previous handlers
    are restored after it. Outside the main thread (where Python allows no handler) it is never set."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def received(signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if stop.is_set():
            sys.stderr.write(
                f"\n{name}: still waiting for the writes in flight (each ends within its timeout)\n"
            )
        else:
            sys.stderr.write(f"\n{name}: no new write is sent; waiting for the writes in flight to end\n")
        sys.stderr.flush()
        stop.set()

    previous = {number: signal.signal(number, received) for number in SIGNALS}
    try:
        yield stop
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
