"""Deterministic fault injection: latency, 429, 500/503, lost responses, slow responses, resets.

Each fault has a rate in 0..1; one `random.Random(seed)` draws, for every eligible request and in a
fixed order, one number per fault (so a seed and a request sequence always give the same faults,
whatever the rates). Precedence when several hit: reset, rate_limit, server_error (all three before
anything is handled, so no write happens), then slow and lost_response (after the request was
handled: a write has committed). `queue` scripts exact faults for the next eligible requests, for
tests that need "the first POST loses its response". Faults apply to ConnectWise API routes, to the
console's routes only with `include_mbs`, never to `/_sandbox/`; `methods` narrows them (e.g. writes).
"""

from __future__ import annotations

import dataclasses
import random
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

QUEUEABLE: Final = ("reset", "rate_limit", "server_error", "slow", "lost_response")
_METHODS: Final = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, slots=True)
class FaultSettings:
    seed: int = 0
    latency: float = 0.0  # rate of requests delayed by latency_seconds
    latency_seconds: float = 0.0
    rate_limit: float = 0.0  # rate of 429 answers
    retry_after: int = 30  # seconds, in Retry-After and in the message
    server_error: float = 0.0  # rate of 500/503 answers before the request is handled
    lost_response: float = 0.0  # rate of handled requests whose response is lost
    slow: float = 0.0  # rate of responses stalled past the client's timeout
    slow_seconds: float = 30.0  # how long the HTTP server stalls
    slow_commits: bool = True  # whether a slow request is handled (its write commits) before stalling
    reset: float = 0.0  # rate of connections reset before anything is handled
    methods: tuple[str, ...] = ()  # only these methods (empty: all)
    include_mbs: bool = False  # also the Management Console's routes
    queue: tuple[str, ...] = ()  # faults forced on the next eligible requests, in order
    # ConnectWise route templates (`GET /procurement/catalog`) answered 403 as to an API member whose
    # security role lacks them; never drawn, so they shift no other fault
    forbidden: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("latency", "rate_limit", "server_error", "lost_response", "slow", "reset"):
            rate = getattr(self, name)
            if not 0 <= rate <= 1:
                raise ValueError(f"{name} is a rate between 0 and 1, got {rate}")
        if self.latency_seconds < 0 or self.slow_seconds < 0 or self.retry_after < 0:
            raise ValueError("latency_seconds, slow_seconds and retry_after must not be negative")
        unknown_methods = set(self.methods) - _METHODS
        if unknown_methods:
            raise ValueError(f"methods must be among {sorted(_METHODS)}, got {sorted(unknown_methods)}")
        unknown = set(self.queue) - set(QUEUEABLE)
        if unknown:
            raise ValueError(f"queue entries must be among {list(QUEUEABLE)}, got {sorted(unknown)}")

    def to_json(self) -> dict[str, object]:
        # Rates and seconds are floats here (probabilities, not money); the sandbox's JSON writer
        # takes no float, so they go out as the Decimal of their shortest repr (0.1 stays 0.1).
        return {k: _plain(v) for k, v in dataclasses.asdict(self).items()}


@dataclass(frozen=True, slots=True)
class FaultDecision:
    latency: float = 0.0
    fault: str = ""  # "" or one of QUEUEABLE
    status: int = 0  # 500 or 503 for server_error


NO_FAULT: Final = FaultDecision()


class FaultInjector:
    def __init__(self, settings: FaultSettings | None = None) -> None:
        self._lock = threading.Lock()
        self._settings = settings or FaultSettings()
        self._random = random.Random(self._settings.seed)  # noqa: S311  # a reproducible simulation, not cryptography
        self.injected: Counter[str] = Counter()

    @property
    def settings(self) -> FaultSettings:
        """The settings now, `queue` holding the faults not yet forced (read on every request: the
        value itself, replaced only when a queued fault is taken or settings change)."""
        return self._settings

    def update(self, changes: Mapping[str, object]) -> FaultSettings:
        """Change settings at run time (ValueError for bad ones); a new seed restarts the draws."""
        known = {f.name: f for f in dataclasses.fields(FaultSettings)}
        unknown = sorted(set(changes) - set(known))
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(unknown)}")
        values = {name: _coerce(name, value, self._settings) for name, value in changes.items()}
        with self._lock:
            updated = dataclasses.replace(self._settings, **values)  # type: ignore[arg-type]  # each value is coerced to its field's type
            if "seed" in changes:
                self._random = random.Random(updated.seed)  # noqa: S311  # reproducible, not cryptography
            self._settings = updated
            return updated

    def decide(self, method: str, is_mbs: bool) -> FaultDecision:
        settings = self._settings
        if (is_mbs and not settings.include_mbs) or (settings.methods and method not in settings.methods):
            return NO_FAULT
        with self._lock:
            draws = [self._random.random() for _ in range(7)]
            queue = self._settings.queue
            forced = queue[0] if queue else ""
            if forced:
                self._settings = dataclasses.replace(self._settings, queue=queue[1:])
        latency = settings.latency_seconds if draws[0] < settings.latency else 0.0
        rates = (
            settings.reset,
            settings.rate_limit,
            settings.server_error,
            settings.slow,
            settings.lost_response,
        )
        fault = forced or next(
            (kind for kind, rate, draw in zip(QUEUEABLE, rates, draws[1:6], strict=True) if draw < rate), ""
        )
        status = (503 if draws[6] < 0.5 else 500) if fault == "server_error" else 0
        if fault:
            with self._lock:
                self.injected[fault] += 1
        return FaultDecision(latency, fault, status)


def _plain(value: object) -> object:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def _coerce(name: str, value: object, current: FaultSettings) -> object:
    wanted = type(getattr(current, name))
    if wanted is tuple:
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{name} is a list of names")
        return tuple(str(v).upper() if name == "methods" else str(v) for v in value)
    if wanted is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{name} is true or false")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(f"{name} is a number")
    try:
        number = float(str(value))
    except ValueError:
        raise ValueError(f"{name} is a number") from None
    if wanted is int:
        if number != int(number):
            raise ValueError(f"{name} is a whole number")
        return int(number)
    return number
