"""`cwbill import` end to end against the sandbox (demo seed) over real HTTP on loopback.

The round trip the migration guide promises: ConnectWise holds lines a GUI integration sent (here:
what cwbill itself applies for the example repository, with the owner markers then erased, so they
are exactly the unmarked lines of a migration). Importing a company, resolving its TODOs with the
facts only the user knows, and planning with `--adopt` must adopt those lines and change nothing
else; after the apply, a second plan shows no changes.
"""

# The e2e `world` fixture is imported, then requested by parameter name (which ruff reads as shadowing).
# ruff: noqa: F811

from __future__ import annotations

import json
import re

import pytest
import yaml

from reconciler.config.load import load_repository
from reconciler.config.model import Repository
from reconciler.config.schema import check_data
from tests.reconcile.conftest import AS_OF, World, world  # noqa: F401  # `world` is a fixture

TODO = re.compile(r"^(?P<indent>\s*)# TODO: (?P<key>[a-z_]+): .*$", re.MULTILINE)


def erase_markers(world: World) -> int:
    """Turn every line cwbill wrote into an unmarked one, as the GUI integration leaves them."""
    erased = 0
    with world.api() as client:
        for agreement_id in range(1, 6):
            for addition in world.additions(agreement_id):
                if addition.get("serialNumber"):
                    patch = [{"op": "replace", "path": "serialNumber", "value": ""}]
                    url = f"/finance/agreements/{agreement_id}/additions/{addition['id']}"
                    assert client.patch(url, json=patch).status_code == 200
                    erased += 1
    return erased


def resolve_todos(text: str, company: str, original: Repository) -> str:
    """Answer each `# TODO: key:` line of the company part with what only the user knows: the
    console name, auto_billing and the console products, taken from the original company file."""
    source = original.company(company)
    assert source is not None
    document = yaml.safe_load(TODO.sub("", text))
    configurations = iter(document["configurations"])
    answers: list[str] = []

    def answer(match: re.Match[str]) -> str:
        indent, key = match.group("indent"), match.group("key")
        if key == "console_company":
            return f"{indent}console_company: {source.console_company}"
        if key == "auto_billing":  # comes first in each configuration: move to the next one
            current = next(configurations)
            answers.clear()
            answers.append(json.dumps(current["connectwise_products"]))
        products = set(json.loads(answers[0]))
        (match_config,) = [c for c in source.configurations if products <= set(c.connectwise_products)]
        if key == "auto_billing":
            return f"{indent}auto_billing: {str(match_config.auto_billing).lower()}"
        if key == "console_products":
            keys = [k for k in match_config.console_products if original.products[k].connectwise in products]
            return f"{indent}console_products: [{', '.join(keys)}]"
        raise AssertionError(f"unexpected TODO for {key}")

    return TODO.sub(answer, text)


CASES = [
    pytest.param("ACME", "--as-of", AS_OF, 5, id="ACME: licenses averaged and storage as a total"),
    pytest.param("BETA", "--period", "2026-10", 4, id="BETA: licenses and storage in one total"),
    pytest.param("GAMMA", "--period", "2026-11", 2, id="GAMMA: send quantity at the catalog price"),
    pytest.param("DELTA", "--period", "2026-11", 2, id="DELTA: billing starts mid-month"),
    pytest.param("EPSILON", "--as-of", AS_OF, 1, id="EPSILON: storage priced per TB"),
]


@pytest.mark.parametrize(("company", "flag", "value", "adopted"), CASES)
def test_import_then_adopt_round_trips_a_company(
    world: World, company: str, flag: str, value: str, adopted: int
) -> None:
    assert world.cwbill("apply", "billing", "--as-of", AS_OF, "--yes").code == 0
    assert erase_markers(world) > 0
    original, _ = load_repository(world.billing)
    assert original is not None

    imported = world.cwbill("import", "billing", "--company", company, flag, value)
    assert imported.code == 0, imported.err
    assert "# TODO: auto_billing:" in imported.out  # never visible in the lines: never guessed
    resolved = resolve_todos(imported.out, company, original)
    assert not TODO.search(resolved)
    assert check_data(yaml.safe_load(resolved), "company") == []
    target = next(p for p in (world.billing / "companies").iterdir() if p.stem == company.lower())
    target.write_text(resolved, encoding="utf-8")
    validated = world.cwbill("validate", "billing")
    assert validated.code == 0, validated.err

    plan = world.plan_json("--adopt", "--company", company)
    changes = plan["changes"]
    assert isinstance(changes, list)
    assert {(c["action"], c["reason"]) for c in changes} == {("update", "adopt")}
    assert len(changes) == adopted
    assert [w for w in plan["warnings"] if w["code"] == "unowned-conflict"] == []  # type: ignore[attr-defined]

    applied = world.cwbill("apply", "billing", "--as-of", AS_OF, "--adopt", "--company", company, "--yes")
    assert applied.code == 0, applied.err
    again = world.cwbill("plan", "billing", "--as-of", AS_OF, "--company", company, "--detailed-exitcode")
    assert again.code == 0, again.out
    assert "No changes." in again.out


