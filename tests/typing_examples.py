"""Type-checked, never run: the public API written the way a user writes it (mypy --strict)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs
import httpx

import stytch_async
from stytch_async import AsyncStytch, AsyncStytchB2B, ClientError, StytchError
from stytch_async.b2b.tokens import AuthenticateJWTResponse as B2BAuthenticateJWTResponse
from stytch_async.b2b.tokens import MemberSessionWithClaims
from stytch_async.b2b.types.entities import Member, MemberSession
from stytch_async.b2b.types.sessions import AuthorizationCheck as B2BAuthorizationCheck
from stytch_async.common.tokens import IDPTokenClaims, M2MJWTClaims
from stytch_async.consumer.tokens import SessionWithClaims
from stytch_async.consumer.types.entities import Attributes, Session, User
from stytch_async.consumer.types.magic_links import AuthenticateResponse
from stytch_async.consumer.types.sessions import AuthorizationCheck
from stytch_async.errors import (
    HttpTimeoutError,
    InsufficientScopesError,
    JwksUnavailableError,
    JwtExpiredError,
    PermissionDeniedError,
    RateLimitError,
    TenancyMismatchError,
)
from stytch_async.testing import FakeStytch, LoopbackServer, Message, totp_code


async def login(token: str) -> tuple[User, Session | None]:
    async with AsyncStytch("project-test-1", "secret", timeout=10, max_retries=1) as stytch:
        sent = await stytch.magic_links.email.login_or_create(
            "ada@example.com",
            login_magic_link_url="https://app.example.com/auth",
            locale="pt-br",
            attributes=Attributes(ip_address="203.0.113.7"),
        )
        created: bool = sent.user_created
        _ = created
        result: AuthenticateResponse = await stytch.magic_links.authenticate(
            token, session_duration_minutes=60, attributes={"user_agent": "curl"}, timeout=2.5
        )
        return result.user, result.session


async def check(stytch: AsyncStytch, session_token: str) -> datetime | None:
    try:
        auth = await stytch.sessions.authenticate(
            session_token=session_token,
            authorization_check={"resource_id": "documents", "action": "read"},
        )
    except RateLimitError as err:
        wait: float | None = err.retry_after
        limited_id: str | None = err.headers.get("request-id")
        _ = (wait, limited_id)
        return None
    except ClientError as err:
        code: int = err.status_code
        kind: str | None = err.error_type
        _ = (code, kind)
        return None
    except HttpTimeoutError as err:
        timeout_kind: str | None = err.error_type
        cause: BaseException | None = err.__cause__
        _ = (timeout_kind, cause, err.method, err.url)
        return None
    except StytchError:
        raise
    return auth.session.expires_at


def fake_errors() -> list[StytchError]:
    """Errors a user's own tests raise from a mock; fixed status and type come from the class."""
    fixed: int = RateLimitError.status_code
    expired: str | None = JwtExpiredError.error_type
    _ = (fixed, expired)
    return [
        RateLimitError(retry_after=1.5, error_type="too_many_requests", headers={"Retry-After": "1.5"}),
        ClientError(status_code=404, error_type="user_not_found", request_id="request-id-test-1"),
        HttpTimeoutError("timed out after 2.5s", method="POST", url="https://test.stytch.com/v1/x"),
    ]


async def otp(stytch: AsyncStytch) -> str:
    sent = await stytch.otps.sms.login_or_create("+12025550162", expiration_minutes=2)
    done = await stytch.otps.authenticate(sent.phone_id, "123456", session_jwt="eyJ...")
    return done.session_jwt


async def injected() -> None:
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=50)) as http:
        stytch = AsyncStytch(
            "project-live-1", "secret", http_client=http, base_url="https://login.example.com/api"
        )
        await stytch.sessions.revoke(session_id="session-1")
        await stytch.aclose()


@attrs.frozen
class Plan:
    plan: str
    seats: int


async def local_checks(session_jwt: str, access_token: str) -> tuple[str, int, list[str], str]:
    async with AsyncStytch(
        "project-live-1", "secret", jwks_refresh_interval=300, jwks_cooldown=10, preload_jwks=True
    ) as stytch:
        session: Session = await stytch.sessions.authenticate_jwt_local(
            session_jwt, max_token_age_seconds=300, leeway=5
        )
        typed: SessionWithClaims[Plan] = await stytch.sessions.authenticate_jwt_local(
            session_jwt, claims_type=Plan, authorization_check={"resource_id": "docs", "action": "read"}
        )
        seats: int = typed.custom_claims.seats
        checked = await stytch.sessions.authenticate_jwt(session_jwt, claims_type=Plan)
        plan: Plan = checked.custom_claims
        untyped = await stytch.sessions.authenticate_jwt(session_jwt, session_custom_claims={"a": 1})
        claims: dict[str, Any] = untyped.custom_claims
        local: bool = untyped.verified_locally
        _ = (plan, claims, local)
        try:
            m2m: M2MJWTClaims = await stytch.m2m.authenticate_token(
                access_token, required_scopes=["read:users"], max_token_age=60
            )
        except (JwtExpiredError, InsufficientScopesError) as err:
            return err.error_type or "", 0, [], ""
        except JwksUnavailableError:
            raise
        idp: IDPTokenClaims = await stytch.idp.introspect_access_token_local(
            access_token, authorization_check=AuthorizationCheck(resource_id="docs", action="read")
        )
        return session.user_id, seats, m2m.scopes, idp.subject


