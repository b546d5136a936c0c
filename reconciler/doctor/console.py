"""The Management Console: cwbill can log in, and every product it reports is mapped.

I/O at the edge (`check_console`: login and one read of Companies, Users, Licenses, Accounts and
Packages through the usage client, `reconciler.usage.console`), the rest pure (`unmapped_check`):
a license type or storage account that no product of products.yaml names is never billed — an
error when a configured company uses it (its usage is being dropped), a warning otherwise.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict

import httpx

from reconciler.config.model import ProductKind, Repository
from reconciler.doctor.access import QUICK
from reconciler.doctor.model import Check, Status, check_from, count, skipped
from reconciler.errors import UserError
from reconciler.httpclient import require_safe_url
from reconciler.usage.console import ConsoleClient, read_console_state
from reconciler.usage.console_map import ConsoleState

LOGIN, PRODUCTS = "console-login", "console-products"
LOGIN_TITLE = "Management Console login"
PRODUCTS_TITLE = "every console license type and storage account is mapped"
CONSOLE_CHECKS = ((LOGIN, LOGIN_TITLE), (PRODUCTS, PRODUCTS_TITLE))


def check_console(repository: Repository, transport: httpx.BaseTransport | None = None) -> list[Check]:
    missing = [name for name in ("MBS_USERNAME", "MBS_PASSWORD") if not os.environ.get(name)]
    if missing:
        why = f"not checked: {', '.join(missing)} not set (plan reads usage/ files; `usage pull` needs them)"
        return [
            Check(LOGIN, LOGIN_TITLE, Status.WARN, why, "set MBS_USERNAME and MBS_PASSWORD to check it"),
            skipped(PRODUCTS, PRODUCTS_TITLE, "not checked: no console login"),
        ]
    fix = "check console.url in settings.yaml (or MBS_URL), MBS_USERNAME and MBS_PASSWORD (an API login)"
    url = os.environ.get("MBS_URL") or repository.settings.console_url
    with httpx.Client(transport=transport) as http:
        try:
            console = ConsoleClient(
                http,
                require_safe_url(url, "Management Console URL"),
                os.environ["MBS_USERNAME"],
                os.environ["MBS_PASSWORD"],
                policy=QUICK,
            )
            console.login()
        except UserError as exc:
            failed = Check(LOGIN, LOGIN_TITLE, Status.FAIL, exc.message, fix)
            return [failed, skipped(PRODUCTS, PRODUCTS_TITLE, "not checked: no console login")]
        login = Check(LOGIN, LOGIN_TITLE, Status.OK, f"logged in to {console.base_url}")
        try:
            state = read_console_state(console)
        except UserError as exc:
            return [login, Check(PRODUCTS, PRODUCTS_TITLE, Status.FAIL, exc.message, fix)]
    return [login, unmapped_check(repository, state)]


def unmapped_check(repository: Repository, state: ConsoleState) -> Check:
    names = {
        kind: {p.console for p in repository.products.values() if p.kind is kind} for kind in ProductKind
    }
    configured = {c.console_company for c in repository.companies}
    owners = {user.id: user.company for user in state.users}
    licenses: dict[str, Counter[str]] = defaultdict(Counter)
    for license in state.licenses:
        if license.activated and license.license_type not in names[ProductKind.LICENSE]:
            licenses[license.license_type][owners.get(license.user_id, "")] += 1
    users_of: dict[str, set[str]] = defaultdict(set)
    for user in state.users:
        for destination in user.destinations:
            users_of[destination.account_id].add(user.company)
    records: list[str] = []
    failing = False
    for license_type, by_company in sorted(licenses.items()):
        billed = sorted(c for c in by_company if c in configured)
        failing = failing or bool(billed)
        who = ", ".join(f"{c or 'no company'} {n}" for c, n in sorted(by_company.items()))
        records.append(f"license type {license_type!r}: {sum(by_company.values())} activated ({who})")
    for account_id, display in sorted(state.accounts.items(), key=lambda kv: (kv[1], kv[0])):
        if display in names[ProductKind.STORAGE]:
            continue
        billed = sorted(users_of[account_id] & configured)
        failing = failing or bool(billed)
        used = f"used by {', '.join(billed)}" if billed else "used by no company with a company file"
        records.append(f"storage account {display!r} (AccountID {account_id}): {used}")
    return check_from(
        PRODUCTS,
        PRODUCTS_TITLE,
        ok=f"{count(len(state.accounts), 'storage account')} and every activated license type are in "
        "products.yaml",
        problem=f"{len(records)} console products no product of products.yaml names: never billed",
        fix="add a product with `console: <that name>` to products.yaml (a product no configuration "
        "selects is still not billed, on purpose); an error means a company you bill uses it",
        records=records,
        failing=failing,
    )
