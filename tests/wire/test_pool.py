"""The default HTTP/1.1 pool against a real loopback server: wire shape, framing, reuse, failures."""

from __future__ import annotations

import gc
import json
import math

import anyio
import anyio.abc
import httpx
import pytest

from stytch_async._wire.base import DeadlineExceeded, HttpxWire
from stytch_async._wire.choose import default_wire, proxy_configured
from stytch_async._wire.pool import Pool, _Parked, _Slots
from tests.support.loopback import closed_port, loopback

pytestmark = pytest.mark.anyio

HEADERS = {"Authorization": "Basic cHJvamVjdDpzZWNyZXQ=", "User-Agent": "stytch-async/test"}


async def test_wire_shape_and_answer() -> None:
    async with loopback() as server:
        server.reply(200, {"ok": True}, headers={"Request-Id": "req-1", "X-Multi": "a"})
        pool = Pool()
        reply = await pool.send(
            "POST",
            server.url + "/v1/x?a=1&b=two",
            {**HEADERS, "Content-Type": "application/json"},
            b'{"k":1}',
        )
        await pool.aclose()
    seen = server.seen[0]
    assert (seen.method, seen.target, seen.body) == ("POST", "/v1/x?a=1&b=two", b'{"k":1}')
    assert seen.headers["host"] == f"127.0.0.1:{server.port}"
    assert seen.headers["authorization"] == HEADERS["Authorization"]
    assert seen.headers["user-agent"] == "stytch-async/test"
    assert seen.headers["content-type"] == "application/json"
    assert seen.headers["content-length"] == "7"
    assert reply.status_code == 200
    assert reply.content == b'{"ok": true}'
    assert reply.headers["request-id"] == "req-1"  # names are lower-cased


async def test_get_and_delete_send_no_body_and_post_without_body_says_zero() -> None:
    async with loopback() as server:
        for _ in range(3):
            server.reply(200, {})
        pool = Pool()
        await pool.send("GET", server.url + "/v1/g", HEADERS, None)
        await pool.send("DELETE", server.url + "/v1/d", HEADERS, None)
        await pool.send("POST", server.url + "/v1/p", HEADERS, None)
        await pool.aclose()
    get, delete, post = server.seen
    assert "content-length" not in get.headers
    assert "content-length" not in delete.headers
    assert post.headers["content-length"] == "0"


async def test_keep_alive_reuses_one_connection() -> None:
    async with loopback() as server:
        for _ in range(3):
            server.reply(200, {"n": 1})
        pool = Pool()
        for _ in range(3):
            assert (await pool.send("GET", server.url + "/v1/a", HEADERS, None)).status_code == 200
        await pool.aclose()
    assert server.connections == 1


async def test_connection_close_is_honoured() -> None:
    async with loopback() as server:
        server.reply(200, {}, close=True)
        server.reply(200, {})
        pool = Pool()
        await pool.send("GET", server.url + "/v1/a", HEADERS, None)
        await pool.send("GET", server.url + "/v1/a", HEADERS, None)
        await pool.aclose()
    assert server.connections == 2


async def test_expired_idle_connection_is_not_reused() -> None:
    async with loopback() as server:
        server.reply(200, {})
        server.reply(200, {})
        pool = Pool(keepalive_expiry=0.0)
        await pool.send("GET", server.url + "/v1/a", HEADERS, None)
        await pool.send("GET", server.url + "/v1/a", HEADERS, None)
        await pool.aclose()
    assert server.connections == 2


async def test_idle_connection_closed_by_the_server_is_replaced() -> None:
    async with loopback() as server:
        # The server answers, then hangs up without saying "Connection: close".
        server.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", close=True)
        server.reply(200, {"again": True})
        pool = Pool()
        await pool.send("POST", server.url + "/v1/a", HEADERS, b"{}")
        idle = pool._idle[("http", "127.0.0.1", server.port)][0]
        with anyio.fail_after(5):
            while not idle.looks_dead():  # noqa: ASYNC110 (polling the pool's own check is the point)
                await anyio.sleep(0.01)  # the server's FIN is on its way
        reply = await pool.send("POST", server.url + "/v1/a", HEADERS, b"{}")
        await pool.aclose()
    assert reply.content == b'{"again": true}'
    assert server.connections == 2
    assert len(server.seen) == 2  # the dead connection was never written to


