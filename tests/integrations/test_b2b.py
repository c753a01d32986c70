"""The integrations with an ``AsyncStytchB2B``: the FastAPI member-session dependency and the B2B
ASGI middleware, against the emulator, on asyncio and trio.

No ``from __future__ import annotations`` here: FastAPI reads the routes' annotations at run time.
"""

from collections.abc import Callable
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from stytch_async import AsyncStytchB2B
from stytch_async.b2b.types.entities import MemberSession
from stytch_async.errors import UsageError
from stytch_async.integrations.asgi import StytchB2BMiddleware
from stytch_async.integrations.fastapi import (
    RequireMemberSession,
    RequireSession,
    add_error_handler,
    get_stytch_b2b,
    stytch_lifespan,
)
from stytch_async.testing import FakeStytch
from tests.support.web import member_sign_in, running, sign_in

pytestmark = pytest.mark.anyio

B2B = Annotated[AsyncStytchB2B, Depends(get_stytch_b2b)]


def fastapi_app(client: Callable[[], AsyncStytchB2B], **options: Any) -> FastAPI:
    app = FastAPI(lifespan=stytch_lifespan(client))
    add_error_handler(app)
    require = RequireMemberSession(**options)

    @app.get("/me")
    async def me(member: Annotated[MemberSession, Depends(require)], b2b: B2B) -> dict[str, Any]:
        return {
            "member_id": member.member_id,
            "organization_id": member.organization_id,
            "roles": member.roles,
            "client_open": not b2b.closed,
        }

    return app


def bearer(jwt: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {jwt}"}


async def test_the_dependency_returns_the_member_session_from_header_or_cookie(
    stytch_fake: FakeStytch,
) -> None:
    made: list[AsyncStytchB2B] = []

    def factory() -> AsyncStytchB2B:
        made.append(stytch_fake.b2b_client())
        return made[-1]

    async with running(fastapi_app(factory)) as http, stytch_fake.b2b_client() as admin:
        org, jwt = await member_sign_in(stytch_fake, admin)
        member = await admin.sessions.authenticate_jwt_local(jwt)
        by_header = await http.get("/me", headers=bearer(jwt))
        by_cookie = await http.get("/me", headers={"Cookie": f"stytch_session_jwt={jwt}"})
        missing = await http.get("/me")
    assert [client.closed for client in made] == [True]  # one client, closed at shutdown

    assert by_header.status_code == 200
    assert by_header.json() == {
        "member_id": member.member_id,
        "organization_id": org,
        "roles": ["stytch_member"],
        "client_open": True,
    }
    assert by_cookie.json() == by_header.json()
    assert missing.status_code == 401
    assert missing.json()["error_type"] == "jwt_invalid"


async def test_a_consumer_session_jwt_is_refused(stytch_fake: FakeStytch) -> None:
    async with running(fastapi_app(stytch_fake.b2b_client)) as http, stytch_fake.client() as consumer:
        jwt = await sign_in(stytch_fake, consumer)
        refused = await http.get("/me", headers=bearer(jwt))
    assert refused.status_code == 401
    assert refused.json()["error_type"] == "jwt_invalid"
    assert "organization" in refused.json()["error_message"]


async def test_authorization_check_needs_the_permission_in_that_organization(
    stytch_fake: FakeStytch,
) -> None:
    stytch_fake.add_rbac_resource("invoices", ["read", "pay"])
    stytch_fake.add_rbac_role("billing", {"invoices": ["read"]})
    async with stytch_fake.b2b_client() as admin:
        org, jwt = await member_sign_in(stytch_fake, admin, roles=["billing"])
        other = (await admin.organizations.create("Other", organization_slug="other")).organization

    def app_checking(organization_id: str, action: str) -> FastAPI:
        check = {"organization_id": organization_id, "resource_id": "invoices", "action": action}
        return fastapi_app(stytch_fake.b2b_client, authorization_check=check)

    async with (
        running(app_checking(org, "read")) as reader,
        running(app_checking(org, "pay")) as payer,
        running(app_checking(other.organization_id, "read")) as outsider,
    ):
        read = await reader.get("/me", headers=bearer(jwt))
        pay = await payer.get("/me", headers=bearer(jwt))
        elsewhere = await outsider.get("/me", headers=bearer(jwt))

    assert read.status_code == 200
    assert read.json()["roles"] == ["stytch_member", "billing"]
    assert pay.status_code == 403
    assert pay.json()["error_type"] == "permission_denied"
    assert elsewhere.status_code == 403
    assert elsewhere.json()["error_type"] == "tenancy_mismatch"


async def test_an_expired_jwt_is_refused_locally_and_accepted_with_the_remote_fallback(
    stytch_fake: FakeStytch,
) -> None:
    strict_app = fastapi_app(stytch_fake.b2b_client)
    lenient_app = fastapi_app(stytch_fake.b2b_client, remote_fallback=True)
    async with (
        running(strict_app) as strict,
        running(lenient_app) as lenient,
        stytch_fake.b2b_client() as admin,
    ):
        _, jwt = await member_sign_in(stytch_fake, admin)
        stytch_fake.clock.advance(minutes=10)  # past the JWT's 5 minutes, inside the session's 60
        refused = await strict.get("/me", headers=bearer(jwt))
        accepted = await lenient.get("/me", headers=bearer(jwt))
        stytch_fake.clock.advance(minutes=60)  # the session itself is over
        gone = await lenient.get("/me", headers=bearer(jwt))
    remote_checks = [r for r in stytch_fake.requests if r.path == "/v1/b2b/sessions/authenticate"]

    assert refused.status_code == 401
    assert refused.json()["error_type"] == "jwt_expired"
    assert accepted.status_code == 200
    assert gone.status_code == 401  # Stytch's own refusal (a ClientError), answered 401 too
    assert gone.json()["error_type"] != "jwt_expired"
    assert len(remote_checks) == 2  # only the lenient app asked Stytch


async def test_the_dependencies_name_the_right_one_for_the_client_held(stytch_fake: FakeStytch) -> None:
    app = FastAPI(lifespan=stytch_lifespan(stytch_fake.b2b_client))

    @app.get("/consumer")
    async def consumer(session: Annotated[Any, Depends(RequireSession())]) -> str:
        return repr(session)

    async with running(app) as http:
        with pytest.raises(UsageError, match="RequireMemberSession"):
            await http.get("/consumer", headers=bearer("a.b.c"))


async def who(request: Request) -> JSONResponse:
    member: MemberSession = request.state.stytch_session
    return JSONResponse({"member_id": member.member_id, "organization_slug": member.organization_slug})


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"has_session": hasattr(request.state, "stytch_session")})


