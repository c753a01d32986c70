"""The hand-written methods: m2m.token, the token source, idp introspection, search_all."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import anyio
import httpx
import pytest

from stytch_async import AsyncStytch, ClientError, DecodeError, UsageError
from tests.support.recorded import PROJECT_ID, Wire, load_fixture

pytestmark = pytest.mark.anyio

TOKEN = load_fixture("m2m.token")


async def test_m2m_token_wire(stytch: AsyncStytch, wire: Wire) -> None:
    wire.reply(200, TOKEN)
    result = await stytch.m2m.token(
        "m2m-client-test-1", "s3cret", scopes=["read:users", "write:users"], extra={"audience": "x"}
    )
    assert wire.last.method == "POST"
    assert wire.last.url.path == f"/v1/public/{PROJECT_ID}/oauth2/token"
    assert wire.last_json() == {
        "audience": "x",
        "grant_type": "client_credentials",
        "client_id": "m2m-client-test-1",
        "client_secret": "s3cret",
        "scope": "read:users write:users",
    }
    assert wire.last.headers["authorization"].startswith("Basic ")
    assert result.access_token == TOKEN["access_token"]
    assert result.expires_in == 3600
    assert TOKEN["access_token"] not in repr(result)


async def test_m2m_token_without_scopes_leaves_scope_out(stytch: AsyncStytch, wire: Wire) -> None:
    wire.reply(200, TOKEN)
    await stytch.m2m.token("id", "secret")
    assert "scope" not in wire.last_json()


async def test_m2m_token_refuses_a_bare_string_of_scopes(stytch: AsyncStytch, wire: Wire) -> None:
    with pytest.raises(UsageError, match="list of scope strings"):
        await stytch.m2m.token("id", "secret", scopes="read:users")  # type: ignore[arg-type]
    assert wire.requests == []


async def test_oauth_error_from_the_token_endpoint(stytch: AsyncStytch, wire: Wire) -> None:
    wire.reply(401, {"error": "invalid_client", "error_description": "Client authentication failed."})
    with pytest.raises(ClientError) as info:
        await stytch.m2m.token("id", "wrong")
    assert info.value.error_type == "invalid_client"
    assert "wrong" not in str(info.value)


async def test_token_source_shares_one_fetch_between_concurrent_callers(
    stytch: AsyncStytch, wire: Wire
) -> None:
    gate = anyio.Event()

    async def slow_token(request: httpx.Request) -> httpx.Response:
        await gate.wait()
        return httpx.Response(200, json=TOKEN)

    wire.call(slow_token)
    source = stytch.m2m.token_source("m2m-client-test-1", "s3cret", scopes=["read:users"])
    results: list[str] = []

    async def caller() -> None:
        results.append(await source.get())

    async with anyio.create_task_group() as tg:
        for _ in range(50):
            tg.start_soon(caller)
        await anyio.sleep(0.01)
        gate.set()
    assert results == [TOKEN["access_token"]] * 50
    assert source.fetches == 1
    assert len(wire.requests) == 1
    assert "s3cret" not in repr(source)
    # Still fresh: no new request.
    assert await source.get() == TOKEN["access_token"]
    assert len(wire.requests) == 1


async def test_token_source_refreshes_before_expiry(stytch: AsyncStytch, wire: Wire) -> None:
    short = {**TOKEN, "expires_in": 30, "access_token": "first"}
    wire.reply(200, short)
    wire.reply(200, {**TOKEN, "access_token": "second"})
    source = stytch.m2m.token_source("id", "secret", refresh_margin=60)  # margin > lifetime
    assert await source.get() == "first"
    assert await source.get() == "second"
    assert source.fetches == 2


async def test_token_source_failure_reaches_the_caller_and_the_next_call_retries(
    stytch: AsyncStytch, wire: Wire
) -> None:
    wire.reply(401, {"error": "invalid_client"})
    wire.reply(200, TOKEN)
    source = stytch.m2m.token_source("id", "secret")
    with pytest.raises(ClientError):
        await source.get()
    assert await source.get() == TOKEN["access_token"]
    source.invalidate()
    wire.reply(200, {**TOKEN, "access_token": "after-invalidate"})
    assert await source.get() == "after-invalidate"


def test_token_source_rejects_a_negative_margin() -> None:
    client = AsyncStytch("project-test-1", "s")
    with pytest.raises(UsageError, match="refresh_margin"):
        client.m2m.token_source("id", "secret", refresh_margin=-1)


async def test_introspect_token_network_posts_a_form(stytch: AsyncStytch, wire: Wire) -> None:
    fixture = load_fixture("idp.introspect_token_network")
    wire.reply(200, fixture)
    result = await stytch.idp.introspect_token_network("at-123", "connected-app-1", client_secret="cs")
    assert wire.last.url.path == f"/v1/public/{PROJECT_ID}/oauth2/introspect"
    assert wire.last.headers["content-type"] == "application/x-www-form-urlencoded"
    assert dict(parse_qsl(wire.last.content.decode())) == {
        "token": "at-123",
        "client_id": "connected-app-1",
        "token_type_hint": "access_token",
        "client_secret": "cs",
    }
    assert result.active is fixture["active"]


async def test_introspect_inactive_token_is_not_an_error(stytch: AsyncStytch, wire: Wire) -> None:
    wire.reply(200, {"request_id": "r", "status_code": 200, "active": False})
    result = await stytch.idp.introspect_token_network("at-123", "connected-app-1")
    assert result.active is False
    assert result.sub is None
    assert "client_secret" not in dict(parse_qsl(wire.last.content.decode()))


def search_page(users: int, next_cursor: str | None) -> dict[str, Any]:
    page = load_fixture("users.search")
    one = page["results"][0]
    return {**page, "results": [one] * users, "results_metadata": {"total": 5, "next_cursor": next_cursor}}


async def test_users_search_all_follows_cursors(stytch: AsyncStytch, wire: Wire) -> None:
    wire.reply(200, search_page(2, "c1"))
    wire.reply(200, search_page(2, "c2"))
    wire.reply(200, search_page(1, None))
    pages = [
        page async for page in stytch.users.search_all(limit=2, query={"operator": "AND", "operands": []})
    ]
    assert [len(p.results) for p in pages] == [2, 2, 1]
    sent = [json.loads(r.content) for r in wire.requests]
    assert [s.get("cursor") for s in sent] == [None, "c1", "c2"]
    assert all(s["limit"] == 2 and s["query"] == {"operator": "AND", "operands": []} for s in sent)


async def test_search_all_stops_on_a_repeated_cursor(stytch: AsyncStytch, wire: Wire) -> None:
    wire.reply(200, search_page(1, "same"))
    wire.reply(200, search_page(1, "same"))
    with pytest.raises(DecodeError, match="repeated the cursor"):
        async for _ in stytch.users.search_all():
            pass
    assert len(wire.requests) == 2


async def test_m2m_and_connected_app_search_all(stytch: AsyncStytch, wire: Wire) -> None:
    m2m_page = load_fixture("m2m.clients.search")
    wire.reply(200, {**m2m_page, "results_metadata": {"total": 2, "next_cursor": "n"}})
    wire.reply(200, {**m2m_page, "results_metadata": {"total": 2, "next_cursor": None}})
    assert len([p async for p in stytch.m2m.clients.search_all(limit=1)]) == 2
    ca_page = load_fixture("connected_app.clients.search")
    wire.reply(200, {**ca_page, "results_metadata": {"total": 1}})
    pages = [p async for p in stytch.connected_app.clients.search_all(cursor="start")]
    assert len(pages) == 1
    assert wire.last_json() == {"cursor": "start"}
