"""What the pipeline puts on the wire (URL, query, body, headers) and what its errors name.

Each test pins a rule that mutation testing showed no other test held: a flag lost between
``request`` and ``send``, a header looked up in the wrong case, an error missing its method.
"""

from __future__ import annotations

import anyio
import httpx
import pytest

from stytch_async import AsyncStytch, AsyncStytchB2B, ClientError, HttpError, UsageError
from stytch_async.b2b.types.entities import Authorization, RevokeRequestOptions
from stytch_async.errors import HttpTimeoutError
from tests.support.loopback import loopback
from tests.support.recorded import PROJECT_ID, SECRET, Wire, load_fixture, record_sleeps

pytestmark = pytest.mark.anyio

NOT_FOUND = {"status_code": 404, "request_id": "r-404", "error_type": "not_found", "error_message": "no"}
OK_SEND = load_fixture("magic_links.email.send")


async def test_a_json_body_is_compact_and_a_get_has_no_body(stytch: AsyncStytch, wire: Wire) -> None:
    wire.reply(200, OK_SEND)
    wire.reply(404, NOT_FOUND)
    await stytch.magic_links.email.send("ada@example.com")
    with pytest.raises(ClientError):
        await stytch.sessions.get("user-1")
    post, get = wire.requests
    assert post.content == b'{"email":"ada@example.com"}'
    assert post.headers["content-type"] == "application/json"
    assert str(get.url) == "https://test.stytch.com/v1/sessions?user_id=user-1"
    assert get.content == b""
    assert "content-length" not in get.headers
    assert "content-type" not in get.headers


async def test_fraud_products_go_to_the_fraud_host(stytch: AsyncStytch, wire: Wire) -> None:
    wire.reply(404, NOT_FOUND)
    with pytest.raises(ClientError):
        await stytch.fraud.fingerprint.lookup("telemetry-1")
    assert str(wire.last.url) == "https://telemetry.stytch.com/v1/fingerprint/lookup"


async def test_token_introspection_is_a_form_post(stytch: AsyncStytch, wire: Wire) -> None:
    wire.reply(404, NOT_FOUND)
    with pytest.raises(ClientError):
        await stytch.idp.introspect_token_network("tok", "client-1")
    assert wire.last.headers["content-type"] == "application/x-www-form-urlencoded"
    assert wire.last.content == b"token=tok&client_id=client-1&token_type_hint=access_token"


async def test_a_members_session_travels_as_headers(stytch_b2b: AsyncStytchB2B, wire: Wire) -> None:
    wire.reply(404, NOT_FOUND)
    with pytest.raises(ClientError):
        await stytch_b2b.organizations.members.connected_apps.revoke(
            "organization-test-1",
            "member-test-1",
            "connected-app-1",
            method_options=RevokeRequestOptions(authorization=Authorization(session_token="session-token-1")),
        )
    assert wire.last.headers["x-stytch-member-session"] == "session-token-1"
    assert wire.last.headers["authorization"].startswith("Basic ")


async def test_send_defaults_to_the_api_host_and_a_json_body(stytch: AsyncStytch, wire: Wire) -> None:
    wire.reply(200, {})
    await stytch._pipeline.send(
        "POST", "/v1/x", body={"a": [1, 2]}, extra_headers={"X-Extra": "1"}, timeout=None
    )
    assert str(wire.last.url) == "https://test.stytch.com/v1/x"
    assert wire.last.headers["content-type"] == "application/json"
    assert wire.last.headers["x-extra"] == "1"
    assert wire.last.content == b'{"a":[1,2]}'


async def test_an_unencodable_request_names_the_call_and_the_value(stytch: AsyncStytch, wire: Wire) -> None:
    with pytest.raises(UsageError) as info:
        await stytch._pipeline.send("GET", "/v1/x", query={"filter": {"nested": 1}}, timeout=None)
    assert str(info.value) == "GET /v1/x: cannot encode the request: a dict cannot be sent as a query value"
    with pytest.raises(UsageError) as info:
        await stytch.users.get(5)  # type: ignore[arg-type]
    assert str(info.value) == "path parameter must be a string, got int"
    assert wire.requests == []


async def test_a_transport_error_without_text_says_so_and_is_not_a_timeout(
    stytch: AsyncStytch, wire: Wire
) -> None:
    record_sleeps(stytch)
    for _ in range(3):
        wire.raise_(httpx.ConnectError(""))
    with pytest.raises(HttpError) as info:
        await stytch.sessions.get("user-1")
    assert type(info.value) is HttpError
    assert (
        str(info.value) == "ConnectError: no detail (GET https://test.stytch.com/v1/sessions?user_id=user-1)"
    )