async def admin(stytch: AsyncStytch) -> int:
    total = 0
    async for page in stytch.users.search_all(limit=200, query={"operator": "AND", "operands": []}):
        total += len(page.results)
    source = stytch.m2m.token_source("m2m-client-1", "secret", scopes=["read:users"])
    token: str = await source.get()
    _ = token
    created = await stytch.m2m.clients.create(["read:users"], client_name="exporter")
    _ = created.m2m_client.client_id
    verdict = await stytch.fraud.fingerprint.lookup("telemetry-1")
    _ = verdict.verdict.action
    intro = await stytch.idp.introspect_token_network("token", "client-1")
    if intro.active:
        total += 1
    return total


async def offline_test() -> tuple[str, int, list[str]]:
    async with FakeStytch(project_id="project-test-typed") as fake, fake.client() as stytch:
        await stytch.magic_links.email.login_or_create("ada@example.com")
        message: Message = fake.outbox.last(email="ada@example.com", kind="magic_link")
        auth = await stytch.magic_links.authenticate(message.token or "", session_duration_minutes=60)
        fake.clock.advance(minutes=6)
        fake.fail_next("/v1/sessions/authenticate", status=503, retry_after=1)
        kid: str = fake.rotate_keys(keep_previous=True)
        code: str = totp_code("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", fake.clock.now())
        with fake.serve(port=0) as server:
            running: LoopbackServer = server
            _ = (running.url, code)
        fake.reset()
        return kid, len(fake.requests), [auth.user_id, *fake.key_ids]


async def typed_claims(stytch: AsyncStytch, session_token: str) -> str:
    import attrs

    @attrs.frozen
    class Claims:
        plan: str

    result = await stytch.sessions.authenticate_with_claims(Claims, session_token=session_token)
    plan: str = result.custom_claims.plan
    return plan + result.response.session.user_id


async def b2b_member_checks(session_jwt: str, magic_link_token: str, code: str) -> str | None:
    async with AsyncStytchB2B("project-test-1", "secret", preload_jwks=True) as b2b:
        member_session: MemberSession = await b2b.sessions.authenticate_jwt_local(
            session_jwt,
            max_token_age_seconds=300,
            leeway=5,
            authorization_check=B2BAuthorizationCheck(
                organization_id="organization-test-1", resource_id="invoices", action="read"
            ),
        )
        org_id: str = member_session.organization_id
        slug: str = member_session.organization_slug
        typed: MemberSessionWithClaims[Plan] = await b2b.sessions.authenticate_jwt_local(
            session_jwt,
            claims_type=Plan,
            authorization_check={"organization_id": org_id, "resource_id": "invoices", "action": "pay"},
        )
        seats: int = typed.custom_claims.seats
        either: B2BAuthenticateJWTResponse[dict[str, Any]] = await b2b.sessions.authenticate_jwt(session_jwt)
        local: bool = either.verified_locally
        member: Member | None = either.member
        _ = (slug, seats, local, member)
        try:
            await b2b.sessions.authenticate_jwt_local(
                session_jwt,
                authorization_check={
                    "organization_id": "organization-test-2",
                    "resource_id": "r",
                    "action": "a",
                },
            )
        except TenancyMismatchError as err:
            other: str = err.member_organization_id
            _ = other
        except PermissionDeniedError as err:
            in_org: str | None = err.organization_id
            _ = in_org
        first = await b2b.magic_links.authenticate(magic_link_token, session_duration_minutes=60)
        if not first.member_authenticated and first.mfa_required is not None:
            phone: str | None = (
                first.mfa_required.member_options.mfa_phone_number
                if first.mfa_required.member_options is not None
                else None
            )
            _ = phone
            second = await b2b.otps.sms.authenticate(
                first.organization_id,
                first.member_id,
                code,
                intermediate_session_token=first.intermediate_session_token,
            )
            return second.session_jwt
        return first.session_jwt


def as_json_data(result: AuthenticateResponse) -> AuthenticateResponse:
    data: dict[str, Any] = stytch_async.to_dict(result, exclude_none=True)
    text: str = stytch_async.to_json(result, indent=2)
    _ = text
    return stytch_async.from_dict(AuthenticateResponse, data)


