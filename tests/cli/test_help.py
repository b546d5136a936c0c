"""`--help` of every registered command (walked from the app, so a command added later is covered):
no value placeholder for a flag, a click-style one for a value, defaults in one style, and the
shell completion that `--install-completion` installs for bash and zsh really completes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from reconciler.cli import app

CWBILL = Path(sys.executable).parent / "cwbill"
TYPE_LABEL = re.compile(r"<[a-z][^<>]*>")  # typer 0.29's `<bool>`, `<list[str]>`, `<int range>`
DEFAULT = re.compile(r"\[default: ([^\]]*)\]")


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command under `command`, asked as click asks a group (`list_commands`, `get_command`),
    so the root's lazily imported commands are all loaded and walked."""
    yield path, command
    if not hasattr(command, "list_commands"):
        return
    for name in sorted(command.list_commands(None)):
        yield from _commands(command.get_command(None, name), (*path, name))


ROOT = typer.main.get_command(app)
COMMANDS = list(_commands(ROOT))
PATHS = [path for path, _ in COMMANDS]


def _help(path: tuple[str, ...]) -> str:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.stdout


def _params(path: tuple[str, ...]) -> list[Any]:
    """The parameters of the command at `path`, as its help shows them (help option included)."""
    command = dict(COMMANDS)[path]
    ctx = command.make_context(" ".join(("cwbill", *path)), [], resilient_parsing=True)
    return list(command.get_params(ctx))


def test_the_walk_finds_every_command() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"", "validate", "plan", "apply", "init", "schemas", "usage pull", "sandbox serve"} <= names


@pytest.mark.parametrize(
    "path", [p for p, _ in COMMANDS], ids=[" ".join(("cwbill", *p)) for p, _ in COMMANDS]
)
def test_help_shows_no_type_label_and_defaults_in_one_style(path: tuple[str, ...]) -> None:
    text = _help(path)
    assert TYPE_LABEL.findall(text) == []
    for param in _params(path):
        shown = " ".join(param.opts)
        assert "default" not in (param.help or "").lower(), f"{shown}: a default belongs in [default: …]"
    for value in DEFAULT.findall(text):
        # a literal default as typed; a described one (no single value) in parentheses, as click does
        assert value == value.strip() and value != "", text


@pytest.mark.parametrize(
    "path", [p for p, _ in COMMANDS], ids=[" ".join(("cwbill", *p)) for p, _ in COMMANDS]
)
def test_a_flag_shows_no_value_to_type_and_a_value_option_shows_what_to_type(path: tuple[str, ...]) -> None:
    text = _help(path)
    rows = text.splitlines()
    for param in _params(path):
        if param.param_type_name != "option" or not param.help:
            continue
        long_name = max(param.opts, key=len)
        row = next(line for line in rows if line.lstrip(" │*").startswith(f"{long_name} "))
        after = row.split(long_name, 1)[1]
        for name in param.opts:
            after = after.replace(f" {name} ", " ")
        after = after.strip(" │*")
        first_word = param.help.split()[0]
        if param.is_flag or param.count:
            assert after.startswith(first_word), f"{long_name}: {row!r}"
        else:
            placeholder = after.split()[0]
            assert placeholder != first_word and placeholder not in ("BOOLEAN", "bool"), (
                f"{long_name}: {row!r}"
            )


def test_a_counted_flag_says_how_to_use_it_without_a_default() -> None:
    text = _help(("plan",))
    row = next(line for line in text.splitlines() if "--verbose" in line)
    assert "[default" not in row
    assert "-v " in row


def test_version_reports_the_schema_and_plan_format_versions() -> None:
    from reconciler import SCHEMA_VERSION, __version__
    from reconciler.plan.model import FORMAT_VERSION

    done = subprocess.run([str(CWBILL), "--version"], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"cwbill {__version__} (schemas {SCHEMA_VERSION}, plan format {FORMAT_VERSION})\n"


def _install(shell: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HOME": str(home),
        "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1",  # the shell is named, not guessed from pytest
    }
    return subprocess.run(
        [str(CWBILL), "--install-completion", shell], capture_output=True, text=True, env=env, check=False
    )


def test_bash_completion_installs_and_completes_commands_and_flags(tmp_path: Path) -> None:
    done = _install("bash", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "bash completion installed in" in done.stdout
    script = tmp_path / ".bash_completions" / "cwbill.sh"
    assert (
        f"source '{script}'" in (tmp_path / ".bashrc").read_text()
        or str(script) in (tmp_path / ".bashrc").read_text()
    )
    # what bash does on <TAB>: the installed function fills COMPREPLY
    probe = (
        f'export PATH="{CWBILL.parent}:$PATH"; source "{script}"; '
        'COMP_WORDS=(cwbill pl); COMP_CWORD=1; _cwbill_completion cwbill; echo "${COMPREPLY[@]}"; '
        'COMP_WORDS=(cwbill plan --detailed); COMP_CWORD=2; _cwbill_completion cwbill; echo "${COMPREPLY[@]}"'
    )
    shown = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=False)
    assert shown.stdout.split("\n")[:2] == ["plan", "--detailed-exitcode"], shown.stderr


def test_zsh_completion_installs_into_fpath(tmp_path: Path) -> None:
    done = _install("zsh", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "zsh completion installed in" in done.stdout
    zshrc = (tmp_path / ".zshrc").read_text()
    assert "compinit" in zshrc
    script = (tmp_path / ".zfunc" / "_cwbill").read_text()
    assert "_CWBILL_COMPLETE=complete_zsh" in script
    # the protocol the script speaks: cwbill answers with the candidates for the words typed so far
    env = {**os.environ, "_CWBILL_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "cwbill sandbox s"}
    answer = subprocess.run([str(CWBILL)], capture_output=True, text=True, env=env, check=False)
    assert "serve" in answer.stdout, answer.stderr


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed (.ci/run installs it)")
def test_zsh_loads_the_installed_completion(tmp_path: Path) -> None:
    assert _install("zsh", tmp_path).returncode == 0
    probe = 'autoload -Uz compinit && compinit -u && whence -w _cwbill && echo "${_comps[cwbill]}"'
    env = {**os.environ, "HOME": str(tmp_path), "ZDOTDIR": str(tmp_path)}
    shown = subprocess.run(["zsh", "-i", "-c", probe], capture_output=True, text=True, env=env, check=False)
    assert "_cwbill: function" in shown.stdout, shown.stderr
    assert shown.stdout.strip().endswith("_cwbill")
