"""`cwbill init [DIR]`: write a new billing repository skeleton that `cwbill validate` accepts.

The skeleton is the smallest repository that shows every file kind: settings, two license products
and one storage account with their prices, one company with a licenses and a storage configuration,
and `usage/` waiting for `cwbill usage pull`. Its example company, products and agreement are those of
the sandbox's demo data (`cwbill sandbox serve --seed demo`), so a new user can plan and apply it
before touching a real ConnectWise (docs/getting-started.md).

Every YAML file starts with the yaml-language-server comment naming its schema, so editors complete
and check it. The header must resolve on every clone of the billing repository, so by default the
schemas are vendored into `DIR/schemas/` (config/vendor.py: stamped, and checked by `cwbill validate`)
and each header names them by a relative path; `--schemas` points the headers at a URL or an existing
folder instead (and vendors nothing). A `.gitignore` (added to, never replaced) keeps `.cwbill/`, what
runs leave behind, out of git. Existing files are never overwritten without `--force`, and nothing is
written when any would be.
"""

from __future__ import annotations

from pathlib import Path

import typer

from reconciler.cli.app import app, repository_argument
from reconciler.config.load import display_path
from reconciler.config.vendor import (
    SCHEMAS_FOLDER,
    VENDORED_KINDS,
    schema_file_name,
    schema_reference,
    vendored_files,
)
from reconciler.errors import UserError

SETTINGS = """\
# cwbill settings: connections (never secrets: those come from the environment), invoice, currency,
# rounding and the safety thresholds of apply. Every key is described in its schema.
connectwise:
  # TODO your region's API host (the api- one); the environment variable CW_URL overrides it
  url: https://api-na.myconnectwise.net/v4_6_release/apis/3.0
console:
  url: https://api.mspbackups.com   # Management Console API; MBS_URL overrides
currency: USD
invoice:
  description: send            # from-product (the catalog item's) | send (rendered from template)
  template: "{product} for {period}: {breakdown}"
rounding:
  unit_price: 2                # decimal places of unitPrice and unitCost (0..4)
safety:
  max_update_percent: 30       # apply refuses more (of owned additions in scope) without --force
  max_delete_percent: 10
  min_existing: 10             # thresholds apply only from this many owned additions
  max_amount_change_percent: 25   # of the billed total in scope
"""

PRODUCTS = """\
# The product mapping: each Management Console product (a license type or a storage account)
# ↔ one ConnectWise catalog item. Several console products may map to one catalog item.
products:
  server:                      # the key prices.yaml, companies/ and usage files use
    kind: license              # license | storage
    console: Server            # TODO the name the Management Console reports
    connectwise: MBS-SERVER    # TODO your ConnectWise catalog item identifier
  desktop:
    kind: license
    console: Desktop
    connectwise: MBS-DESKTOP
  wasabi:
    kind: storage
    console: Wasabi            # a storage account, by its display name in the console
    connectwise: MBS-STORAGE
"""

PRICES = """\
# Cost and price per Management Console product, in settings.currency. A product without an entry
# is billed at cost 0, price 0 (validation warns). Costs stay out of pull-request plans.
licenses:
  server:  {cost: 8.00, price: 15.00}    # TODO per activated license per month
  desktop: {cost: 2.50, price: 5.00}
storage:
  wasabi:
    unit: GB                   # GB | TB (1 TB = 1000 GB)
    backup:  {cost: 0.0059, price: 0.02}   # per unit stored
    restore: {cost: 0, price: 0.01}        # per unit restored in the period
    limit:   {cost: 0, price: 0}           # per unit of the storage limit
"""

COMPANY = """\
# One file per client company. This example is the sandbox's demo company (`cwbill sandbox serve
# --seed demo`); TODO replace it with your first client, and copy the file for each other one.
company: ACME                    # the ConnectWise company identifier
console_company: Acme Corp       # the company's name in the Management Console
configurations:
  - name: licenses               # unique in the company; written into every line's owner marker
    agreement: Managed Backup Service   # the agreement's name (unique on the company) or its id
    bill: billable               # billable | do-not-bill | no-charge
    auto_billing: false          # false: last month and the current month; true: last month, days 1-3
    console_products: [server, desktop]
    send: average                # average | total (quantity 1) | quantity (the catalog price applies)
  - name: storage
    agreement: Managed Backup Service
    bill: billable
    auto_billing: true
    console_products: [wasabi]
    send: total
"""

USAGE_README = (
    "Usage snapshots, one file per month (`cwbill usage pull DIR --period YYYY-MM --out "
    "DIR/usage/YYYY-MM.yaml`), committed so that each month's bill is reviewed and reproducible.\n"
)

# (path inside DIR, schema kind or None for a file without one, text)
SKELETON: tuple[tuple[str, str | None, str], ...] = (
    ("settings.yaml", "settings", SETTINGS),
    ("products.yaml", "products", PRODUCTS),
    ("prices.yaml", "prices", PRICES),
    ("companies/example.yaml", "company", COMPANY),
    ("usage/README.md", None, USAGE_README),
)