def test_the_output_is_a_company_file_with_todos_in_place_of_unknowns(world: World) -> None:
    result = world.cwbill("import", "billing", "--company", "gamma", "--as-of", AS_OF)
    assert result.code == 0, result.err
    document = yaml.safe_load(result.out)
    assert document["company"] == "GAMMA"  # ConnectWise's spelling
    assert "console_company" not in document  # a TODO: the file does not validate until resolved
    (configuration,) = document["configurations"]
    assert configuration["name"] == "servers"  # the owner marker of the demo's lines names it
    assert (configuration["bill"], configuration["send"]) == ("do-not-bill", "quantity")
    assert configuration["invoice_description"] == "from-product"
    assert "# TODO: console_company: Gamma Health — " in result.out
    assert "# TODO: console_products: [server|ultimate|vm]" in result.out
    assert "3 TODO(s) to resolve" in result.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(("--company", "NOPE"), "no company with that identifier", id="an unknown company"),
        pytest.param(
            ("--company", "ACME", "--agreement", "Other"),
            "no such agreement of ACME",
            id="an unknown agreement",
        ),
        pytest.param(
            ("--company", "DELTA", "--period", "2026-10"),
            "has no additions in 2026-10",
            id="a month without lines",
        ),
        pytest.param(("--company", "ACME", "--period", "2026-13"), "is not a month", id="a bad --period"),
        pytest.param(("--company", "ACME", "--as-of", "yesterday"), "is not a date", id="a bad --as-of"),
    ],
)
def test_mistakes_are_one_message_and_exit_1(world: World, args: tuple[str, ...], message: str) -> None:
    result = world.cwbill("import", "billing", *args)
    assert result.code == 1
    assert message in result.err
    assert "Traceback" not in result.err
    assert result.out == ""


def test_the_agreement_can_be_named_by_id(world: World) -> None:
    by_id = world.cwbill("import", "billing", "--company", "ACME", "--agreement", "1", "--as-of", AS_OF)
    by_name = world.cwbill(
        "import", "billing", "--company", "ACME", "--agreement", "Managed Backup Service", "--as-of", AS_OF
    )
    assert by_id.code == by_name.code == 0
    assert by_id.out == by_name.out


def test_nothing_is_written_and_no_secret_is_printed(world: World) -> None:
    result = world.cwbill("import", "billing", "--company", "ACME", "--as-of", AS_OF)
    assert result.code == 0
    assert world.writes() == 0
    for secret in ("demo-private-key", "demo-public-key"):
        assert secret not in result.out + result.err


def test_import_needs_the_connectwise_credentials(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CW_PRIVATE_KEY")
    result = world.cwbill("import", "billing", "--company", "ACME")
    assert result.code == 1
    assert "CW_PRIVATE_KEY" in result.err


def test_a_rate_the_lines_show_is_printed_exactly(world: World) -> None:
    # A repository without a price for desktop: the average line shows its rate, exactly.
    prices = world.billing / "prices.yaml"
    prices.write_text(prices.read_text().replace("  desktop:  {cost: 2.50, price: 5.00}\n", ""))
    assert world.cwbill("apply", "billing", "--as-of", AS_OF, "--yes").code == 0
    with world.api() as client:  # the line as the GUI would have sent it: its own rate
        line = next(
            a
            for a in world.additions(1)
            if a["product"]["identifier"] == "MBS-DESKTOP"  # type: ignore[index]
            and str(a["effectiveDate"]).startswith("2026-10")
        )
        patch = [
            {"op": "replace", "path": "serialNumber", "value": ""},
            {"op": "replace", "path": "unitPrice", "value": "5.0125"},
            {"op": "replace", "path": "unitCost", "value": "2.5"},
        ]
        assert client.patch(f"/finance/agreements/1/additions/{line['id']}", json=patch).status_code == 200
    result = world.cwbill("import", "billing", "--company", "ACME", "--as-of", AS_OF)
    assert result.code == 0, result.err
    assert "#   licenses: {desktop: {cost: 2.50, price: 5.0125}}" in result.out


def test_the_schema_comment_follows_the_repository(world: World) -> None:
    first = world.cwbill("import", "billing", "--company", "ACME", "--as-of", AS_OF)
    assert first.out.splitlines()[0] == "# yaml-language-server: $schema=../schemas/company.schema.json"
    # no company file says where the schema is: aim as settings.yaml does
    for path in (world.billing / "companies").glob("*.yaml"):
        path.write_text("\n".join(path.read_text(encoding="utf-8").splitlines()[1:]) + "\n", encoding="utf-8")
    settings = world.billing / "settings.yaml"
    lines = settings.read_text(encoding="utf-8").splitlines(keepends=True)
    url = "https://git.example.com/raw/schemas/"
    settings.write_text(f"# yaml-language-server: $schema={url}settings.schema.json\n" + "".join(lines[1:]))
    again = world.cwbill("import", "billing", "--company", "ACME", "--as-of", AS_OF)
    assert again.code == 0, again.err
    assert again.out.splitlines()[0] == f"# yaml-language-server: $schema={url}company.schema.json"