async def test_large_body_arrives_in_many_reads() -> None:
    big = {"results": ["x" * 1000] * 400}
    async with loopback() as server:
        server.reply(200, big)
        server.reply(200, {"next": 1})
        pool = Pool()
        first = await pool.send("GET", server.url + "/v1/a", HEADERS, None)
        second = await pool.send("GET", server.url + "/v1/a", HEADERS, None)
        await pool.aclose()
    assert json.loads(first.content) == big
    assert second.content == b'{"next": 1}'


async def test_chunked_body_with_extensions_and_trailers() -> None:
    async with loopback() as server:
        server.reply(200, {"user_id": "u-1", "pad": "x" * 5000}, chunked=True)
        server.reply(200, {"second": 2})
        pool = Pool()
        first = await pool.send("GET", server.url + "/v1/a", HEADERS, None)
        second = await pool.send("GET", server.url + "/v1/a", HEADERS, None)
        await pool.aclose()
    assert first.content.startswith(b'{"user_id": "u-1"')
    assert len(first.content) > 5000
    assert second.content == b'{"second": 2}'
    assert server.connections == 1


async def test_gzip_body_is_decoded() -> None:
    async with loopback() as server:
        server.reply(200, {"zipped": True}, gzip=True)
        pool = Pool()
        reply = await pool.send("GET", server.url + "/v1/a", HEADERS, None)
        await pool.aclose()
    assert server.seen[0].headers["accept-encoding"] == "gzip, deflate"
    assert reply.content == b'{"zipped": true}'


async def test_informational_answers_are_skipped() -> None:
    async with loopback() as server:
        server.raw(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}")
        pool = Pool()
        reply = await pool.send("POST", server.url + "/v1/a", HEADERS, b"{}")
        await pool.aclose()
    assert reply.status_code == 201


async def test_body_without_length_runs_to_the_end_of_the_connection() -> None:
    async with loopback() as server:
        server.raw(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it", close=True)
        pool = Pool()
        reply = await pool.send("GET", server.url + "/v1/a", HEADERS, None)
        assert pool._idle.get(("http", "127.0.0.1", server.port), []) == []
        await pool.aclose()
    assert reply.content == b"all of it"


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (b"", httpx.RemoteProtocolError),  # hung up without a word
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}", httpx.RemoteProtocolError),  # short body
        (b"SMTP ready\r\n\r\n", httpx.RemoteProtocolError),
        (b"HTTP/1.1 2x0 OK\r\n\r\n", httpx.RemoteProtocolError),
        (b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", httpx.RemoteProtocolError),
        (b"HTTP/1.1 200 OK\r\nContent-Length: many\r\n\r\n", httpx.RemoteProtocolError),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", httpx.RemoteProtocolError),
        (b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc", httpx.DecodingError),
    ],
)
async def test_broken_answers_raise_post_send_errors(answer: bytes, error: type[Exception]) -> None:
    async with loopback() as server:
        server.raw(answer, close=True)
        pool = Pool()
        with pytest.raises(error) as info:
            await pool.send("POST", server.url + "/v1/a", HEADERS, b"{}")
        await pool.aclose()
    # None of these may look like "never sent": that would let a POST be replayed.
    assert not isinstance(info.value, httpx.ConnectError)
    assert len(server.seen) == 1


async def test_reset_connection_is_a_read_error() -> None:
    async with loopback() as server:
        server.reset()
        pool = Pool()
        with pytest.raises(httpx.ReadError):
            await pool.send("POST", server.url + "/v1/a", HEADERS, b"{}")
        await pool.aclose()
    assert len(server.seen) == 1


