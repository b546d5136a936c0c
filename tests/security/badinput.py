"""The bad-input corpus in tests/data/bad/: where each file goes, what runs, what must be said.

A case is a data file and its `.expected` sidecar (or a sidecar alone, for a missing directory).
The file name's prefix says where the file goes in a copy of the example repository:
`settings-*` → billing/settings.yaml, `products-*` → billing/products.yaml, `prices-*` →
billing/prices.yaml, `company-*` → billing/companies/bad.yaml (beside the five good ones),
`usage-*` → billing/usage/2026-11.yaml, `plan-*` → a saved plan applied with `--plan`. The
sidecar's lines are each expected in stderr; `# args:` replaces the command, `# remove:` deletes a
path of the copy first, `# target:` puts the file elsewhere, and `# xfail:` names a known defect and
the fix it needs (the case must fail until then: a strict xfail). Every case runs `cwbill apply` —
the command that writes — and must exit 1.
"""

from __future__ import annotations

import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import PROJECT

BAD = PROJECT / "tests" / "data" / "bad"
AS_OF = "2026-11-02"
TARGETS = {
    "settings": "billing/settings.yaml",
    "products": "billing/products.yaml",
    "prices": "billing/prices.yaml",
    "company": "billing/companies/bad.yaml",
    "usage": "billing/usage/2026-11.yaml",
    "plan": "plan.json",
}


@dataclass(frozen=True, slots=True)
class BadCase:
    name: str
    data: Path | None  # the bad file (None: the case is only a sidecar)
    expected: tuple[str, ...]  # each must appear in stderr
    args: tuple[str, ...]
    remove: tuple[str, ...] = ()
    xfail: str = ""  # a known defect, with the fix it needs: the case must fail until it is made
    target_override: str = ""

    @property
    def target(self) -> str | None:
        if self.data is None:
            return None
        return self.target_override or TARGETS[self.name.split("-", 1)[0]]

    def install(self, root: Path) -> None:
        """Put the bad file (or the missing piece) into the example repository copied at `root`."""
        for relative in self.remove:
            path = root / relative
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
        if self.data is not None and self.target is not None:
            (root / self.target).write_bytes(self.data.read_bytes())


def load_cases() -> list[BadCase]:
    cases: list[BadCase] = []
    for sidecar in sorted(BAD.glob("*.expected")):
        name = sidecar.stem
        data = next((p for p in BAD.glob(f"{name}.*") if p.suffix != ".expected"), None)
        expected: list[str] = []
        args: tuple[str, ...] = ("apply", "billing", "--as-of", AS_OF, "--yes")
        if data is not None and name.startswith("plan-"):
            args = ("apply", "billing", "--plan", "plan.json", "--yes")
        remove: list[str] = []
        directives = {"xfail": "", "target": ""}
        for line in sidecar.read_text(encoding="utf-8").splitlines():
            if line.startswith("# args:"):
                args = tuple(shlex.split(line.removeprefix("# args:")))
            elif line.startswith("# remove:"):
                remove.append(line.removeprefix("# remove:").strip())
            elif line.startswith(("# xfail:", "# target:")):
                key, _, value = line.removeprefix("# ").partition(":")
                directives[key] = value.strip()
            elif line.strip() and not line.startswith("#"):
                expected.append(line)
        cases.append(
            BadCase(
                name, data, tuple(expected), args, tuple(remove), directives["xfail"], directives["target"]
            )
        )
    return cases


def files_without_sidecar() -> list[str]:
    names = {p.stem for p in BAD.glob("*.expected")}
    return sorted(
        p.name
        for p in BAD.iterdir()
        if p.suffix != ".expected" and p.name != "README.md" and p.stem not in names
    )
