"""aclose() under way: calls in flight, queued or between retries end at once; nothing more is sent."""

from __future__ import annotations

import time

import anyio
import httpx
import pytest

from stytch_async import AsyncStytch
from stytch_async._wire.pool import Pool
from stytch_async.errors import HttpError, StytchError
from tests.support.loopback import loopback
from tests.support.recorded import PROJECT_ID, SECRET

pytestmark = pytest.mark.anyio

HEADERS = {"Authorization": "Basic cHJvamVjdDpzZWNyZXQ="}


async def test_closing_the_pool_ends_calls_in_flight_and_queued() -> None:
    outcomes: list[BaseException] = []
    async with loopback() as server:
        for _ in range(5):
            server.hang()
        pool = Pool(max_connections=2)

        async def call() -> None:
            try:
                await pool.send("POST", server.url + "/v1/a", HEADERS, b"{}")
            except httpx.TransportError as exc:
                outcomes.append(exc)

        with anyio.fail_after(5):
            async with anyio.create_task_group() as tg:
                for _ in range(5):
                    tg.start_soon(call)
                while len(server.seen) < 2:  # noqa: ASYNC110 (two in flight, three queued)
                    await anyio.sleep(0.01)
                started = time.monotonic()
                await pool.aclose()
            ended = time.monotonic() - started
            while server.open_connections:  # noqa: ASYNC110 (the server sees both hang up)
                await anyio.sleep(0.01)
        assert len(server.seen) == 2  # the queued three never reached the server
    assert ended < 1
    in_flight = [e for e in outcomes if isinstance(e, httpx.ReadError)]
    queued = [e for e in outcomes if isinstance(e, httpx.ConnectError)]
    assert (len(in_flight), len(queued)) == (2, 3)
    assert all("closed while this call was in flight" in str(e) for e in in_flight)
    assert all("closed" in str(e) for e in queued)


async def test_closing_the_client_ends_its_calls_with_a_clear_error() -> None:
    outcomes: list[BaseException] = []
    async with loopback() as server:
        server.hang()
        server.hang()
        # The third call is told to come back in 20 s: it sits between two attempts.
        server.reply(503, {"error_type": "busy"}, headers={"Retry-After": "20"})
        client = AsyncStytch(PROJECT_ID, SECRET, base_url=server.url, timeout=30)

        async def call(user: str) -> None:
            try:
                await client.users.get(user)
            except StytchError as exc:
                outcomes.append(exc)

        with anyio.fail_after(5):
            async with anyio.create_task_group() as tg:
                for user in ("user-1", "user-2", "user-3"):
                    tg.start_soon(call, user)
                while len(server.seen) < 3:  # noqa: ASYNC110 (all three have been sent)
                    await anyio.sleep(0.01)
                await anyio.sleep(0.05)  # the 503 has been read; its caller sleeps
                started = time.monotonic()
                await client.aclose()
            ended = time.monotonic() - started
        assert len(server.seen) == 3  # nothing retried, nothing sent after aclose()
    assert ended < 1
    assert len(outcomes) == 3
    assert all(isinstance(e, HttpError) for e in outcomes)
    assert all("closed while this call was under way" in str(e) for e in outcomes)
