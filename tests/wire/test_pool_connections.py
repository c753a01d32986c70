"""Connection life on a real socket: stale and dirty idle connections, cancelled connects, back-pressure."""

from __future__ import annotations

import asyncio
import os
import random
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import anyio
import pytest

from stytch_async._wire.pool import Pool
from tests.support.loopback import loopback, threaded_loopback

pytestmark = pytest.mark.anyio

HEADERS = {"Authorization": "Basic cHJvamVjdDpzZWNyZXQ="}


def open_sockets() -> int:
    """Sockets this process holds open (both ends of loopback connections count)."""
    return sum(_is_socket(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd"))


def wait_blocking(condition: Callable[[], bool], limit: float = 5.0) -> None:
    """Block the event loop (as synchronous work does) until ``condition`` holds."""
    give_up = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < give_up, "the server did not get there in time"
        time.sleep(0.001)


def _is_socket(path: str) -> bool:
    try:
        return os.readlink(path).startswith("socket:")
    except OSError:  # the descriptor closed while we looked
        return False


async def test_an_idle_connection_the_server_closed_is_never_reused() -> None:
    async with threaded_loopback() as server:
        for _ in range(20):
            # Answer, then hang up without saying "Connection: close".
            server.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", close=True)
        pool = Pool()
        with anyio.fail_after(10):
            for _ in range(20):
                reply = await pool.send("POST", server.url + "/v1/a", HEADERS, b"{}")
                assert reply.status_code == 200
                # Synchronous work until the server has hung up: its FIN has arrived,
                # but no loop callback has run to say so.
                wait_blocking(lambda: server.open_connections == 0)
        await pool.aclose()
    assert server.connections == 20
    assert len(server.seen) == 20


async def test_bytes_pushed_onto_an_idle_connection_are_never_an_answer() -> None:
    smuggled = b'HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\n{"smuggled":true}'
    async with threaded_loopback() as server:
        server.push_later(b'HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n{"n": 1}\n', smuggled, delay=0.01)
        server.reply(200, {"n": 2})
        server.reply(200, {"n": 3})
        pool = Pool()
        first = await pool.send("GET", server.url + "/v1/a", HEADERS, None)
        time.sleep(0.1)  # noqa: ASYNC251 (the unasked answer lands while the loop is busy)
        second = await pool.send("GET", server.url + "/v1/a", HEADERS, None)
        third = await pool.send("GET", server.url + "/v1/a", HEADERS, None)
        await pool.aclose()
    assert first.content == b'{"n": 1}\n'
    assert second.content == b'{"n": 2}'
    assert third.content == b'{"n": 3}'
    assert server.connections == 2  # the dirty connection was dropped, not read


def resolve_refused_first(monkeypatch: pytest.MonkeyPatch, backend: str, refused: list[str]) -> None:
    """Make every host name resolve to ``refused`` addresses (where nothing listens), then
    to 127.0.0.1: a connection to a name then runs the staggered path over all of them."""

    def addresses(port: int) -> list[Any]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))
            for address in [*refused, "127.0.0.1"]
        ]

    if backend == "asyncio":

        async def on_asyncio(self: asyncio.BaseEventLoop, host: str, port: int, **kw: Any) -> list[Any]:
            return addresses(port)

        monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", on_asyncio)
    else:
        import trio

        async def on_trio(host: str, port: int, *args: Any, **kw: Any) -> list[Any]:
            await trio.lowlevel.checkpoint()
            return addresses(port)

        monkeypatch.setattr(trio.socket, "getaddrinfo", on_trio)


@pytest.mark.parametrize("addresses", [1, 2])
async def test_a_cancellation_storm_while_connecting_leaks_no_socket(
    addresses: int, anyio_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if addresses == 2:
        # The host name resolves to a refused address first, then to the server: the
        # staggered connection path runs both attempts.
        resolve_refused_first(monkeypatch, anyio_backend, ["127.0.0.2"])
    before = open_sockets()
    rng = random.Random(10)
    async with loopback(host="localhost" if addresses == 2 else "127.0.0.1") as server:
        server.answer_all(200, {"ok": True}, delay=0.001)
        pool = Pool(max_connections=100)

        async def one() -> None:
            with anyio.move_on_after(rng.uniform(0, 0.004)):
                await pool.send("GET", server.url + "/v1/a", HEADERS, None)

        with anyio.fail_after(30):
            for _ in range(4):
                async with anyio.create_task_group() as tg:
                    for _ in range(150):
                        tg.start_soon(one)
            # The pool is still usable after the storm.
            assert (await pool.send("GET", server.url + "/v1/a", HEADERS, None)).status_code == 200
        await pool.aclose()
        with anyio.fail_after(5):
            while server.open_connections:  # noqa: ASYNC110 (waiting on the server's own count)
                await anyio.sleep(0.01)
    with anyio.fail_after(5):
        while open_sockets() > before:  # noqa: ASYNC110 (the listener closes a moment later)
            await anyio.sleep(0.01)


async def test_an_idle_connection_does_not_buffer_what_the_server_pushes() -> None:
    block = b"x" * 65536
    sent: list[int] = []
    async with threaded_loopback() as server:
        pushed = threading.Event()

        async def answer_then_flood(stream: anyio.abc.ByteStream) -> bool:
            await stream.send(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
            await anyio.sleep(0.05)  # the client has parked the connection by now
            with anyio.move_on_after(0.5):  # only as much as the client lets through
                while sum(sent) < 64 * 1024 * 1024:
                    await stream.send(block)
                    sent.append(len(block))
            pushed.set()
            return False

        server.actions.append(answer_then_flood)
        server.reply(200, {"after": True})
        pool = Pool()
        await pool.send("GET", server.url + "/v1/a", HEADERS, None)
        with anyio.fail_after(10):
            while not pushed.is_set():  # noqa: ASYNC110 (the server runs in another thread)
                await anyio.sleep(0.01)  # the client's loop runs, and reads if it may
        reply = await pool.send("GET", server.url + "/v1/a", HEADERS, None)
        await pool.aclose()
    # Held back by TCP flow control (a few MB of kernel buffers), not read into memory.
    assert sum(sent) < 16 * 1024 * 1024
    assert reply.content == b'{"after": true}'


async def test_a_name_with_several_addresses_connects_to_the_one_that_answers(
    anyio_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolve_refused_first(monkeypatch, anyio_backend, ["127.0.0.2", "127.0.0.3"])
    before = open_sockets()
    async with loopback(host="localhost") as server:
        server.reply(200, {"ok": True})
        pool = Pool()
        with anyio.fail_after(10):
            reply = await pool.send("GET", server.url + "/v1/a", HEADERS, None)
        await pool.aclose()
    assert reply.content == b'{"ok": true}'
    assert server.connections == 1
    with anyio.fail_after(5):
        while open_sockets() > before:  # noqa: ASYNC110 (the listener closes a moment later)
            await anyio.sleep(0.01)


async def test_a_name_whose_addresses_all_refuse_is_a_connect_error(
    anyio_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    resolve_refused_first(monkeypatch, anyio_backend, ["127.0.0.2"])
    async with loopback(host="localhost") as server:
        port = server.port
    before = open_sockets()  # the server is gone: 127.0.0.1 refuses as well now
    pool = Pool()
    with anyio.fail_after(10), pytest.raises(httpx.ConnectError, match=f"cannot connect to localhost:{port}"):
        await pool.send("GET", f"http://localhost:{port}/v1/a", HEADERS, None)
    await pool.aclose()
    assert open_sockets() <= before
