"""Usage snapshot files (`--usage FILE|DIR`, `usage/*.yaml`): load them checked, dump them exactly.

A snapshot is what the Management Console reported, after mapping console names to products.yaml
keys (billing-format.md). `load_usage` reads one file or every `*.yaml`/`*.yml`/`*.json` of a folder
through the position-keeping loader (Decimals from their text) and the `usage` schema, then checks
what a schema cannot: product keys that products.yaml lacks or files under the wrong kind, and a
(company, period) recorded twice — each error at its file, line and field path, as `cwbill validate`
reports. A company no company file names is a warning (`usage pull --all-companies` writes such
records for `cwbill leakage`; nothing bills them), with a hint when a file names it in other case.
`dump_usage` writes the deterministic YAML that `cwbill usage pull` commits (see
`reconciler.usage.yamlwrite`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from reconciler.config.load import display_path
from reconciler.config.model import ProductKind, Repository
from reconciler.config.schema import check_schema
from reconciler.config.yamlload import Document, PathKey, format_path, load_text, read_bytes
from reconciler.engine.money import to_decimal
from reconciler.engine.periods import Period
from reconciler.errors import Finding, Location, error, has_errors, warning
from reconciler.usage.model import (
    UNLIMITED_LIMIT,
    ZERO,
    Provenance,
    Source,
    StorageUsage,
    Usage,
    UsageNote,
    UsageRecord,
)
from reconciler.usage.yamlwrite import dump_usage

USAGE_SUFFIXES = (".yaml", ".yml", ".json")
RecordKey = tuple[str, Period]
UNKNOWN_COMPANY = "usage-company-without-file"
_PROVENANCE_FIELDS = frozenset({"source", "taken_at", "method"})
_EMPTY: dict[str, object] = {}  # an absent mapping, read only
_V = TypeVar("_V")

__all__ = ["USAGE_SUFFIXES", "dump_usage", "load_usage", "usage_files"]


def usage_files(directory: Path) -> list[Path]:
    """The usage files of a folder, sorted by name; hidden files (editor backups) are left out."""
    return sorted(
        entry
        for entry in directory.iterdir()
        if entry.is_file() and entry.suffix.lower() in USAGE_SUFFIXES and not entry.name.startswith(".")
    )


def load_usage(path: Path, repository: Repository) -> tuple[Usage | None, list[Finding]]:
    """The usage in a snapshot FILE or every snapshot of a DIR; None when any finding is an error.

    `Usage.digest` is the SHA-256 over (file name, bytes) of the files in sorted order, so a plan's
    fingerprint changes exactly when a usage file does.
    """
    shown = display_path(path)
    if path.is_dir():
        files = usage_files(path)
        if not files:
            note = "no usage files (*.yaml, *.yml, *.json) in this folder"
            return Usage({}, _digest([])), [warning(Location(shown, 0, 0), "", note, "no-usage-files")]
    elif path.exists():
        files = [path]
    else:
        return None, [error(Location(shown, 0, 0), "", "no such file or directory")]
    reader = _Reader(repository)
    contents: list[tuple[str, bytes]] = []
    for file in files:
        raw, findings = read_bytes(file, display_path(file))
        reader.findings += findings
        if raw is not None:
            contents.append((file.name, raw))
            reader.read(raw, display_path(file))
    if has_errors(reader.findings):
        return None, reader.findings
    return Usage(reader.records, _digest(contents)), reader.findings


def _digest(contents: Iterable[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256()
    for name, raw in sorted(contents):
        digest.update(f"{name}\0{len(raw)}\0".encode())
        digest.update(raw)
    return digest.hexdigest()


class _Reader:
    """Builds records from checked documents and remembers where each (company, period) was first read.

    Records are built once per entry of a valid file (20,000 in a large snapshot), so the common case
    costs little: a period's text is parsed once, product keys are looked up in per-kind sets, and no
    position is looked up (a JSON file's positions cost a scan) unless there is a finding to place.
    """

    def __init__(self, repository: Repository) -> None:
        self.repository = repository
        self.companies = {company.console_company for company in repository.companies}
        self.of_kind = {
            kind: frozenset(key for key, product in repository.products.items() if product.kind is kind)
            for kind in ProductKind
        }
        self.periods: dict[str, Period] = {}
        self.records: dict[RecordKey, UsageRecord] = {}
        # where each record was first read (a file's number, the entry's path), for "recorded twice"
        self.first_read: dict[RecordKey, tuple[int, PathKey]] = {}
        self.files: list[tuple[bytes, str]] = []  # each file read, by number
        self.documents: dict[int, Document] = {}  # the current file's, and earlier ones read again
        self.findings: list[Finding] = []

    def read(self, raw: bytes, name: str) -> None:
        # positions are looked up only for a finding: none is kept until one is
        document, findings = load_text(raw, name, lazy_positions=True)
        self.findings += findings
        if document is None:
            return
        self.documents = {len(self.files): document}  # an earlier file's positions are not kept
        self.files.append((raw, name))
        schema_findings = check_schema(document, "usage")
        self.findings += schema_findings
        if schema_findings:
            return  # semantic checks only on schema-valid files, so their messages stay meaningful
        assert isinstance(document.data, dict)
        entries = document.data["usage"]
        assert isinstance(entries, list)
        for index, entry in enumerate(entries):
            assert isinstance(entry, dict)
            self.record(document, ("usage", index), entry)

    def error(self, document: Document, path: PathKey, message: str, *, key: bool = False) -> None:
        self.findings.append(error(document.location(path, key=key), format_path(path), message))

    def period(self, text: str) -> Period:
        period = self.periods.get(text)
        if period is None:
            period = self.periods[text] = Period.parse(text)
        return period

    def record(self, document: Document, path: PathKey, entry: Mapping[str, object]) -> None:
        company = str(entry["console_company"])
        try:
            period = self.period(str(entry["period"]))
        except ValueError as exc:
            self.error(document, (*path, "period"), str(exc))
            return
        if company not in self.companies:
            where = document.location((*path, "console_company"))
            field_path = format_path((*path, "console_company"))
            message = self.unknown_company(company)
            self.findings.append(warning(where, field_path, message, UNKNOWN_COMPANY))
        try:
            provenance = _provenance(entry)
        except ValueError as exc:  # a pattern-valid date that does not exist (2026-02-31)
            self.error(document, (*path, "taken_at"), f"is not a date and time ({exc})")
            return
        counts = entry.get("licenses", _EMPTY)
        assert isinstance(counts, dict)  # whole numbers only (the schema)
        licenses = self.known(document, (*path, "licenses"), counts, ProductKind.LICENSE)
        accounts = entry.get("storage", _EMPTY)
        assert isinstance(accounts, dict)
        storage, unlimited = _amounts(self.known(document, (*path, "storage"), accounts, ProductKind.STORAGE))
        unmapped = entry.get("unmapped", _EMPTY)
        assert isinstance(unmapped, dict)
        unmapped_licenses = unmapped.get("licenses", _EMPTY)
        assert isinstance(unmapped_licenses, dict)
        unmapped_storage, unmapped_unlimited = _amounts(unmapped.get("storage", _EMPTY))
        key = (company, period)
        first = self.first_read.get(key)
        if first is not None:
            first_at = self.location(*first)
            self.error(
                document, path, f"usage of {company!r} in {period} is recorded twice; first at {first_at}"
            )
            return
        self.first_read[key] = (len(self.files) - 1, path)
        self.records[key] = UsageRecord(
            period,
            company,
            licenses,
            storage,
            provenance,
            (*_notes(entry), *unlimited, *unmapped_unlimited),
            unmapped_licenses=dict(unmapped_licenses),
            unmapped_storage=unmapped_storage,
        )

    def location(self, number: int, path: PathKey) -> Location:
        """Where `path` lies in file `number`: an earlier file is read again (it loaded before)."""
        document = self.documents.get(number)
        if document is None:
            document, _ = load_text(*self.files[number])
            assert document is not None
            self.documents[number] = document
        return document.location(path)

    def unknown_company(self, company: str) -> str:
        near = sorted(c for c in self.companies if c.casefold() == company.casefold())
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        return f"no company file has console_company {company!r}{hint}; not billed (cwbill leakage counts it)"

    def known(
        self, document: Document, path: PathKey, entries: dict[str, _V], kind: ProductKind
    ) -> dict[str, _V]:
        """The entries whose key is a products.yaml product of `kind`; an error at each other key."""
        if entries.keys() <= self.of_kind[kind]:
            return dict(entries)
        return {
            key: value for key, value in entries.items() if self.product(document, (*path, key), key, kind)
        }

    def product(self, document: Document, path: PathKey, key: str, kind: ProductKind) -> bool:
        """Whether `key` is a products.yaml product of `kind`; an error at the key when not."""
        product = self.repository.products.get(key)
        if product is None:
            self.error(document, path, f"unknown product {key!r}: products.yaml has no such key", key=True)
            return False
        if product.kind is not kind:
            where = "licenses" if product.kind is ProductKind.LICENSE else "storage"
            self.error(
                document,
                path,
                f"{key!r} is a {product.kind} product; its usage belongs under {where}",
                key=True,
            )
            return False
        return True


def _amounts(accounts: object) -> tuple[dict[str, StorageUsage], list[UsageNote]]:
    """Schema-checked storage amounts by account (a product key, or a console name when unmapped),
    and a note per negative limit (read as none)."""
    assert isinstance(accounts, dict)
    found: dict[str, StorageUsage] = {}
    notes: list[UsageNote] = []
    for key, amounts in accounts.items():
        assert isinstance(amounts, dict)
        limit = _decimal(amounts.get("limit", 0))
        if limit < 0:  # the console's "unlimited", as pulls before cwbill knew it wrote it
            message = f"{key}: limit {limit} is the console's unlimited; no limit is charged for it"
            notes.append(UsageNote(UNLIMITED_LIMIT, message))
            limit = ZERO
        found[str(key)] = StorageUsage(
            _decimal(amounts.get("stored", 0)), _decimal(amounts.get("restored", 0)), limit
        )
    return found, notes


def _decimal(value: object) -> Decimal:
    """An amount as the loaders give it: a Decimal as it is (the common case), else `to_decimal`."""
    return value if type(value) is Decimal else to_decimal(value)


def _provenance(entry: Mapping[str, object]) -> Provenance | None:
    """What the record says about its figures (all optional: older snapshots say nothing)."""
    if entry.keys().isdisjoint(_PROVENANCE_FIELDS):
        return None
    taken = entry.get("taken_at")
    # the schema's pattern admits exactly what fromisoformat reads, always with an offset
    taken_at = dt.datetime.fromisoformat(str(taken)).astimezone(dt.UTC) if taken is not None else None
    methods = entry.get("method", {})
    assert isinstance(methods, dict)
    return Provenance(
        Source(str(entry.get("source", Source.FILE.value))),
        taken_at,
        {str(k): str(v) for k, v in methods.items()},
    )


def _notes(entry: Mapping[str, object]) -> tuple[UsageNote, ...]:
    notes = entry.get("notes", [])
    assert isinstance(notes, list)
    return tuple(UsageNote(str(note["code"]), str(note["message"])) for note in notes)
