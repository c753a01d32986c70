"""The emulator over real sockets: a loopback server started by each test, and the ``serve`` command."""

from __future__ import annotations

import base64
import errno
import os
import queue
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from stytch_async import ClientError, HttpError
from stytch_async.testing import FakeStytch, LoopbackServer
from stytch_async.testing.__main__ import main as serve_main
from tests.support.emulator import strict

pytestmark = pytest.mark.anyio


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with FakeStytch().serve() as running:
        yield running
    assert not running._thread.is_alive()


def basic(fake: FakeStytch) -> tuple[str, str]:
    return fake.project_id, fake.secret


async def test_a_whole_login_over_loopback(server: LoopbackServer) -> None:
    fake = server.fake
    assert server.url.startswith("http://127.0.0.1:")
    async with strict(server.client()) as stytch:
        sent = await stytch.magic_links.email.login_or_create("ada@example.com")
        token = fake.outbox.last(email="ada@example.com").token or ""
        auth = await stytch.magic_links.authenticate(token, session_duration_minutes=60)
        session = await stytch.sessions.authenticate_jwt_local(auth.session_jwt)
        assert session.user_id == sent.user_id
        assert [s.session_id for s in (await stytch.sessions.get(sent.user_id)).sessions] == [
            session.session_id
        ]
        await stytch.sessions.revoke(session_token=auth.session_token)
        with pytest.raises(ClientError) as info:
            await stytch.sessions.authenticate(session_token=auth.session_token)
        assert info.value.error_type == "session_not_found"
        client = (await stytch.m2m.clients.create(["read:users"])).m2m_client
        access = await stytch.m2m.token(client.client_id, client.client_secret)
        assert (await stytch.m2m.authenticate_token(access.access_token)).client_id == client.client_id
        user = await stytch.users.create(email="a/b+c@example.com")
        assert (await stytch.users.get(user.user_id)).emails[0].email == "a/b+c@example.com"
    assert {r.status for r in fake.requests} == {200, 404}


async def test_faults_over_the_socket(server: LoopbackServer) -> None:
    fake = server.fake
    async with strict(server.client()) as stytch:
        fake.fail_next("/v1/users", status=503, retry_after=0)
        assert (await stytch.users.create(email="ada@example.com")).user_id
        fake.fail_next("/v1/users", disconnect=True)
        with pytest.raises(HttpError):
            await stytch.users.create(email="bob@example.com")
        assert (await stytch.users.search()).results_metadata.total == 1
    assert [r.status for r in fake.requests] == [503, 200, 0, 200]


def test_the_control_endpoints(server: LoopbackServer) -> None:
    fake = server.fake
    with httpx.Client(base_url=server.url, auth=basic(fake), timeout=10) as http:
        assert http.get("/_emulator/outbox").json()["messages"] == []
        http.post("/v1/otps/sms/login_or_create", json={"phone_number": "+12025550162"}).raise_for_status()
        listed = http.get("/_emulator/outbox", params={"phone_number": "+12025550162"}).json()["messages"]
        assert [(m["kind"], m["channel"], len(m["code"])) for m in listed] == [("otp", "sms", 6)]
        before = fake.clock.now()
        moved = http.post("/_emulator/clock/advance", json={"seconds": 3600})
        assert moved.status_code == 200
        assert fake.clock.now() - before >= 3600
        kid = http.post("/_emulator/keys/rotate", json={}).json()["kid"]
        assert fake.key_ids[-1] == kid
        assert len(fake.key_ids) == 2
        http.post("/_emulator/fail_next", json={"path": "/v1/users", "status": 429, "retry_after": 3})
        refused = http.post("/v1/users", json={})
        assert (refused.status_code, refused.headers["retry-after"], refused.json()["error_type"]) == (
            429,
            "3",
            "too_many_requests",
        )
        bad = http.post("/_emulator/fail_next", json={"path": "/v1/users", "status": 200})
        assert (bad.status_code, bad.json()["error_type"]) == (400, "bad_request")
        server.fake.fail_next("*", status=500, times=10)
        assert http.post("/_emulator/reset").status_code == 200  # helpers are never failed
        assert http.get("/_emulator/outbox").json()["messages"] == []
        assert abs(fake.clock.now() - time.time()) < 5
        assert http.get("/_emulator/outbox", auth=("x", "y")).status_code == 401


