"""Type-checked, never run: the public API written the way a user writes it (mypy --strict)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs
import httpx

from stytch_async import AsyncStytch, ClientError, StytchError
from stytch_async.errors import InsufficientScopesError, JwksUnavailableError, JwtExpiredError
from stytch_async.magic_links import AuthenticateResponse
from stytch_async.models import Attributes, Session, User
from stytch_async.sessions import AuthorizationCheck
from stytch_async.testing import FakeStytch, LoopbackServer, Message, totp_code
from stytch_async.tokens import IDPTokenClaims, M2MJWTClaims, SessionWithClaims


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
    except ClientError as err:
        code: int = err.status_code
        kind: str | None = err.error_type
        _ = (code, kind)
        return None
    except StytchError:
        raise
    return auth.session.expires_at


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


async def httpx_over_the_pool() -> AsyncStytch:
    import httpx

    from stytch_async import PoolTransport

    http = httpx.AsyncClient(transport=PoolTransport(max_connections=50), timeout=10)
    return AsyncStytch("project-test-x", "secret-test-x", http_client=http, max_response_size=1 << 20)
