"""`cwbill schemas --out FOLDER`: write the installed cwbill's JSON Schemas (and their stamp) there.

The refresh after an upgrade, when `cwbill validate` reports the repository's vendored schemas as
stale (config/vendor.py), and the way to vendor them into a repository made before `cwbill init` did.
The files are cwbill's own, so existing ones are replaced; nothing else in the folder is touched.
"""

from __future__ import annotations

from pathlib import Path

import typer

from reconciler.cli.app import app
from reconciler.config.load import display_path
from reconciler.config.vendor import vendored_files
from reconciler.errors import UserError


@app.command()
def schemas(
    out: Path = typer.Option(
        ..., "--out", metavar="FOLDER", help="Where to write them, typically DIR/schemas (made if missing)."
    ),
) -> None:
    """Write the JSON Schemas of this cwbill (and a VERSION stamp) into a folder, for editors.

    The files of a repository made by `cwbill init` name DIR/schemas/ in their first line;
    run this after upgrading cwbill, when `cwbill validate` says the copy is stale, and commit it.

    Example: cwbill schemas --out billing/schemas
    """
    if out.exists() and not out.is_dir():
        raise UserError(f"{display_path(out)} exists and is not a folder; nothing was written")
    files = vendored_files(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for path, text in files.items():
            path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{display_path(out)}: cannot write ({exc.strerror})") from exc
    typer.echo(f"wrote {len(files) - 1} schemas and VERSION to {display_path(out)}", err=True)