GITIGNORE = ".gitignore"
IGNORED = ".cwbill/"  # what a run leaves behind (apply's journal, locks): never committed
GITIGNORE_TEXT = f"# what cwbill runs leave behind (apply's journal, locks)\n{IGNORED}\n"


def _schema_folder(directory: Path, schemas: str | None) -> str | Path:
    """Where the headers point: a URL as given, a folder that must hold the schemas, or (default) the
    repository's own vendored `schemas/`. UserError when a `--schemas` folder has not got them."""
    if schemas is None:
        return directory / SCHEMAS_FOLDER
    if "://" in schemas:
        return schemas
    folder = Path(schemas)
    missing = [
        schema_file_name(kind) for kind in VENDORED_KINDS if not (folder / schema_file_name(kind)).is_file()
    ]
    if not folder.is_dir() or missing:
        problem = "is not a folder" if not folder.is_dir() else f"has no {', '.join(missing)}"
        raise UserError(
            f"--schemas {schemas} {problem}; give a URL, or a folder written by `cwbill schemas --out "
            "FOLDER` (without --schemas, init writes the schemas into DIR/schemas/); nothing was written"
        )
    return folder


def _gitignore(directory: Path) -> tuple[Path, str] | None:
    """The `.gitignore` that keeps `.cwbill/` out of git: where cwbill runs (the working directory,
    when DIR is inside it; else DIR), its text with the line added; None when it already has it."""
    here = Path.cwd().resolve()
    base = Path() if directory.resolve().is_relative_to(here) else directory
    path = base / GITIGNORE
    try:
        current = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return path, GITIGNORE_TEXT
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{display_path(path)}: cannot read ({exc})") from exc
    if any(line.strip() in (IGNORED, IGNORED.rstrip("/"), "/" + IGNORED) for line in current.splitlines()):
        return None
    return path, current + ("" if current.endswith("\n") or not current else "\n") + GITIGNORE_TEXT


def skeleton(directory: Path, schemas: str | None = None) -> dict[Path, str]:
    """Each file of the skeleton at `directory` and its text, schema comment first; with the vendored
    schemas under `directory/schemas/` unless `schemas` names where they are."""
    folder = _schema_folder(directory, schemas)
    files: dict[Path, str] = {}
    for relative, kind, body in SKELETON:
        path = directory / relative
        reference = "" if kind is None else schema_reference(kind, path.parent, folder)
        files[path] = f"# yaml-language-server: $schema={reference}\n{body}" if reference else body
    if schemas is None:
        files.update(vendored_files(directory / SCHEMAS_FOLDER))
    return files


def write_skeleton(directory: Path, *, force: bool = False, schemas: str | None = None) -> list[Path]:
    """Write the skeleton (and the `.gitignore` line for `.cwbill/`); the paths written. UserError,
    nothing written, when a file exists and not `force`, or when a path cannot be written."""
    if directory.exists() and not directory.is_dir():
        raise UserError(f"{display_path(directory)} exists and is not a directory")
    files = skeleton(directory, schemas)
    existing = [path for path in files if path.exists() or path.is_symlink()]
    if existing and not force:
        names = ", ".join(display_path(path) for path in existing)
        verb = "exists" if len(existing) == 1 else "exist"
        raise UserError(f"{names} already {verb}; nothing was written (pass --force to overwrite)")
    ignore = _gitignore(directory)
    if ignore is not None:
        files[ignore[0]] = ignore[1]  # added to, never replaced: it is the user's file
    for path, text in files.items():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"{display_path(path)}: cannot write ({exc.strerror})") from exc
    return list(files)


@app.command()
def init(
    directory: Path = repository_argument("Where to create the billing repository."),
    force: bool = typer.Option(False, "--force", help="Overwrite the skeleton's files if they exist."),
    schemas: str | None = typer.Option(
        None,
        "--schemas",
        metavar="URL|FOLDER",
        help="Where editors find the schemas instead: a URL, or a folder holding them (written "
        "relative to each file).",
        show_default="DIR/schemas/, written by init",
    ),
) -> None:
    """Create a new billing repository: settings, products, prices, an example company and usage/.

    The files validate as written (`cwbill validate DIR`); the TODO comments say what to change.
    The JSON Schemas go into DIR/schemas/ (stamped with this cwbill's version) and every file's
    first line points there by a relative path, so editors check the files on every clone; a
    .gitignore keeps .cwbill/ (apply's journal, locks) out of git.
    Existing files are not overwritten unless --force; then nothing is written at all.

    Examples:

        cwbill init

        cwbill init path/to/billing --schemas https://git.example.com/raw/cwbill/schemas
    """
    written = write_skeleton(directory, force=force, schemas=schemas)
    for path in written:
        typer.echo(f"wrote {display_path(path)}", err=True)
    name = display_path(directory)
    typer.echo(
        f"next: edit the TODOs, then `cwbill validate {name}`; "
        f"`cwbill usage pull {name} --out {name}/usage/YYYY-MM.yaml` snapshots a month's usage",
        err=True,
    )