def starlette_app(client: Callable[[], AsyncStytchB2B], **options: Any) -> Starlette:
    routes = [Route("/me", who), Route("/public/health", health)]
    middleware = [Middleware(StytchB2BMiddleware, client=client, public_paths=("/public/",), **options)]
    return Starlette(routes=routes, middleware=middleware)


async def test_the_b2b_middleware_puts_the_member_session_in_the_state(stytch_fake: FakeStytch) -> None:
    stytch_fake.add_rbac_resource("invoices", ["read", "pay"])
    async with stytch_fake.b2b_client() as admin:
        org, jwt = await member_sign_in(stytch_fake, admin)
        member = await admin.sessions.authenticate_jwt_local(jwt)
    paying = {"organization_id": org, "resource_id": "invoices", "action": "pay"}

    async with (
        running(starlette_app(stytch_fake.b2b_client)) as http,
        running(starlette_app(stytch_fake.b2b_client, authorization_check=paying)) as guarded,
    ):
        ok = await http.get("/me", headers=bearer(jwt))
        refused = await http.get("/me", headers=bearer("not-a-jwt"))
        public = await http.get("/public/health")
        denied = await guarded.get("/me", headers=bearer(jwt))

    assert ok.json() == {"member_id": member.member_id, "organization_slug": "acme"}
    assert refused.status_code == 401
    assert public.json() == {"has_session": False}
    assert denied.status_code == 403
    assert denied.json()["error_type"] == "permission_denied"


async def test_the_b2b_middleware_accepts_an_open_client_and_leaves_other_scopes_alone(
    stytch_fake: FakeStytch,
) -> None:
    seen: list[str] = []

    async def bare(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    async with stytch_fake.b2b_client() as b2b:
        middleware = StytchB2BMiddleware(bare, client=b2b)
        await middleware({"type": "websocket"}, None, None)
        assert middleware.client is b2b
    assert seen == ["websocket"]
