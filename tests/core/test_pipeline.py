"""Retries, deadlines and transport failures, through the whole client."""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx
import pytest

from stytch_async import AsyncStytch, ClientError, HttpError, UsageError
from stytch_async._core.response import retry_after_seconds
from stytch_async.errors import HttpTimeoutError, RateLimitError
from tests.support.loopback import loopback
from tests.support.recorded import PROJECT_ID, SECRET, Wire, load_fixture, record_sleeps

pytestmark = pytest.mark.anyio

OK_SESSIONS = load_fixture("sessions.get")
OK_SEND = load_fixture("magic_links.email.send")


@pytest.fixture
def sleeps(stytch: AsyncStytch) -> list[float]:
    return record_sleeps(stytch)


async def test_connect_error_is_retried_for_post(
    stytch: AsyncStytch, wire: Wire, sleeps: list[float]
) -> None:
    wire.raise_(httpx.ConnectError("connection refused"))
    wire.reply(200, OK_SEND)
    result = await stytch.magic_links.email.send("ada@example.com")
    assert result.email_id == OK_SEND["email_id"]
    assert len(wire.requests) == 2
    assert len(sleeps) == 1


async def test_connect_errors_exhaust_retries(stytch: AsyncStytch, wire: Wire, sleeps: list[float]) -> None:
    for _ in range(3):
        wire.raise_(httpx.ConnectError("connection refused"))
    with pytest.raises(HttpError) as info:
        await stytch.sessions.get("user-1")
    assert len(wire.requests) == 3  # max_retries=2 more attempts
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert "ConnectError" in str(info.value)
    assert "GET https://test.stytch.com/v1/sessions" in str(info.value)


async def test_post_is_not_replayed_after_a_500(stytch: AsyncStytch, wire: Wire, sleeps: list[float]) -> None:
    wire.reply(500, {"status_code": 500, "error_type": "internal_server_error", "error_message": "x"})
    with pytest.raises(ClientError) as info:
        await stytch.magic_links.authenticate("token")
    assert info.value.status_code == 500
    assert len(wire.requests) == 1
    assert sleeps == []


async def test_post_is_not_replayed_after_a_read_timeout(
    stytch: AsyncStytch, wire: Wire, sleeps: list[float]
) -> None:
    wire.raise_(httpx.ReadTimeout("read timed out"))
    with pytest.raises(HttpTimeoutError, match="ReadTimeout") as info:
        await stytch.magic_links.authenticate("token")
    assert len(wire.requests) == 1
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_get_is_retried_after_5xx(
    stytch: AsyncStytch, wire: Wire, sleeps: list[float], status: int
) -> None:
    wire.reply(status, text="upstream trouble")
    wire.reply(200, OK_SESSIONS)
    result = await stytch.sessions.get("user-1")
    assert len(result.sessions) == 1
    assert len(wire.requests) == 2


async def test_get_is_retried_after_a_read_timeout(
    stytch: AsyncStytch, wire: Wire, sleeps: list[float]
) -> None:
    wire.raise_(httpx.ReadTimeout("read timed out"))
    wire.reply(200, OK_SESSIONS)
    await stytch.sessions.get("user-1")
    assert len(wire.requests) == 2


@pytest.mark.parametrize("status", [429, 503])
async def test_post_is_retried_on_429_and_503_honouring_retry_after(
    stytch: AsyncStytch, wire: Wire, sleeps: list[float], status: int
) -> None:
    wire.reply(
        status, {"status_code": status, "error_type": "too_many_requests"}, headers={"Retry-After": "2"}
    )
    wire.reply(200, OK_SEND)
    await stytch.magic_links.email.send("ada@example.com")
    assert sleeps == [2.0]
    assert len(wire.requests) == 2
    # The retried request is the same request.
    assert wire.requests[0].content == wire.requests[1].content


