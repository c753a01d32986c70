"""The README's first command: ``python -m stytch_async demo``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import httpx
import pytest

from stytch_async import _demo
from stytch_async.__main__ import main
from tests.support.recorded import PROJECT_ID, SECRET, load_fixture

STEP = re.compile(r"^(\d)\. (.+?) +-> (.+)  \[\d+\.\d ms\]$")


@pytest.fixture(autouse=True)
def _no_real_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STYTCH_PROJECT_ID", raising=False)
    monkeypatch.delenv("STYTCH_SECRET", raising=False)


def steps_of(out: str) -> list[tuple[str, str]]:
    found = [STEP.match(line) for line in out.splitlines()]
    return [(m.group(2), m.group(3)) for m in found if m]


def test_the_demo_runs_the_whole_passwordless_flow(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "against the embedded Stytch emulator" in out
    steps = steps_of(out)
    assert [call.split("(")[0] for call, _ in steps] == [
        "magic_links.email.login_or_create",
        "outbox.last",
        "magic_links.authenticate",
        "sessions.authenticate_jwt_local",
        "sessions.get",
        "sessions.revoke",
        "sessions.authenticate",
    ]
    results = [result for _, result in steps]
    user_id = re.search(r"user (user-test-[0-9a-f-]{36}) \(new: True\)", results[0])
    assert user_id is not None
    assert re.match(r"magic link token \S+…, valid until \d\d:\d\d:\d\d UTC", results[1])
    session_id = re.search(r"session (session-test-[0-9a-f-]{36}), JWT \d+ bytes", results[2])
    assert session_id is not None
    kid = re.search(
        r"signature ok with kid (jwk-test-[0-9a-f-]{36}), user (\S+); JWKS fetched 1x", results[3]
    )
    assert kid is not None
    assert kid.group(2) == user_id.group(1)
    assert results[4] == f"1 live session(s): {session_id.group(1)}"
    assert results[5].startswith("revoked (request request-id-test-")
    assert results[6] == "refused as expected: 404 session_not_found"
    last = re.search(r"Passwordless login complete: 7 steps in \d+\.\d ms \(signing key (\S+)\)\.\n$", out)
    assert last is not None
    assert last.group(1) == kid.group(1)


def test_the_real_entry_point_runs_in_a_fresh_process() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STYTCH_")}
    done = subprocess.run(
        [sys.executable, "-m", "stytch_async", "demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(steps_of(done.stdout)) == 7
    assert "refused as expected: 404 session_not_found" in done.stdout
    assert done.stderr == ""


def test_with_credentials_it_runs_a_read_only_check_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[httpx.Request] = []
    jwks, users = load_fixture("sessions.get_jwks"), load_fixture("users.search")

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "GET" and request.url.path == f"/v1/sessions/jwks/{PROJECT_ID}":
            return httpx.Response(200, json=jwks)
        if request.method == "POST" and request.url.path == "/v1/users/search":
            return httpx.Response(200, json=users)
        return httpx.Response(500, json={"error_type": "unexpected"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    env = {"STYTCH_PROJECT_ID": PROJECT_ID, "STYTCH_SECRET": SECRET}
    assert _demo.run(env, http_client=http) == 0
    out = capsys.readouterr().out
    assert "read-only" in out
    assert "real Stytch API" in out
    assert "nothing is created or changed" in out
    assert SECRET not in out
    assert [(r.method, r.url.host, r.url.path) for r in seen] == [
        ("GET", "test.stytch.com", f"/v1/sessions/jwks/{PROJECT_ID}"),
        ("POST", "test.stytch.com", "/v1/users/search"),
    ]
    assert json.loads(seen[1].content) == {"limit": 1}
    steps = steps_of(out)
    kids = ", ".join(k["kid"] for k in jwks["keys"])
    assert steps[0][1] == f"{len(jwks['keys'])} signing key(s): {kids}"
    total = users["results_metadata"]["total"]
    assert steps[1][1] == f"credentials accepted; the project has {total} user(s)"


def test_a_refused_real_check_fails_with_the_error(capsys: pytest.CaptureFixture[str]) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            401,
            json={
                "status_code": 401,
                "request_id": "request-id-test-1",
                "error_type": "unauthorized_credentials",
                "error_message": "Unauthorized credentials.",
            },
        )

    http = httpx.AsyncClient(transport=httpx.MockTransport(refuse))
    env = {"STYTCH_PROJECT_ID": PROJECT_ID, "STYTCH_SECRET": SECRET}
    assert _demo.run(env, http_client=http) == 1
    out = capsys.readouterr().out
    assert "demo failed: ClientError: 401 unauthorized_credentials" in out
    assert SECRET not in out


def test_a_project_id_of_no_known_environment_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    assert _demo.run({"STYTCH_PROJECT_ID": "project-foo-1", "STYTCH_SECRET": SECRET}) == 1
    out = capsys.readouterr().out
    assert "demo failed: UsageError: cannot tell the environment" in out
    assert SECRET not in out


def test_one_variable_alone_keeps_the_offline_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert _demo.run({"STYTCH_PROJECT_ID": PROJECT_ID}) == 0
    assert "embedded Stytch emulator" in capsys.readouterr().out


def test_unknown_command_prints_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nope"]) == 2
    assert "usage: python -m stytch_async demo" in capsys.readouterr().err
