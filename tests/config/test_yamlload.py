"""The position-keeping, Decimal-exact YAML loader."""

import itertools
from decimal import Decimal
from pathlib import Path

import pytest

from reconciler.config.yamlload import format_path, load_file, load_text, read_bytes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v: 0.1", Decimal("0.1")),
        ("v: 0.0059", Decimal("0.0059")),
        ("v: 1234.5", Decimal("1234.5")),
        ("v: 15.00", Decimal("15.00")),
        ("v: 3", 3),
        ('v: "15.00"', "15.00"),
        ("v: 2026-10-01", "2026-10-01"),
        ("v: 2026-10", "2026-10"),
    ],
    ids=repr,
)
def test_numbers_are_read_from_their_text_exactly(text: str, expected: object) -> None:
    document, findings = load_text(text, "f.yaml")
    assert findings == []
    assert document is not None
    assert isinstance(document.data, dict)
    value = document.data["v"]
    assert value == expected
    assert type(value) is type(expected)
    assert not isinstance(value, float)


def test_nested_positions_are_kept() -> None:
    text = "company: A\nconfigurations:\n  - name: x\n    send: avg\n"
    document, _ = load_text(text, "c.yaml")
    assert document is not None
    location = document.location(("configurations", 0, "send"))
    assert (location.line, location.col) == (4, 11)
    assert document.location(("configurations", 0, "send"), key=True).col == 5
    assert format_path(("configurations", 0, "send")) == "configurations[0].send"


def test_duplicate_keys_are_findings_with_both_lines() -> None:
    _, findings = load_text("a: 1\nb: 2\na: 3\n", "d.yaml")
    assert [f.render() for f in findings] == ["d.yaml:3:1: a: duplicate key 'a' (first defined on line 1)"]


def test_alias_bomb_fails_fast() -> None:
    lines = ["a: &a [x,x,x,x,x,x,x,x,x]"]
    names = "abcdefghi"
    for prev, cur in itertools.pairwise(names):
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    document, findings = load_text("\n".join(lines), "bomb.yaml")
    assert document is None
    assert [(f.location.file, f.message) for f in findings] == [
        ("bomb.yaml", "refused: aliases expand to more than 200000 nodes (an alias bomb?)")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "items:\n" + "".join(f"  - {{n: {i}, v: 1.5}}\n" for i in range(80_000)),
        "base: &b {k: 1, j: 2}\nitems:\n" + "".join(f"  - {{<<: *b, n: {i}}}\n" for i in range(30_000)),
        "items:\n" + "".join(f"  - &a{i} {{n: {i}}}\n  - *a{i}\n" for i in range(2_000)),
    ],
    ids=[
        "a large file without any alias is never refused for its size",
        "a merge key in every item expands less than ten times the file",
        "two thousand aliases, each used once",
    ],
)
def test_legitimate_large_files_load(text: str) -> None:
    document, findings = load_text(text, "large.yaml")
    assert findings == []
    assert document is not None
    assert isinstance(document.data, dict)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "the file is empty"),
        (b"   \n# only a comment\n", "the file is empty"),
        (b"a: \xff\xfe", "the file is not UTF-8 text"),
        (b"a:\n\tb: 1\n", "tabs are not allowed"),
        (b"a: .nan", "is not a finite decimal number"),
        (b"a: !!python/object:os.system x", "unsupported YAML tag"),
        (b"a: 1\n---\nb: 2\n", "invalid YAML"),
        (b"a: 1\nb: \x00x\n", "control character U+0000 is not allowed"),
        (b"connectwise: &loop\n  url: *loop\n", "recursive alias"),
        (b"a: " + b"[" * 5000 + b"]" * 5000, "nested too deeply"),
        (b"a: " + b"[" * 80 + b"]" * 80, "nested more than 64 levels deep"),
    ],
    ids=[
        "empty",
        "whitespace-and-comment",
        "non-utf8",
        "tab",
        "nan",
        "python-tag",
        "two-documents",
        "nul-byte",
        "recursive-alias",
        "deep-nesting-past-the-parser",
        "deep-nesting",
    ],
)
def test_bad_files_are_findings_not_exceptions(raw: bytes, message: str) -> None:
    _, findings = load_text(raw, "bad.yaml")
    assert findings
    assert message in findings[0].message
    assert findings[0].location.file == "bad.yaml"


def test_utf8_bom_is_accepted() -> None:
    document, findings = load_text("\ufeffa: 1\n".encode(), "bom.yaml")
    assert findings == []
    assert document is not None
    assert document.data == {"a": 1}


def test_a_missing_file_is_a_finding_without_a_line(tmp_path: Path) -> None:
    document, findings = load_file(tmp_path / "nope.yaml", "billing/nope.yaml")
    assert document is None
    assert [f.render() for f in findings] == ["billing/nope.yaml: no such file"]


def test_read_bytes_names_a_directory(tmp_path: Path) -> None:
    raw, findings = read_bytes(tmp_path, "billing")
    assert raw is None
    assert [f.render() for f in findings] == ["billing: is a directory, not a file"]