async def test_a_request_larger_than_the_socket_buffer_is_sent_whole() -> None:
    body = b'{"blob":"' + b"x" * (8 * 1024 * 1024) + b'"}'
    async with loopback() as server:
        server.reply(200, {"ok": True})
        pool = Pool()
        reply = await pool.send("POST", server.url + "/v1/big", HEADERS, body)
        await pool.aclose()
    assert reply.status_code == 200
    assert server.seen[0].body == body


async def test_refused_connection_is_a_connect_error() -> None:
    port = await closed_port()
    pool = Pool()
    with pytest.raises(httpx.ConnectError):
        await pool.send("POST", f"http://127.0.0.1:{port}/v1/a", HEADERS, b"{}")
    await pool.aclose()


async def test_header_with_a_line_break_is_refused_before_sending() -> None:
    async with loopback() as server:
        pool = Pool()
        with pytest.raises(httpx.LocalProtocolError):
            await pool.send("GET", server.url + "/v1/a", {"X-Evil": "a\r\nX-Injected: 1"}, None)
        await pool.aclose()
    assert server.connections == 0


@pytest.mark.parametrize("url", ["ftp://example.com/v1/a", "http://example.com:port/v1/a", "http:///v1/a"])
async def test_unusable_url(url: str) -> None:
    pool = Pool()
    for _ in range(2):  # the second time from the origin cache
        with pytest.raises(httpx.UnsupportedProtocol):
            await pool.send("GET", url, HEADERS, None)


async def test_cancelled_call_closes_its_connection() -> None:
    async with loopback() as server:
        server.hang()
        server.reply(200, {"fresh": True})
        pool = Pool()
        with anyio.move_on_after(0.2):
            await pool.send("GET", server.url + "/v1/slow", HEADERS, None)
        reply = await pool.send("GET", server.url + "/v1/a", HEADERS, None)
        await pool.aclose()
    assert reply.content == b'{"fresh": true}'
    assert server.connections == 2  # the interrupted connection was not reused


async def test_concurrency_is_bounded_by_max_connections() -> None:
    async with loopback() as server:
        for _ in range(40):
            server.reply(200, {"ok": 1})
        pool = Pool(max_connections=4)
        results: list[int] = []

        async def one() -> None:
            results.append((await pool.send("GET", server.url + "/v1/a", HEADERS, None)).status_code)

        async with anyio.create_task_group() as tg:
            for _ in range(40):
                tg.start_soon(one)
        await pool.aclose()
    assert results == [200] * 40
    assert 1 <= server.connections <= 4


async def test_closed_pool_refuses_and_closes_idle_connections() -> None:
    async with loopback() as server:
        server.reply(200, {})
        pool = Pool()
        await pool.send("GET", server.url + "/v1/a", HEADERS, None)
        await pool.aclose()
        assert pool.is_closed
        assert pool._idle == {}
        with pytest.raises(httpx.ConnectError, match="closed"):
            await pool.send("GET", server.url + "/v1/a", HEADERS, None)


def test_default_wire_is_the_pool_unless_a_proxy_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert isinstance(default_wire("https://api.stytch.com"), Pool)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    assert proxy_configured("https://api.stytch.com")
    assert isinstance(default_wire("https://api.stytch.com"), HttpxWire)
    monkeypatch.setenv("NO_PROXY", "localhost,.stytch.com")
    assert not proxy_configured("https://api.stytch.com", "https://telemetry.stytch.com")
    assert proxy_configured("https://api.stytch.com", "https://fraud.example.com")
    monkeypatch.setenv("NO_PROXY", "*")
    assert not proxy_configured("https://api.stytch.com")


