"""max_response_size over a real socket: huge, endless and compressed bodies are cut off while reading."""

from __future__ import annotations

import gzip
import time

import anyio
import anyio.abc
import httpx
import pytest

from stytch_async import AsyncStytch
from stytch_async._wire.base import HttpxWire, ResponseTooLarge, Wire
from stytch_async._wire.pool import Pool
from stytch_async.errors import HttpError
from tests.support.loopback import Loopback, loopback
from tests.support.recorded import PROJECT_ID, SECRET

pytestmark = pytest.mark.anyio

HEADERS = {"Authorization": "Basic cHJvamVjdDpzZWNyZXQ="}
CAP = 1024 * 1024
BOMB = gzip.compress(b"\0" * (40 * CAP))  # about 40 KB on the wire


def endless(server: Loopback, head: bytes, piece: bytes, sent: list[int]) -> None:
    """Answer with ``head``, then ``piece`` after ``piece`` until the client hangs up."""

    async def action(stream: anyio.abc.ByteStream) -> bool:
        await stream.send(head)
        with anyio.move_on_after(10):
            while True:
                await stream.send(piece)
                sent.append(len(piece))
        return False  # pragma: no cover (the client hangs up first)

    server.actions.append(action)


def make_wire(kind: str) -> Wire:
    if kind == "pool":
        return Pool(max_response_size=CAP)
    return HttpxWire(httpx.AsyncClient(), owned=True, max_response_size=CAP)


@pytest.fixture(params=["pool", "httpx"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_a_declared_length_over_the_cap_is_refused_before_reading(kind: str) -> None:
    async with loopback() as server:
        server.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 314572800\r\n\r\n")  # 300 MB, never sent
        wire = make_wire(kind)
        with anyio.fail_after(5), pytest.raises(ResponseTooLarge, match="max_response_size=1048576"):
            await wire.send("GET", server.url + "/v1/a", HEADERS, None)
        await wire.aclose()


@pytest.mark.parametrize("framing", ["chunked", "until-close"])
async def test_an_endless_body_is_cut_off_near_the_cap(framing: str) -> None:
    kind = "pool"  # httpx reads a body whole before it can be measured
    sent: list[int] = []
    piece = b"x" * 65536
    async with loopback() as server:
        if framing == "chunked":
            head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            endless(server, head, b"10000\r\n" + piece + b"\r\n", sent)
        else:
            endless(server, b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", piece, sent)
        wire = make_wire(kind)
        with anyio.fail_after(10), pytest.raises(ResponseTooLarge):
            await wire.send("GET", server.url + "/v1/a", HEADERS, None)
        await wire.aclose()
    # What got through is the cap plus what the kernel's buffers held, not the stream.
    assert sum(sent) < 16 * CAP


async def test_a_gzip_bomb_is_refused(kind: str) -> None:
    # The pool stops decompressing at the cap; httpx decompresses, then it is measured.
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(BOMB)
    async with loopback() as server:
        server.raw(head + BOMB)
        wire = make_wire(kind)
        with anyio.fail_after(5), pytest.raises(ResponseTooLarge):
            await wire.send("GET", server.url + "/v1/a", HEADERS, None)
        await wire.aclose()


async def test_under_the_cap_everything_arrives(kind: str) -> None:
    body = b"y" * (CAP - 10)
    async with loopback() as server:
        server.raw(
            b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n"
            % len(gzip.compress(body))
            + gzip.compress(body)
        )
        wire = make_wire(kind)
        reply = await wire.send("GET", server.url + "/v1/a", HEADERS, None)
        await wire.aclose()
    assert reply.content == body


async def test_the_client_reports_a_clear_error_and_does_not_retry() -> None:
    async with loopback() as server:
        server.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 314572800\r\n\r\n")
        client = AsyncStytch(PROJECT_ID, SECRET, base_url=server.url, max_response_size=CAP)
        started = time.monotonic()
        with pytest.raises(HttpError, match="larger than max_response_size=1048576") as info:
            await client.users.get("user-test-1")
        await client.aclose()
    assert time.monotonic() - started < 5
    assert isinstance(info.value.__cause__, ResponseTooLarge)
    assert len(server.seen) == 1  # a GET, yet not repeated: the answer would be as big again
