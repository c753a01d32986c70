"""The pool's hand parser against h11: every answer h11 refuses, the pool refuses at once."""

from __future__ import annotations

import anyio
import h11
import httpx
import pytest

from stytch_async._wire.framing import MAX_HEAD, body_length, chunk_size, head_end, parse_head
from stytch_async._wire.pool import Pool
from tests.support.loopback import loopback

HEADERS = {"Authorization": "Basic cHJvamVjdDpzZWNyZXQ="}
OK = b"HTTP/1.1 200 OK\r\n"

# Answers h11 refuses (checked below, so this list cannot drift from h11's rules).
REFUSED_BY_H11 = {
    "two differing lengths": OK + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}x",
    "a list of differing lengths": OK + b"Content-Length: 2, 3\r\n\r\n{}x",
    "plus sign": OK + b"Content-Length: +2\r\n\r\n{}",
    "minus sign": OK + b"Content-Length: -2\r\n\r\n{}",
    "underscore": OK + b"Content-Length: 1_0\r\n\r\n0123456789",
    "hex length": OK + b"Content-Length: 0x2\r\n\r\n{}",
    "empty length": OK + b"Content-Length: \r\n\r\n",
    "xchunked": OK + b"Transfer-Encoding: xchunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "gzip, chunked": OK + b"Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "two encodings": OK + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "status +20": b"HTTP/1.1 +20 OK\r\nContent-Length: 2\r\n\r\n{}",
    "status 2x0": b"HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\n{}",
    "status 20": b"HTTP/1.1 20 OK\r\nContent-Length: 2\r\n\r\n{}",
    "status 2000": b"HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\n{}",
    "status 099": b"HTTP/1.1 099 Odd\r\nContent-Length: 2\r\n\r\n{}",
    "not HTTP": b"SMTP ready\r\n\r\n",
    "space before colon": OK + b"Content-Length : 2\r\n\r\n{}",
    "no colon": OK + b"no colon here\r\n\r\n",
    "empty name": OK + b": value\r\n\r\n",
    "NUL in a value": OK + b"X-A: a\x00b\r\nContent-Length: 2\r\n\r\n{}",
    "CR in a value": OK + b"X-A: a\rb\r\nContent-Length: 2\r\n\r\n{}",
    "chunk size 0x1f": OK + b"Transfer-Encoding: chunked\r\n\r\n0x1f\r\n" + b"a" * 31 + b"\r\n0\r\n\r\n",
    "chunk size 1_f": OK + b"Transfer-Encoding: chunked\r\n\r\n1_f\r\n" + b"a" * 31 + b"\r\n0\r\n\r\n",
    "chunk size +2": OK + b"Transfer-Encoding: chunked\r\n\r\n+2\r\n{}\r\n0\r\n\r\n",
    "chunk size blank": OK + b"Transfer-Encoding: chunked\r\n\r\n\r\n{}\r\n0\r\n\r\n",
    "chunk without CRLF": OK + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}xx0\r\n\r\n",
    "101 never asked for": b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n",
}

# Shapes h11 tolerates that the pool refuses on purpose (smuggling and desync vectors).
STRICTER_THAN_H11 = {
    "bare LF line ends": b"HTTP/1.1 200 OK\nContent-Length: 2\n\n{}",
    "folded header": OK + b"X-A: a\r\n b\r\nContent-Length: 2\r\n\r\n{}",
    "TE and CL": OK + b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    # h11 bounds only a head still incomplete; the pool bounds any head.
    "huge head": OK + b"X-Big: " + b"a" * (MAX_HEAD + 10) + b"\r\n\r\n",
}

