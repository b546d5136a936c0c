"""Sandbox seeds (the seed-file format of sandbox-seed.md, a contract) built from usage records."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from reconciler.config.model import Repository
from reconciler.sandbox import Sandbox
from reconciler.sandbox.seeds import load_seed
from reconciler.usage.model import UsageRecord
from reconciler.usage.yamlwrite import decimal_text, quote


def seed_text(
    records: Iterable[UsageRecord], repository: Repository, extra_companies: Iterable[str] = ()
) -> str:
    """A seed whose console reports `records` under console names (plus companies without usage)."""
    console = {key: product.console for key, product in repository.products.items()}
    by_company: dict[str, list[UsageRecord]] = {name: [] for name in extra_companies}
    for record in sorted(records, key=lambda r: (r.console_company, r.period)):
        by_company.setdefault(record.console_company, []).append(record)
    lines = ["console:", "  companies:"]
    for name, months in by_company.items():
        lines += [f"    - name: {quote(name)}", "      usage:" if months else "      usage: []"]
        for record in months:
            licenses = ", ".join(f"{quote(console[k])}: {n}" for k, n in sorted(record.licenses.items()))
            storage = ", ".join(
                f"{quote(console[k])}: {{stored: {decimal_text(a.stored)}, "
                f"restored: {decimal_text(a.restored)}, limit: {decimal_text(a.limit)}}}"
                for k, a in sorted(record.storage.items())
            )
            lines += [
                f'        - period: "{record.period}"',
                f"          licenses: {{{licenses}}}",
                f"          storage: {{{storage}}}",
            ]
    return "\n".join(lines) + "\n"


def sandbox_for(
    records: Iterable[UsageRecord], repository: Repository, folder: Path, extra_companies: Iterable[str] = ()
) -> Sandbox:
    path = folder / "seed.yaml"
    path.write_text(seed_text(records, repository, extra_companies), encoding="utf-8")
    return Sandbox(load_seed(str(path)))