async def test_a_caller_cancelled_while_waiting_for_a_slot_gives_nothing_away() -> None:
    async with loopback() as server:
        server.hang()
        server.reply(200, {"after": True})
        pool = Pool(max_connections=1)
        async with anyio.create_task_group() as tg:
            tg.start_soon(pool.send, "GET", server.url + "/v1/slow", HEADERS, None)
            await anyio.wait_all_tasks_blocked()
            with anyio.move_on_after(0.1) as waited:
                await pool.send("GET", server.url + "/v1/queued", HEADERS, None)
            assert waited.cancelled_caught  # it never got the only slot
            assert len(pool._slots.waiters) == 0
            tg.cancel_scope.cancel()  # end the hanging call; its slot comes back
        reply = await pool.send("GET", server.url + "/v1/a", HEADERS, None)
        await pool.aclose()
    assert reply.content == b'{"after": true}'
    assert [s.target for s in server.seen] == ["/v1/slow", "/v1/a"]
    assert pool._slots.free == 1


async def test_a_slot_handed_to_a_cancelled_waiter_is_passed_on() -> None:
    slots = _Slots(1)
    await slots.acquire()
    order: list[str] = []
    scopes: dict[str, anyio.CancelScope] = {}

    async def waiter(name: str) -> None:
        with anyio.CancelScope() as scope:
            scopes[name] = scope
            await slots.acquire()
            order.append(name)
            slots.release()

    async with anyio.create_task_group() as tg:
        tg.start_soon(waiter, "first")
        await anyio.wait_all_tasks_blocked()
        tg.start_soon(waiter, "second")
        await anyio.wait_all_tasks_blocked()
        assert len(slots.waiters) == 2
        scopes["first"].cancel()  # "first" is cancelled ...
        slots.release()  # ... and handed the slot before it has run
    assert order == ["second"]  # it passed the slot on
    assert slots.free == 1
    assert not slots.waiters


async def test_a_waiter_cancelled_in_the_queue_leaves_it() -> None:
    # With and without a deadline (the two ways a trio waiter is parked).
    slots = _Slots(1)
    await slots.acquire()
    order: list[str] = []
    async with anyio.create_task_group() as tg:
        tg.start_soon(_take_and_give_back, slots, order, "timed", anyio.current_time() + 60)
        tg.start_soon(_take_and_give_back, slots, order, "untimed", math.inf)
        await anyio.wait_all_tasks_blocked()
        assert len(slots.waiters) == 2
        tg.cancel_scope.cancel()
    assert order == []
    assert not slots.waiters
    assert not slots.watch.items  # no deadline left behind
    slots.release()
    assert slots.free == 1


async def _take_and_give_back(slots: _Slots, order: list[str], name: str, deadline: float) -> None:
    """Wait for a slot until ``deadline``, note the outcome in ``order``, give the slot back."""
    try:
        await slots.acquire(deadline)
    except DeadlineExceeded:
        order.append(f"{name} gave up")
        return
    order.append(name)
    slots.release()


async def _queue_two(tg: anyio.abc.TaskGroup, slots: _Slots, order: list[str], first_deadline: float) -> None:
    """Queue "first" (with ``first_deadline``), then "second" (without), behind a taken slot."""
    tg.start_soon(_take_and_give_back, slots, order, "first", first_deadline)
    await anyio.wait_all_tasks_blocked()
    tg.start_soon(_take_and_give_back, slots, order, "second", math.inf)
    await anyio.wait_all_tasks_blocked()


async def test_a_waiter_past_its_deadline_leaves_the_queue_in_order() -> None:
    slots = _Slots(1)
    await slots.acquire()
    order: list[str] = []

    async with anyio.create_task_group() as tg:
        await _queue_two(tg, slots, order, anyio.current_time() + 0.05)
        await anyio.sleep(0.1)
        assert order == ["first gave up"]
        assert len(slots.waiters) == 1  # only "second" still waits
        slots.release()
    assert order == ["first gave up", "second"]
    assert (slots.free, len(slots.waiters)) == (1, 0)