ACCEPTED = {
    "plain": OK + b"Content-Length: 2\r\n\r\n{}",
    "same length twice": OK + b"Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
    "no reason phrase": b"HTTP/1.1 200\r\nContent-Length: 2\r\n\r\n{}",
    "HTTP/1.0 with length": b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}",
    "chunked in capitals": OK + b"Transfer-Encoding: Chunked\r\n\r\n2;a=b\r\n{}\r\n0\r\nX-T: 1\r\n\r\n",
    "tab around a value": OK + b"X-A:\ta b\t\r\nContent-Length: 2\r\n\r\n{}",
    "obs-text value": OK + b"X-A: caf\xe9\r\nContent-Length: 2\r\n\r\n{}",
    "100 before": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
}


def h11_refuses(answer: bytes) -> bool:
    client = h11.Connection(h11.CLIENT)
    client.send(h11.Request(method="GET", target="/", headers=[("Host", "x")]))
    client.send(h11.EndOfMessage())
    try:
        client.receive_data(answer)
        client.receive_data(b"")  # the server closes after the answer
        for _ in range(100):
            event = client.next_event()
            if event is h11.NEED_DATA or isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)):
                return False
    except h11.RemoteProtocolError:
        return True
    raise AssertionError("h11 produced too many events")  # pragma: no cover


@pytest.mark.parametrize("name", sorted(REFUSED_BY_H11))
def test_h11_refuses_each_listed_answer(name: str) -> None:
    assert h11_refuses(REFUSED_BY_H11[name])


@pytest.mark.parametrize("name", sorted(STRICTER_THAN_H11))
def test_h11_tolerates_what_we_refuse_on_purpose(name: str) -> None:
    assert not h11_refuses(STRICTER_THAN_H11[name])


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_h11_accepts_each_accepted_answer(name: str) -> None:
    assert not h11_refuses(ACCEPTED[name])


@pytest.mark.anyio
@pytest.mark.parametrize("name", sorted({**REFUSED_BY_H11, **STRICTER_THAN_H11}))
async def test_the_pool_refuses_at_once(name: str) -> None:
    answer = {**REFUSED_BY_H11, **STRICTER_THAN_H11}[name]
    async with loopback() as server:
        server.raw(answer)  # the connection stays open: a refusal must not wait for its end
        pool = Pool()
        with anyio.fail_after(5), pytest.raises(httpx.RemoteProtocolError):
            await pool.send("POST", server.url + "/v1/a", HEADERS, b"{}")
        await pool.aclose()
    assert len(server.seen) == 1


@pytest.mark.anyio
@pytest.mark.parametrize("name", sorted(ACCEPTED))
async def test_the_pool_accepts_what_h11_accepts(name: str) -> None:
    async with loopback() as server:
        server.raw(ACCEPTED[name], close=True)
        pool = Pool()
        with anyio.fail_after(5):
            reply = await pool.send("GET", server.url + "/v1/a", HEADERS, None)
        await pool.aclose()
    assert (reply.status_code, reply.content) == (200, b"{}")


def test_the_head_limit_is_checked_on_every_read() -> None:
    assert head_end(b"HTTP/1.1 200 OK\r\nX: " + b"a" * 100) == -1  # more may come
    with pytest.raises(httpx.RemoteProtocolError, match="longer than"):
        head_end(b"HTTP/1.1 200 OK\r\nX: " + b"a" * MAX_HEAD)
    # The terminator arrived, but only past the limit.
    with pytest.raises(httpx.RemoteProtocolError, match="longer than"):
        head_end(b"HTTP/1.1 200 OK\r\nX: " + b"a" * MAX_HEAD + b"\r\n\r\n")


def test_parsed_fields() -> None:
    status, version, fields = parse_head(b"HTTP/1.0 404 Not Found\r\nX-A:  v w \r\nSet-Cookie: a=1")
    assert (status, version) == (404, b"HTTP/1.0")
    assert fields == [("x-a", "v w"), ("set-cookie", "a=1")]
    assert body_length({"content-length": "12, 12"}) == 12
    assert body_length({}) is None
    assert body_length({"transfer-encoding": "chunked"}) == -1
    assert chunk_size(b"1F ; name=value") == 31
