"""Shared fixtures: every async test runs on asyncio and on trio, against a recorded wire.

Helpers live in ``tests/support``; tests import them from there, never from a conftest.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeVar

import httpx
import pytest

from stytch_async import AsyncStytch, AsyncStytchB2B
from stytch_async._core.converter import make_converter
from tests.support.recorded import PROJECT_ID, SECRET, Wire

pytest_plugins = ("pytester",)  # tests/testing/test_pytest_plugin.py runs small user test files


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def wire() -> Wire:
    return Wire()


@pytest.fixture
async def http(wire: Wire) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(wire.handler)) as client:
        yield client


C = TypeVar("C", AsyncStytch, AsyncStytchB2B)


@asynccontextmanager
async def strict_client(cls: type[C], http: httpx.AsyncClient) -> AsyncIterator[C]:
    """A client on the recorded wire that decodes strictly (a field the models forgot fails)."""
    client = cls(PROJECT_ID, SECRET, http_client=http)
    client._pipeline.converter = make_converter(strict=True)
    client._pipeline.backoff_base = 0.001
    async with client:
        yield client


@pytest.fixture
async def stytch(http: httpx.AsyncClient) -> AsyncIterator[AsyncStytch]:
    async with strict_client(AsyncStytch, http) as client:
        yield client


@pytest.fixture
async def stytch_b2b(http: httpx.AsyncClient) -> AsyncIterator[AsyncStytchB2B]:
    async with strict_client(AsyncStytchB2B, http) as client:
        yield client
