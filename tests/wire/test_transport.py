"""PoolTransport: the pool under an httpx.AsyncClient, over a real socket, on both loops."""

from __future__ import annotations

import gzip
import json

import anyio
import httpx
import pytest

import stytch_async
from stytch_async import AsyncStytch, PoolTransport
from tests.support.loopback import loopback
from tests.support.recorded import PROJECT_ID, SECRET, load_fixture

pytestmark = pytest.mark.anyio


async def test_httpx_features_keep_working_over_the_pool() -> None:
    hooked: list[str] = []

    async def hook(request: httpx.Request) -> None:
        hooked.append(request.url.path)

    async with loopback() as server:
        body = json.dumps({"zipped": True}).encode()
        packed = gzip.compress(body)
        server.raw(
            b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n"
            b"Content-Length: %d\r\n\r\n" % len(packed) + packed
        )
        server.reply(201, {"second": True}, chunked=True)
        async with httpx.AsyncClient(
            transport=PoolTransport(), event_hooks={"request": [hook]}, base_url=server.url
        ) as client:
            first = await client.post("/v1/a?x=1", json={"k": "v"}, headers={"X-Extra": "yes"})
            second = await client.get("/v1/b")
    assert first.json() == {"zipped": True}  # httpx decoded the gzip body
    assert first.headers.get_list("set-cookie") == ["a=1", "b=2"]
    assert dict(client.cookies) == {"a": "1", "b": "2"}
    assert second.status_code == 201
    assert second.json() == {"second": True}
    assert hooked == ["/v1/a", "/v1/b"]
    post = server.seen[0]
    assert (post.method, post.target, post.body) == ("POST", "/v1/a?x=1", b'{"k":"v"}')
    assert post.headers["x-extra"] == "yes"
    assert post.headers["content-length"] == "9"
    assert post.headers["host"] == f"127.0.0.1:{server.port}"
    assert server.connections == 1  # one keep-alive connection for both


async def test_a_streamed_request_body_is_sent_with_a_length() -> None:
    async def parts():  # type: ignore[no-untyped-def]
        yield b'{"a":'
        yield b"1}"

    async with loopback() as server:
        server.reply(200, {})
        async with httpx.AsyncClient(transport=PoolTransport()) as client:
            await client.post(server.url + "/v1/a", content=parts())
    assert server.seen[0].body == b'{"a":1}'
    assert server.seen[0].headers["content-length"] == "7"
    assert "transfer-encoding" not in server.seen[0].headers


async def test_timeouts_bound_the_exchange() -> None:
    async with loopback() as server:
        server.hang()
        async with httpx.AsyncClient(transport=PoolTransport(), timeout=0.2) as client:
            with anyio.fail_after(5), pytest.raises(httpx.ReadTimeout):
                await client.get(server.url + "/v1/slow")


async def test_malformed_answers_are_httpx_errors_with_the_request() -> None:
    async with loopback() as server:
        server.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}x")
        async with httpx.AsyncClient(transport=PoolTransport()) as client:
            with pytest.raises(httpx.RemoteProtocolError) as info:
                await client.get(server.url + "/v1/a")
    assert info.value.request.url.path == "/v1/a"


async def test_the_client_over_an_httpx_client_on_the_pool() -> None:
    async with loopback() as server:
        answer = load_fixture("users.get")
        server.reply(200, answer)
        http = httpx.AsyncClient(transport=PoolTransport())
        async with AsyncStytch(PROJECT_ID, SECRET, base_url=server.url, http_client=http) as client:
            response = await client.users.get("user-test-1")
        assert not http.is_closed  # injected: left open
        await http.aclose()
    assert response.request_id == answer["request_id"]
    assert server.seen[0].target.startswith("/v1/users/user-test-1")


def test_the_transport_is_a_public_name() -> None:
    assert "PoolTransport" in stytch_async.__all__
    assert issubclass(stytch_async.PoolTransport, httpx.AsyncBaseTransport)
