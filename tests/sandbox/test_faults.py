"""Every fault, switched on from a test, with its effect on what was written; and determinism."""

from __future__ import annotations

import httpx
import pytest

from reconciler.sandbox import FaultSettings, Sandbox
from reconciler.sandbox.faults import FaultInjector
from reconciler.sandbox.seeds import load_seed
from tests.sandbox.helpers import control, cw_client, mbs_client, new_addition

ADDITIONS = "/finance/agreements/1/additions"


def sandbox_with(sleeps: list[float] | None = None, **settings: object) -> Sandbox:
    sleep = sleeps.append if sleeps is not None else (lambda seconds: None)
    return Sandbox(load_seed("demo"), faults=FaultSettings(**settings), sleep=sleep)  # type: ignore[arg-type]  # the test's keywords are FaultSettings fields


def additions_count(sandbox: Sandbox) -> int:
    return len(list(sandbox.store.additions_of(1)))


def test_reset_raises_connect_error_and_nothing_is_written() -> None:
    sandbox = sandbox_with(reset=1.0)
    with cw_client(sandbox) as client, pytest.raises(httpx.ConnectError):
        client.post(ADDITIONS, json=new_addition())
    assert additions_count(sandbox) == 4 and sandbox.counters.writes_committed == 0


def test_rate_limit_answers_429_with_retry_after_and_the_documented_body() -> None:
    sandbox = sandbox_with(rate_limit=1.0, retry_after=7)
    with cw_client(sandbox) as client:
        response = client.post(ADDITIONS, json=new_addition())
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.json() == {
        "error": "ConnectWiseAPI",
        "message": "Too many requests. Please try again in 7 seconds.",
    }
    assert additions_count(sandbox) == 4


def test_the_default_retry_after_gives_the_developer_guide_message_verbatim() -> None:
    with cw_client(sandbox_with(rate_limit=1.0)) as client:
        assert (
            client.get("/company/companies").json()["message"]
            == "Too many requests. Please try again in 30 seconds."
        )


def test_server_errors_are_500_or_503_before_the_write() -> None:
    sandbox = sandbox_with(server_error=1.0, seed=4)
    with cw_client(sandbox) as client:
        statuses = [client.post(ADDITIONS, json=new_addition()).status_code for _ in range(12)]
    assert set(statuses) == {500, 503}
    assert additions_count(sandbox) == 4 and sandbox.counters.writes_committed == 0


def test_a_500_carries_the_timeout_body_pyconnectwise_retries_on() -> None:
    sandbox = sandbox_with(queue=("server_error",), seed=1)
    with cw_client(sandbox) as client:
        response = client.get("/company/companies")
    if response.status_code == 500:
        assert "timeout" in response.json()["message"]
    else:
        assert response.status_code == 503 and response.json()["code"] == "ConnectWiseApi"


def test_a_lost_response_commits_the_write_then_drops_the_answer() -> None:
    sandbox = sandbox_with(lost_response=1.0)
    with (
        cw_client(sandbox) as client,
        pytest.raises(httpx.RemoteProtocolError, match="without sending a response"),
    ):
        client.post(ADDITIONS, json=new_addition(serialNumber="cwbill:x:11111111"))
    assert additions_count(sandbox) == 5, "the write happened: a blind retry would duplicate it"
    assert sandbox.counters.writes_committed == 1


@pytest.mark.parametrize(
    ("commits", "count"), [(True, 5), (False, 4)], ids=["slow after the write", "slow before it"]
)
def test_a_slow_response_times_out_and_commits_as_configured(commits: bool, count: int) -> None:
    sandbox = sandbox_with(slow=1.0, slow_commits=commits)
    with cw_client(sandbox) as client, pytest.raises(httpx.ReadTimeout):
        client.post(ADDITIONS, json=new_addition())
    assert additions_count(sandbox) == count


def test_latency_sleeps_the_configured_seconds_on_the_drawn_share() -> None:
    sleeps: list[float] = []
    sandbox = sandbox_with(sleeps, latency=0.5, latency_seconds=0.25, seed=11)
    with cw_client(sandbox) as client:
        for _ in range(40):
            assert client.get("/company/companies").status_code == 200
    assert set(sleeps) == {0.25} and 10 < len(sleeps) < 30


def outcomes(seed: int, requests: int = 80) -> list[str]:
    sandbox = sandbox_with(
        seed=seed, reset=0.1, rate_limit=0.1, server_error=0.1, lost_response=0.1, slow=0.1
    )
    seen: list[str] = []
    with cw_client(sandbox) as client:
        for _ in range(requests):
            try:
                seen.append(str(client.get("/company/companies").status_code))
            except httpx.HTTPError as error:
                seen.append(type(error).__name__)
    return seen