async def test_waiters_give_up_at_their_own_deadlines_in_any_order() -> None:
    # A later waiter with an earlier deadline, then two more past theirs one after the other:
    # on asyncio one timer keeps all of them, armed again for each next deadline.
    slots = _Slots(1)
    await slots.acquire()
    order: list[str] = []
    now = anyio.current_time()
    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            for name, wait in (("a", 0.3), ("b", 0.05), ("c", 0.15), ("d", math.inf)):
                tg.start_soon(_take_and_give_back, slots, order, name, now + wait)
                await anyio.wait_all_tasks_blocked()
            await anyio.sleep(0.5)
            assert order == ["b gave up", "c gave up", "a gave up"]
            slots.release()
    assert order[-1] == "d"
    assert (slots.free, len(slots.waiters), slots.due.items, slots.watch.items) == (1, 0, {}, {})


def test_slot_deadlines_follow_the_client_to_a_new_event_loop() -> None:
    # The timer of a first asyncio.run() stays on that (closed) loop; a waiter in a second
    # run, with a later deadline, must still get a timer on its own loop.
    import asyncio

    slots = _Slots(1)
    order: list[str] = []

    async def first_run() -> None:
        await slots.acquire()
        loop = asyncio.get_running_loop()
        waiter = loop.create_task(_take_and_give_back(slots, order, "first", loop.time() + 0.2))
        await asyncio.sleep(0.01)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter

    async def second_run() -> None:
        loop = asyncio.get_running_loop()
        await asyncio.wait_for(_take_and_give_back(slots, order, "second", loop.time() + 0.3), 5)

    asyncio.run(first_run())
    asyncio.run(second_run())
    assert order == ["second gave up"]
    assert (slots.free, len(slots.waiters), slots.due.items) == (0, 0, {})


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_slot_released_as_a_waiter_times_out_goes_to_the_next(anyio_backend: str) -> None:
    # On asyncio a waiter's deadline is a loop timer. Here the release comes in the same loop
    # pass as that timer, before the timed-out caller has run: the slot must skip it.
    import asyncio

    loop = asyncio.get_running_loop()
    slots = _Slots(1)
    await slots.acquire()
    order: list[str] = []

    deadline = loop.time() + 0.05
    first = loop.create_task(_take_and_give_back(slots, order, "first", deadline))
    second = loop.create_task(_take_and_give_back(slots, order, "second", math.inf))
    await asyncio.sleep(0)
    loop.call_at(deadline + 1e-6, slots.release)  # due just after the first waiter's timer
    await asyncio.wait_for(asyncio.gather(first, second), 5)
    assert sorted(order) == ["first gave up", "second"]
    assert (slots.free, len(slots.waiters)) == (1, 0)


@pytest.mark.parametrize("status", [204, 304])
async def test_answers_without_a_body_do_not_wait_for_one(status: int) -> None:
    async with loopback() as server:
        server.raw(f"HTTP/1.1 {status} Nothing\r\nRequest-Id: r-1\r\n\r\n".encode())
        server.reply(200, {"next": True})
        pool = Pool()
        with anyio.fail_after(5):
            empty = await pool.send("DELETE", server.url + "/v1/a", HEADERS, None)
            after = await pool.send("GET", server.url + "/v1/b", HEADERS, None)
        await pool.aclose()
    assert (empty.status_code, empty.content) == (status, b"")
    assert after.content == b'{"next": true}'
    assert server.connections == 1


async def test_a_target_that_is_not_plain_ascii_is_percent_encoded() -> None:
    async with loopback() as server:
        server.reply(200, {})
        pool = Pool()
        await pool.send("GET", server.url + "/stytch api/v1/é?q=a b", HEADERS, None)
        await pool.aclose()
    assert server.seen[0].target == "/stytch%20api/v1/%C3%A9?q=a%20b"


# The first loop ends with its connection open (as it would in an app that runs
# asyncio.run() twice); asyncio then reports that transport as unclosed when it is collected.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_connection_from_an_earlier_event_loop_is_not_reused() -> None:
    import asyncio

    pool = Pool()

    async def one(url: str, *, last: bool) -> int:
        status = (await pool.send("GET", url + "/v1/a", HEADERS, None)).status_code
        if last:
            await pool.aclose()
        return status

    async def serve_twice() -> list[int]:
        results = []
        async with loopback() as server:
            server.reply(200, {})
            server.reply(200, {})
            # Each call in its own event loop, as two asyncio.run() calls would do.
            results.append(await anyio.to_thread.run_sync(asyncio.run, one(server.url, last=False)))
            results.append(await anyio.to_thread.run_sync(asyncio.run, one(server.url, last=True)))
            assert server.connections == 2
        return results

    assert anyio.run(serve_twice) == [200, 200]
    gc.collect()  # let that report happen here, under this test's filter


