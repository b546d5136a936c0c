"""Usage snapshot files: loading with located errors, duplicates across files, JSON, dump → load."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from reconciler.engine.periods import Period
from reconciler.errors import Severity
from reconciler.usage.model import Provenance, Source, StorageUsage, Usage, UsageNote
from reconciler.usage.snapshot import dump_usage, load_usage
from tests.engine.builders import D, company, repository, storage

REPOSITORY = repository(
    company(),
    company(identifier="BETA", console_company="Beta Logistics"),
    company(identifier="ZED", console_company='Zed "Ünïcode" Co\tLtd'),
)
VALID = """\
# yaml-language-server: $schema=../../schemas/usage.schema.json
usage:
  - period: "2026-10"
    console_company: Acme Corp
    licenses: {server: 3, desktop: 12}
    storage:
      wasabi: {stored: 1234.5, restored: 20, limit: 2000}
  - period: "2026-11"
    console_company: Acme Corp
    licenses: {server: 4, desktop: 12}
  - period: 2026-10
    console_company: Beta Logistics
"""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # findings name files relative to the working directory


def _write(name: str, text: str) -> Path:
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file_loads_exact_decimals() -> None:
    loaded, findings = load_usage(_write("usage/2026-10.yaml", VALID), REPOSITORY)
    assert findings == []
    assert loaded is not None
    october = loaded.of("Acme Corp", Period(2026, 10))
    assert october is not None
    assert october.licenses == {"server": 3, "desktop": 12}
    wasabi = october.storage["wasabi"]
    assert (str(wasabi.stored), str(wasabi.restored), str(wasabi.limit)) == ("1234.5", "20", "2000")
    assert isinstance(wasabi.restored, D)
    beta = loaded.of("Beta Logistics", Period(2026, 10))
    assert beta is not None
    assert (beta.licenses, beta.storage) == ({}, {})  # a record with no products: zero usage
    assert loaded.of("Beta Logistics", Period(2026, 11)) is None  # no record: unknown usage


def _record(body: str, period: str = '"2026-10"', company: str = "Acme Corp") -> str:
    return f"usage:\n  - period: {period}\n    console_company: {company}\n{body}"


@pytest.mark.parametrize(
    ("text", "where", "path", "message"),
    [
        pytest.param(
            _record("    licenses: {server: 3, bogus: 1}\n"),
            "4:27",
            "usage[0].licenses.bogus",
            "unknown product 'bogus': products.yaml has no such key",
            id="an unknown product key",
        ),
        pytest.param(
            _record("    storage:\n      server: {stored: 1}\n"),
            "5:7",
            "usage[0].storage.server",
            "'server' is a license product; its usage belongs under licenses",
            id="a license product under storage",
        ),
        pytest.param(
            _record("    licenses: {wasabi: 3}\n"),
            "4:16",
            "usage[0].licenses.wasabi",
            "'wasabi' is a storage product; its usage belongs under storage",
            id="a storage product under licenses",
        ),
        pytest.param(
            _record("", period='"2026-13"'),
            "2:13",
            "usage[0].period",
            '"2026-13" is not a period YYYY-MM such as "2026-11"',
            id="a month that does not exist",
        ),
        pytest.param(
            _record("", period="2026-10-01"),
            "2:13",
            "usage[0].period",
            '"2026-10-01" is not a period YYYY-MM',
            id="a date instead of a period",
        ),
        pytest.param(
            _record("    storage:\n      wasabi: {stored: -5}\n"),
            "5:24",
            "usage[0].storage.wasabi.stored",
            "-5 is below the minimum of 0",
            id="a negative amount",
        ),
        pytest.param(
            _record('    storage:\n      wasabi: {restored: "-0.5"}\n'),
            "5:26",
            "usage[0].storage.wasabi.restored",
            '"-0.5" is not a non-negative decimal amount of GB',
            id="a negative amount written as text",
        ),
        pytest.param(
            _record("    licenses: {server: 3.5}\n"),
            "4:24",
            "usage[0].licenses.server",
            "expected a whole number, got 3.5",
            id="a license count that is not whole",
        ),
        pytest.param(
            _record("    licenses: {server: -1}\n"),
            "4:24",
            "usage[0].licenses.server",
            "-1 is below the minimum of 0",
            id="a negative license count",
        ),
        pytest.param(
            _record("    licences: {server: 1}\n"),
            "4:5",
            "usage[0].licences",
            "unknown key",
            id="a misspelt key",
        ),
        pytest.param(
            _record("    storage:\n      wasabi: {stored: 1.5e3}\n"),
            "5:24",
            "usage[0].storage.wasabi.stored",
            "not a non-negative decimal amount of GB",
            id="an exponent is not a decimal amount",
        ),
        pytest.param(
            _record('    taken_at: "2026-11-01 06:00"\n'),
            "4:15",
            "usage[0].taken_at",
            'is not a date and time with an offset such as "2026-11-01T06:00:00Z"',
            id="taken_at without T and offset",
        ),
        pytest.param(
            _record('    taken_at: "2026-02-31T06:00:00Z"\n'),
            "4:15",
            "usage[0].taken_at",
            "is not a date and time (day is out of range for month)",
            id="taken_at on a day that does not exist",
        ),
        pytest.param(
            _record("    source: clipboard\n"),
            "4:13",
            "usage[0].source",
            "console-api",
            id="an unknown source",
        ),
        pytest.param(
            _record("    notes:\n      - {code: Unlimited, message: x}\n"),
            "5:16",
            "usage[0].notes[0].code",
            "is not a code such as unlimited-limit",
            id="a note code that is not a code",
        ),
        pytest.param(
            "usage:\n  - console_company: Acme Corp\n",
            "2:5",
            "usage[0].period",
            "is required but missing",
            id="a record without a period",
        ),
        pytest.param(
            _record("") + "  - period: '2026-10'\n    console_company: Acme Corp\n",
            "4:5",
            "usage[1]",
            "usage of 'Acme Corp' in 2026-10 is recorded twice; first at usage/bad.yaml:2:5",
            id="a record twice in one file",
        ),
    ],
)
def test_errors_are_located(text: str, where: str, path: str, message: str) -> None:
    loaded, findings = load_usage(_write("usage/bad.yaml", text), REPOSITORY)
    assert loaded is None
    assert len(findings) == 1, [f.render() for f in findings]
    (finding,) = findings
    assert finding.severity is Severity.ERROR
    assert f"{finding.location.line}:{finding.location.col}" == where
    assert finding.location.file == "usage/bad.yaml"
    assert finding.path == path
    assert message in finding.message


def test_a_company_no_company_file_names_is_a_warning_and_its_record_is_kept() -> None:
    loaded, findings = load_usage(_write("usage/all.yaml", _record("", company="acme corp")), REPOSITORY)
    assert loaded is not None and ("acme corp", Period(2026, 10)) in loaded.records
    assert [(f.severity, f.render()) for f in findings] == [
        (
            Severity.WARNING,
            "usage/all.yaml:3:22: usage[0].console_company: warning: no company file has console_company "
            "'acme corp' (did you mean 'Acme Corp'?); not billed (cwbill leakage counts it)",
        )
    ]


def test_unmapped_usage_is_read_by_console_name_and_dumped_back_equal() -> None:
    text = _record(
        "    licenses: {server: 2}\n"
        "    unmapped:\n"
        '      licenses: {"Hyper-V Server": 3}\n'
        "      storage:\n"
        '        "Backblaze B2": {stored: 12.5, restored: 0, limit: 100}\n'
    )
    loaded, findings = load_usage(_write("usage/2026-10.yaml", text), REPOSITORY)
    assert loaded is not None and not findings
    (record,) = loaded.records.values()
    assert record.unmapped_licenses == {"Hyper-V Server": 3}
    assert record.unmapped_storage == {
        "Backblaze B2": StorageUsage(Decimal("12.5"), Decimal(0), Decimal(100))
    }
    again, _ = load_usage(_write("usage/again.yaml", dump_usage(loaded)), REPOSITORY)
    assert again is not None
    assert list(again.records.values()) == [record]


def test_a_record_in_two_files_is_an_error_naming_both() -> None:
    _write("usage/2026-10.yaml", VALID)
    _write("usage/late.yml", _record("    licenses: {server: 9}\n"))
    loaded, findings = load_usage(Path("usage"), REPOSITORY)
    assert loaded is None
    assert [f.render() for f in findings] == [
        "usage/late.yml:2:5: usage[0]: usage of 'Acme Corp' in 2026-10 is recorded twice; "
        "first at usage/2026-10.yaml:3:5"
    ]


def test_a_record_twice_across_json_files_names_each_place_once_per_duplicate() -> None:
    """The first place is found in a file read earlier (its positions are not kept: it is read again)."""
    record = '{"period": "2026-10", "console_company": "Acme Corp"}'
    _write("usage/a.json", f'{{"usage": [\n  {record},\n  {record.replace("10", "11")}\n]}}\n')
    _write("usage/b.json", f'{{"usage": [{record.replace("10", "11")},\n {record}]}}\n')
    _write("usage/c.json", f'{{"usage": [\n\n   {record}]}}\n')
    loaded, findings = load_usage(Path("usage"), REPOSITORY)
    assert loaded is None
    twice = "usage of 'Acme Corp' in {} is recorded twice; first at {}"
    assert [(str(f.location), f.path, f.message) for f in findings] == [
        ("usage/b.json:1:12", "usage[0]", twice.format("2026-11", "usage/a.json:3:3")),
        ("usage/b.json:2:2", "usage[1]", twice.format("2026-10", "usage/a.json:2:3")),
        ("usage/c.json:3:4", "usage[0]", twice.format("2026-10", "usage/a.json:2:3")),
    ]


def test_a_folder_reads_yaml_yml_and_json_in_name_order() -> None:
    _write("usage/2026-10.yaml", _record("    licenses: {server: 1}\n"))
    _write(
        "usage/2026-11.json",
        '{"usage": [{"period": "2026-11", "console_company": "Acme Corp",\n'
        ' "storage": {"wasabi": {"stored": 0.1, "restored": "2.50"}}}]}\n',
    )
    _write("usage/2026-12.yml", _record("", period='"2026-12"'))
    _write("usage/notes.txt", "not usage")
    _write("usage/.2026-09.yaml", "broken: [")  # an editor's backup: hidden, ignored
    loaded, findings = load_usage(Path("usage"), REPOSITORY)
    assert findings == []
    assert loaded is not None
    assert sorted(str(period) for _, period in loaded.records) == ["2026-10", "2026-11", "2026-12"]
    november = loaded.of("Acme Corp", Period(2026, 11))
    assert november is not None
    assert november.storage["wasabi"] == storage("0.1", "2.50", "0")
    assert str(november.storage["wasabi"].stored) == "0.1"  # JSON numbers read from their text


def test_json_errors_are_located_too() -> None:
    text = (
        '{"usage": [\n'
        '  {"period": "2026-10", "console_company": "Acme Corp", "licenses": {"server": 1.5}}\n'
        "]}\n"
    )
    loaded, findings = load_usage(_write("usage.json", text), REPOSITORY)
    assert loaded is None
    assert [f.render() for f in findings] == [
        "usage.json:2:80: usage[0].licenses.server: expected a whole number, got 1.5"
    ]


@pytest.mark.parametrize(
    ("target", "severity", "message"),
    [
        pytest.param("missing", Severity.ERROR, "no such file or directory", id="a path that does not exist"),
        pytest.param("empty", Severity.WARNING, "no usage files", id="an empty folder"),
    ],
)
def test_nothing_to_read(target: str, severity: Severity, message: str) -> None:
    Path("empty").mkdir()
    loaded, findings = load_usage(Path(target), REPOSITORY)
    (finding,) = findings
    assert (finding.severity, finding.location.file) == (severity, target)
    assert message in finding.message
    assert (loaded is None) == (severity is Severity.ERROR)


def test_the_digest_follows_file_names_and_bytes() -> None:
    folder = Path("usage")
    _write("usage/2026-10.yaml", VALID)
    first, _ = load_usage(folder, REPOSITORY)
    again, _ = load_usage(folder, REPOSITORY)
    _write("usage/2026-10.yaml", VALID + "# a comment changes the bytes\n")
    changed, _ = load_usage(folder, REPOSITORY)
    assert first is not None and again is not None and changed is not None
    assert first.digest == again.digest != changed.digest
    assert len(first.digest) == 64


def test_dump_then_load_gives_the_same_usage() -> None:
    loaded, _ = load_usage(_write("usage/2026-10.yaml", VALID), REPOSITORY)
    assert loaded is not None
    zed = dataclasses.replace(
        loaded.of("Acme Corp", Period(2026, 10)),  # type: ignore[arg-type]  # present, asserted above
        console_company='Zed "Ünïcode" Co\tLtd',
        storage={"wasabi": storage("0.000001", "1E+3", "0.10")},
    )
    usage = Usage({**loaded.records, (zed.console_company, zed.period): zed})
    text = dump_usage(usage)
    assert "E+" not in text and "e+" not in text
    again, findings = load_usage(_write("usage/dumped.yaml", text), REPOSITORY)
    assert findings == []
    assert again is not None
    assert again.records == usage.records
    assert dump_usage(again) == text  # deterministic: a second dump is byte-identical


def test_dump_is_sorted_and_plain() -> None:
    loaded, _ = load_usage(_write("usage/2026-10.yaml", VALID), REPOSITORY)
    assert loaded is not None
    assert dump_usage(loaded) == (
        "# yaml-language-server: $schema=../schemas/usage.schema.json\n"
        "usage:\n"
        '  - period: "2026-10"\n'
        '    console_company: "Acme Corp"\n'
        "    licenses: {desktop: 12, server: 3}\n"
        "    storage:\n"
        "      wasabi: {stored: 1234.5, restored: 20, limit: 2000}\n"
        '  - period: "2026-10"\n'
        '    console_company: "Beta Logistics"\n'
        '  - period: "2026-11"\n'
        '    console_company: "Acme Corp"\n'
        "    licenses: {desktop: 12, server: 4}\n"
    )


PROVENANCE = """\
usage:
  - period: "2026-10"
    console_company: Acme Corp
    source: console-api
    taken_at: 2026-11-01T06:00:00+00:00
    method: {licenses: "activated at taken_at", stored: "sum of SizeBackup for the month"}
    storage:
      wasabi: {stored: 1, restored: 0, limit: 0}
    notes:
      - {code: unlimited-limit, message: "wasabi: unlimited in the console; no limit charged"}
  - period: "2026-10"
    console_company: Beta Logistics
    source: file
