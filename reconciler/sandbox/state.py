"""The sandbox's in-memory state: ConnectWise records, the console's data, ids and a logical clock.

Records are plain dicts holding what a client wrote (Decimals for numbers, `…T00:00:00Z` text for
dates); what ConnectWise derives (references' names, extPrice, hrefs) is added when a record is
rendered (`cw_render`). Ids increase per kind from 1 in creation order. `_info.lastUpdated` comes
from a logical clock that advances one second per write from a fixed start, so a seed always gives
the same timestamps and every write gets a strictly later one. One re-entrant lock makes each request
atomic. The whole state saves to and loads from one JSON file (`--state`; decimals as strings).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Final

from reconciler.sandbox import datetimes, jsonio
from reconciler.sandbox.mbs_data import ConsoleData

Record = dict[str, object]
CLOCK_START: Final = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SEED_USER: Final = "sandbox-seed"
API_USER: Final = "sandbox-api"  # the API member's identifier; deliberately not the public key
KINDS: Final = ("catalog", "companies", "agreement_types", "agreements", "additions")
STATE_FORMAT: Final = 1
# Fields read back as Decimal from a state file (written as strings there).
DECIMAL_FIELDS: Final = {
    "catalog": frozenset({"price", "cost"}),
    "additions": frozenset({"quantity", "lessIncluded", "unitPrice", "unitCost", "sequenceNumber"}),
}


class LogicalClock:
    """Deterministic time: each tick is one second after the previous one."""

    def __init__(self, start: dt.datetime = CLOCK_START) -> None:
        self.current = start
        self._day = ("", dt.date.min)  # the formatted date of the last tick, reused (seeds tick 10^5 times)

    def tick(self) -> str:
        self.current += dt.timedelta(seconds=1)
        now = self.current
        if self._day[1] != now.date():
            self._day = (now.strftime("%Y-%m-%dT"), now.date())
        return f"{self._day[0]}{now.hour:02d}:{now.minute:02d}:{now.second:02d}Z"


@dataclass
class Store:
    clock: LogicalClock = field(default_factory=LogicalClock)
    catalog: dict[int, Record] = field(default_factory=dict)
    companies: dict[int, Record] = field(default_factory=dict)
    agreement_types: dict[int, Record] = field(default_factory=dict)
    agreements: dict[int, Record] = field(default_factory=dict)
    additions: dict[int, Record] = field(default_factory=dict)
    by_agreement: dict[int, dict[int, Record]] = field(default_factory=dict)
    console: ConsoleData = field(default_factory=ConsoleData)
    next_ids: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 1))
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    # identifier (lower case) → company id: a seed of 2,000 companies looks each new one up before
    # creating it, and a scan per look-up made that quadratic (≈ 1 s); companies are only ever added
    _company_ids: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    # ------------------------------------------------------------------------------------- writes

    def _new_id(self, kind: str) -> int:
        value = self.next_ids[kind]
        self.next_ids[kind] = value + 1
        return value

    def _stamp(self, record: Record, who: str, previous: Record | None) -> None:
        now = self.clock.tick()
        entered = previous.get("_info") if previous else None
        info = dict(entered) if isinstance(entered, dict) else {"dateEntered": now, "enteredBy": who}
        info.update(lastUpdated=now, updatedBy=who)
        record["_info"] = info

    def insert(self, kind: str, record: Record, who: str = API_USER) -> Record:
        """Give `record` the next id of `kind`, stamp it and store it."""
        stored = {"id": self._new_id(kind), **{k: v for k, v in record.items() if k != "id"}}
        self._stamp(stored, who, None)
        self._table(kind)[_int(stored["id"])] = stored
        if kind == "additions":
            self.by_agreement.setdefault(_int(stored["agreementId"]), {})[_int(stored["id"])] = stored
        elif kind == "companies" and len(self._company_ids) == len(self.companies) - 1:  # kept whole
            self._company_ids.setdefault(str(stored["identifier"]).lower(), _int(stored["id"]))
        return stored

    def replace_addition(self, addition_id: int, record: Record, who: str = API_USER) -> Record:
        previous = self.additions[addition_id]
        stored = {"id": addition_id, **{k: v for k, v in record.items() if k not in ("id", "_info")}}
        self._stamp(stored, who, previous)
        self.additions[addition_id] = stored
        self.by_agreement[_int(stored["agreementId"])][addition_id] = stored
        return stored

    def delete_addition(self, addition_id: int) -> None:
        record = self.additions.pop(addition_id)
        self.by_agreement[_int(record["agreementId"])].pop(addition_id, None)
        self.clock.tick()  # a delete is a write too: later writes stay strictly later

    def agreement_type_id(self, name: str, who: str = SEED_USER) -> int:
        for type_id, record in self.agreement_types.items():
            if str(record["name"]).lower() == name.lower():
                return type_id
        return _int(self.insert("agreement_types", {"name": name}, who)["id"])

    # ------------------------------------------------------------------------------------- reads

    def _table(self, kind: str) -> dict[int, Record]:
        table: dict[int, Record] = getattr(self, kind)
        return table

    def catalog_item(self, *, item_id: int | None = None, identifier: str | None = None) -> Record | None:
        if item_id is not None:
            return self.catalog.get(item_id)
        wanted = (identifier or "").lower()
        return next((r for r in self.catalog.values() if str(r["identifier"]).lower() == wanted), None)

    def company(self, *, company_id: int | None = None, identifier: str | None = None) -> Record | None:
        if company_id is not None:
            return self.companies.get(company_id)
        wanted = (identifier or "").lower()
        if len(self._company_ids) != len(self.companies):  # filled another way (a state file, a test)
            self._company_ids.clear()
            for record in self.companies.values():  # the first of a repeated identifier, as a scan
                self._company_ids.setdefault(str(record["identifier"]).lower(), _int(record["id"]))
        found = self._company_ids.get(wanted)
        return None if found is None else self.companies.get(found)

    def additions_of(self, agreement_id: int) -> Iterator[Record]:
        yield from self.by_agreement.get(agreement_id, {}).values()

    # ------------------------------------------------------------------------------------- files

    def to_document(self) -> dict[str, object]:
        return {
            "format": STATE_FORMAT,
            "clock": datetimes.format_utc(self.clock.current),
            "next_ids": dict(self.next_ids),
            **{kind: list(self._table(kind).values()) for kind in KINDS},
            "console": self.console.to_document(),
        }

    def save(self, path: Path) -> None:
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_bytes(jsonio.dump_bytes(self.to_document(), decimal_as_string=True))
        temporary.replace(path)  # atomic: a crash never leaves half a state file

    @classmethod
    def from_document(cls, document: object) -> Store:
        if not isinstance(document, dict) or document.get("format") != STATE_FORMAT:
            raise ValueError("not a cwbill sandbox state file (format 1)")
        store = cls(clock=LogicalClock(datetimes.parse(str(document["clock"]))))
        store.next_ids = {kind: int(str(value)) for kind, value in _dict(document["next_ids"]).items()}
        for kind in KINDS:
            table = store._table(kind)
            for raw in _list(document[kind]):
                record = _decimals(_dict(raw), DECIMAL_FIELDS.get(kind, frozenset()))
                table[_int(record["id"])] = record
                if kind == "additions":
                    store.by_agreement.setdefault(_int(record["agreementId"]), {})[_int(record["id"])] = (
                        record
                    )
        store.console = ConsoleData.from_document(document["console"])
        return store

    @classmethod
    def load(cls, path: Path) -> Store:
        return cls.from_document(jsonio.loads(path.read_bytes()))


def _int(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise TypeError(f"expected an integer id, got {value!r}")


def _dict(value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        raise ValueError("malformed state file: expected an object")
    return value


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise ValueError("malformed state file: expected a list")
    return value


def _decimals(record: dict[str, object], names: frozenset[str]) -> dict[str, object]:
    return {k: Decimal(v) if k in names and isinstance(v, str) else v for k, v in record.items()}