def test_odd_requests_get_stytch_errors_not_crashes(server: LoopbackServer) -> None:
    with httpx.Client(base_url=server.url, auth=basic(server.fake), timeout=10) as http:
        assert (
            http.post("/v1/users", content=b"{oops", headers={"content-type": "application/json"}).json()[
                "error_type"
            ]
            == "bad_request"
        )
        assert http.request("PATCH", "/v1/users/x").status_code == 501
        assert http.request("OPTIONS", "/v1/users").json()["error_type"] == "emulator_not_implemented"
        assert http.get("/").status_code == 501
    with socket.create_connection((server.host, server.port), timeout=5) as raw:
        raw.sendall(b"POST /v1/users HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n")
        assert raw.recv(100).startswith(b"HTTP/1.1 400")


def test_close_stops_serving_and_drops_open_connections() -> None:
    running = FakeStytch().serve()
    keep_alive = httpx.Client(base_url=running.url, timeout=5)
    assert keep_alive.get(f"/v1/sessions/jwks/{running.fake.project_id}").status_code == 200
    started = time.monotonic()
    running.close()
    assert time.monotonic() - started < 5
    assert not running._thread.is_alive()
    with pytest.raises(httpx.TransportError):
        keep_alive.get(f"/v1/sessions/jwks/{running.fake.project_id}")
    keep_alive.close()
    running.close()  # a second close does nothing


def test_serve_reports_a_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with FakeStytch().serve() as taken:
        assert serve_main(["serve", "--port", str(taken.port)]) == 1
    assert f"cannot listen on 127.0.0.1:{taken.port}" in capsys.readouterr().err


class Lines:
    """A process's stdout lines, read by a thread so a test can wait for one with a deadline."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        self._stdout = proc.stdout
        self._queue: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def join(self) -> None:
        self._thread.join(timeout=10)

    def _pump(self) -> None:
        for line in self._stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def until(self, marker: str, seconds: float) -> list[str]:
        deadline = time.monotonic() + seconds
        while not any(marker in line for line in self.seen):
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no {marker!r} in time; got {self.seen!r}") from None
            if line is None:
                raise AssertionError(f"serve exited early: {self.seen!r}")
            self.seen.append(line)
        return self.seen


def test_the_serve_command_end_to_end() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "stytch_async.testing",
            "serve",
            "--port",
            "0",
            "--project-id",
            "project-test-cli",
            "--secret",
            "secret-test-cli-0123456789",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines = Lines(proc)
    try:
        banner = lines.until("Press Ctrl-C", 60)
        url = banner[0].rsplit(" ", 1)[1]
        assert banner[1].split() == ["project_id", "project-test-cli"]
        assert banner[2].split() == ["secret", "secret-test-cli-0123456789"]
        auth = base64.b64encode(b"project-test-cli:secret-test-cli-0123456789").decode()
        with httpx.Client(base_url=url, headers={"Authorization": f"Basic {auth}"}, timeout=10) as http:
            sent = http.post("/v1/magic_links/email/login_or_create", json={"email": "ada@example.com"})
            assert sent.status_code == 200
            assert sent.json()["user_created"] is True
            token = http.get("/_emulator/outbox").json()["messages"][0]["token"]
        printed = lines.until("outbox:", 10)
        assert printed[-1] == f"outbox: magic_link by email to ada@example.com: token {token}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        lines.join()
        assert proc.stdout is not None
        assert proc.stderr is not None
        proc.stdout.close()
        proc.stderr.close()


def test_the_command_needs_a_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        serve_main([])
    assert info.value.code == 2
    assert "serve" in capsys.readouterr().err


def test_a_burst_of_connections_is_queued_not_dropped() -> None:
    # Built but not yet started: nothing accepts, so every connection waits in the listen queue,
    # as a burst does while the server thread is busy. A dropped handshake would take a
    # second (the first retransmission) to complete; a queued one completes at once.
    from stytch_async.testing._engine.server import HttpServer

    server = HttpServer(FakeStytch().handle, "127.0.0.1", 0)
    clients = [socket.socket() for _ in range(100)]
    try:
        for client in clients:
            client.setblocking(False)
            assert client.connect_ex((server.host, server.port)) in (0, errno.EINPROGRESS)
        give_up = time.monotonic() + 0.5
        pending = list(clients)
        while pending and time.monotonic() < give_up:
            _, writable, _ = select.select([], pending, [], 0.05)
            pending = [c for c in pending if c not in writable]
        assert not pending, f"{len(pending)} of 100 connections were not queued"
        assert all(c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0 for c in clients)
    finally:
        for client in clients:
            client.close()
        server.close()
