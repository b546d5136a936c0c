"""Safe YAML/JSON loading that keeps the position of every node and reads numbers exactly.

The loader composes PyYAML's node graph (safe resolver only) and turns it into plain JSON-like data
itself, so that: every mapping key and value keeps its line and column; numbers written with a dot
become `Decimal` straight from their text (never through float) and integers stay `int`; dates become
`YYYY-MM-DD` strings (the schemas check their form); duplicate keys, unknown tags, NaN/infinity and
multi-document files are findings; and what aliases expand to is bounded, so a "billion laughs" file
fails fast with a clear message instead of eating memory — while a file without aliases, however
large, is never refused for its size below `MAX_BYTES`.

JSON text (a file whose first character is `{` or `[`) is read by the json module instead, with the
same exactness and duplicate-key rule (`reconciler.config.jsonload`); anything it refuses goes down
the YAML path below, which reports it.

Speed: a repository of 2,000 companies is 2,000 files, and PyYAML's pure-Python parser spends ≈ 2.5 s
on them. When PyYAML has libyaml, a file is first built straight from libyaml's event stream
(`reconciler.config.yamlevents`: no node graph, SafeLoader's resolver once per distinct plain text,
the same scalar conversions as the builder below), ≈ 15× faster than the exact path. That fast path
only takes plain files, where the two scanners agree: any error, any alias or repeated anchor, any
bound reached, a character PyYAML's reader refuses, or one of the characters where fuzzing found the
two scanners disagree (`_FAST_REFUSED`) sends the file down the pure-Python path, which then produces
the findings, so data, positions and findings never depend on whether libyaml is installed
(tests/config/test_yamlload_fast.py compares the two on a corpus and on fuzzed text). Keeping every
node's position is ≈ 30 % of that path's time; a usage snapshot, where a position is looked up only for
a finding, asks for none (`lazy_positions`) and its document builds the text again the first time one
is looked up.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.config import jsonload
from reconciler.config.document import Document, PathKey, Position, Positions, PositionTable, format_path
from reconciler.config.yamlevents import EventBuilder
from reconciler.errors import Finding, Location, error

__all__ = ["Document", "PathKey", "format_path", "load_file", "load_text", "read_bytes"]

# An alias bomb is a small file whose aliases expand to a huge one: refused when the nodes built
# through aliases pass both MAX_EXPANDED and EXPANSION_RATIO × the nodes written in the file. A file
# without aliases expands nothing, so only MAX_BYTES bounds it (docs/format.md).
MAX_EXPANDED = 200_000  # nodes built again through aliases
EXPANSION_RATIO = 10
MAX_DEPTH = 64  # nesting levels; billing files use fewer than 8
MAX_BYTES = 64 * 1024 * 1024  # 64 MiB: a 20,000-record usage file is ≈ 4 MB, a 72,000-addition seed 16

_TAG = "tag:yaml.org,2002:"
_FLOAT_TEXT = re.compile(r"^[-+]?(\d[\d_]*)?(\.[\d_]*)?([eE][-+]?\d+)?$")


class _Composer(yaml.SafeLoader):
    """Counts the nodes written in the file (not aliases) while composing; the graph itself shares
    aliased nodes (no copies), so composing stays linear in the file's size."""

    written = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if not self.check_event(yaml.AliasEvent):
            self.written += 1
        return super().compose_node(parent, index)


class _TooBig(Exception):
    def __init__(self, what: str, mark: yaml.Mark | None) -> None:
        super().__init__(what)
        self.what = what
        self.mark = mark