# -- deadlines kept by the pool itself (no cancel scope per call) ----------------------------


async def test_a_deadline_in_flight_raises_and_retires_the_connection() -> None:
    async with loopback() as server:
        server.hang()
        server.reply(200, {"fresh": True})
        pool = Pool()
        start = anyio.current_time()
        with anyio.fail_after(5), pytest.raises(DeadlineExceeded, match="deadline passed while"):
            await pool.send("GET", server.url + "/v1/slow", HEADERS, None, start + 0.1)
        assert anyio.current_time() - start >= 0.1 - 0.002  # uvloop's clock counts milliseconds
        reply = await pool.send("GET", server.url + "/v1/a", HEADERS, None, anyio.current_time() + 5)
        await pool.aclose()
    assert reply.content == b'{"fresh": true}'
    assert server.connections == 2  # the timed-out connection was not reused
    assert pool._scopes == set()
    assert pool._slots.free == pool.max_connections


async def test_an_earlier_calls_deadline_does_not_end_a_later_call_early() -> None:
    # On asyncio the connection's timer outlives a call: armed for the first call's deadline,
    # it fires while the second call (same connection, later deadline) still waits.
    async with loopback() as server:
        server.reply(200, {"n": 1})
        server.answer_all(200, {"n": 2}, delay=0.3)
        pool = Pool()
        with anyio.fail_after(5):
            await pool.send("GET", server.url + "/v1/a", HEADERS, None, anyio.current_time() + 0.1)
            start = anyio.current_time()
            reply = await pool.send("GET", server.url + "/v1/b", HEADERS, None, start + 2)
            waited = anyio.current_time() - start
        await pool.aclose()
    assert reply.content == b'{"n": 2}'
    assert waited >= 0.3 - 0.002  # past the first deadline, answered, not cut short
    assert server.connections == 1


async def test_a_shorter_deadline_on_a_reused_connection_is_kept() -> None:
    async with loopback() as server:
        server.reply(200, {"n": 1})
        server.hang()
        pool = Pool()
        await pool.send("GET", server.url + "/v1/a", HEADERS, None, anyio.current_time() + 60)
        start = anyio.current_time()
        with anyio.fail_after(5), pytest.raises(DeadlineExceeded, match="deadline passed while"):
            await pool.send("GET", server.url + "/v1/b", HEADERS, None, start + 0.1)
        ended = anyio.current_time() - start
        await pool.aclose()
    assert 0.1 - 0.002 <= ended < 4  # its own deadline, not the first call's
    assert server.connections == 1


async def test_a_deadline_while_waiting_for_a_slot_sends_nothing_and_gives_nothing_away() -> None:
    async with loopback() as server:
        server.hang()
        server.reply(200, {"after": True})
        pool = Pool(max_connections=1)
        async with anyio.create_task_group() as tg:
            tg.start_soon(pool.send, "GET", server.url + "/v1/slow", HEADERS, None)
            await anyio.wait_all_tasks_blocked()
            with anyio.fail_after(5), pytest.raises(DeadlineExceeded, match="free connection"):
                await pool.send("GET", server.url + "/v1/queued", HEADERS, None, anyio.current_time() + 0.1)
            assert len(pool._slots.waiters) == 0
            tg.cancel_scope.cancel()  # end the hanging call; its slot comes back
        reply = await pool.send("GET", server.url + "/v1/a", HEADERS, None)
        await pool.aclose()
    assert reply.content == b'{"after": true}'
    assert [s.target for s in server.seen] == ["/v1/slow", "/v1/a"]
    assert pool._slots.free == 1


