"""Helpers for tests of the emulator's B2B half: clients in process or over loopback, and login steps."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from stytch_async import AsyncStytchB2B
from stytch_async.testing import FakeStytch
from tests.support.emulator import strict

ADA = "ada@acme.com"
BOB = "bob@acme.com"
STRONG = "Tr0ub4dor&3-horse"


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


@asynccontextmanager
async def b2b_client(fake: FakeStytch, mode: str) -> AsyncIterator[AsyncStytchB2B]:
    """A strict ``AsyncStytchB2B`` for ``fake``: ``mode`` is ``"in_process"`` or ``"loopback"``."""
    with fake.serve() if mode == "loopback" else _nothing() as server:
        client = fake.b2b_client() if server is None else server.b2b_client()
        async with strict(client) as b2b:
            yield b2b


def token_for(fake: FakeStytch, email: str) -> str:
    token = fake.outbox.last(email=email).token
    assert token is not None
    return token


async def discovery_sign_up(fake: FakeStytch, b2b: AsyncStytchB2B, email: str = ADA, **org: Any) -> Any:
    """Discover by magic link and create an organization; the ``discovery.organizations.create`` answer."""
    await b2b.magic_links.email.discovery.send(email)
    found = await b2b.magic_links.discovery.authenticate(token_for(fake, email))
    options = {"organization_name": "Acme", "organization_slug": "acme", **org}
    return await b2b.discovery.organizations.create(found.intermediate_session_token, **options)


async def magic_login(fake: FakeStytch, b2b: AsyncStytchB2B, organization_id: str, email: str) -> Any:
    """``login_or_signup`` then ``magic_links.authenticate``; the authenticate answer."""
    await b2b.magic_links.email.login_or_signup(organization_id, email)
    return await b2b.magic_links.authenticate(token_for(fake, email), session_duration_minutes=60)
