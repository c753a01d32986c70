"""The recorded wire: credentials, fixtures on disk and an ``httpx.MockTransport`` handler that plays replies."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx

from stytch_async import AsyncStytch

FIXTURES = Path(__file__).parent.parent / "fixtures"
PROJECT_ID = "project-test-2f0a1b5c-7d5e-4c1e-9c43-6b3a4d9e0f12"
SECRET = "secret-test-Xq1tS3cr3tV4lu3-d0-n0t-l0g"
BASE_URL = "https://test.stytch.com"

Reply = httpx.Response | Exception | Callable[[httpx.Request], Awaitable[httpx.Response]]


def fixture_path(key: str, api: str | None = None) -> Path:
    """``tests/fixtures/<api>/<key>.json``; without ``api``, the consumer client's view (its own, then common)."""
    if api is not None:
        return FIXTURES / api / f"{key}.json"
    for candidate in ("consumer", "common"):
        path = FIXTURES / candidate / f"{key}.json"
        if path.exists():
            return path
    raise FileNotFoundError(f"no fixture for {key!r} under {FIXTURES}/consumer or /common")


def load_fixture(key: str, api: str | None = None) -> dict[str, Any]:
    """A recorded-style answer of one endpoint, by its key (``sessions.authenticate``)."""
    data: dict[str, Any] = json.loads(fixture_path(key, api).read_text())
    return data


class Wire:
    """An ``httpx.MockTransport`` handler that records requests and plays queued replies."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.replies: deque[Reply] = deque()

    def reply(
        self,
        status: int = 200,
        json_body: Any = None,
        *,
        text: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        if text is not None:
            self.replies.append(httpx.Response(status, text=text, headers=headers))
        else:
            self.replies.append(httpx.Response(status, json=json_body, headers=headers))

    def raise_(self, exc: Exception) -> None:
        self.replies.append(exc)

    def call(self, fn: Callable[[httpx.Request], Awaitable[httpx.Response]]) -> None:
        self.replies.append(fn)

    async def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.replies:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        reply = self.replies.popleft()
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, httpx.Response):
            return reply
        return await reply(request)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def last_json(self) -> Any:
        return json.loads(self.last.content)


def record_sleeps(client: AsyncStytch) -> list[float]:
    """Replace backoff sleeps with a recorder; the list shows every retry's wait."""
    recorded: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        recorded.append(seconds)
        await anyio.lowlevel.checkpoint()

    client._pipeline._sleep = fake_sleep
    return recorded