async def _never_connects(host: str, port: int, ssl_context: object) -> object:
    await anyio.sleep_forever()
    raise AssertionError("not reached")


async def test_a_deadline_while_connecting_sends_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("stytch_async._wire.pool.connect", _never_connects)
    pool = Pool()
    with anyio.fail_after(5), pytest.raises(DeadlineExceeded, match=r"while connecting to 127\.0\.0\.1:9"):
        await pool.send("POST", "http://127.0.0.1:9/v1/x", HEADERS, b"{}", anyio.current_time() + 0.1)
    assert pool._scopes == set()
    assert pool._slots.free == pool.max_connections
    await pool.aclose()


async def test_aclose_ends_a_call_that_is_connecting_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("stytch_async._wire.pool.connect", _never_connects)
    pool = Pool()
    failures: list[BaseException] = []

    async def call() -> None:
        try:
            await pool.send("POST", "http://127.0.0.1:9/v1/x", HEADERS, b"{}")  # no deadline at all
        except httpx.ConnectError as exc:
            failures.append(exc)

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(call)
            await anyio.wait_all_tasks_blocked()
            await pool.aclose()
    assert [str(f) for f in failures] == ["the connection pool is closed"]
    assert pool._scopes == set()


async def test_aclose_ends_an_exchange_in_flight_at_once() -> None:
    failures: list[BaseException] = []
    async with loopback() as server:
        server.hang()
        pool = Pool()

        async def call() -> None:
            try:
                await pool.send("GET", server.url + "/v1/slow", HEADERS, None)  # no deadline at all
            except httpx.ReadError as exc:
                failures.append(exc)

        with anyio.fail_after(5):
            async with anyio.create_task_group() as tg:
                tg.start_soon(call)
                while not server.seen:  # noqa: ASYNC110 (the loopback server counts requests)
                    await anyio.sleep(0.01)
                await pool.aclose()
    assert [str(f) for f in failures] == ["the connection pool is closed while this call was in flight"]
    assert pool._scopes == set()


async def test_aclose_turns_away_callers_waiting_for_a_slot() -> None:
    failures: list[str] = []
    async with loopback() as server:
        server.hang()
        pool = Pool(max_connections=1)

        async def call(deadline: float) -> None:
            try:
                await pool.send("GET", server.url + "/v1/a", HEADERS, None, deadline)
            except (httpx.ConnectError, httpx.ReadError) as exc:
                failures.append(str(exc))

        with anyio.fail_after(5):
            async with anyio.create_task_group() as tg:
                tg.start_soon(call, math.inf)  # holds the only connection
                while not server.seen:  # noqa: ASYNC110 (the loopback server counts requests)
                    await anyio.sleep(0.01)
                tg.start_soon(call, math.inf)  # waits without a deadline ...
                tg.start_soon(call, anyio.current_time() + 60)  # ... and with one
                await anyio.wait_all_tasks_blocked()
                assert len(pool._slots.waiters) == 2
                await pool.aclose()
    assert sorted(failures) == [
        "the connection pool is closed while this call waited for a connection",
        "the connection pool is closed while this call waited for a connection",
        "the connection pool is closed while this call was in flight",
    ]
    assert (len(server.seen), len(pool._slots.waiters), pool._watch.items) == (1, 0, {})


@pytest.mark.parametrize("anyio_backend", ["trio"])
@pytest.mark.parametrize("released_first", [False, True])
async def test_a_slot_released_as_a_trio_waiter_times_out_goes_to_one_of_them(
    anyio_backend: str, released_first: bool
) -> None:
    # At a deadline the watchdog wakes the parked caller with an error. A release in the same
    # scheduler pass, before that caller has run, must skip it; if the release came first,
    # the deadline must leave the woken caller alone.
    slots = _Slots(1)
    await slots.acquire()
    order: list[str] = []
    async with anyio.create_task_group() as tg:
        await _queue_two(tg, slots, order, anyio.current_time() + 60)
        first = slots.waiters[0]
        assert isinstance(first, _Parked)
        if released_first:
            slots.release()
            first.overdue()
        else:
            first.overdue()  # what the watchdog does at the deadline ...
            slots.release()  # ... and the slot comes back at once
    # Without the release first, both run in the same pass, in either order.
    assert order == ["first", "second"] if released_first else sorted(order) == ["first gave up", "second"]
    assert (slots.free, len(slots.waiters), slots.watch.items) == (1, 0, {})


