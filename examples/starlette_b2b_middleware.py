"""A Starlette app for a B2B project behind ``StytchB2BMiddleware``: every route but /public/
needs a member session, checked locally against the project's keys.

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

from stytch_async import AsyncStytchB2B
from stytch_async.b2b.types.entities import MemberSession
from stytch_async.integrations.asgi import StytchB2BMiddleware


async def me(request: Request) -> JSONResponse:
    member: MemberSession = request.state.stytch_session  # put there by the middleware
    return JSONResponse(
        {"member_id": member.member_id, "organization_slug": member.organization_slug, "roles": member.roles}
    )


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


def create_app(make_client: Callable[[], AsyncStytchB2B]) -> Starlette:
    return Starlette(
        routes=[Route("/me", me), Route("/public/health", health)],
        middleware=[Middleware(StytchB2BMiddleware, client=make_client, public_paths=("/public/",))],
    )


app = create_app(lambda: AsyncStytchB2B(os.environ["STYTCH_PROJECT_ID"], os.environ["STYTCH_SECRET"]))
