"""JSON files (usage snapshots, seeds) read by the json module, their positions found only when asked.

Numbers with a point or an exponent become `Decimal` from their text (`parse_float`), integers stay
`int`; a duplicate key, NaN or infinity, nesting deeper than the YAML loader allows or a character it
refuses make `load_json` return None, so that the YAML path (`reconciler.config.yamlload`) reads the
file and reports each at its line and column exactly as before (so does a string holding a raw
U+0085, U+2028 or U+2029, which YAML reads as a line break). A JSON document is YAML, and that path
stays the reference: positions here are those PyYAML gives (a value at its first character, a key at
its opening quote).

Positions cost a scan of the text, so none is computed up front: `JsonPositions` finds a path by
indexing the containers on the way to it, each once, skipping every value at C speed
(`raw_decode`). A finding, or a usage record's own place, costs one pass over the containers it lies
in; a valid file is never scanned at all.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from reconciler.config.document import Document, PathKey, Position

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_LINE_BREAK = re.compile("\r\n|[\n\r]")
# Line breaks to YAML, not to JSON, where a string may hold them raw: YAML folds them into a space
# and starts a new line there; such a (rare) file keeps being read as YAML reads it.
_YAML_ONLY_BREAK = re.compile("[\x85\u2028\u2029]")
_SKIPPER = json.JSONDecoder()  # values are skipped, not kept: floats are fine there
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]  # typeshed omits the C scanner json itself uses


def _skip_space(text: str, at: int) -> int:
    return _WHITESPACE.match(text, at).end()  # type: ignore[union-attr]  # `*` matches everywhere


class _Refused(ValueError):
    pass


def _unique(pairs: list[tuple[str, object]]) -> dict[str, object]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        raise _Refused("duplicate key")  # the YAML path names the key and both lines
    return mapping


def _no_constant(name: str) -> object:
    raise _Refused(f"{name} is not a number")


def _deeper_than(data: object, limit: int) -> bool:
    """Whether a collection lies more than `limit` levels deep (the root at level 0), walked level by
    level: each level's collections are gathered in one comprehension, not pushed one by one."""
    level: list[Any] = [data]
    for _ in range(limit + 1):
        level = [
            child
            for value in level
            for child in (value.values() if type(value) is dict else value)
            if type(child) is dict or type(child) is list
        ]
        if not level:
            return False
    return True


def load_json(text: str, file: str, *, max_depth: int, refused: re.Pattern[str]) -> Document | None:
    """The document in JSON `text`, or None when the YAML path must read it (see the module).

    `max_depth`: the deepest collection the YAML loader builds (its path length); `refused`: the
    characters its reader does not allow."""
    if refused.search(text) or _YAML_ONLY_BREAK.search(text):
        return None
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_no_constant, object_pairs_hook=_unique)
    except (ValueError, RecursionError):  # JSONDecodeError, _Refused, an integer too long
        return None
    if isinstance(data, dict | list) and _deeper_than(data, max_depth):
        return None
    return Document(file, data, JsonPositions(text))


class JsonPositions:
    """The positions of a JSON text, found on demand (see the module)."""

    __slots__ = ("_children", "_has_bom", "_has_cr", "_last", "_line_starts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        # container path → child → (offset of its key, or -1 in a list; offset of its value)
        self._children: dict[PathKey, dict[str | int, tuple[int, int]]] = {}
        self._line_starts: list[int] | None = None
        self._last = (0, 1)  # the last offset turned into a position, and its line
        self._has_cr = "\r" in text
        self._has_bom = "\ufeff" in text

    def value(self, path: PathKey) -> Position | None:
        found = self._offsets(path)
        return None if found is None else self._position(found[1])

    def key(self, path: PathKey) -> Position | None:
        found = self._offsets(path)
        return None if found is None or found[0] < 0 else self._position(found[0])

    @property
    def values(self) -> Mapping[PathKey, Position]:
        return {path: self._position(value) for path, (_, value) in self._walk()}

    @property
    def keys(self) -> Mapping[PathKey, Position]:
        return {path: self._position(key) for path, (key, _) in self._walk() if key >= 0}

    def _walk(self) -> list[tuple[PathKey, tuple[int, int]]]:
        """Every path in the document with its offsets."""
        root = self._offsets(())
        assert root is not None
        found: list[tuple[PathKey, tuple[int, int]]] = [((), root)]
        pending: list[tuple[PathKey, int]] = [((), root[1])]
        while pending:
            path, start = pending.pop()
            if self._text[start] not in "{[":
                continue
            for child, offsets in self._index(path, start).items():
                found.append(((*path, child), offsets))
                pending.append(((*path, child), offsets[1]))
        return found

    def _offsets(self, path: PathKey) -> tuple[int, int] | None:
        offsets = (-1, _skip_space(self._text, 0))
        for depth, part in enumerate(path):
            if self._text[offsets[1]] not in "{[":
                return None
            child = self._index(path[:depth], offsets[1]).get(part)
            if child is None:
                return None
            offsets = child
        return offsets

    def _index(self, path: PathKey, start: int) -> dict[str | int, tuple[int, int]]:
        """The children of the container at `path`, which starts at `start`: each one's offsets."""
        known = self._children.get(path)
        if known is not None:
            return known
        text, children = self._text, {}
        closing = "}" if text[start] == "{" else "]"
        at = _skip_space(text, start + 1)
        index = 0
        while text[at] != closing:
            name: str | int = index
            key_at = -1
            if closing == "}":
                key_at = at
                name, at = _scanstring(text, at + 1)
                at = _skip_space(text, _skip_space(text, at) + 1)  # past the `:`
            children[name] = (key_at, at)
            _, at = _SKIPPER.raw_decode(text, at)
            at = _skip_space(text, at)
            if text[at] == ",":
                at = _skip_space(text, at + 1)
            index += 1
        self._children[path] = children
        return children

    def _position(self, offset: int) -> Position:
        text = self._text
        if (
            self._line_starts is None and not self._has_cr
        ):  # lines end at "\n" only: count them from the last offset asked (C speed)
            last, line = self._last
            if offset < last:
                last, line = 0, 1
            line += text.count("\n", last, offset)
            self._last = (offset, line)
            return line, self._column(text.rfind("\n", 0, offset) + 1, offset)
        if self._line_starts is None:
            self._line_starts = [0, *(found.end() for found in _LINE_BREAK.finditer(text))]
        line = bisect_right(self._line_starts, offset)
        return line, self._column(self._line_starts[line - 1], offset)

    def _column(self, line_start: int, offset: int) -> int:
        """The 1-based column of `offset` as YAML's reader counts it: a U+FEFF (a byte order mark
        inside a string, say) takes no column there."""
        column = offset - line_start + 1
        if self._has_bom:
            column -= self._text.count("\ufeff", line_start, offset)
        return column
