"""The journal after a kill: a torn last line stays alone, so every other line still parses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.connectwise.journal import Journal
from tests.render.plans import create


@pytest.mark.parametrize(
    "before",
    [b"", b'{"action": "create", "event": "sending"}\n', b'{"action": "create", "event": "sen'],
    ids=["a new journal", "a whole journal", "a journal torn by a kill"],
)
def test_a_new_run_starts_on_a_fresh_line(tmp_path: Path, before: bytes) -> None:
    path = tmp_path / "journal.jsonl"
    if before:
        path.write_bytes(before)
    journal = Journal.open(path)
    journal.record(create(), "sending")
    journal.close()
    lines = path.read_bytes().splitlines()
    assert json.loads(lines[-1])["event"] == "sending"
    assert lines[:-1] == before.splitlines()
