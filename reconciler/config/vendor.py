"""The JSON Schemas a billing repository carries for editors: `DIR/schemas/`, stamped and checked.

A `$schema=` header must resolve on every clone of the billing repository, so it cannot name the
site-packages of the machine that ran `cwbill init`, nor cwbill's own source tree. `cwbill init` (and
`cwbill schemas --out DIR`) copy the schemas shipped in the package into the repository, with a
`VERSION` stamp naming the cwbill and schema version that wrote them, and every generated header
points there by a relative path. `cwbill validate` warns when a vendored copy no longer matches the
installed cwbill (an upgrade changed a schema): the editor would then check against stale rules.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from reconciler import SCHEMA_VERSION, __version__
from reconciler.config.schema import schema_text
from reconciler.errors import Finding, Location, warning

SCHEMAS_FOLDER = "schemas"  # inside the billing repository
STAMP = "VERSION"
# the files of a billing repository (and a saved plan); sandbox-seed is the sandbox's, not the repository's
VENDORED_KINDS = ("settings", "products", "prices", "company", "usage", "plan")


def schema_file_name(kind: str) -> str:
    return f"{kind}.schema.json"


def shipped_schemas() -> dict[str, str]:
    """File name → text of each vendored schema as the installed cwbill ships it."""
    return {schema_file_name(kind): schema_text(kind) for kind in VENDORED_KINDS}


def _digest(schemas: dict[str, str]) -> str:
    hashed = hashlib.sha256()
    for name in sorted(schemas):
        hashed.update(name.encode() + b"\0" + schemas[name].encode() + b"\0")
    return hashed.hexdigest()


def stamp_text() -> str:
    """The `VERSION` file: who wrote the copy, and a digest of exactly what was written."""
    return (
        f"cwbill {__version__}\nschemas {SCHEMA_VERSION}\nsha256 {_digest(shipped_schemas())}\n"
        "# Written by `cwbill init` / `cwbill schemas --out DIR`; refresh with the latter after upgrading.\n"
    )


def vendored_files(folder: Path) -> dict[Path, str]:
    """Each file of a vendored schema folder at `folder` and its text."""
    files = {folder / name: text for name, text in shipped_schemas().items()}
    files[folder / STAMP] = stamp_text()
    return files


def check_vendored(repository: Path, shown: str) -> list[Finding]:
    """Warnings when `repository/schemas/` (if it holds a stamp) differs from the installed cwbill's;
    `shown` is how the repository is displayed (`billing`)."""
    folder = repository / SCHEMAS_FOLDER
    if not (folder / STAMP).is_file():
        return []  # not vendored (e.g. headers name a URL): nothing to compare
    stale: list[str] = []
    for name, text in shipped_schemas().items():
        try:
            vendored = (folder / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            vendored = None
        if vendored != text:
            stale.append(name)
    if not stale:
        return []
    where = Location(f"{shown}/{SCHEMAS_FOLDER}/{STAMP}", 1, 1)
    verb = "differs" if len(stale) == 1 else "differ"
    return [
        warning(
            where,
            "",
            f"{', '.join(stale)} {verb} from the schemas of the installed cwbill {__version__} "
            f"(schemas {SCHEMA_VERSION}); editors check against stale rules: run "
            f"`cwbill schemas --out {shown}/{SCHEMAS_FOLDER}` and commit the result",
            code="stale-schemas",
        )
    ]


def schema_reference(kind: str, file_dir: Path, schemas: str | Path) -> str:
    """What follows `$schema=` in a file of `kind` written into `file_dir`, for schemas at `schemas`:
    a URL base, or a folder, written relative to the file so that it resolves on every clone."""
    name = schema_file_name(kind)
    if isinstance(schemas, str) and "://" in schemas:
        return f"{schemas.rstrip('/')}/{name}"
    return Path(os.path.relpath(Path(schemas).absolute() / name, file_dir.absolute())).as_posix()


_SCHEMA_COMMENT = re.compile(r"^#\s*yaml-language-server:\s*\$schema=(\S+)\s*$")


def repository_schema_reference(repository: Path, kind: str, file_dir: Path) -> str:
    """What follows `$schema=` in a new file of `kind` in `file_dir` of an existing `repository`:
    where its settings.yaml finds its schema (a URL, an absolute path, or a folder relative to it),
    re-aimed at `kind`'s schema from `file_dir`; the repository's vendored `schemas/` when it names
    none."""
    try:
        with (repository / "settings.yaml").open(encoding="utf-8-sig") as settings:
            first = settings.readline()
    except (OSError, UnicodeDecodeError):
        first = ""
    found = _SCHEMA_COMMENT.match(first.strip())
    if found is None or not found.group(1).endswith(schema_file_name("settings")):
        return schema_reference(kind, file_dir, repository / SCHEMAS_FOLDER)
    base = found.group(1).removesuffix(schema_file_name("settings"))
    if "://" in base or Path(base or ".").is_absolute():
        return base + schema_file_name(kind)
    return schema_reference(kind, file_dir, repository / base)
