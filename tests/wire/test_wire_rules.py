"""The error tree and the retry rules, end to end over a real socket, on every wire.

``pool`` is the default client (our HTTP/1.1 pool); ``httpx`` is an injected
``httpx.AsyncClient`` with its own transport. Each runs on asyncio and on trio.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import httpx
import pytest

from stytch_async import AsyncStytch, ClientError, DecodeError, HttpError
from stytch_async._wire.pool import Pool
from tests.support.loopback import Loopback, closed_port, loopback
from tests.support.recorded import PROJECT_ID, SECRET, load_fixture, record_sleeps

pytestmark = pytest.mark.anyio

OK_SEND = load_fixture("magic_links.email.send")
OK_SESSIONS = load_fixture("sessions.get")


@pytest.fixture(params=["pool", "httpx"])
def wire_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def server() -> AsyncIterator[Loopback]:
    async with loopback() as srv:
        yield srv


@pytest.fixture
async def sleeps_and_client(
    server: Loopback, wire_kind: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[list[float], AsyncStytch]]:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    http = httpx.AsyncClient(trust_env=False) if wire_kind == "httpx" else None
    client = AsyncStytch(PROJECT_ID, SECRET, base_url=server.url, http_client=http)
    recorded = record_sleeps(client)
    async with client:
        if wire_kind == "pool":
            assert isinstance(client._http, Pool)
        yield recorded, client
    if http is not None:
        await http.aclose()


async def test_answer_is_decoded_and_wire_shape_holds(
    server: Loopback, sleeps_and_client: tuple[list[float], AsyncStytch]
) -> None:
    _, stytch = sleeps_and_client
    server.reply(200, OK_SEND)
    result = await stytch.magic_links.email.send("ada@example.com")
    assert result.email_id == OK_SEND["email_id"]
    seen = server.seen[0]
    assert (seen.method, seen.target) == ("POST", "/v1/magic_links/email/send")
    assert seen.json() == {"email": "ada@example.com"}
    assert seen.headers["authorization"].startswith("Basic ")
    assert seen.headers["user-agent"].startswith("stytch-async/")
    assert seen.headers["content-type"] == "application/json"


async def test_get_query_is_encoded(
    server: Loopback, sleeps_and_client: tuple[list[float], AsyncStytch]
) -> None:
    _, stytch = sleeps_and_client
    server.reply(200, OK_SESSIONS)
    await stytch.sessions.get("user test/1")
    assert server.seen[0].target == "/v1/sessions?user_id=user+test%2F1"


async def test_post_is_not_replayed_after_the_server_hangs_up(
    server: Loopback, sleeps_and_client: tuple[list[float], AsyncStytch]
) -> None:
    sleeps, stytch = sleeps_and_client
    server.drop()
    with pytest.raises(HttpError) as info:
        await stytch.magic_links.authenticate("token")
    assert len(server.seen) == 1
    assert sleeps == []
    assert isinstance(info.value.__cause__, httpx.TransportError)
    assert not isinstance(info.value.__cause__, (httpx.ConnectError, httpx.ConnectTimeout))


async def test_post_is_not_replayed_after_a_truncated_answer(
    server: Loopback, sleeps_and_client: tuple[list[float], AsyncStytch]
) -> None:
    sleeps, stytch = sleeps_and_client
    server.raw(b'HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{"request_id":', close=True)
    with pytest.raises(HttpError):
        await stytch.magic_links.authenticate("token")
    assert len(server.seen) == 1
    assert sleeps == []


async def test_get_is_retried_after_the_server_hangs_up(
    server: Loopback, sleeps_and_client: tuple[list[float], AsyncStytch]
) -> None:
    sleeps, stytch = sleeps_and_client
    server.drop()
    server.reply(200, OK_SESSIONS)
    result = await stytch.sessions.get("user-1")
    assert len(result.sessions) == 1
    assert len(server.seen) == 2
    assert len(sleeps) == 1


async def test_post_is_retried_when_the_connection_is_refused(wire_kind: str) -> None:
    port = await closed_port()
    http = httpx.AsyncClient(trust_env=False) if wire_kind == "httpx" else None
    async with AsyncStytch(
        PROJECT_ID, SECRET, base_url=f"http://127.0.0.1:{port}", http_client=http
    ) as stytch:
        sleeps = record_sleeps(stytch)
        with pytest.raises(HttpError, match="ConnectError") as info:
            await stytch.magic_links.authenticate("token")
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert len(sleeps) == 2  # retried max_retries times: the request never left
    if http is not None:
        await http.aclose()


async def test_post_is_retried_on_429_but_not_on_500(
    server: Loopback, sleeps_and_client: tuple[list[float], AsyncStytch]
) -> None:
    sleeps, stytch = sleeps_and_client
    server.reply(429, {"status_code": 429, "error_type": "too_many_requests"}, headers={"Retry-After": "1"})
    server.reply(200, OK_SEND)
    await stytch.magic_links.email.send("ada@example.com")
    assert sleeps == [1.0]
    server.reply(500, {"status_code": 500, "error_type": "internal_server_error", "error_message": "x"})
    with pytest.raises(ClientError) as info:
        await stytch.magic_links.email.send("ada@example.com")
    assert info.value.status_code == 500
    assert len(server.seen) == 3


async def test_get_is_retried_on_503(
    server: Loopback, sleeps_and_client: tuple[list[float], AsyncStytch]
) -> None:
    _, stytch = sleeps_and_client
    server.reply(503, {"status_code": 503, "error_type": "unavailable"})
    server.reply(200, OK_SESSIONS)
    await stytch.sessions.get("user-1")
    assert len(server.seen) == 2


async def test_errors_keep_their_shape(
    server: Loopback, sleeps_and_client: tuple[list[float], AsyncStytch]
) -> None:
    _, stytch = sleeps_and_client
    server.reply(
        404,
        {
            "status_code": 404,
            "request_id": "request-id-test-1",
            "error_type": "session_not_found",
            "error_message": "Session not found.",
        },
    )
    with pytest.raises(ClientError) as err:
        await stytch.sessions.authenticate(session_token="nope")
    assert (err.value.status_code, err.value.error_type, err.value.request_id) == (
        404,
        "session_not_found",
        "request-id-test-1",
    )
    server.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\nRequest-Id: r-9\r\n\r\nnot json!")
    with pytest.raises(DecodeError) as dec:
        await stytch.sessions.authenticate(session_token="t")
    assert dec.value.request_id == "r-9"
    assert "not json!" in dec.value.excerpt


async def test_silent_server_hits_the_deadline_and_post_is_not_replayed(
    server: Loopback, sleeps_and_client: tuple[list[float], AsyncStytch]
) -> None:
    sleeps, stytch = sleeps_and_client
    server.hang()
    with anyio.fail_after(5), pytest.raises(HttpError, match="timed out"):
        await stytch.magic_links.authenticate("token", timeout=0.2)
    assert len(server.seen) == 1
    assert sleeps == []
