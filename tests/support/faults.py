"""The fault suite's scenarios: a misbehaving loopback server against a client, measured.

Each :class:`Scenario` scripts the server, makes one call through ``AsyncStytch`` and
then a second, ordinary call on the same client, and reports an :class:`Outcome`: what
the first call raised, how long it took against its deadline, how many requests the
server saw, whether the next call worked and how many sockets were left open.

The same scenarios run through the client's own pool (``wire="pool"``) and through an
injected stock ``httpx.AsyncClient`` (``wire="httpx"``, the reference).
``tests/wire/test_faults.py`` asserts the pool's outcomes; ``benchmarks/reliability.py``
prints them side by side for ``docs/reliability.md``.
"""

from __future__ import annotations

import base64
import email.utils
import gzip
import json
import logging
import math
import os
import time
import traceback
from collections.abc import Callable
from typing import Any

import anyio
import anyio.abc
import attrs
import httpx

from stytch_async import AsyncStytch
from tests.support.loopback import Loopback, closed_port, loopback
from tests.support.recorded import PROJECT_ID, SECRET, load_fixture

DEADLINE = 0.5
CAP = 1024 * 1024
AUTH_OK = load_fixture("sessions.authenticate")
USER_OK = load_fixture("users.get")


def _resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def open_sockets() -> int:
    """Sockets this process holds open (both ends of loopback connections count)."""
    return sum(_is_socket(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd"))


def _is_socket(path: str) -> bool:
    try:
        return os.readlink(path).startswith("socket:")
    except OSError:  # the descriptor closed while we looked
        return False


@attrs.frozen
class Outcome:
    error: str  # the exception class the first call raised, or "ok"
    detail: str  # the start of its message
    elapsed: float  # seconds the first call took
    seen: int  # requests the server read, first call and retries
    next_ok: bool  # the following ordinary call on the same client succeeded
    leaked: int  # sockets still open after the client closed (ours and the server's)
    secret_shown: bool  # the project secret appears in the error, its chain, traceback or a log record


def _answer(data: Any) -> bytes:
    body = json.dumps(data).encode()
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    )


def _gzip_cut() -> bytes:
    body = gzip.compress(b'{"request_id":"r","x":"' + b"y" * 4000 + b'"}')
    return b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(body) + body[:60]


def _chunk_cut() -> bytes:
    return b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{"request_id":\r\n'


def _bomb() -> bytes:
    body = gzip.compress(b"\0" * (40 * CAP))
    return b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(body) + body


def _html(status: int) -> bytes:
    page = b"<html><body><h1>%d Bad Gateway</h1></body></html>" % status
    return (
        b"HTTP/1.1 %d Oops\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % (status, len(page))
        + page
    )


def _slow(head: bytes, rest: bytes, pause: float) -> Callable[[Loopback], None]:
    def script(server: Loopback) -> None:
        async def action(stream: anyio.abc.ByteStream) -> bool:
            await stream.send(head)
            await anyio.sleep(pause)
            await stream.send(rest)
            return True

        server.actions.append(action)

    return script


def _raw(*answers: bytes, close: bool = True) -> Callable[[Loopback], None]:
    def script(server: Loopback) -> None:
        for answer in answers:
            server.raw(answer, close=close)

    return script


def _retry_after(value: str, times: int = 3) -> Callable[[Loopback], None]:
    def script(server: Loopback) -> None:
        for _ in range(times):
            server.reply(429, {"error_type": "too_many_requests"}, headers={"Retry-After": value})

    return script


def _then(
    first: Callable[[Loopback], None], second: Callable[[Loopback], None]
) -> Callable[[Loopback], None]:
    def script(server: Loopback) -> None:
        first(server)
        second(server)

    return script


def _reset(server: Loopback) -> None:
    server.reset()


def _drop(server: Loopback) -> None:
    server.drop()


def _hang(server: Loopback) -> None:
    server.hang()


def _ok_post(server: Loopback) -> None:
    server.reply(200, AUTH_OK)


def _ok_get(server: Loopback) -> None:
    server.reply(200, USER_OK)


def _idle_closed(server: Loopback) -> None:
    # A first answer, after which the server hangs up without "Connection: close".
    server.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", close=True)


def _past_date() -> str:
    return email.utils.formatdate(time.time() - 60, usegmt=True)


@attrs.frozen
class Scenario:
    name: str
    method: str  # "POST" (sessions.authenticate) or "GET" (users.get)
    script: Callable[[Loopback], None]
    expect: str  # the error class the pool's client raises, or "ok"
    expect_seen: int
    warm: bool = False  # make one good call first, so a keep-alive connection is idle
    refused: bool = False  # no server at all


SCENARIOS = [
    Scenario("refused connection", "POST", _ok_post, "HttpError", 0, refused=True),
    Scenario("reset after the request was read, POST", "POST", _reset, "HttpError", 1),
    Scenario("reset after the request was read, GET", "GET", _then(_reset, _ok_get), "ok", 2),
    Scenario("closed without a word, POST", "POST", _drop, "HttpError", 1),
    Scenario("idle connection closed between calls", "POST", _ok_post, "ok", 1, warm=True),
    Scenario("no answer (deadline)", "POST", _hang, "HttpTimeoutError", 1),
    Scenario(
        "slow headers past the deadline",
        "POST",
        _slow(b"HTTP/1.1 200 OK\r\n", b"Content-Length: 2\r\n\r\n{}", 2 * DEADLINE),
        "HttpTimeoutError",
        1,
    ),
    Scenario(
        "slow body past the deadline",
        "POST",
        _slow(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n{", b'"}', 2 * DEADLINE),
        "HttpTimeoutError",
        1,
    ),
    Scenario("short body", "POST", _raw(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{}"), "HttpError", 1),
    Scenario("cut chunked body", "POST", _raw(_chunk_cut()), "HttpError", 1),
    Scenario("cut gzip body", "POST", _raw(_gzip_cut()), "HttpError", 1),
    Scenario(
        "Transfer-Encoding with Content-Length",
        "POST",
        _raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n"),
        "HttpError",
        1,
    ),
    Scenario(
        "two differing Content-Length",
        "POST",
        _raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 12\r\n\r\n{}"),
        "HttpError",
        1,
    ),
    Scenario(
        "Transfer-Encoding: xchunked",
        "POST",
        _raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"),
        "HttpError",
        1,
    ),
    Scenario(
        "status +20",
        "POST",
        _raw(b"HTTP/1.1 +20 OK\r\nContent-Length: 2\r\n\r\n{}", close=False),
        "HttpError",
        1,
    ),
    Scenario(
        "body longer than its length",
        "GET",
        _raw(_answer(USER_OK) + b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", close=False),
        "ok",
        1,
    ),
    Scenario(
        "204 with a body, then a call",
        "GET",
        _raw(b"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", close=False),
        "DecodeError",
        1,
    ),
    Scenario(
        "huge head (100 KB header)",
        "POST",
        _raw(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n", close=False),
        "HttpError",
        1,
    ),
    Scenario("gzip bomb (40 MB of zeros)", "POST", _raw(_bomb()), "HttpError", 1),
    Scenario(
        "huge declared body (300 MB)",
        "GET",
        _raw(b"HTTP/1.1 200 OK\r\nContent-Length: 314572800\r\n\r\n", close=False),
        "HttpError",
        1,
    ),
    Scenario("HTML 502 page, POST", "POST", _raw(_html(502), close=False), "ClientError", 1),
    Scenario("HTML 503 pages, GET (retried)", "GET", _raw(*[_html(503)] * 3, close=False), "ClientError", 3),
    Scenario("429 storm, Retry-After: 0", "POST", _retry_after("0"), "RateLimitError", 3),
    Scenario("429 storm, Retry-After: an HTTP date", "POST", _retry_after(_past_date()), "RateLimitError", 3),
    Scenario("429 storm, Retry-After: garbage", "POST", _retry_after("soon"), "RateLimitError", 3),
    Scenario("429, Retry-After: 999 (over the cap)", "POST", _retry_after("999", 1), "RateLimitError", 1),
    Scenario(
        "200 with a body that is not JSON", "POST", _raw(_html(200).replace(b"Oops", b"OK")), "DecodeError", 1
    ),
    Scenario(
        "200 with an error-shaped JSON body",
        "POST",
        lambda s: s.reply(200, {"status_code": 400, "error_type": "bad", "error_message": "no"}),
        "DecodeError",
        1,
    ),
]


async def _call(client: AsyncStytch, method: str, timeout: float | None = None) -> Any:
    if method == "POST":
        return await client.sessions.authenticate(session_token="tok-1", timeout=timeout)
    return await client.users.get("user-test-1", timeout=timeout)


def make_client(url: str, wire: str) -> tuple[AsyncStytch, httpx.AsyncClient | None]:
    http = httpx.AsyncClient() if wire == "httpx" else None
    client = AsyncStytch(
        PROJECT_ID, SECRET, base_url=url, timeout=DEADLINE, max_response_size=CAP, http_client=http
    )
    client._pipeline.backoff_base = 0.01  # keep the backoff sleeps short
    return client, http


class _Records(logging.Handler):
    """Every log record of any logger, formatted, while a scenario's call runs."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(self.format(record) + repr(record.__dict__))


# The secret as the Authorization header carries it, too.
_MARKS = (SECRET, base64.b64encode(f"{PROJECT_ID}:{SECRET}".encode()).decode())


def _shows_secret(text: str) -> bool:
    return any(mark in text for mark in _MARKS)


def _leaks_secret(exc: BaseException) -> bool:
    return _shows_secret("".join(traceback.format_exception(exc)) + repr(exc))


async def _finish(server: Loopback, client: AsyncStytch, http: httpx.AsyncClient | None, method: str) -> bool:
    """Make one more ordinary call, close everything, and say whether that call worked."""
    try:
        await _call(client, method, timeout=5)
        next_ok = True
    except Exception:  # noqa: BLE001 (any failure counts as "not usable")
        next_ok = False
    await client.aclose()
    if http is not None:
        await http.aclose()
    with anyio.move_on_after(2):
        while server.open_connections:  # noqa: ASYNC110 (the server's view of our sockets)
            await anyio.sleep(0.01)
    return next_ok


async def warm_up() -> None:
    """One good call of each kind, so that lazy imports and decoder set-up are not timed."""
    async with loopback() as server:
        server.reply(200, AUTH_OK)
        server.reply(200, USER_OK)
        client, _ = make_client(server.url, "pool")
        await _call(client, "POST")
        await _call(client, "GET")
        await client.aclose()


async def run(scenario: Scenario, wire: str) -> Outcome:
    await warm_up()
    before = open_sockets()
    async with loopback() as server:
        url = f"http://127.0.0.1:{await closed_port()}" if scenario.refused else server.url
        client, http = make_client(url, wire)
        if scenario.warm:
            # A first call parks a keep-alive connection, which the server then closes
            # without having said "Connection: close".
            _idle_closed(server)
            await client._pipeline.send("GET", "/v1/ping", timeout=None)
            with anyio.fail_after(5):
                while server.open_connections:  # noqa: ASYNC110 (the server's side closes)
                    await anyio.sleep(0.01)
            server.seen.clear()
        scenario.script(server)
        records = _Records()
        root = logging.getLogger()
        level = root.level
        root.addHandler(records)
        root.setLevel(logging.DEBUG)  # debug records of every library included
        started = time.monotonic()
        error, detail, secret_shown = "ok", "", False
        try:
            with anyio.fail_after(10 * DEADLINE + 5):
                await _call(client, scenario.method)
        except Exception as exc:  # noqa: BLE001 (any failure is recorded, a bare one included)
            error, detail = type(exc).__name__, str(exc)[:90]
            secret_shown = _leaks_secret(exc)
        elapsed = time.monotonic() - started
        root.removeHandler(records)
        root.setLevel(level)
        secret_shown = secret_shown or any(_shows_secret(text) for text in records.texts)
        seen = len(server.seen)
        server.actions.clear()
        server.reply(200, USER_OK)
        next_ok = await _finish(server, client, http, "GET")
    leaked = max(0, open_sockets() - before)
    return Outcome(error, detail, elapsed, seen, next_ok, leaked, secret_shown)


async def storm(wire: str, *, in_flight: int = 150, rounds: int = 2, seed: int = 10) -> dict[str, Any]:
    """Random cancellations with ``in_flight`` calls at once; then sockets, tasks and a call."""
    import random

    rng = random.Random(seed)
    before = open_sockets()
    cancelled = completed = 0
    async with loopback() as server:
        server.answer_all(200, AUTH_OK, delay=0.002)
        client, http = make_client(server.url, wire)
        client._pipeline.timeout = 30.0  # only the random cancellations end calls early

        async def one() -> None:
            nonlocal cancelled, completed
            # Half the calls are cancelled at a random moment within 10 ms: while waiting
            # for a connection, connecting, writing or reading. The others run to the end.
            limit = rng.uniform(0, 0.01) if rng.random() < 0.5 else math.inf
            with anyio.move_on_after(limit) as scope:
                await _call(client, "POST")
                completed += 1
            cancelled += scope.cancelled_caught

        started = time.monotonic()
        for _ in range(rounds):
            async with anyio.create_task_group() as tg:
                for _ in range(in_flight):
                    tg.start_soon(one)
        elapsed = time.monotonic() - started
        next_ok = await _finish(server, client, http, "POST")
    return {
        "calls": in_flight * rounds,
        "cancelled": cancelled,
        "completed": completed,
        "seconds": elapsed,
        "next_ok": next_ok,
        "leaked": max(0, open_sockets() - before),
    }


async def close_under_load(wire: str, in_flight: int = 100) -> dict[str, Any]:
    """``aclose()`` while ``in_flight`` calls wait on a server that never answers."""
    outcomes: list[str] = []
    async with loopback() as server:
        for _ in range(in_flight):
            server.hang()
        client, http = make_client(server.url, wire)
        client._pipeline.timeout = 30.0

        async def one() -> None:
            try:
                await _call(client, "POST")
                outcomes.append("ok")
            except Exception as exc:  # noqa: BLE001 (any failure is recorded, a bare one included)
                outcomes.append(type(exc).__name__)

        async with anyio.create_task_group() as tg:
            for _ in range(in_flight):
                tg.start_soon(one)
            with anyio.move_on_after(5):
                while len(server.seen) < min(in_flight, 100):  # noqa: ASYNC110 (all sent)
                    await anyio.sleep(0.01)
            seen = len(server.seen)
            started = time.monotonic()
            await client.aclose()
        elapsed = time.monotonic() - started
        after = len(server.seen)
        if http is not None:
            await http.aclose()
    return {
        "calls": in_flight,
        "ended_in": elapsed,
        "errors": sorted(set(outcomes)),
        "sent_after": after - seen,
    }


async def load(wire: str, *, calls: int, in_flight: int, budget: float = 120.0) -> dict[str, Any]:
    """``calls`` calls with ``in_flight`` at once: throughput, connections, memory.

    No new call starts after ``budget`` seconds, so a wire that collapses still ends.
    Memory is the resident set (``/proc/self/statm``, not the peak) at the start, halfway
    and at the end: the first half includes setting up connections and tasks.
    """

    async with loopback() as server:
        server.answer_all(200, AUTH_OK)
        client, http = make_client(server.url, wire)
        client._pipeline.timeout = 30.0
        done = 0
        peak_open = 0

        failures: dict[str, int] = {}
        halfway: list[float] = []

        async def worker(count: int) -> None:
            nonlocal done, peak_open
            for _ in range(count):
                if time.monotonic() - started > budget:
                    return
                try:
                    await _call(client, "POST")
                    done += 1
                    if len(server.seen) > 1000:
                        server.seen.clear()  # the server's own record is not the client's memory
                    if done == calls // 2:
                        halfway.append(_resident_mb())
                except Exception as exc:  # noqa: BLE001 (counted and reported)
                    failures[type(exc).__name__] = failures.get(type(exc).__name__, 0) + 1
                peak_open = max(peak_open, server.open_connections)

        rss_start = _resident_mb()
        started = time.monotonic()
        async with anyio.create_task_group() as tg:
            for i in range(in_flight):
                tg.start_soon(worker, calls // in_flight + (i < calls % in_flight))
        elapsed = time.monotonic() - started
        rss_end = _resident_mb()
        await client.aclose()
        if http is not None:
            await http.aclose()
    return {
        "calls": done,
        "failed": failures or 0,
        "seconds": elapsed,
        "calls_per_s": done / elapsed,
        "peak_connections": peak_open,
        "rss_growth_mb": rss_end - rss_start,
        # Once connections and tasks are set up, memory should stay flat.
        "rss_growth_second_half_mb": rss_end - halfway[0] if halfway else float("nan"),
    }


__all__ = ["CAP", "DEADLINE", "SCENARIOS", "Outcome", "Scenario", "close_under_load", "load", "run", "storm"]
