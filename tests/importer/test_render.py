"""render_company: YAML that reads back as written, TODOs in place of keys, no injection."""

from __future__ import annotations

import re

import pytest
import yaml

from reconciler.config.schema import check_data
from reconciler.engine.model import AgreementInfo
from reconciler.importer.infer import infer_company
from reconciler.importer.render import comment, render_company, scalar
from tests.importer.builders import JAN, addition, example_repository, inputs

REPOSITORY = example_repository()
TODO = re.compile(r"^(?P<indent>\s*)# TODO: (?P<key>[a-z_]+): .*$", re.MULTILINE)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("Managed Backup Service", id="a plain name"),
        pytest.param("123", id="digits stay a name, not an id"),
        pytest.param("true", id="a YAML boolean word"),
        pytest.param("2026-10-01", id="a date"),
        pytest.param("a: b # c", id="a colon and a hash"),
        pytest.param(" padded ", id="surrounding spaces"),
        pytest.param("line\nbreak\x85nel\u2028ls", id="every YAML line break"),
        pytest.param('quote " and \\ backslash', id="quotes and backslashes"),
        pytest.param("", id="empty"),
    ],
)
def test_scalars_read_back_exactly(value: str) -> None:
    text = scalar(value)
    assert "\n" not in text and "\x85" not in text and "\u2028" not in text
    assert yaml.safe_load(f"k: {text}") == {"k": value}


def test_comments_never_break_a_line() -> None:
    assert comment("a\nb\rc\x85d\u2029e") == "a b c d e"


def test_a_hostile_name_cannot_inject_a_key() -> None:
    evil = "Evil\nconfigurations: []\n# x"
    agreement = AgreementInfo(1, evil, "ACME", JAN, JAN, None)
    imported = infer_company(
        inputs(addition(1, "MBS-DESKTOP", "3", "5.00"), agreements=(agreement,), name=evil), REPOSITORY
    )
    document = yaml.safe_load(render_company(imported))
    (configuration,) = document["configurations"]
    assert configuration["agreement"] == evil
    assert configuration["name"] == "evil-configurations-x"
    assert set(document) == {"company", "configurations"}


def test_resolving_the_todos_gives_a_valid_company_file() -> None:
    imported = infer_company(
        inputs(
            addition(1, "MBS-SERVER", "3", "15.00", "8.00"), addition(2, "MBS-DESKTOP", "12", "5.00", "2.50")
        ),
        REPOSITORY,
    )
    text = render_company(imported)
    assert check_data(yaml.safe_load(text), "company") != []  # required keys are TODOs: not valid yet
    answers = {
        "console_company": "Acme Corp",
        "auto_billing": "false",
        "console_products": "[desktop, server]",
    }
    resolved = TODO.sub(lambda m: f"{m.group('indent')}{m.group('key')}: {answers[m.group('key')]}", text)
    assert check_data(yaml.safe_load(resolved), "company") == []


def test_new_products_and_prices_follow_as_comments() -> None:
    imported = infer_company(inputs(addition(1, "MBS-VEEAM", "4", "9.00")), REPOSITORY)
    text = render_company(imported)
    assert "#   mbs-veeam:" in text
    assert "#     # TODO: kind: license | storage" in text
    assert "#     connectwise: MBS-VEEAM" in text
    assert "#   # TODO: licenses|storage.mbs-veeam:" in text
    assert yaml.safe_load(text)["configurations"][0]["console_products"] == ["mbs-veeam"]
