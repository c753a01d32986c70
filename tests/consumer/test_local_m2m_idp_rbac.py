"""m2m.authenticate_token, idp.introspect_access_token_local, scope matching and RBAC decisions."""

from __future__ import annotations

import time
from typing import Any

import pytest

from stytch_async._core.converter import CONVERTER
from stytch_async._local.rbac import missing_scopes, parse_scope, roles_allow, scopes_allow
from stytch_async.common.tokens import IDPTokenClaims, M2MJWTClaims
from stytch_async.common.types.entities import Policy
from stytch_async.consumer.types.sessions import AuthorizationCheck
from stytch_async.errors import (
    InsufficientScopesError,
    JwtExpiredError,
    JwtInvalidError,
    JwtTooOldError,
    PermissionDeniedError,
    UsageError,
)
from tests.support.recorded import PROJECT_ID
from tests.support.tokens import (
    JWKS_PATH,
    POLICY,
    POLICY_PATH,
    FakeStytch,
    make_client,
    registered,
    session_claims,
    signer,
    wait_until,
)

pytestmark = pytest.mark.anyio

KEY = signer("jwk-test-primary")
CLIENT_ID = "m2m-client-test-d731954d-dab3-4a2b-bdee-07f3ad1be885"


def m2m_token(scope: str = "read:users write:users", **overrides: Any) -> str:
    claims = registered(sub=CLIENT_ID, scope=scope, tier="gold")
    claims.update(overrides)
    return KEY.mint(claims)


# -- scope matching, as the official SDK (plus errors instead of crashes) ---------------


@pytest.mark.parametrize(
    ("granted", "required", "ok"),
    [
        # The official SDK's verified table.
        (["read:*"], ["read:users"], True),
        (["read:users"], ["read:*"], False),
        (["*"], ["read:users"], False),
        (["*"], ["*"], True),
        (["*:users"], ["read:users"], False),
        (["admin"], ["admin"], True),
        (["admin"], ["admin:users"], False),
        # More of the same rules.
        (["read:users"], ["read:users"], True),
        (["read:users"], ["write:users"], False),
        (["read:users", "write:users"], ["read:users", "write:users"], True),
        (["read:users"], ["read:users", "write:users"], False),
        (["read:*"], ["read:*"], True),
        (["read:*"], ["read"], True),
        (["read:users"], [], True),
        ([], [], True),
        ([], ["read:users"], False),
        # A malformed granted scope grants nothing but does not break the others.
        (["a:b:c", "read:users"], ["read:users"], True),
        (["a:b:c"], ["a:b"], False),
        (["read:"], ["read:users"], False),
    ],
)
def test_scope_table(granted: list[str], required: list[str], ok: bool) -> None:
    assert (missing_scopes(granted, required) == []) is ok


@pytest.mark.parametrize("bad", ["a:b:c", "", ":users", "read:", 7])
def test_a_malformed_required_scope_is_a_usage_error(bad: Any) -> None:
    with pytest.raises(UsageError, match="malformed"):
        missing_scopes(["read:users"], [bad])


def test_required_scopes_as_one_string_is_refused() -> None:
    with pytest.raises(UsageError, match="list of scope strings"):
        missing_scopes(["read:users"], "read:users")


def test_missing_scopes_lists_them_in_order() -> None:
    assert missing_scopes(["read:users"], ["write:users", "read:users", "delete:users"]) == [
        "write:users",
        "delete:users",
    ]
    assert parse_scope("admin") == ("admin", "-")
    assert parse_scope("read:users") == ("read", "users")


# -- RBAC decisions --------------------------------------------------------------------

PARSED = CONVERTER.structure(POLICY, Policy)


@pytest.mark.parametrize(
    ("roles", "resource", "action", "ok"),
    [
        (["stytch_user"], "documents", "read", True),
        (["stytch_user"], "documents", "write", False),
        (["editor"], "documents", "write", True),
        (["stytch_user", "editor"], "documents", "write", True),
        (["admin"], "documents", "delete", True),  # "*" allows every action
        (["admin"], "invoices", "read", False),  # ...on its own resource only
        (["unknown_role"], "documents", "read", False),
        ([], "documents", "read", False),
    ],
)
def test_roles_allow(roles: list[str], resource: str, action: str, ok: bool) -> None:
    assert roles_allow(PARSED, roles, AuthorizationCheck(resource_id=resource, action=action)) is ok


@pytest.mark.parametrize(
    ("scopes", "action", "ok"),
    [
        (["read:docs"], "read", True),
        (["read:docs"], "write", False),
        (["manage:docs"], "delete", True),
        (["openid", "profile"], "read", False),
        ([], "read", False),
    ],
)
def test_scopes_allow(scopes: list[str], action: str, ok: bool) -> None:
    assert scopes_allow(PARSED, scopes, AuthorizationCheck(resource_id="documents", action=action)) is ok


# -- m2m.authenticate_token -----------------------------------------------------------


async def test_m2m_token_accepted_with_scopes_and_custom_claims() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    async with http, client:
        claims = await client.m2m.authenticate_token(m2m_token(), required_scopes=["read:users"])
        again = await client.m2m.authenticate_token(m2m_token(), max_token_age=60)
    assert claims == M2MJWTClaims(
        client_id=CLIENT_ID, scopes=["read:users", "write:users"], custom_claims={"tier": "gold"}
    )
    assert again == claims
    assert fake.hits == {JWKS_PATH: 1}


async def test_m2m_missing_scopes_name_them() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    async with http, client:
        with pytest.raises(InsufficientScopesError) as caught:
            await client.m2m.authenticate_token(
                m2m_token("read:users"), required_scopes=["read:users", "delete:users"]
            )
    err = caught.value
    assert (err.status_code, err.error_type) == (403, "insufficient_scopes")
    assert err.missing_scopes == ["delete:users"]
    assert "'delete:users'" in str(err)


