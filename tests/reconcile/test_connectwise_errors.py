"""A ConnectWise that cannot be read is a message and exit 1 in every command that reads it (plan,
apply, report, import) — never a traceback — and a 404 says the URL is wrong, not that the server is
down (`reconcile/run.py: connectwise_errors`)."""

from __future__ import annotations

import pytest

from reconciler.sandbox import API_PATH
from tests.reconcile.conftest import World

AS_OF = "2026-11-02"
COMMANDS = [
    ("plan", "billing", "--as-of", AS_OF),
    ("apply", "billing", "--as-of", AS_OF, "--yes"),
    ("report", "billing", "--as-of", AS_OF),
    ("import", "billing", "--company", "ACME", "--as-of", AS_OF),
]
IDS = ["plan", "apply", "report", "import"]


@pytest.mark.parametrize("args", COMMANDS, ids=IDS)
def test_cw_url_without_the_api_path_names_the_url_and_its_expected_shape(
    world: World, args: tuple[str, ...]
) -> None:
    world.monkeypatch.setenv("CW_URL", world.url)
    result = world.cwbill(*args)
    assert result.code == 1
    assert "Traceback" not in result.text
    line = result.err.splitlines()[-1]  # after the repository's own warnings, if any
    assert line.startswith("error: ConnectWise: GET /")
    assert ": 404 " in line
    assert line.endswith(
        f"the ConnectWise URL {world.url} (CW_URL, else settings.yaml connectwise.url) looks wrong: "
        "it must end in the API path (/apis/3.0), e.g. "
        "https://api-na.myconnectwise.net/v4_6_release/apis/3.0; nothing was written"
    )
    assert "run again when it answers" not in line
    assert world.writes() == 0


def test_a_404_under_a_full_api_path_asks_for_host_and_codebase(world: World) -> None:
    world.monkeypatch.setenv("CW_URL", world.url + "/wrong" + API_PATH)
    result = world.cwbill(*COMMANDS[0])
    assert result.code == 1
    assert result.err.rstrip().endswith("looks wrong: check its host and codebase; nothing was written")


# plan and apply turned this into a message before (make_plan); report and import showed a traceback
@pytest.mark.parametrize("args", COMMANDS[2:], ids=IDS[2:])
def test_a_connectwise_that_does_not_answer_is_a_message_in_every_command(
    world: World, args: tuple[str, ...]
) -> None:
    world.monkeypatch.setenv("CW_URL", "http://127.0.0.1:9" + API_PATH)  # the discard port: nothing listens
    result = world.cwbill(*args)
    assert result.code == 1
    assert "Traceback" not in result.text
    assert result.err.splitlines()[-1].startswith("error: ConnectWise: GET /")
    assert result.err.rstrip().endswith("nothing was written, run again when it answers")
