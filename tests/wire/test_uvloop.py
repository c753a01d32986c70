"""The default pool on uvloop, the event loop uvicorn picks when it is installed.

uvloop's transports do not derive from ``asyncio.Transport`` and read into a protocol's
buffer with their own code, so the asyncio stream is run on it end to end here: a set of
the pool's own loopback tests, each run again on uvloop, and the client against the
emulator.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import anyio
import pytest

from stytch_async.testing import FakeStytch
from tests.wire import test_pool

pytest.importorskip("uvloop", reason="uvloop is not built for this platform")


def _on_uvloop(test: Callable[[], Awaitable[None]]) -> None:
    async def checked() -> None:
        assert type(asyncio.get_running_loop()).__module__.startswith("uvloop")
        await test()

    anyio.run(checked, backend="asyncio", backend_options={"use_uvloop": True})


@pytest.mark.parametrize(
    "test",
    [
        test_pool.test_wire_shape_and_answer,
        test_pool.test_keep_alive_reuses_one_connection,
        test_pool.test_large_body_arrives_in_many_reads,
        test_pool.test_chunked_body_with_extensions_and_trailers,
        test_pool.test_gzip_body_is_decoded,
        test_pool.test_idle_connection_closed_by_the_server_is_replaced,
        test_pool.test_reset_connection_is_a_read_error,
        test_pool.test_a_request_larger_than_the_socket_buffer_is_sent_whole,
        test_pool.test_cancelled_call_closes_its_connection,
        test_pool.test_a_deadline_in_flight_raises_and_retires_the_connection,
        test_pool.test_aclose_ends_an_exchange_in_flight_at_once,
        test_pool.test_many_answers_read_at_once_never_mix,
        test_pool.test_waiters_give_up_at_their_own_deadlines_in_any_order,
        test_pool.test_a_waiter_past_its_deadline_leaves_the_queue_in_order,
    ],
    ids=lambda test: test.__name__.removeprefix("test_"),
)
def test_pool_on_uvloop(test: Callable[[], Awaitable[None]]) -> None:
    _on_uvloop(test)


def test_the_client_against_the_emulator_on_uvloop() -> None:
    async def test() -> None:
        fake = FakeStytch()
        with fake.serve() as server:
            async with server.client() as stytch:
                await stytch.magic_links.email.login_or_create("ada@example.com")
                token = fake.outbox.last(email="ada@example.com").token
                auth = await stytch.magic_links.authenticate(token, session_duration_minutes=60)
                session = await stytch.sessions.authenticate(session_token=auth.session_token)
                local = await stytch.sessions.authenticate_jwt_local(auth.session_jwt)
        assert session.user.user_id == auth.user_id
        assert local.user_id == auth.user_id

    _on_uvloop(test)