async def test_last_429_is_returned_as_client_error(
    stytch: AsyncStytch, wire: Wire, sleeps: list[float]
) -> None:
    for _ in range(3):
        wire.reply(
            429, {"status_code": 429, "error_type": "too_many_requests", "error_message": "Slow down."}
        )
    with pytest.raises(RateLimitError) as info:
        await stytch.magic_links.email.send("ada@example.com")
    assert info.value.error_type == "too_many_requests"
    assert info.value.retry_after is None
    assert len(wire.requests) == 3
    assert len(sleeps) == 2


async def test_last_429_carries_retry_after_and_the_answers_headers(
    stytch: AsyncStytch, wire: Wire, sleeps: list[float]
) -> None:
    for n in range(3):
        wire.reply(
            429,
            {"status_code": 429, "request_id": f"r-{n}", "error_type": "too_many_requests"},
            headers={"Retry-After": "2", "Request-Id": f"r-{n}", "Set-Cookie": "lb=sticky-7"},
        )
    with pytest.raises(RateLimitError) as info:
        await stytch.magic_links.email.send("ada@example.com")
    err = info.value
    assert sleeps == [2.0, 2.0]
    assert (err.status_code, err.retry_after, err.request_id) == (429, 2.0, "r-2")
    assert err.headers["Retry-After"] == "2"
    assert err.headers["request-id"] == "r-2"
    assert err.headers["set-cookie"] == "<redacted>"
    # The request carried the secret; the error holds only the answer's headers.
    assert wire.last.headers["authorization"].startswith("Basic ")
    assert "authorization" not in err.headers
    assert SECRET not in repr(dict(err.headers))


async def test_backoff_grows_with_full_jitter(stytch: AsyncStytch, wire: Wire, sleeps: list[float]) -> None:
    stytch._pipeline.backoff_base = 1.0
    stytch._pipeline._random = lambda: 1.0  # the top of each jitter window
    for _ in range(3):
        wire.reply(503, text="busy")
    with pytest.raises(ClientError):
        await stytch.sessions.get("user-1")
    assert sleeps == [1.0, 2.0]


async def test_retry_after_beyond_the_deadline_is_not_waited_for(
    stytch: AsyncStytch, wire: Wire, sleeps: list[float]
) -> None:
    wire.reply(429, {"status_code": 429, "error_type": "too_many_requests"}, headers={"Retry-After": "120"})
    with pytest.raises(RateLimitError) as info:
        await stytch.magic_links.email.send("ada@example.com", timeout=5)
    assert info.value.status_code == 429
    assert info.value.retry_after == 120.0
    assert sleeps == []


async def test_whole_call_respects_the_timeout(stytch: AsyncStytch, wire: Wire) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await anyio.sleep(5)
        raise AssertionError("not reached")

    wire.call(slow)
    with anyio.fail_after(2):
        with pytest.raises(HttpTimeoutError, match=r"timed out after 0\.05s") as info:
            await stytch.sessions.get("user-1", timeout=0.05)
    assert type(info.value.__cause__) is TimeoutError
    assert "deadline of 0.05s" in str(info.value.__cause__)


async def test_wire_timeouts_that_exhaust_retries_are_timeouts(
    stytch: AsyncStytch, wire: Wire, sleeps: list[float]
) -> None:
    for _ in range(3):
        wire.raise_(httpx.ConnectTimeout("connect timed out"))
    with pytest.raises(HttpTimeoutError, match="ConnectTimeout") as info:
        await stytch.sessions.get("user-1")
    assert len(wire.requests) == 3
    assert isinstance(info.value.__cause__, httpx.ConnectTimeout)


async def test_deadline_passing_during_backoff_chains_the_last_failure(
    stytch: AsyncStytch, wire: Wire
) -> None:
    async def overrunning_sleep(seconds: float) -> None:
        await anyio.sleep(seconds + 0.2)  # a loop that wakes late

    stytch._pipeline._sleep = overrunning_sleep
    stytch._pipeline._random = lambda: 0.0
    wire.raise_(httpx.ReadError("connection reset"))
    with anyio.fail_after(2), pytest.raises(HttpTimeoutError, match=r"timed out after 0\.1s") as info:
        await stytch.sessions.get("user-1", timeout=0.1)
    assert len(wire.requests) == 1
    assert isinstance(info.value.__cause__, httpx.ReadError)


