"""The ASGI middleware against the emulator: a Starlette app and a bare ASGI app, on asyncio and trio."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from stytch_async import AsyncStytch
from stytch_async.integrations.asgi import Receive, Send, StytchMiddleware
from stytch_async.testing import FakeStytch
from tests.support.web import ClientFactory, running, sign_in, start_failure

pytestmark = pytest.mark.anyio


async def me(request: Request) -> JSONResponse:
    return JSONResponse({"user_id": request.state.stytch_session.user_id})


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True, "has_session": hasattr(request.state, "stytch_session")})


async def login(request: Request) -> JSONResponse:
    stytch: AsyncStytch = request.state.stytch
    auth = await stytch.magic_links.authenticate(request.query_params["token"])
    return JSONResponse({"user_id": auth.user_id})


def starlette_app(client: Any, **options: Any) -> Starlette:
    routes = [
        Route("/me", me),
        Route("/public/health", health),
        Route("/public/login", login, methods=["POST"]),
    ]
    middleware = [Middleware(StytchMiddleware, client=client, public_paths=("/public/",), **options)]
    return Starlette(routes=routes, middleware=middleware)


async def test_starlette_routes_see_the_session_and_public_paths_skip_the_check() -> None:
    async with FakeStytch() as fake:
        factory = ClientFactory(fake)
        async with running(starlette_app(factory)) as http, fake.client() as admin:
            jwt = await sign_in(fake, admin)
            ok = await http.get("/me", headers={"Cookie": f"other=1; stytch_session_jwt={jwt}"})
            refused = await http.get("/me")
            public = await http.get("/public/health")
            assert factory.made[0].closed is False
        assert factory.made[0].closed is True

    assert ok.status_code == 200
    assert ok.json()["user_id"].startswith("user-test-")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert refused.json()["error_type"] == "jwt_invalid"
    assert public.json() == {"ok": True, "has_session": False}


async def test_errors_the_app_raises_are_answered() -> None:
    async with FakeStytch() as fake, running(starlette_app(fake.client)) as http:
        unknown = await http.post("/public/login", params={"token": "nope"})
        fake.fail_next("*", status=503, times=3)
        down = await http.post("/public/login", params={"token": "nope"})

    assert unknown.status_code == 401
    assert unknown.json()["error_type"] == "magic_link_not_found"
    assert down.status_code == 502


async def test_a_bare_asgi_app_with_an_expired_jwt_and_the_remote_fallback() -> None:
    seen: list[str] = []

    async def app(scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            assert (await receive())["type"] == "lifespan.startup"
            await send({"type": "lifespan.startup.complete"})
            assert (await receive())["type"] == "lifespan.shutdown"
            await send({"type": "lifespan.shutdown.complete"})
            return
        seen.append(scope["state"]["stytch_session"].session_id)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async with FakeStytch() as fake, fake.client() as admin:
        jwt = await sign_in(fake, admin)
        fake.clock.advance(minutes=10)
        local_only = StytchMiddleware(app, client=fake.client)
        with_fallback = StytchMiddleware(app, client=fake.client, remote_fallback=True)
        async with running(local_only) as strict, running(with_fallback) as lenient:
            refused = await strict.get("/", headers={"Authorization": f"Bearer {jwt}"})
            accepted = await lenient.get("/", headers={"Authorization": f"Bearer {jwt}"})

    assert refused.status_code == 401
    assert refused.json()["error_type"] == "jwt_expired"
    assert accepted.status_code == 204
    assert len(seen) == 1
    assert seen[0].startswith("session-test-")


async def test_a_client_that_cannot_start_fails_the_startup() -> None:
    async with FakeStytch() as fake:
        fake.fail_next("*", status=500, times=10)
        app = StytchMiddleware(
            starlette_app(None), client=lambda: fake.client(preload_jwks=True, max_retries=0)
        )
        message = await start_failure(app)
    assert message.startswith("Stytch client:")
    assert "could not preload the key set" in message
