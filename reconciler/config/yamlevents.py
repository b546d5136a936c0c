"""The libyaml fast path: data, positions and findings built straight from libyaml's event stream.

Composing PyYAML nodes costs more than parsing (its resolver runs in Python for every scalar, then
every node is walked again), ≈ 3.5 s for a 20,000-record usage file. Here each event from libyaml's
parser (`CSafeLoader.get_event`, in C) becomes data at once: a plain scalar is resolved by SafeLoader's
own implicit resolvers (once per distinct text), and converted like `yamlload._Builder.scalar` —
common ints and strings inline, anything else through that very method, so the conversions and their
findings are one piece of code. Positions are the events' start marks, which are the marks the
composer gives its nodes; a caller that rarely needs them (a usage snapshot) passes None and the
builder keeps none (≈ 30 % of its time), see `yamlload.load_text`'s `lazy_positions`.

Only plain files come here (see `yamlload._FAST_REFUSED`), and anything this builder is not sure of
— an alias or a repeated anchor, an explicit tag, a merge key, a non-scalar or empty plain key, an
empty plain value, nesting past `MAX_DEPTH`, more than one document — raises `Unsure`, and the
exact path decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml
from yaml.events import MappingEndEvent, MappingStartEvent, ScalarEvent, SequenceEndEvent, SequenceStartEvent
from yaml.nodes import ScalarNode

from reconciler.config.document import PathKey, format_path
from reconciler.errors import Finding, Location, error

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _NULL = _TAG + "str", _TAG + "int", _TAG + "null"
_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)").fullmatch  # no octal, base or `_`: int() agrees
_RESOLVERS = yaml.SafeLoader.yaml_implicit_resolvers


class Unsure(Exception):
    """What the exact path must judge."""


def _resolve(value: str) -> str:
    """The tag SafeLoader's resolver gives a plain scalar (yaml.resolver.BaseResolver.resolve)."""
    for tag, regexp in _RESOLVERS.get(value[:1], []) + _RESOLVERS.get(None, []):
        if regexp.match(value):
            return str(tag)
    return _STR


class EventBuilder:
    """Builds one document from a CSafeLoader's events into the given position maps and findings."""

    def __init__(
        self,
        loader: yaml.CSafeLoader,
        convert: Callable[[ScalarNode, PathKey], object],
        positions: dict[PathKey, tuple[int, int]] | None,
        key_positions: dict[PathKey, tuple[int, int]] | None,
        findings: list[Finding],
        *,
        file: str,
        max_depth: int,
    ) -> None:
        # libyaml always sets an event's marks; the stubs' Optional would only add checks per event
        self.next: Callable[[], Any] = loader.get_event
        self.convert = convert
        # None: positions are not kept (the caller finds them later, by building the text again)
        self.positions = positions
        self.key_positions = key_positions
        self.findings = findings
        self.file = file
        self.max_depth = max_depth
        self.tags: dict[str, str] = {}  # plain scalar text → resolved tag
        self.anchors: set[str] = set()

    def document(self) -> object:
        """The single document's data; Unsure for an empty stream or more than one document."""
        if not isinstance(self.next(), yaml.StreamStartEvent) or not isinstance(
            self.next(), yaml.DocumentStartEvent
        ):
            raise Unsure
        data = self.node(self.next(), ())
        if not isinstance(self.next(), yaml.DocumentEndEvent) or not isinstance(
            self.next(), yaml.StreamEndEvent
        ):
            raise Unsure
        return data

    def node(self, event: Any, path: PathKey) -> object:
        if self.positions is not None:
            # each path is built once here (no aliases), so plain assignment keeps the first position
            mark = event.start_mark
            self.positions[path] = (mark.line + 1, mark.column + 1)
        kind = type(event)
        if kind is ScalarEvent:
            return self.scalar(event, path)
        if event.anchor is not None:
            self.anchor(event.anchor)
        if event.tag is not None or len(path) > self.max_depth:
            raise Unsure
        if kind is MappingStartEvent:
            return self.mapping(path)
        if kind is SequenceStartEvent:
            items: list[object] = []
            event = self.next()
            while type(event) is not SequenceEndEvent:
                items.append(self.node(event, (*path, len(items))))
                event = self.next()
            return items
        raise Unsure  # an alias

    def mapping(self, path: PathKey) -> dict[str, object]:
        result: dict[str, object] = {}
        first_marks: dict[str, Any] = {}  # key → its mark (a line only for a duplicate)
        event: Any = self.next()
        while type(event) is not MappingEndEvent:
            if type(event) is not ScalarEvent or event.tag is not None:
                raise Unsure  # a non-scalar key is the exact path's finding
            if event.anchor is not None:
                self.anchor(event.anchor)
            key = event.value
            if event.implicit[0] and key in ("", "<<"):
                raise Unsure  # an empty plain key is marked differently; `<<` is a merge key
            mark: Any = event.start_mark  # libyaml always sets it
            key_path = (*path, key)
            if key in first_marks:
                self.findings.append(
                    error(
                        Location(self.file, mark.line + 1, mark.column + 1),
                        format_path(key_path),
                        f"duplicate key {key!r} (first defined on line {first_marks[key].line + 1})",
                    )
                )
                self.skip(self.next())
            else:
                first_marks[key] = mark
                if self.key_positions is not None:
                    self.key_positions[key_path] = (mark.line + 1, mark.column + 1)
                result[key] = self.node(self.next(), key_path)
            event = self.next()
        return result

    def skip(self, event: Any) -> None:
        """Consumes a duplicate key's value, which the builder never builds either."""
        depth = 0
        while True:
            if getattr(event, "anchor", None) is not None:
                self.anchor(event.anchor)
            if getattr(event, "tag", None) is not None:
                raise Unsure
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif not isinstance(event, ScalarEvent):
                raise Unsure
            if depth == 0:
                return
            event = self.next()

    def anchor(self, name: str) -> None:
        """An anchor is harmless without aliases (refused before), but a repeated one is an error."""
        if name in self.anchors:
            raise Unsure
        self.anchors.add(name)

    def scalar(self, event: Any, path: PathKey) -> object:
        value: str = event.value
        if event.anchor is not None:
            self.anchor(event.anchor)
        if event.tag is not None:
            raise Unsure
        if not event.implicit[0]:
            return value  # quoted or block: a string
        if value == "":
            raise Unsure  # an empty plain value: libyaml marks it at the next token, PyYAML at the `:`
        tag = self.tags.get(value)
        if tag is None:
            tag = self.tags[value] = _resolve(value)
        if tag == _STR:
            return value
        if tag == _INT and _PLAIN_INT(value):
            return int(value)
        if tag == _NULL:
            return None
        return self.convert(ScalarNode(tag, value, event.start_mark, event.end_mark, event.style), path)
