"""A Starlette app behind ``StytchMiddleware``: every route but /public/ needs a session.

Works the same for Litestar or any ASGI app; the middleware needs no extra dependency.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from stytch_async import AsyncStytch
from stytch_async.integrations.asgi import StytchMiddleware


async def dashboard(request: Request) -> JSONResponse:
    session = request.state.stytch_session  # put there by the middleware
    return JSONResponse({"user_id": session.user_id, "roles": session.roles})


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


def create_app(make_client: Callable[[], AsyncStytch]) -> Starlette:
    return Starlette(
        routes=[Route("/dashboard", dashboard), Route("/public/health", health)],
        middleware=[Middleware(StytchMiddleware, client=make_client, public_paths=("/public/",))],
    )


app = create_app(lambda: AsyncStytch(os.environ["STYTCH_PROJECT_ID"], os.environ["STYTCH_SECRET"]))
