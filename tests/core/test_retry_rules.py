"""Retry rules at their edges: which statuses each method retries, the Retry-After cap, real sleeps.

These close gaps mutation testing found (a rule could change and no test failed).
"""

from __future__ import annotations

import email.utils
import time

import anyio
import httpx
import pytest

from stytch_async import AsyncStytch, ClientError, HttpError
from stytch_async._core.converter import make_converter
from stytch_async._core.response import body_excerpt
from tests.support.recorded import PROJECT_ID, SECRET, Wire, load_fixture, record_sleeps

pytestmark = pytest.mark.anyio

OK = {"request_id": "r", "status_code": 200}
OK_SEND = load_fixture("magic_links.email.send")


@pytest.fixture
def sleeps(stytch: AsyncStytch) -> list[float]:
    return record_sleeps(stytch)


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_post_is_never_replayed_after_500_502_or_504(
    stytch: AsyncStytch, wire: Wire, sleeps: list[float], status: int
) -> None:
    wire.reply(status, text="upstream trouble")
    with pytest.raises(ClientError) as info:
        await stytch.magic_links.authenticate("token")
    assert info.value.status_code == status
    assert len(wire.requests) == 1
    assert sleeps == []


@pytest.mark.parametrize("method", ["PUT", "DELETE", "GET"])
@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
async def test_idempotent_methods_are_retried_after_5xx_and_429(
    stytch: AsyncStytch, wire: Wire, sleeps: list[float], method: str, status: int
) -> None:
    wire.reply(status, text="busy")
    wire.reply(200, OK)
    response = await stytch._pipeline.send(method, "/v1/x", timeout=None)  # type: ignore[arg-type]
    assert response.status_code == 200
    assert [r.method for r in wire.requests] == [method, method]
    assert len(sleeps) == 1


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
async def test_put_and_delete_are_retried_after_a_read_timeout(
    stytch: AsyncStytch, wire: Wire, sleeps: list[float], method: str
) -> None:
    wire.raise_(httpx.ReadTimeout("read timed out"))
    wire.reply(200, OK)
    await stytch._pipeline.send(method, "/v1/x", timeout=None)  # type: ignore[arg-type]
    assert len(wire.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 404, 409])
async def test_client_errors_are_never_retried(
    stytch: AsyncStytch, wire: Wire, sleeps: list[float], status: int
) -> None:
    wire.reply(status, text="no")
    response = await stytch._pipeline.send("GET", "/v1/x", timeout=None)
    assert response.status_code == status
    assert len(wire.requests) == 1


async def test_a_retry_after_of_exactly_60s_is_waited_for(
    stytch: AsyncStytch, wire: Wire, sleeps: list[float]
) -> None:
    wire.reply(503, text="busy", headers={"Retry-After": "60"})
    wire.reply(200, OK_SEND)
    await stytch.magic_links.email.send("ada@example.com", timeout=1000)
    assert sleeps == [60.0]
    assert len(wire.requests) == 2


async def test_a_retry_after_over_60s_is_not_waited_for_even_within_the_deadline(
    stytch: AsyncStytch, wire: Wire, sleeps: list[float]
) -> None:
    wire.reply(503, text="busy", headers={"Retry-After": "61"})
    with pytest.raises(ClientError) as info:
        await stytch.magic_links.email.send("ada@example.com", timeout=1000)
    assert info.value.status_code == 503
    assert sleeps == []
    assert len(wire.requests) == 1


async def test_an_http_date_retry_after_is_honoured_through_a_real_call(
    stytch: AsyncStytch, wire: Wire, sleeps: list[float]
) -> None:
    when = email.utils.formatdate(time.time() + 20, usegmt=True)
    wire.reply(429, text="slow down", headers={"Retry-After": when})
    wire.reply(200, OK_SEND)
    await stytch.magic_links.email.send("ada@example.com", timeout=1000)
    assert len(sleeps) == 1
    assert 18.0 <= sleeps[0] <= 20.0


