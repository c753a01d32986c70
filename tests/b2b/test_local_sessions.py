"""B2B sessions.authenticate_jwt_local and sessions.authenticate_jwt: member session JWTs, organization RBAC.

The key set rules (rotation under 100 concurrent checks, cooldown against garbage
key ids, outage with known keys) run for both clients in tests/local/test_jwks.py.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import anyio
import attrs
import httpx
import pytest

from stytch_async._local.rbac import as_check
from stytch_async.b2b.tokens import MemberSessionWithClaims
from stytch_async.b2b.types.sessions import AuthorizationCheck
from stytch_async.errors import (
    ClientError,
    DecodeError,
    JwtExpiredError,
    JwtInvalidError,
    PermissionDeniedError,
    PolicyUnavailableError,
    TenancyMismatchError,
    UsageError,
)
from tests.support.recorded import load_fixture
from tests.support.tokens import (
    B2B_AUTHENTICATE_PATH,
    B2B_JWKS_PATH,
    B2B_POLICY_PATH,
    MEMBER_ID,
    MEMBER_SESSION_ID,
    ORG_ID,
    ORG_POLICY_PREFIX,
    ORG_SLUG,
    ORGANIZATION_CLAIM,
    OTHER_ORG_ID,
    SESSION_CLAIM,
    FakeStytch,
    FakeStytchB2B,
    make_b2b_client,
    make_client,
    member_claims,
    session_claims,
    signer,
    wait_until,
)

pytestmark = pytest.mark.anyio

KEY = signer("jwk-test-primary")
NEXT = signer("jwk-test-next")
OTHER = signer("jwk-test-other")

READ_INVOICES = {"organization_id": ORG_ID, "resource_id": "invoices", "action": "read"}
PAY_INVOICES = {"organization_id": ORG_ID, "resource_id": "invoices", "action": "pay"}
READ_DOCS = {"organization_id": ORG_ID, "resource_id": "documents", "action": "read"}


@attrs.frozen
class Plan:
    plan: str
    seats: int


def member_of(org: str, slug: str) -> dict[str, Any]:
    claims = member_claims()
    claims[ORGANIZATION_CLAIM] = {"organization_id": org, "slug": slug}
    return claims


# -- organization claims --------------------------------------------------------------


async def test_member_session_is_built_from_the_claims() -> None:
    fake = FakeStytchB2B(KEY)
    client, http = make_b2b_client(fake)
    async with http, client:
        token = KEY.mint(member_claims())
        member_session = await client.sessions.authenticate_jwt_local(token)
        again = await client.sessions.authenticate_jwt_local(token)
    assert member_session == again
    assert member_session.member_session_id == MEMBER_SESSION_ID
    assert member_session.member_id == MEMBER_ID
    assert member_session.organization_id == ORG_ID
    assert member_session.organization_slug == ORG_SLUG
    assert member_session.roles == ["stytch_member", "billing_viewer"]
    assert member_session.started_at == datetime(2023, 8, 1, 10, 0, tzinfo=timezone.utc)
    assert member_session.last_accessed_at == datetime(2023, 8, 1, 10, 5, tzinfo=timezone.utc)
    assert member_session.expires_at == datetime(2023, 8, 1, 11, 0, tzinfo=timezone.utc)
    factor = member_session.authentication_factors[0]
    assert factor.type == "otp"
    assert factor.phone_number_factor is not None
    assert factor.phone_number_factor.phone_number == "+15005550006"
    # Reserved, session and organization claims are not custom claims.
    assert member_session.custom_claims == {"plan": "pro", "seats": 5}
    assert fake.hits == {B2B_JWKS_PATH: 1}
    assert str(fake.requests[0].url) == f"https://test.stytch.com{B2B_JWKS_PATH}"


async def test_expires_at_falls_back_to_exp_and_roles_default_to_none() -> None:
    fake = FakeStytchB2B(KEY)
    client, http = make_b2b_client(fake)
    claims = member_claims()
    del claims[SESSION_CLAIM]["expires_at"]
    del claims[SESSION_CLAIM]["roles"]
    async with http, client:
        member_session = await client.sessions.authenticate_jwt_local(KEY.mint(claims))
    assert member_session.expires_at == datetime.fromtimestamp(claims["exp"], timezone.utc)
    assert member_session.roles == []


def _org_claim(value: Any) -> Callable[[], str]:
    def build() -> str:
        claims = member_claims()
        if value is _MISSING:
            del claims[ORGANIZATION_CLAIM]
        else:
            claims[ORGANIZATION_CLAIM] = value
        return KEY.mint(claims)

    return build


_MISSING = object()


@pytest.mark.parametrize(
    ("make_token", "reason", "message"),
    [
        pytest.param(
            lambda: KEY.mint(session_claims()), "missing_claim", "consumer session JWT", id="consumer"
        ),
        pytest.param(_org_claim(_MISSING), "missing_claim", "not a member session JWT", id="no org claim"),
        pytest.param(_org_claim("acme"), "malformed", "not a JSON object", id="org claim a string"),
        pytest.param(_org_claim([ORG_ID]), "malformed", "not a JSON object", id="org claim a list"),
        pytest.param(_org_claim({"slug": ORG_SLUG}), "missing_claim", "'organization_id'", id="no org id"),
        pytest.param(
            _org_claim({"organization_id": 42, "slug": ORG_SLUG}),
            "missing_claim",
            "'organization_id'",
            id="id int",
        ),
        pytest.param(_org_claim({"organization_id": ORG_ID}), "missing_claim", "'slug'", id="no slug"),
    ],
)
async def test_tokens_without_a_sound_organization_claim_are_refused(
    make_token: Callable[[], str], reason: str, message: str
) -> None:
    fake = FakeStytchB2B(KEY)
    fake.authenticate_reply = _remote_answer
    client, http = make_b2b_client(fake)
    token = make_token()
    async with http, client:
        with pytest.raises(JwtInvalidError, match=message) as caught:
            await client.sessions.authenticate_jwt_local(token)
        # authenticate_jwt refuses it too, without asking Stytch.
        with pytest.raises(JwtInvalidError):
            await client.sessions.authenticate_jwt(token)
    err = caught.value
    assert isinstance(err, ClientError)
    assert (err.status_code, err.error_type, err.reason) == (401, "jwt_invalid", reason)
    assert token not in str(err)
    assert fake.api_calls() == 0


async def test_a_member_jwt_is_refused_by_the_consumer_client() -> None:
    fake = FakeStytch(KEY)
    fake.authenticate_reply = lambda body: httpx.Response(500)
    client, http = make_client(fake)
    token = KEY.mint(member_claims())
    async with http, client:
        with pytest.raises(JwtInvalidError, match="B2B member session JWT") as caught:
            await client.sessions.authenticate_jwt_local(token)
        with pytest.raises(JwtInvalidError):
            await client.sessions.authenticate_jwt(token)
    assert caught.value.reason == "wrong_kind"
    assert fake.api_calls() == 0


async def test_roles_claim_of_the_wrong_shape_is_a_decode_error() -> None:
    fake = FakeStytchB2B(KEY)
    client, http = make_b2b_client(fake)
    claims = member_claims()
    claims[SESSION_CLAIM]["roles"] = "stytch_admin"
    async with http, client:
        with pytest.raises(DecodeError, match="do not fit MemberSession: roles is not a list"):
            await client.sessions.authenticate_jwt_local(KEY.mint(claims))


async def test_expiry_leeway_and_max_age_are_the_shared_steps() -> None:
    fake = FakeStytchB2B(KEY)
    client, http = make_b2b_client(fake)
    now = int(time.time())
    late = KEY.mint(member_claims(exp=now - 5))
    async with http, client:
        await client.sessions.authenticate_jwt_local(late, leeway=30)
        with pytest.raises(JwtExpiredError):
            await client.sessions.authenticate_jwt_local(late)
        with pytest.raises(JwtInvalidError) as caught:
            await client.sessions.authenticate_jwt_local(KEY.mint(member_claims(aud=["project-test-other"])))
    assert caught.value.reason == "audience"


async def test_claims_type_structures_custom_claims() -> None:
    fake = FakeStytchB2B(KEY)
    client, http = make_b2b_client(fake)
    async with http, client:
        result = await client.sessions.authenticate_jwt_local(KEY.mint(member_claims()), claims_type=Plan)
        with pytest.raises(DecodeError, match="custom claims do not fit Plan"):
            await client.sessions.authenticate_jwt_local(
                KEY.mint(member_claims(seats="many")), claims_type=Plan
            )
    assert isinstance(result, MemberSessionWithClaims)
    assert result.custom_claims == Plan(plan="pro", seats=5)
    assert result.member_session.organization_id == ORG_ID


# -- RBAC: tenancy, project roles, organization roles -------------------------------------


async def test_tenancy_mismatch_is_refused_before_any_policy_is_read() -> None:
    fake = FakeStytchB2B(KEY)
    client, http = make_b2b_client(fake)
    token = KEY.mint(member_claims())
    async with http, client:
        with pytest.raises(TenancyMismatchError) as caught:
            await client.sessions.authenticate_jwt_local(
                token, authorization_check={**READ_DOCS, "organization_id": OTHER_ORG_ID}
            )
    err = caught.value
    assert isinstance(err, ClientError)
    assert not isinstance(err, PermissionDeniedError)
    assert (err.status_code, err.error_type) == (403, "tenancy_mismatch")
    assert (err.organization_id, err.member_organization_id) == (OTHER_ORG_ID, ORG_ID)
    assert err.error_details == {"organization_id": OTHER_ORG_ID, "member_organization_id": ORG_ID}
    # A member never acts in another organization, whatever its roles: no policy was needed.
    assert fake.hits == {B2B_JWKS_PATH: 1}


async def test_project_roles_allow_without_fetching_the_organization_policy() -> None:
    fake = FakeStytchB2B(KEY)
    client, http = make_b2b_client(fake)
    async with http, client:
        await client.sessions.authenticate_jwt_local(
            KEY.mint(member_claims()),
            authorization_check=AuthorizationCheck(
                organization_id=ORG_ID, resource_id="documents", action="read"
            ),
        )
    assert fake.hits == {B2B_JWKS_PATH: 1, B2B_POLICY_PATH: 1}


async def test_organization_roles_allow_and_deny() -> None:
    fake = FakeStytchB2B(KEY)
    client, http = make_b2b_client(fake)
    token = KEY.mint(member_claims())
    async with http, client:
        # billing_viewer is this organization's own role: it reads invoices...
        await client.sessions.authenticate_jwt_local(token, authorization_check=READ_INVOICES)
        await client.sessions.authenticate_jwt_local(token, authorization_check=READ_INVOICES)
        # ...but does not pay them here (the other organization's billing_viewer does).
        with pytest.raises(PermissionDeniedError) as caught:
            await client.sessions.authenticate_jwt_local(token, authorization_check=PAY_INVOICES)
        other = KEY.mint(member_of(OTHER_ORG_ID, "other"))
        await client.sessions.authenticate_jwt_local(
            other, authorization_check={**PAY_INVOICES, "organization_id": OTHER_ORG_ID}
        )
    err = caught.value
    assert not isinstance(err, TenancyMismatchError)
    assert (err.status_code, err.error_type) == (403, "permission_denied")
    assert (err.organization_id, err.resource_id, err.action) == (ORG_ID, "invoices", "pay")
    assert "in organization" in str(err)
    # Each organization's roles were fetched once and cached.
    assert fake.org_hits(ORG_ID) == 1
    assert fake.org_hits(OTHER_ORG_ID) == 1
    assert fake.hits[B2B_POLICY_PATH] == 1


async def test_a_member_with_project_roles_only_is_denied_without_the_organization_policy() -> None:
    fake = FakeStytchB2B(KEY)
    client, http = make_b2b_client(fake)
    claims = member_claims()
    claims[SESSION_CLAIM]["roles"] = ["stytch_member"]
    async with http, client:
        with pytest.raises(PermissionDeniedError):
            await client.sessions.authenticate_jwt_local(KEY.mint(claims), authorization_check=READ_INVOICES)
    assert fake.org_hits() == 0


async def test_project_admin_is_allowed_everywhere_in_its_organization() -> None:
    fake = FakeStytchB2B(KEY)
    client, http = make_b2b_client(fake)
    claims = member_claims()
    claims[SESSION_CLAIM]["roles"] = ["stytch_admin"]
    async with http, client:
        for check in (READ_DOCS, PAY_INVOICES, {**READ_DOCS, "action": "delete"}):
            await client.sessions.authenticate_jwt_local(KEY.mint(claims), authorization_check=check)
    assert fake.org_hits() == 0


async def test_checks_need_an_organization_id() -> None:
    fake = FakeStytchB2B(KEY)
    client, http = make_b2b_client(fake)
    async with http, client:
        with pytest.raises(UsageError, match="'organization_id'"):
            await client.sessions.authenticate_jwt_local(
                KEY.mint(member_claims()), authorization_check={"resource_id": "documents", "action": "read"}
            )
    assert fake.hits == {}
    assert as_check(
        AuthorizationCheck(organization_id="o", resource_id="r", action="a"), organization=True
    ) == (
        "r",
        "a",
        "o",
    )


async def test_organization_policy_is_refreshed_in_the_background_and_kept_on_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="stytch_async")
    fake = FakeStytchB2B(KEY)
    client, http = make_b2b_client(fake, jwks_cooldown=0.02)
    client._local.policy.refresher.interval = 0.03
    assert client._local.org_policies is not None
    client._local.org_policies.refreshers.interval = 0.03
    token = KEY.mint(member_claims())
    async with http, client:
        await client.sessions.authenticate_jwt_local(token, authorization_check=READ_INVOICES)
        assert fake.org_hits() == 1
        # The background task keeps it fresh, without any check asking.
        await wait_until(lambda: fake.org_hits() >= 3 and fake.hits[B2B_POLICY_PATH] >= 3)
        # The organization grants billing_viewer payment: the next refresh brings it in.
        fake.org_roles[ORG_ID] = fake.org_roles[OTHER_ORG_ID]
        seen = fake.org_hits()
        await wait_until(lambda: fake.org_hits() >= seen + 1)
        await client.sessions.authenticate_jwt_local(token, authorization_check=PAY_INVOICES)
        # An outage keeps the last good policy deciding.
        fake.org_policy_status = 503
        fake.policy_status = 503
        failed_from = fake.org_hits()
        await wait_until(lambda: fake.org_hits() >= failed_from + 2)
        await client.sessions.authenticate_jwt_local(token, authorization_check=PAY_INVOICES)
    assert client._local.running == 0
    assert fake.hits[B2B_JWKS_PATH] == 1
    failures = [r.getMessage() for r in caplog.records if "keeping the last good copy" in r.getMessage()]
    assert any(m.startswith(f"RBAC organization policy {ORG_ID}") for m in failures)


async def test_an_organization_policy_never_fetched_is_unavailable() -> None:
    fake = FakeStytchB2B(KEY)
    fake.org_policy_status = 500
    client, http = make_b2b_client(fake)
    async with http, client:
        with pytest.raises(PolicyUnavailableError, match=f"organization '{ORG_ID}'") as caught:
            await client.sessions.authenticate_jwt_local(
                KEY.mint(member_claims()), authorization_check=READ_INVOICES
            )
        # The cooldown holds: a second check does not refetch at once.
        with pytest.raises(PolicyUnavailableError):
            await client.sessions.authenticate_jwt_local(
                KEY.mint(member_claims()), authorization_check=READ_INVOICES
            )
    assert caught.value.url == f"https://test.stytch.com{ORG_POLICY_PREFIX}{ORG_ID}"
    assert isinstance(caught.value.__cause__, ClientError)
    assert fake.org_hits() == 1


async def test_many_checks_for_a_new_organization_fetch_its_policy_once() -> None:
    fake = FakeStytchB2B(KEY)
    fake.org_delay = 0.02
    client, http = make_b2b_client(fake)
    token = KEY.mint(member_claims())
    async with http, client:
        await client.sessions.authenticate_jwt_local(token)
        async with anyio.create_task_group() as tg:
            for _ in range(100):
                tg.start_soon(
                    lambda: client.sessions.authenticate_jwt_local(token, authorization_check=READ_INVOICES)
                )
    assert fake.org_hits() == 1


async def test_the_organization_cache_is_bounded() -> None:
    fake = FakeStytchB2B(KEY)
    client, http = make_b2b_client(fake)
    cache = client._local.org_policies
    assert cache is not None
    cache.refreshers.max_keys = 3
    async with http, client:
        for i in range(5):
            org = f"organization-test-{i}"
            fake.org_roles[org] = fake.org_roles[ORG_ID]
            token = KEY.mint(member_of(org, f"o{i}"))
            await client.sessions.authenticate_jwt_local(
                token, authorization_check={**READ_INVOICES, "organization_id": org}
            )
    assert len(cache.refreshers) == 3
    assert fake.org_hits("organization-test-0") == 1


# -- authenticate_jwt: local first, Stytch when it may decide differently ----------------


def _remote_answer(body: dict[str, Any]) -> httpx.Response:
    answer = load_fixture("sessions.authenticate", "b2b")
    answer["session_jwt"] = "eyJ.refreshed.jwt"
    return httpx.Response(200, json=answer)


async def test_authenticate_jwt_stays_local_when_it_can() -> None:
    fake = FakeStytchB2B(KEY)
    client, http = make_b2b_client(fake)
    token = KEY.mint(member_claims())
    async with http, client:
        typed = await client.sessions.authenticate_jwt(
            token, claims_type=Plan, authorization_check=READ_INVOICES
        )
        untyped = await client.sessions.authenticate_jwt(token)
    assert typed.verified_locally
    assert (typed.status_code, typed.request_id, typed.session_jwt) == (200, None, token)
    assert typed.custom_claims == Plan(plan="pro", seats=5)
    assert untyped.custom_claims == {"plan": "pro", "seats": 5}
    assert typed.member_session.organization_slug == ORG_SLUG
    assert (typed.member, typed.organization, typed.verdict) == (None, None, None)
    assert fake.api_calls() == 0
    assert token not in repr(typed)


@pytest.mark.parametrize(
    ("make_token", "setup"),
    [
        pytest.param(lambda: KEY.mint(member_claims(exp=int(time.time()) - 60)), None, id="expired"),
        pytest.param(lambda: OTHER.mint(member_claims()), None, id="unknown kid"),
        pytest.param(
            lambda: KEY.mint(member_claims()),
            lambda fake: setattr(fake, "org_policy_status", 500),
            id="organization policy unavailable",
        ),
    ],
)
async def test_authenticate_jwt_asks_stytch_when_it_may_decide(
    make_token: Callable[[], str], setup: Callable[[FakeStytchB2B], None] | None
) -> None:
    fake = FakeStytchB2B(KEY)
    fake.authenticate_reply = _remote_answer
    if setup is not None:
        setup(fake)
    client, http = make_b2b_client(fake)
    token = make_token()
    async with http, client:
        result = await client.sessions.authenticate_jwt(
            token, session_custom_claims={"plan": "team"}, authorization_check=READ_INVOICES, claims_type=dict
        )
    recorded = load_fixture("sessions.authenticate", "b2b")
    assert not result.verified_locally
    assert result.session_jwt == "eyJ.refreshed.jwt"
    assert result.request_id == recorded["request_id"]
    assert result.member is not None
    assert result.member.member_id == recorded["member"]["member_id"]
    assert result.organization is not None
    assert fake.hits[B2B_AUTHENTICATE_PATH] == 1
    sent = fake.requests[-1]
    assert (sent.method, sent.url.path) == ("POST", B2B_AUTHENTICATE_PATH)
    assert json.loads(sent.content) == {
        "session_jwt": token,
        "session_custom_claims": {"plan": "team"},
        "authorization_check": READ_INVOICES,
    }


@pytest.mark.parametrize(
    ("check", "error"),
    [
        pytest.param({**READ_INVOICES, "organization_id": OTHER_ORG_ID}, TenancyMismatchError, id="tenancy"),
        pytest.param(PAY_INVOICES, PermissionDeniedError, id="denied"),
    ],
)
async def test_authenticate_jwt_refusals_decided_locally_are_final(
    check: dict[str, str], error: type[Exception]
) -> None:
    fake = FakeStytchB2B(KEY)
    fake.authenticate_reply = _remote_answer
    client, http = make_b2b_client(fake)
    async with http, client:
        with pytest.raises(error):
            await client.sessions.authenticate_jwt(KEY.mint(member_claims()), authorization_check=check)
    assert fake.api_calls() == 0


async def test_authenticate_jwt_with_max_age_zero_always_asks_stytch() -> None:
    fake = FakeStytchB2B(KEY)
    fake.authenticate_reply = _remote_answer
    client, http = make_b2b_client(fake)
    async with http, client:
        result = await client.sessions.authenticate_jwt(KEY.mint(member_claims()), max_token_age_seconds=0)
    assert not result.verified_locally
    assert isinstance(result.custom_claims, dict)
