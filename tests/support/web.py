"""Helpers for the web integration tests and the examples: run an ASGI app's lifespan, sign in."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx

from stytch_async import AsyncStytch, AsyncStytchB2B
from stytch_async.testing import FakeStytch

ASGIApp = Callable[..., Awaitable[None]]

#: A policy in which the emulator's default role may read documents and nothing else.
POLICY = {
    "request_id": "request-id-test-policy",
    "status_code": 200,
    "policy": {
        "roles": [
            {
                "role_id": "stytch_user",
                "description": "every user",
                "permissions": [{"resource_id": "documents", "actions": ["read"]}],
            }
        ],
        "resources": [{"resource_id": "documents", "description": "", "actions": ["read", "delete"]}],
        "scopes": [],
    },
}


@asynccontextmanager
async def running(app: ASGIApp, *, seconds: float = 10) -> AsyncIterator[httpx.AsyncClient]:
    """Start ``app`` through the ASGI lifespan protocol, yield an httpx client talking to it,
    then shut it down; the whole run is bounded by ``seconds``."""
    to_app, app_inbox = anyio.create_memory_object_stream[MutableMapping[str, Any]](4)
    app_outbox, from_app = anyio.create_memory_object_stream[MutableMapping[str, Any]](4)
    with anyio.fail_after(seconds):
        async with anyio.create_task_group() as tasks, to_app, from_app, app_inbox, app_outbox:
            scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}
            tasks.start_soon(app, scope, app_inbox.receive, app_outbox.send)
            await to_app.send({"type": "lifespan.startup"})
            started = await from_app.receive()
            if started["type"] != "lifespan.startup.complete":
                raise RuntimeError(f"startup failed: {started}")
            transport = httpx.ASGITransport(app=app)
            try:
                async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
                    yield http
            finally:
                await to_app.send({"type": "lifespan.shutdown"})
                stopped = await from_app.receive()
                assert stopped["type"] == "lifespan.shutdown.complete", stopped


async def start_failure(app: ASGIApp) -> str:
    """Run only the lifespan startup of ``app`` and return the failure message it sends."""
    to_app, app_inbox = anyio.create_memory_object_stream[MutableMapping[str, Any]](4)
    app_outbox, from_app = anyio.create_memory_object_stream[MutableMapping[str, Any]](4)
    with anyio.fail_after(10):
        async with anyio.create_task_group() as tasks, to_app, from_app, app_inbox, app_outbox:
            tasks.start_soon(
                app, {"type": "lifespan", "asgi": {"version": "3.0"}}, app_inbox.receive, app_outbox.send
            )
            await to_app.send({"type": "lifespan.startup"})
            answer = await from_app.receive()
            assert answer["type"] == "lifespan.startup.failed", answer
            return str(answer["message"])


async def sign_in(fake: FakeStytch, stytch: AsyncStytch, email: str = "ada@example.com") -> str:
    """Log ``email`` in through a magic link with a 60-minute session; return the session JWT."""
    await stytch.magic_links.email.login_or_create(email)
    token = fake.outbox.last(email=email).token
    assert token is not None
    auth = await stytch.magic_links.authenticate(token, session_duration_minutes=60)
    return auth.session_jwt


async def member_sign_in(
    fake: FakeStytch, b2b: AsyncStytchB2B, email: str = "ada@acme.com", *, slug: str = "acme", **invite: Any
) -> tuple[str, str]:
    """Create organization ``slug``, invite ``email`` into it (``roles=`` and the like go to the
    invitation) and log them in with a 60-minute session; return (organization id, session JWT)."""
    created = await b2b.organizations.create(slug.title(), organization_slug=slug)
    organization_id = created.organization.organization_id
    await b2b.magic_links.email.invite(organization_id, email, **invite)
    token = fake.outbox.last(email=email).token
    assert token is not None
    auth = await b2b.magic_links.authenticate(token, session_duration_minutes=60)
    return organization_id, auth.session_jwt


@asynccontextmanager
async def client_with_policy(fake: FakeStytch, **options: Any) -> AsyncIterator[AsyncStytch]:
    """An emulator client (not yet entered) whose ``GET /v1/rbac/policy`` answers :data:`POLICY`
    (the emulator has no RBAC); its httpx client is closed on leaving."""
    inner = fake.transport()

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/rbac/policy":
            return httpx.Response(200, json=POLICY)
        return await inner.handle_async_request(request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        yield fake.follow_clock(AsyncStytch(fake.project_id, fake.secret, http_client=http, **options))


class ClientFactory:
    """Makes emulator clients on demand, as an app's lifespan does, and keeps them to inspect."""

    def __init__(self, fake: FakeStytch) -> None:
        self.fake = fake
        self.made: list[AsyncStytch] = []

    def __call__(self) -> AsyncStytch:
        self.made.append(self.fake.client())
        return self.made[-1]
