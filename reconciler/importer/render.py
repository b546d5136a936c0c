"""An imported company as YAML text: the company file, then what products.yaml/prices.yaml lack.

Certain values are written as keys; each `Todo` is one `# TODO: <key>: <suggestion> — <why>` line
in the key's place, so the file does not validate until every TODO is resolved (a required key is
missing) and resolving one is replacing that line by `<key>: <value>`. The products.yaml and
prices.yaml entries follow as a commented appendix, so the whole output can be saved as the
company file as it is. Strings from ConnectWise are quoted when YAML would read them otherwise, and
comments never carry a line break, so a name cannot inject a key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from decimal import Decimal

import yaml

from reconciler.config.model import CostPrice, ProductKind
from reconciler.engine.money import decimal_places, fixed
from reconciler.importer.model import ImportedCompany, ImportedConfiguration, NewProduct, PriceEntry, Todo
from reconciler.render.common import UNSAFE_CHARACTERS

SCHEMA_LINE = "# yaml-language-server: $schema=../schemas/company.schema.json"
COMMENT_COLUMN = 40
# YAML line breaks (\n \r \x85 \u2028 \u2029) and every other control character
_UNSAFE = re.compile(f"[{UNSAFE_CHARACTERS}]")


def scalar(value: str | int) -> str:
    """`value` as a YAML scalar that reads back as exactly `value` (plain when it can be)."""
    if isinstance(value, int):
        return str(value)
    if value and not _UNSAFE.search(value) and value == value.strip():
        try:
            if yaml.safe_load(f"k: {value}") == {"k": value}:
                return value
        except yaml.YAMLError:
            pass
    quoted = json.dumps(value, ensure_ascii=False)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", quoted)


def comment(text: str) -> str:
    """Prose for a comment: one line, whatever the user strings in it hold."""
    return _UNSAFE.sub(" ", text)


def todo_line(indent: str, key: str, todo: Todo) -> str:
    return f"{indent}# TODO: {key}: {comment(todo.suggestion or '…')} — {comment(todo.hint)}"


def _keyed(indent: str, key: str, value: str, note: str = "") -> str:
    line = f"{indent}{key}: {value}"
    if note:
        line = f"{line.ljust(COMMENT_COLUMN - 1)} # {comment(note)}"
    return line


def _flow(items: Sequence[str]) -> str:
    return "[" + ", ".join(scalar(item) for item in items) + "]"


def render_company(imported: ImportedCompany, schema_line: str = SCHEMA_LINE) -> str:
    """The company file (ends with a newline)."""
    count = sum(len(c.addition_ids) for c in imported.configurations)
    lines = [
        schema_line,
        f"# Imported by `cwbill import` from the ConnectWise additions of {comment(imported.company)} "
        f"in {imported.period} ({count} line{'s' if count != 1 else ''}).",
        '# Lines marked TODO hold what cwbill cannot know: replace each by "key: <your value>".',
        "# Then `cwbill validate`, and `cwbill plan --adopt` should only adopt these lines.",
        *(f"# note: {comment(note)}" for note in imported.notes),
        _keyed("", "company", scalar(imported.company)),
        todo_line("", "console_company", _quoted_suggestion(imported.console_company)),
        "configurations:",
    ]
    for configuration in imported.configurations:
        lines += _configuration(configuration)
    lines += _appendix(imported.new_products, imported.prices)
    return "\n".join(lines) + "\n"


def _quoted_suggestion(todo: Todo) -> Todo:
    return Todo(todo.hint, scalar(todo.suggestion) if todo.suggestion else None)


def _configuration(configuration: ImportedConfiguration) -> list[str]:
    pad = "    "
    lines = [_keyed("  - ", "name", scalar(configuration.name), configuration.name_note)]
    lines.append(_keyed(pad, "agreement", scalar(configuration.agreement), configuration.agreement_note))
    if isinstance(configuration.bill, Todo):
        lines.append(todo_line(pad, "bill", configuration.bill))
    else:
        lines.append(_keyed(pad, "bill", str(configuration.bill), configuration.bill_note))
    lines.append(todo_line(pad, "auto_billing", configuration.auto_billing))
    if isinstance(configuration.console_products, Todo):
        lines.append(todo_line(pad, "console_products", configuration.console_products))
    else:
        lines.append(_keyed(pad, "console_products", _flow(configuration.console_products)))
    lines.append(_keyed(pad, "connectwise_products", _flow(configuration.connectwise_products)))
    if isinstance(configuration.send, Todo):
        lines.append(todo_line(pad, "send", configuration.send))
    else:
        lines.append(_keyed(pad, "send", str(configuration.send), configuration.send_note))
    mode = configuration.invoice_description
    if isinstance(mode, Todo):
        lines.append(todo_line(pad, "invoice_description", mode))
    elif mode is not None:
        lines.append(_keyed(pad, "invoice_description", str(mode), "the lines show it; settings differ"))
    ids = ", ".join(f"#{i}" for i in configuration.addition_ids)
    lines.append(f"{pad}# from additions {ids}")
    return lines


def _money(value: Decimal) -> str:
    return fixed(value, max(2, decimal_places(value)))


def _rate(rate: CostPrice) -> str:
    return f"{{cost: {_money(rate.cost)}, price: {_money(rate.price)}}}"


def _appendix(products: Sequence[NewProduct], prices: Sequence[PriceEntry]) -> list[str]:
    lines: list[str] = []
    if products:
        lines += [
            "#",
            "# products.yaml lacks these catalog items: add them under `products:` (or, if one is not a",
            "# Managed Backup product, remove it from connectwise_products above):",
        ]
        for product in products:
            lines += [
                f"#   {scalar(product.key)}:",
                todo_line("#     ", "kind", product.kind) if isinstance(product.kind, Todo) else "",
                todo_line("#     ", "console", product.console),
                f"#     connectwise: {scalar(product.connectwise)}",
            ]
    if prices:
        lines += ["#", "# prices.yaml lacks these rates: add them under `licenses:` or `storage:`:"]
        for entry in prices:
            lines.append(_price_line(entry))
    return [line for line in lines if line]


def _price_line(entry: PriceEntry) -> str:
    section = {None: "licenses|storage", ProductKind.LICENSE: "licenses", ProductKind.STORAGE: "storage"}
    where = section[entry.kind]
    if isinstance(entry.rate, Todo):
        return todo_line("#   ", f"{where}.{entry.key}", entry.rate)
    text = f"#   {where}: {{{scalar(entry.key)}: {_rate(entry.rate)}}}"
    return f"{text.ljust(COMMENT_COLUMN - 1)} # {comment(entry.note)}" if entry.note else text