async def test_many_answers_read_at_once_never_mix() -> None:
    """On asyncio every connection of a loop reads through one shared buffer; each answer
    must still reach its own caller whole, including bodies that take several reads."""

    async def serve(stream: anyio.abc.SocketStream) -> None:
        async with stream:
            buffer = b""
            while True:
                try:
                    while b"\r\n\r\n" not in buffer:
                        buffer += await stream.receive()
                except (anyio.EndOfStream, anyio.BrokenResourceError):
                    return
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                target = head.split(b" ")[1].decode()
                n = int(target.rsplit("/", 1)[1])
                body = json.dumps({"n": n, "pad": chr(97 + n % 26) * (n * 9973 % 300_000)}).encode()
                answer = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
                half = len(answer) // 2
                await stream.send(answer[:half])
                await anyio.sleep(0.001 * (n % 3))  # let other answers' reads come in between
                await stream.send(answer[half:])

    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)  # noqa: S610 (anyio, not Django)
    pool = Pool(max_connections=20)
    got: dict[int, dict[str, object]] = {}

    async def call(n: int) -> None:
        reply = await pool.send("GET", f"http://127.0.0.1:{port}/v1/n/{n}", HEADERS, None)
        got[n] = json.loads(reply.content)

    with anyio.fail_after(30):
        async with listener, anyio.create_task_group() as server:
            server.start_soon(listener.serve, serve)
            async with anyio.create_task_group() as tg:
                for n in range(120):
                    tg.start_soon(call, n)
            server.cancel_scope.cancel()
    await pool.aclose()
    assert sorted(got) == list(range(120))
    for n, body in got.items():
        assert body == {"n": n, "pad": chr(97 + n % 26) * (n * 9973 % 300_000)}


async def test_a_later_call_with_an_earlier_deadline_ends_first() -> None:
    """On trio one watchdog keeps every deadline; a call whose deadline comes before the
    one it sleeps towards must wake it (on asyncio each wait has its own timer)."""
    ended: dict[str, float] = {}
    async with loopback() as server:
        server.hang()
        server.hang()
        pool = Pool()
        start = anyio.current_time()

        async def call(name: str, budget: float) -> None:
            with pytest.raises(DeadlineExceeded):
                await pool.send("GET", server.url + f"/v1/{name}", HEADERS, None, start + budget)
            ended[name] = anyio.current_time() - start

        with anyio.fail_after(10):
            async with anyio.create_task_group() as tg:
                tg.start_soon(call, "long", 1.5)
                while not server.seen:  # noqa: ASYNC110 (the loopback server counts requests)
                    await anyio.sleep(0.01)
                tg.start_soon(call, "short", 0.2)
        await pool.aclose()
    assert 0.2 <= ended["short"] < 1.0
    assert ended["long"] >= 1.5
    assert pool._watch.items == {}


def test_deadlines_hold_in_a_second_trio_run_with_the_same_pool() -> None:
    pytest.importorskip("trio")
    pool = Pool()

    async def one_run() -> float:
        async with loopback() as server:
            server.hang()
            start = anyio.current_time()
            with anyio.fail_after(5), pytest.raises(DeadlineExceeded):
                await pool.send("GET", server.url + "/v1/slow", HEADERS, None, start + 0.1)
            return anyio.current_time() - start

    first = anyio.run(one_run, backend="trio")
    second = anyio.run(one_run, backend="trio")  # the first run's watchdog ended with it
    anyio.run(pool.aclose, backend="trio")
    assert first >= 0.1
    assert second >= 0.1