class _Builder:
    def __init__(self, file: str, *, written: int = 0) -> None:
        self.file = file
        self.seen: set[int] = set()
        self.positions: dict[PathKey, tuple[int, int]] = {}
        self.key_positions: dict[PathKey, tuple[int, int]] = {}
        self.findings: list[Finding] = []
        self.expanded = 0  # nodes built a second time or more: through an alias
        self.max_expanded = max(MAX_EXPANDED, EXPANSION_RATIO * written)
        self.ancestors: set[int] = set()  # ids of the collections being built (recursive aliases)

    def at(self, node: Node) -> Location:
        return Location(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: Node, path: PathKey) -> object:
        if id(node) in self.seen:
            self.expanded += 1
            if self.expanded > self.max_expanded:
                raise _TooBig(
                    f"aliases expand to more than {self.max_expanded} nodes (an alias bomb?)",
                    node.start_mark,
                )
        else:
            self.seen.add(id(node))
        self.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, MappingNode | SequenceNode):
            if id(node) in self.ancestors:
                raise _TooBig("a recursive alias (an anchor used inside itself)", node.start_mark)
            if len(path) > MAX_DEPTH:
                raise _TooBig(f"nested more than {MAX_DEPTH} levels deep", node.start_mark)
            self.ancestors.add(id(node))
            try:
                if isinstance(node, MappingNode):
                    return self.build_mapping(node, path)
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            finally:
                self.ancestors.discard(id(node))
        assert isinstance(node, ScalarNode)
        return self.scalar(node, path)

    def merged_pairs(self, node: MappingNode) -> list[tuple[Node, Node]]:
        """Explicit keys, then YAML merge keys (`<<: *defaults`) for what is not explicit."""
        explicit: list[tuple[Node, Node]] = []
        merged: list[tuple[Node, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                for source in sources:
                    if isinstance(source, MappingNode):
                        merged.extend(self.merged_pairs(source))
                    else:
                        self.findings.append(
                            error(self.at(source), "", "a merge key (<<) must name a mapping")
                        )
            else:
                explicit.append((key_node, value_node))
        names = {k.value for k, _ in explicit if isinstance(k, ScalarNode)}
        # a non-scalar key (`? [a, b]`) is kept, to be reported as one by build_mapping
        return explicit + [(k, v) for k, v in merged if not isinstance(k, ScalarNode) or k.value not in names]

    def build_mapping(self, node: MappingNode, path: PathKey) -> dict[str, object]:
        result: dict[str, object] = {}
        seen: dict[str, Node] = {}
        for key_node, value_node in self.merged_pairs(node):
            if not isinstance(key_node, ScalarNode):
                self.findings.append(error(self.at(key_node), format_path(path), "a key must be a scalar"))
                continue
            key = str(key_node.value)
            if key in seen and seen[key] is not key_node:
                first = seen[key].start_mark.line + 1
                self.findings.append(
                    error(
                        self.at(key_node),
                        format_path((*path, key)),
                        f"duplicate key {key!r} (first defined on line {first})",
                    )
                )
                continue
            seen[key] = key_node
            self.key_positions[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, (*path, key))
        return result

    def scalar(self, node: ScalarNode, path: PathKey) -> object:
        tag = node.tag
        text = str(node.value)
        if tag == _TAG + "str":
            return text
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "bool":
            return yaml.SafeLoader.bool_values[text.lower()]
        if tag == _TAG + "int":
            return int(yaml.SafeLoader.construct_yaml_int(_CONSTRUCTOR, node))
        if tag == _TAG + "float":
            return self.decimal(node, path, text)
        if tag == _TAG + "timestamp":
            value = yaml.SafeLoader.construct_yaml_timestamp(_CONSTRUCTOR, node)
            if isinstance(value, dt.datetime):
                return value.isoformat()
            return value.isoformat() if isinstance(value, dt.date) else text
        self.findings.append(error(self.at(node), format_path(path), f"unsupported YAML tag {tag!r}"))
        return None

    def decimal(self, node: ScalarNode, path: PathKey, text: str) -> object:
        cleaned = text.replace("_", "")
        if not _FLOAT_TEXT.match(cleaned):
            self.findings.append(
                error(self.at(node), format_path(path), f"{text!r} is not a finite decimal number")
            )
            return None
        try:
            return Decimal(cleaned)
        except InvalidOperation:
            self.findings.append(error(self.at(node), format_path(path), f"{text!r} is not a number"))
            return None


_CONSTRUCTOR = yaml.SafeLoader("")


def _mark_location(file: str, mark: yaml.Mark | None) -> Location:
    if mark is None:
        return Location(file, 1, 1)
    return Location(file, mark.line + 1, mark.column + 1)


def _decode(raw: bytes, file: str) -> tuple[str | None, list[Finding]]:
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [error(Location(file, line, col), "", "the file is not UTF-8 text")]


def _text_of(raw: bytes | str, file: str) -> tuple[str | None, list[Finding]]:
    """The file's text (BOM removed), or the findings that stop it: too large, not UTF-8, empty."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_BYTES:
            return None, [error(Location(file, 1, 1), "", f"the file is larger than {MAX_BYTES} bytes")]
        text, findings = _decode(raw, file)
        if text is None:
            return None, findings
    else:
        text = raw.removeprefix("\ufeff")
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        return None, [error(Location(file, 1, 1), "", "the file is empty")]
    return text, []


def load_text(
    raw: bytes | str, file: str, *, lazy_positions: bool = False
) -> tuple[Document | None, list[Finding]]:
    """Load one YAML (or JSON) document from bytes or text; `file` is the name shown in findings.

    `lazy_positions`: for a large file whose positions are rarely looked up (a usage snapshot), the
    fast path keeps none and the document finds them on first use, by building the text again
    (`_LazyPositions`); data and findings are the same either way."""
    text, findings = _text_of(raw, file)
    if text is None:
        return None, findings
    if text.lstrip()[:1] in ("{", "["):
        # JSON (usage files, seeds) through the json module; what it refuses, YAML judges below
        document = jsonload.load_json(text, file, max_depth=MAX_DEPTH, refused=_NON_PRINTABLE)
        if document is not None:
            return document, []
    fast = _load_fast(text, file, keep_positions=not lazy_positions)
    if fast is not None:
        return fast
    return _load_exact(text, file)


_FAST_LOADER: type[yaml.CSafeLoader] | None = getattr(yaml, "CSafeLoader", None)
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE
# Where libyaml and PyYAML's own scanner disagree (found by fuzzing the two on YAML-like text): a
# tab after a value, a `?` in a flow collection, a lone `!`, a block scalar header followed by `#`
# (`|#`, `>-#`). A file with any of them — even in a comment or a string — takes the exact path:
# slower, never different. `*` (aliases) goes there too, to be counted. Billing files rarely have one.
_FAST_REFUSED = re.compile(r"[\t!?*]|[|>][-+0-9]*#")


def _load_fast(text: str, file: str, *, keep_positions: bool = True) -> tuple[Document, list[Finding]] | None:
    """libyaml's events built straight into data, or None for anything the exact path must judge.

    Without `keep_positions` the document's positions are found when first asked for."""
    if _FAST_LOADER is None or _NON_PRINTABLE.search(text) or _FAST_REFUSED.search(text):
        return None
    builder = _Builder(file)
    loader = _FAST_LOADER(text)
    events = EventBuilder(
        loader,
        builder.scalar,
        builder.positions if keep_positions else None,
        builder.key_positions if keep_positions else None,
        builder.findings,
        file=file,
        max_depth=MAX_DEPTH,
    )
    try:
        data = events.document()
    except Exception:  # any doubt (Unsure, a libyaml error): the exact path decides, with its findings
        return None
    finally:
        loader.dispose()
    if data is None:  # an empty document (`---`): the marks of its empty scalar differ
        return None
    table = (
        Positions(builder.positions, builder.key_positions) if keep_positions else _LazyPositions(text, file)
    )
    return Document(file, data, table), builder.findings


class _LazyPositions:
    """A fast-path document's positions, found on first use by building its text again with them
    (the same text gives the same events, so the same positions the eager path keeps)."""

    __slots__ = ("_file", "_table", "_text")

    def __init__(self, text: str, file: str) -> None:
        self._text: str | None = text
        self._file = file
        self._table: PositionTable | None = None

    def _found(self) -> PositionTable:
        if self._table is None:
            assert self._text is not None
            again = _load_fast(self._text, self._file)
            assert again is not None  # it was built from this very text once already
            self._table = again[0].table
            self._text = None  # the text is not needed any more
        return self._table

    def value(self, path: PathKey) -> Position | None:
        return self._found().value(path)

    def key(self, path: PathKey) -> Position | None:
        return self._found().key(path)

    @property
    def values(self) -> Mapping[PathKey, Position]:
        return self._found().values

    @property
    def keys(self) -> Mapping[PathKey, Position]:
        return self._found().keys


def _load_exact(text: str, file: str) -> tuple[Document | None, list[Finding]]:
    """PyYAML's pure-Python composer, counting what aliases expand: the reference for every finding."""
    try:
        loader = _Composer(text)
    except yaml.reader.ReaderError as exc:  # raised at construction for a control character
        return None, [_reader_finding(file, text, exc)]
    try:
        root = loader.get_single_node()
        if root is None:
            return None, [error(Location(file, 1, 1), "", "the file is empty")]
        builder = _Builder(file, written=loader.written)
        data = builder.build(root, ())
    except _TooBig as exc:
        return None, [error(_mark_location(file, exc.mark), "", f"refused: {exc.what}")]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        if "\t" in problem or "'\\t'" in problem:
            problem += " (tabs are not allowed for indentation in YAML)"
        if exc.context and exc.context_mark is not None and exc.context_mark is not mark:
            # where the construct began (an unclosed quote's opening, say) is often the real mistake
            begun = exc.context_mark
            problem += f" ({exc.context} at line {begun.line + 1}, column {begun.column + 1})"
        return None, [error(_mark_location(file, mark), "", f"invalid YAML: {problem}")]
    except yaml.reader.ReaderError as exc:
        return None, [_reader_finding(file, text, exc)]
    except yaml.YAMLError as exc:
        return None, [error(Location(file, 1, 1), "", f"invalid YAML: {exc}")]
    except RecursionError:  # PyYAML's composer recurses once per nesting level
        return None, [error(Location(file, 1, 1), "", "refused: nested too deeply")]
    finally:
        loader.dispose()
    document = Document(file, data, Positions(builder.positions, builder.key_positions))
    return document, builder.findings


def _reader_finding(file: str, text: str, exc: yaml.reader.ReaderError) -> Finding:
    """A character YAML does not allow (NUL, other control characters), at its line and column."""
    position = min(max(exc.position, 0), len(text))
    line = text.count("\n", 0, position) + 1
    col = position - (text.rfind("\n", 0, position) + 1) + 1
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
    return error(
        Location(file, line, col), "", f"invalid YAML: control character U+{code:04X} is not allowed"
    )


def read_bytes(path: Path, display: str | None = None) -> tuple[bytes | None, list[Finding]]:
    """A file's bytes, or a finding when it cannot be read (for callers that also hash or scan them)."""
    name = display if display is not None else str(path)
    try:
        return path.read_bytes(), []
    except FileNotFoundError:
        return None, [error(Location(name, 0, 0), "", "no such file")]
    except IsADirectoryError:
        return None, [error(Location(name, 0, 0), "", "is a directory, not a file")]
    except OSError as exc:
        return None, [error(Location(name, 0, 0), "", f"cannot read: {exc.strerror}")]


def load_file(path: Path, display: str | None = None) -> tuple[Document | None, list[Finding]]:
    """Load a file from disk; unreadable files are findings, not exceptions."""
    name = display if display is not None else str(path)
    raw, findings = read_bytes(path, name)
    if raw is None:
        return None, findings
    return load_text(raw, name)
