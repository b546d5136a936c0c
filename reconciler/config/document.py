"""A loaded file: plain data, and where each value and key is written (for findings' line:col).

A YAML file's positions come with its nodes and are kept as two tables (`Positions`). A JSON file's
are found only when asked (`reconciler.config.jsonload.JsonPositions`): nearly every file is valid,
and then nothing but a usage record's own place is ever looked up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from reconciler.errors import Location

PathKey = tuple[str | int, ...]
Position = tuple[int, int]  # line, column: 1-based


class PositionTable(Protocol):
    def value(self, path: PathKey) -> Position | None:
        """Where the value at `path` starts, if it exists."""
        ...

    def key(self, path: PathKey) -> Position | None:
        """Where the mapping key ending `path` starts, if it is a key."""
        ...

    @property
    def values(self) -> Mapping[PathKey, Position]:
        """Every value's position (for the callers that walk them all)."""
        ...

    @property
    def keys(self) -> Mapping[PathKey, Position]: ...


class Positions:
    """Positions known up front, as the YAML builder records them."""

    __slots__ = ("_keys", "_values")

    def __init__(
        self, values: Mapping[PathKey, Position] | None = None, keys: Mapping[PathKey, Position] | None = None
    ) -> None:
        self._values = values or {}
        self._keys = keys or {}

    def value(self, path: PathKey) -> Position | None:
        return self._values.get(path)

    def key(self, path: PathKey) -> Position | None:
        return self._keys.get(path)

    @property
    def values(self) -> Mapping[PathKey, Position]:
        return self._values

    @property
    def keys(self) -> Mapping[PathKey, Position]:
        return self._keys


def _same_positions(one: PositionTable, two: PositionTable) -> bool:
    return dict(one.values) == dict(two.values) and dict(one.keys) == dict(two.keys)


@dataclass(frozen=True, slots=True, eq=False)
class Document:
    """A loaded file: plain data plus the position of each value (and each mapping key)."""

    file: str
    data: object
    table: PositionTable = field(default_factory=Positions)

    @property
    def positions(self) -> Mapping[PathKey, Position]:
        return self.table.values

    @property
    def key_positions(self) -> Mapping[PathKey, Position]:
        return self.table.keys

    def location(self, path: PathKey = (), *, key: bool = False) -> Location:
        """The location of `path` (of its key, with `key`, when it is one), or of its nearest
        ancestor that has one."""
        probe = tuple(path)
        while True:
            found = (self.table.key(probe) if key else None) or self.table.value(probe)
            if found is not None:
                return Location(self.file, *found)
            if not probe:
                return Location(self.file, 1, 1)
            probe = probe[:-1]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Document):
            return NotImplemented
        return (self.file, self.data) == (other.file, other.data) and _same_positions(self.table, other.table)

    __hash__ = None  # type: ignore[assignment]  # mutable data: as a dataclass with eq, not hashable


def format_path(path: PathKey) -> str:
    """`("configurations", 0, "send")` → `configurations[0].send`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text
