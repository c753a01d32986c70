"""Per-request B2B RBAC checks: ``authorization_check`` as a function of the request, and
``OwnOrganizationCheck``, through the FastAPI dependency and the ASGI middleware alike, against
the emulator, on asyncio and trio.

No ``from __future__ import annotations`` here: FastAPI reads the routes' annotations at run time.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

import attrs
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
from stytch_async.integrations.asgi import StytchB2BMiddleware, StytchMiddleware
from stytch_async.integrations.base import MemberCheckResult, OwnOrganizationCheck
from stytch_async.integrations.fastapi import (
    RequireMemberSession,
    RequireSession,
    add_error_handler,
    stytch_lifespan,
)
from stytch_async.testing import FakeStytch
from tests.support.web import member_sign_in, running

pytestmark = pytest.mark.anyio

FRAMEWORKS = ["fastapi", "asgi"]
READING = OwnOrganizationCheck(resource_id="invoices", action="read")
PAYING = OwnOrganizationCheck(resource_id="invoices", action="pay")


def fastapi_app(client: Callable[[], AsyncStytchB2B], **options: Any) -> FastAPI:
    app = FastAPI(lifespan=stytch_lifespan(client))
    add_error_handler(app)
    Member = Annotated[MemberSession, Depends(RequireMemberSession(**options))]

    @app.api_route("/orgs/{organization_id}/{page}", methods=["GET", "POST"])
    async def page(member: Member) -> dict[str, str]:
        return {"member_id": member.member_id, "organization_id": member.organization_id}

    return app


async def page(request: Request) -> JSONResponse:
    member: MemberSession = request.state.stytch_session
    return JSONResponse({"member_id": member.member_id, "organization_id": member.organization_id})


def asgi_app(client: Callable[[], AsyncStytchB2B], **options: Any) -> Starlette:
    routes = [Route("/orgs/{organization_id}/{page}", page, methods=["GET", "POST"])]
    return Starlette(routes=routes, middleware=[Middleware(StytchB2BMiddleware, client=client, **options)])


def organization_in(request: Any) -> str:
    """The organization a request's path names: a path parameter in FastAPI; in the middleware,
    which runs before routing, a piece of ``scope["path"]``."""
    if isinstance(request, Request):
        return str(request.path_params["organization_id"])
    return str(request["path"].split("/")[2])


def invoices(request: Any) -> MemberCheckResult:
    """Reading invoices needs ``read``, posting one ``pay``, in the organization of the path;
    the ``about`` page needs no permission."""
    if _page(request) == "about":
        return None
    action = "pay" if _method(request) == "POST" else "read"
    return {"organization_id": organization_in(request), "resource_id": "invoices", "action": action}


def _page(request: Any) -> str:
    path = request.url.path if isinstance(request, Request) else request["path"]
    return str(path.rsplit("/", 1)[1])


def _method(request: Any) -> str:
    return str(request.method if isinstance(request, Request) else request["method"])


@attrs.frozen
class Tenants:
    fake: FakeStytch
    org: str
    other: str
    jwt: str

    def app(self, framework: str, **options: Any) -> Any:
        make = fastapi_app if framework == "fastapi" else asgi_app
        return make(self.fake.b2b_client, **options)

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.jwt}"}


@asynccontextmanager
async def tenants(fake: FakeStytch) -> AsyncIterator[Tenants]:
    """A member of ``acme`` who may read invoices but not pay them, and a second organization."""
    fake.add_rbac_resource("invoices", ["read", "pay"])
    fake.add_rbac_role("billing", {"invoices": ["read"]})
    async with fake.b2b_client() as admin:
        org, jwt = await member_sign_in(fake, admin, roles=["billing"])
        other = (await admin.organizations.create("Other", organization_slug="other")).organization
    yield Tenants(fake, org, other.organization_id, jwt)


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_a_check_function_takes_the_organization_from_the_request(
    stytch_fake: FakeStytch, framework: str
) -> None:
    async with tenants(stytch_fake) as t, running(t.app(framework, authorization_check=invoices)) as http:
        read = await http.get(f"/orgs/{t.org}/invoices", headers=t.bearer)
        pay = await http.post(f"/orgs/{t.org}/invoices", headers=t.bearer)
        elsewhere = await http.get(f"/orgs/{t.other}/invoices", headers=t.bearer)
        unchecked = await http.get(f"/orgs/{t.other}/about", headers=t.bearer)
        anonymous = await http.get(f"/orgs/{t.other}/about")

    assert read.status_code == 200
    assert read.json()["organization_id"] == t.org
    assert pay.status_code == 403
    assert pay.json()["error_type"] == "permission_denied"
    assert elsewhere.status_code == 403
    assert elsewhere.json()["error_type"] == "tenancy_mismatch"
    # None means no RBAC check on that request, not no authentication.
    assert unchecked.status_code == 200
    assert unchecked.json()["organization_id"] == t.org
    assert anonymous.status_code == 401


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_an_async_check_function_is_awaited(stytch_fake: FakeStytch, framework: str) -> None:
    seen: list[str] = []

    async def looked_up(request: Any) -> MemberCheckResult:
        seen.append(organization_in(request))
        return invoices(request)

    async with tenants(stytch_fake) as t, running(t.app(framework, authorization_check=looked_up)) as http:
        read = await http.get(f"/orgs/{t.org}/invoices", headers=t.bearer)
        elsewhere = await http.get(f"/orgs/{t.other}/invoices", headers=t.bearer)

    assert read.status_code == 200
    assert elsewhere.json()["error_type"] == "tenancy_mismatch"
    assert seen == [t.org, t.other]


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_own_organization_checks_the_organization_the_jwt_names(
    stytch_fake: FakeStytch, framework: str
) -> None:

    def by_method(request: Any) -> MemberCheckResult:
        return PAYING if _method(request) == "POST" else READING

    async with (
        tenants(stytch_fake) as t,
        running(t.app(framework, authorization_check=READING)) as reader,
        running(t.app(framework, authorization_check=PAYING)) as payer,
        running(t.app(framework, authorization_check=by_method)) as mixed,
    ):
        # The path names another organization: an own-organization check does not read it.
        read = await reader.get(f"/orgs/{t.other}/invoices", headers=t.bearer)
        pay = await payer.get(f"/orgs/{t.org}/invoices", headers=t.bearer)
        mixed_read = await mixed.get(f"/orgs/{t.org}/invoices", headers=t.bearer)
        mixed_pay = await mixed.post(f"/orgs/{t.org}/invoices", headers=t.bearer)
        forged = await reader.get(f"/orgs/{t.org}/invoices", headers={"Authorization": "Bearer a.b.c"})

    assert read.status_code == 200
    assert read.json()["organization_id"] == t.org
    assert pay.status_code == 403
    assert pay.json()["error_type"] == "permission_denied"
    assert "invoices" in pay.json()["error_message"]
    assert mixed_read.status_code == 200
    assert mixed_pay.status_code == 403
    assert mixed_pay.json()["error_type"] == "permission_denied"
    assert forged.status_code == 401


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_own_organization_with_the_remote_fallback_asks_stytch_once(
    stytch_fake: FakeStytch, framework: str
) -> None:
    async with (
        tenants(stytch_fake) as t,
        running(t.app(framework, authorization_check=READING, remote_fallback=True)) as reader,
        running(t.app(framework, authorization_check=PAYING, remote_fallback=True)) as payer,
    ):
        stytch_fake.clock.advance(minutes=10)  # past the JWT's 5 minutes, inside the session's 60
        read = await reader.get(f"/orgs/{t.org}/invoices", headers=t.bearer)
        asked = len([r for r in stytch_fake.requests if r.path == "/v1/b2b/sessions/authenticate"])
        pay = await payer.get(f"/orgs/{t.org}/invoices", headers=t.bearer)

    assert read.status_code == 200
    assert asked == 1  # the check ran locally on the JWT Stytch issued
    assert pay.status_code == 403
    assert pay.json()["error_type"] == "permission_denied"


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_what_a_check_function_raises_is_answered_or_raised_never_skipped(
    stytch_fake: FakeStytch, framework: str, caplog: pytest.LogCaptureFixture
) -> None:
    def refusing(request: Any) -> MemberCheckResult:
        raise UsageError("no organization in this path")

    def broken(request: Any) -> MemberCheckResult:
        raise LookupError("organization_id")

    async with (
        tenants(stytch_fake) as t,
        running(t.app(framework, authorization_check=refusing)) as refused,
        running(t.app(framework, authorization_check=broken)) as crashing,
    ):
        answer = await refused.get(f"/orgs/{t.org}/invoices", headers=t.bearer)
        with pytest.raises(LookupError, match="organization_id"):
            await crashing.get(f"/orgs/{t.org}/invoices", headers=t.bearer)

    assert answer.status_code == 500  # a StytchError: answered, generically, and logged
    assert answer.json()["error_type"] == "stytch_error"
    assert "no organization in this path" in caplog.text


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize(
    "returned",
    [
        {"resource_id": "invoices", "action": "read"},  # a consumer check: no organization
        {"organization_id": "", "resource_id": "invoices", "action": "read"},
        "invoices:read",
    ],
)
async def test_a_check_function_returning_no_check_is_a_usage_error(
    stytch_fake: FakeStytch, framework: str, returned: object, caplog: pytest.LogCaptureFixture
) -> None:
    async with (
        tenants(stytch_fake) as t,
        running(t.app(framework, authorization_check=lambda request: returned)) as http,
    ):
        answer = await http.get(f"/orgs/{t.org}/invoices", headers=t.bearer)
    assert answer.status_code == 500
    assert answer.json()["error_type"] == "stytch_error"
    assert "UsageError" in caplog.text or "authorization_check must be" in caplog.text


async def test_own_organization_is_refused_where_it_cannot_be_filled_in(stytch_fake: FakeStytch) -> None:
    async with tenants(stytch_fake) as t, stytch_fake.b2b_client() as b2b:
        with pytest.raises(UsageError, match="OwnOrganizationCheck"):
            await b2b.sessions.authenticate_jwt_local(t.jwt, authorization_check=READING)  # type: ignore[call-overload]
    with pytest.raises(UsageError, match="RequireMemberSession and StytchB2BMiddleware"):
        RequireSession(authorization_check=READING)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="per-request functions"):
        StytchMiddleware(page, client=stytch_fake.client, authorization_check=invoices)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="resource_id must be a non-empty string"):
        OwnOrganizationCheck(resource_id="", action="read")
    with pytest.raises(UsageError, match="action must be a non-empty string"):
        OwnOrganizationCheck(resource_id="invoices", action=None)  # type: ignore[arg-type]


def test_own_organization_names_the_organization_when_asked() -> None:
    check = OwnOrganizationCheck(resource_id="invoices", action="pay").in_organization("org-1")
    assert (check.organization_id, check.resource_id, check.action) == ("org-1", "invoices", "pay")


async def test_the_middleware_passes_its_own_scope_to_the_check_function(stytch_fake: FakeStytch) -> None:
    scopes: list[dict[str, Any]] = []

    def keep(scope: Any) -> MemberCheckResult:
        scopes.append(dict(scope))  # the router adds to the same dict later
        return None

    async with tenants(stytch_fake) as t, running(t.app("asgi", authorization_check=keep)) as http:
        answer = await http.get(f"/orgs/{t.org}/about?year=2024", headers=t.bearer)

    assert answer.status_code == 200
    [scope] = scopes
    assert scope["path"] == f"/orgs/{t.org}/about"
    assert scope["query_string"] == b"year=2024"
    assert (b"authorization", f"Bearer {t.jwt}".encode()) in scope["headers"]
    assert "path_params" not in scope  # the middleware runs before routing