def test_the_same_seed_gives_the_same_faults_and_another_seed_others() -> None:
    first = outcomes(seed=5)
    assert first == outcomes(seed=5)
    assert first != outcomes(seed=6)
    assert {"200", "429", "ConnectError", "RemoteProtocolError", "ReadTimeout"} <= set(first)


def test_methods_narrow_faults_to_writes() -> None:
    sandbox = sandbox_with(lost_response=1.0, methods=("POST", "PATCH"))
    with cw_client(sandbox) as client:
        assert client.get("/finance/agreements/1/additions").status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            client.post(ADDITIONS, json=new_addition())


def test_a_queue_scripts_exact_faults_for_the_next_requests() -> None:
    sandbox = sandbox_with(queue=("lost_response", "rate_limit"), methods=("POST",))
    with cw_client(sandbox) as client:
        assert client.get("/company/companies").status_code == 200, "GET is not eligible: the queue waits"
        with pytest.raises(httpx.RemoteProtocolError):
            client.post(ADDITIONS, json=new_addition())
        assert client.post(ADDITIONS, json=new_addition()).status_code == 429
        assert client.post(ADDITIONS, json=new_addition()).status_code == 201
    assert additions_count(sandbox) == 6


def test_the_console_is_faulted_only_when_asked() -> None:
    plain = sandbox_with(rate_limit=1.0)
    client = mbs_client(plain)
    assert client.get("/api/Companies").status_code == 200
    client.close()
    faulted = sandbox_with(rate_limit=1.0, include_mbs=True)
    with mbs_client(faulted, login=False) as client:
        refused = client.post("/api/Provider/Login", json={})
    assert refused.status_code == 429 and "Message" in refused.json()


def test_codebase_discovery_is_not_faulted() -> None:
    sandbox = sandbox_with(rate_limit=1.0)
    with httpx.Client(transport=sandbox.transport(), base_url="http://sandbox.test") as client:
        assert client.get("/login/companyinfo/cwbill_demo").status_code == 200


def test_controls_are_never_faulted_and_change_faults_at_run_time() -> None:
    sandbox = sandbox_with(reset=1.0)
    with control(sandbox) as controls, cw_client(sandbox) as client:
        assert controls.get("/counters").status_code == 200
        with pytest.raises(httpx.ConnectError):
            client.get("/company/companies")
        changed = controls.put(
            "/faults", json={"reset": 0, "rate_limit": "1", "retry_after": 2, "methods": ["get"]}
        )
        assert changed.status_code == 200
        assert changed.json()["rate_limit"] == 1.0 and changed.json()["methods"] == ["GET"]
        assert client.get("/company/companies").status_code == 429
        assert client.post(ADDITIONS, json=new_addition()).status_code == 201
        injected = controls.get("/counters").json()["faults_injected"]
    assert injected == {"reset": 1, "rate_limit": 1}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reset": 2}, "reset is a rate between 0 and 1"),
        ({"nonsense": 1}, "unknown fault settings: nonsense"),
        ({"methods": ["FETCH"]}, "methods must be among"),
        ({"queue": ["explode"]}, "queue entries must be among"),
        ({"slow_commits": "yes"}, "slow_commits is true or false"),
        ({"retry_after": 1.5}, "retry_after is a whole number"),
    ],
)
def test_bad_fault_settings_are_refused(changes: dict[str, object], message: str) -> None:
    sandbox = sandbox_with()
    with control(sandbox) as controls:
        response = controls.put("/faults", json=changes)
    assert response.status_code == 400 and message in response.json()["message"]


def test_a_new_seed_restarts_the_draws() -> None:
    injector = FaultInjector(FaultSettings(seed=3, rate_limit=0.5))
    first = [injector.decide("GET", False).fault for _ in range(20)]
    injector.update({"seed": 3})
    assert [injector.decide("GET", False).fault for _ in range(20)] == first


def test_forbidden_routes_answer_403_as_to_a_member_without_the_role_and_others_still_work() -> None:
    sandbox = sandbox_with(forbidden=("GET /procurement/catalog", "POST /finance/agreements/{id}/additions"))
    with cw_client(sandbox) as client:
        refused = [client.get("/procurement/catalog"), client.post(ADDITIONS, json=new_addition())]
        allowed = client.get("/finance/agreements")
    assert [r.status_code for r in refused] == [403, 403]
    assert refused[0].json() == {
        "code": "Security",
        "message": "You do not have security permission to perform this action.",
        "errors": None,
    }
    assert allowed.status_code == 200
    assert additions_count(sandbox) == 4 and sandbox.counters.writes_committed == 0