async def test_m2m_malformed_required_scope_fails_before_any_request() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    async with http, client:
        with pytest.raises(UsageError, match="malformed"):
            await client.m2m.authenticate_token(m2m_token(), required_scopes=["read:users:all"])
    assert fake.hits == {}


@pytest.mark.parametrize(
    ("make", "error", "reason"),
    [
        (lambda: KEY.mint(session_claims()), JwtInvalidError, "missing_claim"),  # a session JWT has no scope
        (lambda: m2m_token(scope=["read:users"]), JwtInvalidError, "missing_claim"),
        (lambda: m2m_token(exp=int(time.time()) - 1), JwtExpiredError, None),
        (lambda: m2m_token(aud=["project-test-other"]), JwtInvalidError, "audience"),
        (lambda: m2m_token(iat=int(time.time()) - 3600), JwtTooOldError, None),
    ],
    ids=["session jwt", "scope not a string", "expired", "other project", "too old"],
)
async def test_m2m_refusals(make: Any, error: type[Exception], reason: str | None) -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    async with http, client:
        with pytest.raises(error) as caught:
            await client.m2m.authenticate_token(make(), max_token_age=600)
    if reason is not None:
        assert isinstance(caught.value, JwtInvalidError)
        assert caught.value.reason == reason
    assert fake.hits == {JWKS_PATH: 1}


async def test_m2m_leeway() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    async with http, client:
        late = m2m_token(exp=int(time.time()) - 5)
        assert (await client.m2m.authenticate_token(late, leeway=30)).client_id == CLIENT_ID
        with pytest.raises(JwtExpiredError):
            await client.m2m.authenticate_token(late)


# -- idp.introspect_access_token_local ------------------------------------------------


async def test_idp_access_token_claims() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    now = int(time.time())
    token = KEY.mint(registered(now, scope="openid read:docs", client_id="connected-app-test-1", tier="gold"))
    async with http, client:
        claims = await client.idp.introspect_access_token_local(token)
    assert claims == IDPTokenClaims(
        subject="user-test-16d9ba61-97a1-4ba4-9720-b03761dc50c6",
        scope="openid read:docs",
        audience=[PROJECT_ID],
        expires_at=now + 300,
        issued_at=now,
        issuer=f"stytch.com/{PROJECT_ID}",
        not_before=now,
        token_type="access_token",
        custom_claims={"client_id": "connected-app-test-1", "tier": "gold"},
    )
    assert fake.hits == {JWKS_PATH: 1}


async def test_idp_authorization_check_by_scope() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    token = KEY.mint(registered(scope="openid read:docs"))
    async with http, client:
        await client.idp.introspect_access_token_local(
            token, authorization_check={"resource_id": "documents", "action": "read"}
        )
        with pytest.raises(PermissionDeniedError) as caught:
            await client.idp.introspect_access_token_local(
                token, authorization_check=AuthorizationCheck(resource_id="documents", action="write")
            )
    assert (caught.value.resource_id, caught.value.action) == ("documents", "write")
    assert fake.hits == {JWKS_PATH: 1, POLICY_PATH: 1}


async def test_idp_refuses_a_token_without_scope() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    async with http, client:
        with pytest.raises(JwtInvalidError) as caught:
            await client.idp.introspect_access_token_local(KEY.mint(registered()))
    assert caught.value.reason == "missing_claim"


# -- the policy cache --------------------------------------------------------------------


async def test_policy_is_cached_refreshed_in_the_background_and_kept_on_error() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake, jwks_cooldown=0.02)
    client._local.policy.refresher.interval = 0.03
    token = KEY.mint(session_claims())
    check = {"resource_id": "documents", "action": "read"}
    async with http, client:
        await client.sessions.authenticate_jwt_local(token, authorization_check=check)
        await wait_until(lambda: fake.hits[POLICY_PATH] >= 3)
        fake.policy_status = 500
        failed_from = fake.hits[POLICY_PATH]
        await wait_until(lambda: fake.hits[POLICY_PATH] >= failed_from + 2)
        # Stale if error: the last good policy still decides.
        await client.sessions.authenticate_jwt_local(token, authorization_check=check)
    assert fake.hits[JWKS_PATH] == 1


async def test_network_introspection_with_an_authorization_check() -> None:
    import httpx

    fake = FakeStytch(KEY)
    answers = iter(
        [
            {"active": True, "sub": "user-test-1", "scope": "openid read:docs", "token_type": "access_token"},
            {"active": True, "sub": "user-test-1", "scope": "openid read:docs", "token_type": "access_token"},
            {"active": False},
        ]
    )
    introspect = f"/v1/public/{PROJECT_ID}/oauth2/introspect"

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == introspect:
            fake.hits[introspect] += 1
            return httpx.Response(200, json={"request_id": "request-id-test-1", **next(answers)})
        return await fake(request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        from stytch_async import AsyncStytch

        client = AsyncStytch(PROJECT_ID, "s", http_client=http)
        async with client:
            read = {"resource_id": "documents", "action": "read"}
            answer = await client.idp.introspect_token_network("tok", "client-1", authorization_check=read)
            assert answer.active
            with pytest.raises(PermissionDeniedError):
                await client.idp.introspect_token_network(
                    "tok", "client-1", authorization_check={"resource_id": "documents", "action": "write"}
                )
            # An inactive token is answered as such; there is nothing to authorize.
            inactive = await client.idp.introspect_token_network("tok", "client-1", authorization_check=read)
            assert not inactive.active
    assert fake.hits == {introspect: 3, POLICY_PATH: 1}
