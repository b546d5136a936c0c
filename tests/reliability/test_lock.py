"""`apply_lock`: one apply per (ConnectWise URL, company id) on a machine, refused at once otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from reconciler.connectwise.client import ConnectWiseClient, Credentials
from reconciler.errors import UserError
from reconciler.reconcile.writes import apply_lock

URL = "https://api-na.myconnectwise.net/v4_6_release/apis/3.0"


def client(url: str = URL, company: str = "acme_msp") -> ConnectWiseClient:
    credentials = Credentials(company, "public-key", "private-key", "client-id")
    return ConnectWiseClient(httpx.Client(), url, credentials)


def test_a_second_apply_against_the_same_connectwise_is_refused_and_named(tmp_path: Path) -> None:
    with apply_lock(client(), tmp_path) as path:
        with pytest.raises(UserError) as refused, apply_lock(client(), tmp_path):
            pass
        assert path.read_text().strip() == str(os.getpid())
    message = refused.value.message
    assert f"another cwbill apply is running against {URL} (company acme_msp)" in message
    assert f"(pid {os.getpid()})" in message and "nothing was written" in message
    assert "private-key" not in message and "public-key" not in message


def test_the_lock_is_free_again_once_the_apply_ends_and_leaves_no_file(tmp_path: Path) -> None:
    with apply_lock(client(), tmp_path) as path:
        assert path.exists()
    assert not path.exists()
    with apply_lock(client(), tmp_path):
        pass


def test_the_file_a_killed_apply_left_behind_is_simply_taken(tmp_path: Path) -> None:
    with apply_lock(client(), tmp_path) as path:
        pass
    path.write_text("12345\n")  # what a SIGKILLed apply leaves: the file, without the lock
    with apply_lock(client(), tmp_path):
        assert path.read_text().strip() == str(os.getpid())


@pytest.mark.parametrize(
    "other",
    [client(url=URL.replace("api-na", "api-eu")), client(company="other_msp")],
    ids=["another ConnectWise", "another company on the same ConnectWise"],
)
def test_applies_against_different_targets_do_not_block_each_other(
    tmp_path: Path, other: ConnectWiseClient
) -> None:
    with apply_lock(client(), tmp_path), apply_lock(other, tmp_path):
        pass


def test_the_company_id_is_matched_without_case(tmp_path: Path) -> None:
    with apply_lock(client(company="ACME_MSP"), tmp_path), pytest.raises(UserError):  # noqa: SIM117
        with apply_lock(client(company="acme_msp"), tmp_path):
            pass


def test_a_symlink_planted_at_the_lock_path_is_not_followed(tmp_path: Path) -> None:
    with apply_lock(client(), tmp_path) as path:
        pass
    target = tmp_path / "victim"
    path.symlink_to(target)
    with pytest.raises(UserError) as refused, apply_lock(client(), tmp_path):
        pass
    assert "cannot take the apply lock" in refused.value.message
    assert not target.exists()