@pytest.mark.parametrize("wire_kind", ["httpx-own-timeout", "httpx-call-deadline", "pool-call-deadline"])
async def test_both_deadline_points_over_a_socket_that_never_answers(
    wire_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    own_timeout = wire_kind == "httpx-own-timeout"
    async with loopback() as server, httpx.AsyncClient(timeout=0.1 if own_timeout else None) as http:
        server.hang()
        injected = None if wire_kind.startswith("pool") else http
        async with AsyncStytch(PROJECT_ID, SECRET, base_url=server.url, http_client=injected) as stytch:
            with anyio.fail_after(5), pytest.raises(HttpTimeoutError) as info:
                await stytch.magic_links.authenticate("token", timeout=None if own_timeout else 0.1)
    assert len(server.seen) == 1  # a POST that may have arrived is never replayed
    cause = info.value.__cause__
    if own_timeout:
        assert isinstance(cause, httpx.ReadTimeout)
    else:
        assert type(cause) is TimeoutError
    assert info.value.url == f"{server.url}/v1/magic_links/authenticate"


async def test_client_timeout_is_the_default(http: httpx.AsyncClient, wire: Wire) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await anyio.sleep(5)
        raise AssertionError("not reached")

    wire.call(slow)
    async with AsyncStytch("project-test-1", "secret-1", http_client=http, timeout=0.05) as stytch:
        with anyio.fail_after(2), pytest.raises(HttpTimeoutError, match="timed out"):
            await stytch.sessions.revoke(session_id="s")


async def test_unencodable_argument_is_a_usage_error_and_nothing_is_sent(
    stytch: AsyncStytch, wire: Wire
) -> None:
    with pytest.raises(UsageError, match="cannot encode"):
        await stytch.sessions.authenticate(session_token="t", session_custom_claims={"when": object()})
    with pytest.raises(UsageError, match="cannot encode"):
        await stytch.sessions.authenticate(session_token="t", session_custom_claims={"x": float("nan")})
    looped: dict[str, Any] = {}
    looped["self"] = looped
    with pytest.raises(UsageError, match="cannot encode the request: a value contains itself"):
        await stytch.sessions.authenticate(session_token="t", session_custom_claims=looped)
    assert wire.requests == []


def test_bodies_are_encoded_as_compact_json_does() -> None:
    from stytch_async._core.pipeline import encode_json

    for value in [
        {"a": 'é\u2028"\n', "n": [1, 2.5, -0.0, 10**30, True, None], "nested": {"k": []}, 3: "int key"},
        "text",
        [],
        {},
    ]:
        assert encode_json(value) == json.dumps(value, separators=(",", ":"), allow_nan=False)


async def test_get_booleans_are_lowercase(stytch: AsyncStytch, wire: Wire) -> None:
    wire.reply(200, OK_SESSIONS)
    await stytch._pipeline.send("GET", "/v1/x", query={"include": True, "other": False, "n": 3}, timeout=None)
    assert wire.last.url.query == b"include=true&other=false&n=3"


def test_retry_after_parsing() -> None:
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds(" 1.5 ") == 1.5
    assert retry_after_seconds("-4") == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds("nan") is None
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0


async def test_delete_sends_neither_body_nor_query(stytch: AsyncStytch, wire: Wire) -> None:
    wire.reply(200, {"request_id": "r", "status_code": 200})
    await stytch._pipeline.send("DELETE", "/v1/users/u%2F1", timeout=None)
    assert wire.last.method == "DELETE"
    assert wire.last.url.raw_path == b"/v1/users/u%2F1"
    assert wire.last.content == b""
    assert "content-type" not in wire.last.headers
