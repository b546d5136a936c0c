"""No secret in any output: with known fake keys, every output of cwbill is scanned for them.

Plans in text, Markdown and JSON, the saved plan, apply's report and journal, a usage pull, all at
the most verbose level (`-vv`), and the errors of wrong credentials and bad URLs. Each value is
looked for as itself and inside the Basic token that carries the ConnectWise keys. The committed
vcrpy cassettes are scanned for the demo credentials they were recorded with.
"""

from __future__ import annotations

import base64
import logging
import shutil
from pathlib import Path

import pytest

from reconciler.cli.app import configure_logging
from reconciler.sandbox import DEMO_CREDENTIALS
from tests.conftest import PROJECT
from tests.security.conftest import AS_OF, FAKE, Served, leaks, secret_needles

VERBOSE_RUNS = {
    "plan as text": ("plan", "billing", "--as-of", AS_OF, "-vv"),
    "plan as Markdown with costs": (
        "plan",
        "billing",
        "--as-of",
        AS_OF,
        "--format",
        "markdown",
        "--show-cost",
        "-vv",
    ),
    "plan as JSON, saved": (
        "plan",
        "billing",
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--out",
        "plan.json",
        "-vv",
    ),
    "apply the saved plan": (
        "apply",
        "billing",
        "--plan",
        "plan.json",
        "--yes",
        "--journal",
        "journal.jsonl",
        "-vv",
    ),
    "plan again": ("plan", "billing", "--as-of", AS_OF, "--detailed-exitcode", "-vv"),
    "usage pull": ("usage", "pull", "billing", "--period", "2026-10", "--out", "pulled.yaml"),
}


def test_no_output_or_file_of_a_whole_run_holds_a_secret(served: Served, tmp_path: Path) -> None:
    outputs: dict[str, str] = {}
    for name, args in VERBOSE_RUNS.items():
        result = served.cwbill(*args)
        assert result.code == 0, (name, result.err)
        outputs[name] = result.text
    shutil.rmtree(served.billing / "usage")  # now the plan reads usage from the console (a login)
    console = served.cwbill("plan", "billing", "--as-of", AS_OF, "-vv")
    assert console.code == 0, console.err
    outputs["plan from the console"] = console.text
    for produced in ("plan.json", "journal.jsonl", "pulled.yaml"):
        outputs[produced] = (tmp_path / produced).read_text(encoding="utf-8")
    assert "DEBUG cwbill.apply: POST" in outputs["apply the saved plan"]  # -vv did log, in detail
    assert {name: leaks(text) for name, text in outputs.items() if leaks(text)} == {}


def test_the_verbose_log_masks_a_secret_even_if_code_logged_one(served: Served) -> None:
    configure_logging(2)
    logging.getLogger("cwbill.test").info("oops %s", FAKE["CW_PRIVATE_KEY"])
    err = served.capsys.readouterr().err
    configure_logging(0)
    assert "oops ***" in err and FAKE["CW_PRIVATE_KEY"] not in err


WRONG = {
    "a wrong ConnectWise private key (401)": {"CW_PRIVATE_KEY": "privKEY-WRONG-Qa7Ls3Df"},
    "a wrong ConnectWise public key (401)": {"CW_PUBLIC_KEY": "pubKEY-WRONG-Mx4Ke8Vb"},
    "a wrong console password (403)": {"MBS_PASSWORD": "mbsPASS-WRONG-Uy5Io1Pw"},
}


@pytest.mark.parametrize("wrong", list(WRONG.values()), ids=list(WRONG))
def test_refused_credentials_are_named_never_shown(served: Served, wrong: dict[str, str]) -> None:
    shutil.rmtree(served.billing / "usage")  # so the console is asked too
    for name, value in wrong.items():
        served.monkeypatch.setenv(name, value)
    result = served.cwbill("apply", "billing", "--as-of", AS_OF, "--yes", "-vv")
    assert result.code == 1
    assert "Traceback" not in result.err
    variable = next(iter(wrong))
    assert variable in result.err  # says which variable to check
    assert leaks(result.text) == [] and leaks(result.text, {**FAKE, **wrong}) == []
    assert served.writes() == 0


@pytest.mark.parametrize(
    "url",
    [
        f"https://acme:{FAKE['CW_PRIVATE_KEY']}@api-na.myconnectwise.net/v4_6_release/apis/3.0",
        f"https://{FAKE['CW_PUBLIC_KEY']}@api-na.myconnectwise.net/v4_6_release/apis/3.0",
    ],
    ids=["a password in the URL", "a key as the URL's user name"],
)
def test_a_url_carrying_credentials_is_refused_without_echoing_them(served: Served, url: str) -> None:
    served.monkeypatch.setenv("CW_URL", url)
    result = served.cwbill("plan", "billing", "--as-of", AS_OF, "-vv")
    assert result.code == 1
    assert "holds a user name or password" in result.err and "https://***@api-na" in result.err
    assert leaks(result.text) == []


def test_a_secret_pasted_into_yaml_is_found_and_not_repeated(served: Served) -> None:
    company = served.billing / "companies" / "acme.yaml"
    company.write_text(
        company.read_text().replace(
            "console_company: Acme Corp", f"console_company: {FAKE['CW_PRIVATE_KEY']}"
        )
    )
    result = served.cwbill("apply", "billing", "--as-of", AS_OF, "--yes")
    assert result.code == 1
    assert "billing/companies/acme.yaml:3:" in result.err and "CW_PRIVATE_KEY" in result.err
    assert leaks(result.text) == []
    assert served.writes() == 0


CASSETTES = sorted(PROJECT.glob("tests/**/cassettes/*.yaml"))


@pytest.mark.parametrize("cassette", CASSETTES, ids=[str(c.relative_to(PROJECT)) for c in CASSETTES])
def test_committed_cassettes_hold_no_credentials(cassette: Path) -> None:
    text = cassette.read_text(encoding="utf-8")
    needles = secret_needles(DEMO_CREDENTIALS)
    needles["client id"] = DEMO_CREDENTIALS["CW_CLIENT_ID"]
    needles["console user"] = DEMO_CREDENTIALS["MBS_USERNAME"]
    assert [name for name, needle in needles.items() if needle in text] == []
    assert "Basic " not in text and "Bearer " not in text and "access_token" not in text
    assert base64.b64encode(DEMO_CREDENTIALS["CW_PRIVATE_KEY"].encode()).decode() not in text


def test_there_are_cassettes_to_scan() -> None:
    assert len(CASSETTES) >= 2
