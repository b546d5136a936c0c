"""The user documentation stays true: docs/format.md is what scripts/gen_format_docs.py generates from
the schemas now, every relative link resolves, and every `cwbill` command in a shell block parses
with the real CLI."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from reconciler.config.schema import SCHEMA_KINDS
from tests.conftest import PROJECT
from tests.examples.workflows import Command, commands_in, parse

DOCS = [
    "getting-started.md",
    "ci.md",
    "migrating.md",
    "troubleshooting.md",
    "format.md",
    "import.md",
    "report.md",
    "leakage.md",
]
PAGES = [PROJECT / "README.md", *(PROJECT / "docs" / name for name in DOCS)]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
SHELL_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_format_docs", PROJECT / "scripts" / "gen_format_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


generator = _generator()


def test_format_reference_is_up_to_date_with_the_schemas() -> None:
    committed = (PROJECT / "docs" / "format.md").read_text(encoding="utf-8")
    assert committed == generator.current_reference(), (
        "docs/format.md is out of date: run .venv/bin/python scripts/gen_format_docs.py"
    )


def test_the_check_mode_fails_on_a_stale_reference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stale = tmp_path / "docs" / "format.md"
    stale.parent.mkdir()
    stale.write_text("# File format reference\n\nold\n", encoding="utf-8")
    monkeypatch.setattr(generator, "ROOT", tmp_path)
    monkeypatch.setattr(generator, "TARGET", stale)
    assert generator.main(["--check"]) == 1
    assert generator.main([]) == 0
    assert generator.main(["--check"]) == 0
    assert stale.read_text(encoding="utf-8") == generator.current_reference()


def test_the_reference_covers_every_schema_and_describes_every_key() -> None:
    text = generator.current_reference()
    assert {kind for kind, _, _ in generator.FILES} == set(SCHEMA_KINDS)
    for kind in SCHEMA_KINDS:
        assert f"(../schemas/{kind}.schema.json)" in text
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) > 100
    assert [row for row in rows if row.endswith("|  |")] == []  # a key without a description


def test_the_reference_is_deterministic() -> None:
    assert generator.current_reference() == generator.current_reference()


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_every_relative_link_resolves(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for target in LINK.findall(text):
        if target.startswith(("http://", "https://", "mailto:", "#")):
            continue
        path = (page.parent / target.split("#", 1)[0]).resolve()
        assert path.exists(), f"{page.name}: {target} does not exist"


def _doc_commands() -> list[Command]:
    found: list[Command] = []
    for page in PAGES:
        for block in SHELL_BLOCK.findall(page.read_text(encoding="utf-8")):
            found += commands_in(page.name, block)
    return found


DOC_COMMANDS = _doc_commands()


def test_the_docs_show_commands() -> None:
    assert len(DOC_COMMANDS) >= 10  # the parse test below is not vacuous


@pytest.mark.parametrize("command", DOC_COMMANDS, ids=[f"{c.source}: {c.text}" for c in DOC_COMMANDS])
def test_every_documented_command_parses_with_the_real_cli(command: Command) -> None:
    args = list(command.args)
    parse(args)
