"""Keep secrets out of the billing repository and out of cwbill's output (billing-rules §1).

Credentials come from the environment only. Two guards: a key that looks like a secret
(`password`, `private_key`, `token`, …) anywhere in a YAML file is an error; and when a secret
environment variable is set, a file containing its value is an error that names the file, line and
variable but never the value. `redact` is the last line of defence: it masks those values in any
finding message (a schema error quoting a value, say) before it is shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace

from reconciler.config.yamlload import Document, PathKey, format_path
from reconciler.errors import Finding, Location, error

# Environment variables whose values must never appear in a file or in cwbill's output.
SECRET_VARIABLES = ("CW_PRIVATE_KEY", "CW_PUBLIC_KEY", "MBS_PASSWORD")
# Values shorter than this are not looked for: they would match ordinary text ("USD", "2") and a
# real API key or password is longer.
MIN_SECRET_LENGTH = 6
ENVIRONMENT_ONLY = (
    "looks like a secret: secrets come from the environment (CW_PUBLIC_KEY, CW_PRIVATE_KEY, "
    "MBS_PASSWORD, …), never from YAML"
)
MASK = "***"
# Key names are compared with case, '_', '-', '.' and spaces removed: privateKey = private_key.
_SECRET_KEY = re.compile(r"password|passwd|secret|token|privatekey|publickey|apikey|accesskey|credential")
_SEPARATORS = re.compile(r"[-_. ]")


def looks_like_secret(key: str) -> bool:
    return _SECRET_KEY.search(_SEPARATORS.sub("", key.lower())) is not None


def find_secret_keys(document: Document) -> list[Finding]:
    """Keys named like a secret that hold a value. Mappings are skipped (a product may be named
    `token-vault`); a secret nested inside one is still found by its own key."""
    findings: list[Finding] = []
    for path in document.key_positions:
        key = path[-1]
        holds_value = not isinstance(_value_at(document, path), dict)
        if isinstance(key, str) and looks_like_secret(key) and holds_value:
            findings.append(error(document.location(path, key=True), format_path(path), ENVIRONMENT_ONLY))
    return findings


def _value_at(document: Document, path: PathKey) -> object:
    value = document.data
    for part in path:
        if isinstance(value, dict) and isinstance(part, str):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return None
    return value


def secret_values(environ: Mapping[str, str]) -> dict[str, str]:
    """The secret variables that are set (and long enough to look for), by name."""
    return {
        name: environ[name] for name in SECRET_VARIABLES if len(environ.get(name, "")) >= MIN_SECRET_LENGTH
    }


def find_secret_values(
    raw: bytes, file: str, environ: Mapping[str, str], document: Document | None = None
) -> list[Finding]:
    """Each line of `raw` that holds the value of a secret variable; the value is never repeated."""
    findings: list[Finding] = []
    for name, value in secret_values(environ).items():
        needle = value.encode("utf-8")
        start = raw.find(needle)
        while start >= 0:
            line = raw.count(b"\n", 0, start) + 1
            col = start - (raw.rfind(b"\n", 0, start) + 1) + 1
            path = _path_on_line(document, line, col) if document is not None else ""
            message = f"holds the value of ${name}: secrets come from the environment, never from YAML"
            findings.append(error(Location(file, line, col), path, message))
            start = raw.find(needle, start + len(needle))
    return findings


def _path_on_line(document: Document, line: int, col: int) -> str:
    """The field path of the value that starts last on `line` at or before `col`, if any."""
    candidates = [
        (position[1], len(path), path)
        for path, position in document.positions.items()
        if position[0] == line and position[1] <= col
    ]
    return format_path(max(candidates, key=lambda c: (c[0], c[1]))[2]) if candidates else ""


def redact(findings: Iterable[Finding], environ: Mapping[str, str]) -> list[Finding]:
    """The findings with every secret value in their message or path replaced by `***`."""
    values = sorted(secret_values(environ).values(), key=len, reverse=True)
    result: list[Finding] = []
    for finding in findings:
        message, path = finding.message, finding.path
        for value in values:
            message, path = message.replace(value, MASK), path.replace(value, MASK)
        result.append(replace(finding, message=message, path=path))
    return result
