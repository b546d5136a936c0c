"""`cwbill init [DIR]`: write a new billing repository skeleton that `cwbill validate` accepts.

The skeleton is the smallest repository that shows every file kind: settings, two license products
and one storage account with their prices, one company with a licenses and a storage configuration,
and `usage/` waiting for `cwbill usage pull`. Its example company, products and agreement are those of
the sandbox's demo data (`cwbill sandbox serve --seed demo`), so a new user can plan and apply it
before touching a real ConnectWise (docs/getting-started.md).

Every YAML file starts with the yaml-language-server comment naming its schema, so editors complete
and check it. Where the schema lives is a choice (see `schema_reference`): a path relative to the file
when DIR is inside the cwbill checkout the package runs from (as the example `billing/` does) or when
`--schemas` names a folder; the URL when `--schemas` is one; else the absolute path of the schema
shipped in the installed package — which editors on this machine resolve, but which another machine
may not have, hence `--schemas`. Existing files are never overwritten without `--force`, and nothing
is written when any would be.
"""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path

import typer

import reconciler
from reconciler.cli.app import app
from reconciler.config.load import display_path
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


def _checkout_root() -> Path | None:
    """The cwbill checkout the package runs from (an editable install, with its top-level
    `schemas/`), resolved; None for an installed package."""
    checkout = Path(reconciler.__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "schemas").is_dir():
        return checkout
    return None


def _package_schemas() -> str:
    """The installed package's schema folder as an absolute path (a URL when not on disk)."""
    folder = resources.files("reconciler").joinpath("schemas")
    if isinstance(folder, Path):
        return str(folder.resolve())
    return "https://cwbill.example/schemas"  # the schemas' `$id` base, for a zipped install


def schema_reference(kind: str, file_dir: Path, schemas: str | None = None) -> str:
    """What follows `$schema=` in a file of `kind` written into `file_dir`.

    `schemas` (`--schemas`): a URL base, or a folder written relative to the file. Default: the
    checkout's `schemas/` relative to the file when `file_dir` is inside the checkout, else the
    absolute path of the package's schema."""
    name = f"{kind}.schema.json"
    if schemas is not None and "://" in schemas:
        return f"{schemas.rstrip('/')}/{name}"
    if schemas is not None:
        return Path(os.path.relpath(Path(schemas).absolute() / name, file_dir.absolute())).as_posix()
    checkout = _checkout_root()
    here = file_dir.resolve()
    if checkout is not None and here.is_relative_to(checkout):
        # the top-level `schemas` symlink, not where it points: files name `../schemas/…` as billing/ does
        return Path(os.path.relpath(checkout / "schemas" / name, here)).as_posix()
    return Path(_package_schemas(), name).as_posix()


_SCHEMA_COMMENT = re.compile(r"^#\s*yaml-language-server:\s*\$schema=(\S+)\s*$")


def repository_schema_reference(repository: Path, kind: str, file_dir: Path) -> str:
    """What follows `$schema=` in a new file of `kind` in `file_dir` of an existing `repository`:
    where its settings.yaml finds its schema (a URL, an absolute path, or a folder relative to it),
    re-aimed at `kind`'s schema from `file_dir`; `schema_reference`'s default when it names none."""
    try:
        with (repository / "settings.yaml").open(encoding="utf-8-sig") as settings:
            first = settings.readline()
    except (OSError, UnicodeDecodeError):
        first = ""
    found = _SCHEMA_COMMENT.match(first.strip())
    if found is None or not found.group(1).endswith("settings.schema.json"):
        return schema_reference(kind, file_dir)
    base = found.group(1).removesuffix("settings.schema.json")
    name = f"{kind}.schema.json"
    if "://" in base or Path(base or ".").is_absolute():
        return base + name
    target = (repository / base / name).absolute()
    return Path(os.path.relpath(target, file_dir.absolute())).as_posix()


def skeleton(directory: Path, schemas: str | None = None) -> dict[Path, str]:
    """Each file of the skeleton at `directory` and its text, schema comment first."""
    files: dict[Path, str] = {}
    for relative, kind, body in SKELETON:
        path = directory / relative
        reference = "" if kind is None else schema_reference(kind, path.parent, schemas)
        files[path] = f"# yaml-language-server: $schema={reference}\n{body}" if reference else body
    return files


def write_skeleton(directory: Path, *, force: bool = False, schemas: str | None = None) -> list[Path]:
    """Write the skeleton; the paths written. UserError, nothing written, when a file exists and not
    `force`, or when a path cannot be written."""
    if directory.exists() and not directory.is_dir():
        raise UserError(f"{display_path(directory)} exists and is not a directory")
    files = skeleton(directory, schemas)
    existing = [path for path in files if path.exists() or path.is_symlink()]
    if existing and not force:
        names = ", ".join(display_path(path) for path in existing)
        verb = "exists" if len(existing) == 1 else "exist"
        raise UserError(f"{names} already {verb}; nothing was written (pass --force to overwrite)")
    for path, text in files.items():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"{display_path(path)}: cannot write ({exc.strerror})") from exc
    return list(files)


@app.command()
def init(
    directory: Path = typer.Argument(
        Path("billing"), help="Where to create the billing repository.", show_default="./billing"
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite the skeleton's files if they exist."),
    schemas: str | None = typer.Option(
        None,
        "--schemas",
        help="Where editors find the schemas: a URL, or a folder (written relative to each file). "
        "Default: the schemas shipped with cwbill (relative inside the cwbill checkout, else absolute).",
    ),
) -> None:
    """Create a new billing repository: settings, products, prices, an example company and usage/.

    The files validate as written (`cwbill validate DIR`); the TODO comments say what to change.
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
