"""Secrets stay in the environment: secret-looking keys and secret values in files are errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.config.load import load_repository
from reconciler.config.secrets import ENVIRONMENT_ONLY, looks_like_secret
from reconciler.errors import Severity
from tests.conftest import edit

SECRET = "privSecretZ9q7"


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("password", True),
        ("MBS_PASSWORD", True),
        ("private_key", True),
        ("privateKey", True),
        ("public-key", True),
        ("api_key", True),
        ("client_secret", True),
        ("token", True),
        ("agreement", False),
        ("console_products", False),
        ("max_update_percent", False),
    ],
    ids=str,
)
def test_secret_looking_keys(key: str, secret: bool) -> None:
    assert looks_like_secret(key) is secret


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        pytest.param(
            "settings.yaml",
            "currency: USD",
            "currency: USD\nprivate_key: abc",
            f"billing/settings.yaml:7:1: private_key: {ENVIRONMENT_ONLY}",
            id="private-key-in-settings",
        ),
        pytest.param(
            "settings.yaml",
            "console:\n",
            "console:\n  password: abc\n",
            f"billing/settings.yaml:5:3: console.password: {ENVIRONMENT_ONLY}",
            id="password-nested-in-settings",
        ),
        pytest.param(
            "companies/acme.yaml",
            "    send: total\n",
            "    send: total\n    apiKey: abc\n",
            f"billing/companies/acme.yaml:17:5: configurations[1].apiKey: {ENVIRONMENT_ONLY}",
            id="camel-case-api-key-in-a-configuration",
        ),
    ],
)
def test_a_secret_key_is_one_error_and_not_also_an_unknown_key(
    billing_copy: Path, file: str, old: str, new: str, expected: str
) -> None:
    edit(billing_copy / file, old, new)
    repository, findings = load_repository(billing_copy, environ={})
    assert repository is None
    assert [f.render() for f in findings if f.severity is Severity.ERROR] == [expected]


def test_a_product_named_like_a_secret_is_a_name_not_a_secret(billing_copy: Path) -> None:
    edit(
        billing_copy / "products.yaml",
        "  vm:\n",
        "  token-vault: {kind: license, console: Vault, connectwise: MBS-X}\n  vm:\n",
    )
    repository, findings = load_repository(billing_copy, environ={})
    assert repository is not None
    assert {f.path for f in findings} == {"products.sql", "products.token-vault"}  # unpriced warnings only


@pytest.mark.parametrize("variable", ["CW_PRIVATE_KEY", "CW_PUBLIC_KEY", "MBS_PASSWORD"])
def test_a_secret_value_in_a_file_is_named_by_variable_never_by_value(
    billing_copy: Path, variable: str
) -> None:
    edit(
        billing_copy / "companies" / "beta.yaml", "agreement: Managed Backup Service", f"agreement: x{SECRET}"
    )
    repository, findings = load_repository(billing_copy, environ={variable: SECRET})
    assert repository is None
    assert [f.render() for f in findings if f.severity is Severity.ERROR] == [
        f"billing/companies/beta.yaml:6:17: configurations[0].agreement: holds the value of ${variable}: "
        "secrets come from the environment, never from YAML"
    ]


def test_a_secret_value_quoted_by_another_finding_is_masked(billing_copy: Path) -> None:
    edit(billing_copy / "settings.yaml", "currency: USD", f"currency: {SECRET}")
    _, findings = load_repository(billing_copy, environ={"MBS_PASSWORD": SECRET})
    text = "\n".join(f.render() for f in findings)
    assert SECRET not in text
    assert 'billing/settings.yaml:6:11: currency: "***" is not a three-letter ISO 4217 currency code' in text
    assert "holds the value of $MBS_PASSWORD" in text


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"MBS_PASSWORD": ""},
        {"MBS_PASSWORD": "USD"},
        {"CW_PRIVATE_KEY": "nowhere-in-the-files"},
        {"MBS_USERNAME": "Server"},
    ],
    ids=[
        "unset",
        "empty",
        "too-short-to-look-for",
        "long-but-absent-from-the-files",
        "not-a-secret-variable",
    ],
)
def test_secret_values_that_cannot_be_told_from_ordinary_text_are_not_errors(
    billing_copy: Path, environ: dict[str, str]
) -> None:
    repository, _ = load_repository(billing_copy, environ=environ)
    assert repository is not None