async def nested_arguments_as_mappings(stytch: AsyncStytch) -> None:
    """A plain mapping for a nested argument is checked key by key (a generated TypedDict)."""
    await stytch.users.create(email="ada@example.com", name={"first_name": "Ada", "last_name": "Lovelace"})
    await stytch.sessions.authenticate(
        session_token="token", authorization_check={"resource_id": "documents", "action": "read"}
    )
    # A misspelled key is a type error; were it not, this ignore would be unused, which
    # `mypy --strict` (warn_unused_ignores) reports.
    await stytch.users.create(name={"firstname": "Ada"})  # type: ignore[arg-type]
    await stytch.sessions.authenticate_jwt_local(  # type: ignore[call-overload]
        "jwt",
        authorization_check={"resource": "documents", "action": "read"},  # pyright: ignore[reportArgumentType]
    )


async def httpx_over_the_pool() -> AsyncStytch:
    import httpx

    from stytch_async import PoolTransport

    http = httpx.AsyncClient(transport=PoolTransport(max_connections=50), timeout=10)
    return AsyncStytch("project-test-x", "secret-test-x", http_client=http, max_response_size=1 << 20)


async def b2b_web_integrations(request: Any) -> tuple[str, str]:
    """The B2B dependency returns a MemberSession; each API's authorization_check is its own."""
    from fastapi import FastAPI
    from starlette.middleware import Middleware

    from stytch_async.integrations.asgi import StytchB2BMiddleware, StytchMiddleware
    from stytch_async.integrations.fastapi import (
        RequireMemberSession,
        RequireSession,
        get_stytch_b2b,
        stytch_lifespan,
    )

    FastAPI(lifespan=stytch_lifespan(lambda: AsyncStytchB2B("project-test-x", "secret-test-x")))
    check = B2BAuthorizationCheck(organization_id="org", resource_id="invoices", action="read")
    member: MemberSession = await RequireMemberSession(authorization_check=check)(request)
    session: Session = await RequireSession(authorization_check={"resource_id": "d", "action": "r"})(request)
    b2b: AsyncStytchB2B = get_stytch_b2b(request)
    # A consumer check lacks the organization: refused for B2B.
    RequireMemberSession(authorization_check={"resource_id": "d", "action": "r"})  # type: ignore[arg-type]
    Middleware(StytchMiddleware, client=b2b)  # type: ignore[arg-type]  # a B2B client: refused
    Middleware(StytchB2BMiddleware, client=b2b, public_paths=("/public/",), authorization_check=check)
    Middleware(StytchMiddleware, client=lambda: AsyncStytch("project-test-x", "secret-test-x"))
    return member.organization_id, session.user_id


async def b2b_checks_per_request() -> None:
    """A B2B check taken from the request, or in the member's own organization."""
    from starlette.middleware import Middleware
    from starlette.requests import Request

    from stytch_async.integrations.asgi import Scope, StytchB2BMiddleware, StytchMiddleware
    from stytch_async.integrations.base import MemberCheckResult, OwnOrganizationCheck
    from stytch_async.integrations.fastapi import RequireMemberSession, RequireSession

    def tenant_invoices(request: Request) -> MemberCheckResult:
        if request.method == "GET" and request.url.path.endswith("/about"):
            return None
        return {
            "organization_id": request.path_params["organization_id"],
            "resource_id": "invoices",
            "action": "read",
        }

    async def looked_up(request: Request) -> B2BAuthorizationCheck:
        return B2BAuthorizationCheck(
            organization_id="org", resource_id="invoices", action=request.method.lower()
        )

    def from_path(scope: Scope) -> OwnOrganizationCheck | None:
        return (
            None
            if str(scope["path"]).startswith("/public/")
            else OwnOrganizationCheck(resource_id="d", action="r")
        )

    own = OwnOrganizationCheck(resource_id="invoices", action="read")
    RequireMemberSession(authorization_check=tenant_invoices)
    RequireMemberSession(authorization_check=looked_up)
    RequireMemberSession(authorization_check=own)
    RequireMemberSession(
        authorization_check=lambda request: {
            "organization_id": request.path_params["organization_id"],
            "resource_id": "invoices",
            "action": "pay",
        }
    )
    Middleware(StytchB2BMiddleware, client=AsyncStytchB2B("p", "s"), authorization_check=from_path)
    Middleware(StytchB2BMiddleware, client=AsyncStytchB2B("p", "s"), authorization_check=own)
    # Refused: a function returning a consumer check (no organization), a scope function given to
    # FastAPI and a Request function to the middleware, the own-organization check or a function
    # anywhere consumer, and an own-organization check naming an organization.
    RequireMemberSession(authorization_check=lambda request: {"resource_id": "d", "action": "r"})  # type: ignore[arg-type,return-value]
    RequireMemberSession(authorization_check=from_path)  # type: ignore[arg-type]
    Middleware(StytchB2BMiddleware, client=AsyncStytchB2B("p", "s"), authorization_check=tenant_invoices)  # type: ignore[arg-type]
    RequireSession(authorization_check=own)  # type: ignore[arg-type]
    Middleware(StytchMiddleware, client=AsyncStytch("p", "s"), authorization_check=from_path)  # type: ignore[arg-type]
    OwnOrganizationCheck(organization_id="org", resource_id="d", action="r")  # type: ignore[call-arg]