async def test_the_wait_between_retries_really_sleeps(stytch: AsyncStytch, wire: Wire) -> None:
    stytch._pipeline.backoff_base = 0.05
    stytch._pipeline._random = lambda: 1.0
    wire.reply(503, text="busy")
    wire.reply(200, OK)
    start = anyio.current_time()
    with anyio.fail_after(5):
        await stytch._pipeline.send("GET", "/v1/x", timeout=None)
    assert anyio.current_time() - start >= 0.05


async def test_a_retry_that_would_end_past_the_deadline_is_not_made(
    stytch: AsyncStytch, wire: Wire, sleeps: list[float]
) -> None:
    stytch._pipeline.backoff_base = 4.0
    stytch._pipeline._random = lambda: 1.0
    wire.reply(503, text="busy")
    response = await stytch._pipeline.send("GET", "/v1/x", timeout=3.0)
    assert response.status_code == 503
    assert sleeps == []


async def test_no_timeout_means_no_deadline_and_retries_still_happen(
    http: httpx.AsyncClient, wire: Wire
) -> None:
    client = AsyncStytch(PROJECT_ID, SECRET, http_client=http, timeout=None)
    client._pipeline.converter = make_converter(strict=True)
    sleeps = record_sleeps(client)
    assert client._pipeline.timeout is None

    async def slow(request: httpx.Request) -> httpx.Response:
        await anyio.sleep(0.05)
        return httpx.Response(200, json=OK_SEND)

    wire.reply(503, text="busy", headers={"Retry-After": "59"})
    wire.call(slow)
    async with client:
        result = await client.magic_links.email.send("ada@example.com")
    assert result.email_id == OK_SEND["email_id"]
    assert sleeps == [59.0]


async def test_max_retries_zero_makes_one_attempt(http: httpx.AsyncClient, wire: Wire) -> None:
    client = AsyncStytch(PROJECT_ID, SECRET, http_client=http, max_retries=0)
    wire.raise_(httpx.ConnectError("refused"))
    async with client:
        with pytest.raises(HttpError):
            await client._pipeline.send("GET", "/v1/x", timeout=None)
    assert len(wire.requests) == 1


async def test_list_query_values_repeat_the_key(stytch: AsyncStytch, wire: Wire) -> None:
    wire.reply(200, OK)
    await stytch._pipeline.send(
        "GET", "/v1/x", query={"ids": ["a b", "c"], "flags": [True, False], "n": 1.5}, timeout=None
    )
    assert wire.last.url.query == b"ids=a+b&ids=c&flags=true&flags=false&n=1.5"


async def test_a_form_body_is_urlencoded(stytch: AsyncStytch, wire: Wire) -> None:
    wire.reply(200, OK)
    await stytch._pipeline.send("POST", "/v1/x", body={"a": "1 2", "b": [True, "x"]}, form=True, timeout=None)
    assert wire.last.content == b"a=1+2&b=true&b=x"
    assert wire.last.headers["content-type"] == "application/x-www-form-urlencoded"


# -- error excerpts -----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["[1, 2, ", '{"session_token": "tok', "  [", "{"])
def test_truncated_json_is_described_not_quoted(text: str) -> None:
    assert body_excerpt(text) == f"<{len(text.strip())} characters of malformed JSON>"


def test_an_excerpt_shows_a_short_body_whole() -> None:
    assert body_excerpt("  Bad Gateway  ") == "Bad Gateway"
    assert body_excerpt("", {"a": [1, 2], "b": "c"}) == '{"a":[1,2],"b":"c"}'
    assert body_excerpt("", [1, "x"]) == '[1,"x"]'


def test_an_excerpt_is_cut_at_200_characters() -> None:
    text = "x" * 200
    assert body_excerpt(text) == text
    assert body_excerpt(text + "y") == text + "…"
    data = {"k": "v" * 300}
    excerpt = body_excerpt("", data)
    assert excerpt == ('{"k":"' + "v" * 300)[:200] + "…"
    exact = {"k": "v" * 192}  # {"k":"...."} is exactly 200 characters
    assert body_excerpt("", exact) == '{"k":"' + "v" * 192 + '"}'