"""


def test_provenance_and_notes_load_and_dump_back() -> None:
    loaded, findings = load_usage(_write("usage/2026-10.yaml", PROVENANCE), REPOSITORY)
    assert findings == []
    assert loaded is not None
    acme, beta = loaded.of("Acme Corp", Period(2026, 10)), loaded.of("Beta Logistics", Period(2026, 10))
    assert acme is not None and beta is not None
    assert acme.provenance == Provenance(
        Source.CONSOLE_API,
        dt.datetime(2026, 11, 1, 6, tzinfo=dt.UTC),  # an unquoted YAML timestamp is read too
        {"licenses": "activated at taken_at", "stored": "sum of SizeBackup for the month"},
    )
    assert acme.notes == (UsageNote("unlimited-limit", "wasabi: unlimited in the console; no limit charged"),)
    assert beta.provenance == Provenance(Source.FILE)
    text = dump_usage(loaded)
    assert '    taken_at: "2026-11-01T06:00:00Z"\n' in text
    again, findings = load_usage(_write("usage/dumped.yaml", text), REPOSITORY)
    assert findings == [] and again is not None
    assert again.records == loaded.records


def test_a_negative_limit_earlier_pulls_wrote_is_read_as_unlimited() -> None:
    text = _record("    storage:\n      wasabi: {stored: 5, restored: 0, limit: -1.0}\n")
    loaded, findings = load_usage(_write("usage/2026-10.yaml", text), REPOSITORY)
    assert findings == [] and loaded is not None  # never a validation error
    acme = loaded.of("Acme Corp", Period(2026, 10))
    assert acme is not None
    assert acme.storage == {"wasabi": storage("5", "0", "0")}  # no limit charge
    assert acme.notes == (
        UsageNote(
            "unlimited-limit", "wasabi: limit -1.0 is the console's unlimited; no limit is charged for it"
        ),
    )


def test_a_record_that_says_nothing_of_its_provenance_has_none() -> None:
    loaded, _ = load_usage(_write("usage/2026-10.yaml", VALID), REPOSITORY)
    assert loaded is not None
    assert {record.provenance for record in loaded.records.values()} == {None}


def test_an_empty_usage_dumps_an_empty_list() -> None:
    text = dump_usage(Usage())
    assert text.endswith("usage: []\n")
    loaded, findings = load_usage(_write("usage/none.yaml", text), REPOSITORY)
    assert findings == []
    assert loaded is not None and loaded.records == {}