def assert_deadline_error(err: HttpTimeoutError, call: str, budget: float) -> None:
    method, _, path = call.partition(" ")
    assert (err.method, err.url) == (method, "https://test.stytch.com" + path)
    assert str(err.__cause__) == f"the call's deadline of {budget}s passed, retries and backoff included"


async def test_a_deadline_error_names_the_call_and_the_budget(stytch: AsyncStytch, wire: Wire) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await anyio.sleep(5)
        raise AssertionError("not reached")  # pragma: no cover

    wire.call(slow)
    with anyio.fail_after(3), pytest.raises(HttpTimeoutError) as info:
        await stytch.magic_links.authenticate("token", timeout=0.05)
    assert_deadline_error(info.value, "POST /v1/magic_links/authenticate", 0.05)


async def test_a_deadline_overrun_by_the_backoff_sleep_names_the_call_and_the_budget(
    stytch: AsyncStytch, wire: Wire
) -> None:
    async def overrun(seconds: float) -> None:
        await anyio.sleep(0.2)

    stytch._pipeline._sleep = overrun
    stytch._pipeline._random = lambda: 0.0  # no backoff wait: the retry is within the deadline
    wire.reply(503, text="busy")
    with anyio.fail_after(3), pytest.raises(HttpTimeoutError) as info:
        await stytch.sessions.get("user-1", timeout=0.1)
    assert_deadline_error(info.value, "GET /v1/sessions?user_id=user-1", 0.1)
    assert len(wire.requests) == 1


async def test_retry_after_is_read_from_the_default_pools_lower_case_headers() -> None:
    # The own pool hands over a plain dict of lower-case names, unlike httpx's
    # case-insensitive Headers, so the lookup's case matters there.
    async with loopback() as server, AsyncStytch(PROJECT_ID, SECRET, base_url=server.url) as stytch:
        sleeps = record_sleeps(stytch)
        server.reply(503, {"error_type": "unavailable"}, headers={"Retry-After": "2"})
        server.reply(200, OK_SEND)
        with anyio.fail_after(5):
            await stytch.magic_links.email.send("ada@example.com")
    assert sleeps == [2.0]
    assert [seen.target for seen in server.seen] == ["/v1/magic_links/email/send"] * 2


async def test_a_request_without_a_body_sends_no_length_over_the_default_pool() -> None:
    async with loopback() as server, AsyncStytch(PROJECT_ID, SECRET, base_url=server.url) as stytch:
        server.reply(404, NOT_FOUND)
        with anyio.fail_after(5), pytest.raises(ClientError):
            await stytch.sessions.get("user-1")
    (seen,) = server.seen
    assert (seen.method, seen.target, seen.body) == ("GET", "/v1/sessions?user_id=user-1", b"")
    assert "content-length" not in seen.headers
    assert "content-type" not in seen.headers


async def test_calls_ended_by_aclose_name_themselves_and_leave_no_scope_behind() -> None:
    errors: dict[str, str] = {}
    async with loopback() as server:
        server.reply(503, {"error_type": "busy"}, headers={"Retry-After": "0"})
        server.reply(404, NOT_FOUND)
        server.hang()  # user-2: in flight when the client closes
        server.reply(503, {"error_type": "busy"}, headers={"Retry-After": "20"})  # user-3: waiting to retry
        client = AsyncStytch(PROJECT_ID, SECRET, base_url=server.url)

        async def call(user: str) -> None:
            with pytest.raises(HttpError) as info:
                await client.sessions.get(user)
            errors[user] = str(info.value)

        async def sent(count: int) -> None:
            while len(server.seen) < count:  # noqa: ASYNC110 (the loopback server counts requests)
                await anyio.sleep(0.01)

        with anyio.fail_after(5):
            with pytest.raises(ClientError):
                await client.sessions.get("user-1")  # retried once, then answered
            assert client._pipeline._running == set()  # every attempt and pause deregistered
            async with anyio.create_task_group() as tg:
                tg.start_soon(call, "user-2")
                await sent(3)
                tg.start_soon(call, "user-3")
                await sent(4)
                await anyio.sleep(0.05)  # user-3 has read its 503 and sleeps
                await client.aclose()
    assert errors == {
        user: f"the client was closed while this call was under way (GET {server.url}/v1/sessions?user_id={user})"
        for user in ("user-2", "user-3")
    }
    assert len(server.seen) == 4
