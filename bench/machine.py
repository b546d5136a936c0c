"""The machine a benchmark ran on, as the performance page notes it."""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Machine:
    cpus: int
    cpu_model: str
    memory_gib: float
    python: str
    system: str

    def describe(self) -> str:
        return (
            f"{self.cpus} CPU ({self.cpu_model}), {self.memory_gib:.1f} GiB memory, "
            f"Python {self.python}, {self.system}"
        )


def _proc_value(path: str, key: str) -> str | None:
    try:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            name, _, value = line.partition(":")
            if name.strip() == key:
                return value.strip()
    except OSError:
        return None
    return None


def this_machine() -> Machine:
    memory = _proc_value("/proc/meminfo", "MemTotal")  # "24684012 kB"
    memory_gib = int(memory.split()[0]) / 1024**2 if memory else 0.0
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return Machine(
        cpus=cpus,
        cpu_model=_proc_value("/proc/cpuinfo", "model name") or platform.processor() or "unknown CPU",
        memory_gib=memory_gib,
        python=sys.version.split()[0],
        system=platform.platform(terse=True),
    )
