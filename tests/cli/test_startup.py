"""What a command imports: each loads the modules it uses and no more (docs/performance.md, start-up).

Each case runs `cwbill ARGS` in a fresh interpreter, as the console script does, and lists the modules
loaded when it exits; the engine's purity test (tests/engine/test_desired.py) holds its boundary the
same way. A command module imported eagerly again, or a heavy import moved to the top of a module that
`--version` or `validate` load, fails here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT

_LIST_MODULES = """
import sys
sys.argv = ["cwbill", *sys.argv[1:]]
from reconciler.cli import main
try:
    main()
except SystemExit:
    pass
print(" ".join(sorted(sys.modules)), file=sys.stderr)
"""

COMMAND_MODULES = tuple(
    f"reconciler.cli.{name}"
    for name in ("validate", "usage", "reconcile", "apply", "sandbox", "init", "imports", "report", "leakage")
)
NETWORK_AND_TERMINAL = ("httpx", "rich", "pydantic")  # the HTTP client, the renderer, typer's coercion
SANDBOX = ("reconciler.sandbox",)


def loaded_by(args: list[str], cwd: Path) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", _LIST_MODULES, *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    return set(done.stderr.splitlines()[-1].split())


def under(modules: set[str], packages: tuple[str, ...]) -> set[str]:
    return {m for m in modules if any(m == p or m.startswith(p + ".") for p in packages)}


@pytest.mark.parametrize(
    ("args", "forbidden"),
    [
        (
            ["--version"],
            (*NETWORK_AND_TERMINAL, *SANDBOX, *COMMAND_MODULES, "yaml", "jsonschema", "reconciler.config"),
        ),
        (
            ["validate", "billing"],
            (*NETWORK_AND_TERMINAL, *SANDBOX, "reconciler.connectwise", "jsonschema"),
        ),
        (["init", "{tmp}/new"], (*NETWORK_AND_TERMINAL, *SANDBOX, "reconciler.connectwise")),
        (["plan", "--help"], SANDBOX),
        (
            ["plan", "{tmp}/missing", "--format", "json"],
            (
                *SANDBOX,
                "rich",
                "pydantic",
                "reconciler.leakage",
                "reconciler.cli.apply",
                "reconciler.reconcile.writes",
            ),
        ),
        (["--help"], SANDBOX),
    ],
    ids=[
        "a bare --version loads no command, no parser, no schema, no HTTP client and no renderer",
        "validate loads no HTTP client, renderer, pydantic, ConnectWise client, sandbox or jsonschema",
        "init loads no HTTP client, no renderer, no pydantic, no ConnectWise client and no sandbox",
        "plan --help loads no sandbox",
        "plan --format json (what CI runs) loads no renderer, pydantic, leakage section or apply code",
        "the command list loads no sandbox, only the sandbox command's own module",
    ],
)
def test_a_command_imports_only_what_it_uses(
    args: list[str], forbidden: tuple[str, ...], tmp_path: Path
) -> None:
    modules = loaded_by([arg.replace("{tmp}", str(tmp_path)) for arg in args], PROJECT)
    assert "reconciler.cli.app" in modules  # it ran
    assert under(modules, forbidden) == set()


def test_a_command_loads_its_own_module_and_help_loads_them_all(tmp_path: Path) -> None:
    assert under(loaded_by(["validate", "billing"], PROJECT), COMMAND_MODULES) == {"reconciler.cli.validate"}
    assert under(loaded_by(["--help"], PROJECT), COMMAND_MODULES) == set(COMMAND_MODULES)
