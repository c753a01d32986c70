"""sessions.authenticate_jwt_local and sessions.authenticate_jwt against generated keys."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import attrs
import httpx
import pytest

from stytch_async import AsyncStytch
from stytch_async.consumer.tokens import SessionWithClaims
from stytch_async.consumer.types.sessions import AuthorizationCheck
from stytch_async.errors import (
    ClientError,
    DecodeError,
    HttpError,
    JwksUnavailableError,
    JwtError,
    JwtExpiredError,
    JwtInvalidError,
    JwtNotYetValidError,
    JwtTooOldError,
    PermissionDeniedError,
    PolicyUnavailableError,
    UsageError,
)
from tests.support.recorded import PROJECT_ID, load_fixture
from tests.support.tokens import (
    AUTHENTICATE_PATH,
    JWKS_PATH,
    POLICY_PATH,
    SESSION_CLAIM,
    SESSION_ID,
    USER_ID,
    FakeStytch,
    Signer,
    b64,
    hs256_with_public_key,
    make_client,
    session_claims,
    signer,
    unsigned,
)

pytestmark = pytest.mark.anyio

KEY = signer("jwk-test-primary")
OTHER = signer("jwk-test-other")


@attrs.frozen
class Plan:
    plan: str
    seats: int


# -- the happy path -------------------------------------------------------------------


async def test_valid_jwt_builds_the_session_with_one_key_fetch() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    async with http, client:
        token = KEY.mint(session_claims())
        session = await client.sessions.authenticate_jwt_local(token)
        again = await client.sessions.authenticate_jwt_local(token)
    assert session == again
    assert session.session_id == SESSION_ID
    assert session.user_id == USER_ID
    assert session.roles == ["stytch_user", "editor"]
    assert session.started_at == datetime(2021, 12, 29, 21, 6, 16, tzinfo=timezone.utc)
    assert session.expires_at == datetime(2021, 12, 29, 22, 6, 16, tzinfo=timezone.utc)
    assert session.attributes is not None
    assert session.attributes.ip_address == "203.0.113.7"
    assert session.authentication_factors[0].type == "magic_link"
    assert session.authentication_factors[0].email_factor is not None
    assert session.custom_claims == {"plan": "pro", "seats": 5}
    # One key set fetch, no API call, whatever the number of checks.
    assert fake.hits == {JWKS_PATH: 1}
    request = fake.requests[0]
    assert request.method == "GET"
    assert str(request.url) == f"https://test.stytch.com{JWKS_PATH}"
    assert request.headers["user-agent"].startswith("stytch-async/")


async def test_expires_at_falls_back_to_exp() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    claims = session_claims()
    del claims[SESSION_CLAIM]["expires_at"]
    async with http, client:
        session = await client.sessions.authenticate_jwt_local(KEY.mint(claims))
    assert session.expires_at == datetime.fromtimestamp(claims["exp"], timezone.utc)


async def test_custom_domain_issuer_and_string_audience_are_accepted() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake, base_url="https://test.stytch.com/")
    async with http, client:
        token = KEY.mint(session_claims(iss="https://test.stytch.com", aud=PROJECT_ID))
        session = await client.sessions.authenticate_jwt_local(token)
    assert session.user_id == USER_ID


async def test_leeway_absorbs_clock_skew() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    now = time.time()
    late = KEY.mint(session_claims(exp=int(now) - 5))
    early = KEY.mint(session_claims(nbf=int(now) + 5, iat=int(now) + 5))
    async with http, client:
        await client.sessions.authenticate_jwt_local(late, leeway=30)
        await client.sessions.authenticate_jwt_local(early, leeway=30)
        with pytest.raises(JwtExpiredError):
            await client.sessions.authenticate_jwt_local(late)
        with pytest.raises(JwtNotYetValidError):
            await client.sessions.authenticate_jwt_local(early)


async def test_max_token_age() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    token = KEY.mint(session_claims(iat=int(time.time()) - 120))
    async with http, client:
        await client.sessions.authenticate_jwt_local(token, max_token_age_seconds=600)
        with pytest.raises(JwtTooOldError, match=r"issued 12\ds ago; at most 60s"):
            await client.sessions.authenticate_jwt_local(token, max_token_age_seconds=60)
        # Zero means "always too old", as in the official SDK.
        fresh = KEY.mint(session_claims())
        with pytest.raises(JwtTooOldError):
            await client.sessions.authenticate_jwt_local(fresh, max_token_age_seconds=0)


# -- refusals ---------------------------------------------------------------------------


def _tampered() -> str:
    token = KEY.mint(session_claims())
    head, _, sig = token.split(".")
    forged = session_claims(sub="user-test-attacker")
    import json

    return f"{head}.{b64(json.dumps(forged).encode())}.{sig}"


def _without(name: str) -> Callable[[], str]:
    def build() -> str:
        claims = session_claims()
        del claims[name]
        return KEY.mint(claims)

    return build


@attrs.frozen
class Refusal:
    name: str
    token: Callable[[], str]
    error: type[JwtError]
    reason: str | None
    # Refused from the header alone, before the key set is needed.
    before_key_lookup: bool = False
    max_age: float | None = None


NOW = time.time()
REFUSALS = [
    Refusal(
        "alg none",
        lambda: unsigned({"alg": "none", "kid": KEY.kid}, session_claims()),
        JwtInvalidError,
        "algorithm",
        True,
    ),
    Refusal(
        "HS256 keyed with the public key",
        lambda: hs256_with_public_key(KEY, session_claims()),
        JwtInvalidError,
        "algorithm",
        True,
    ),
    Refusal(
        "ES256",
        lambda: unsigned({"alg": "ES256", "kid": KEY.kid}, session_claims(), b"sig"),
        JwtInvalidError,
        "algorithm",
        True,
    ),
    Refusal(
        "wrong key under a known kid",
        lambda: Signer(KEY.kid).mint(session_claims()),
        JwtInvalidError,
        "signature",
    ),
    Refusal("tampered payload", _tampered, JwtInvalidError, "signature"),
    Refusal(
        "signature stripped",
        lambda: KEY.mint(session_claims()).rsplit(".", 1)[0] + ".",
        JwtInvalidError,
        "signature",
    ),
    Refusal("expired", lambda: KEY.mint(session_claims(exp=int(NOW) - 60)), JwtExpiredError, None),
    Refusal(
        "not yet valid",
        lambda: KEY.mint(session_claims(nbf=int(NOW) + 3600)),
        JwtNotYetValidError,
        None,
    ),
    Refusal(
        "issued in the future",
        lambda: KEY.mint(session_claims(iat=int(NOW) + 3600)),
        JwtNotYetValidError,
        None,
    ),
    Refusal(
        "too old",
        lambda: KEY.mint(session_claims(iat=int(NOW) - 600)),
        JwtTooOldError,
        None,
        max_age=300,
    ),
    Refusal(
        "wrong iss",
        lambda: KEY.mint(session_claims(iss="stytch.com/project-test-other")),
        JwtInvalidError,
        "issuer",
    ),
    Refusal(
        "wrong aud", lambda: KEY.mint(session_claims(aud=["project-test-other"])), JwtInvalidError, "audience"
    ),
    Refusal("missing exp", _without("exp"), JwtInvalidError, "missing_claim"),
    Refusal("missing iss", _without("iss"), JwtInvalidError, "missing_claim"),
    Refusal("missing nbf", _without("nbf"), JwtInvalidError, "missing_claim"),
    Refusal("missing sub", _without("sub"), JwtInvalidError, "missing_claim"),
    Refusal("not a session JWT", _without(SESSION_CLAIM), JwtInvalidError, "missing_claim"),
    Refusal("exp not a number", lambda: KEY.mint(session_claims(exp="soon")), JwtInvalidError, "malformed"),
    Refusal(
        "oversized",
        lambda: KEY.mint(session_claims(padding="x" * 20_000)),
        JwtInvalidError,
        "too_large",
        True,
    ),
    Refusal("malformed base64", lambda: "eyJhbGciOi!!.e30.c2ln", JwtInvalidError, "malformed", True),
    Refusal("header not JSON", lambda: b64(b"{nope") + ".e30.c2ln", JwtInvalidError, "malformed", True),
    Refusal(
        "two parts", lambda: KEY.mint(session_claims()).rsplit(".", 1)[0], JwtInvalidError, "malformed", True
    ),
    Refusal("empty", lambda: "", JwtInvalidError, "malformed", True),
    Refusal(
        "no kid",
        lambda: unsigned({"alg": "RS256"}, session_claims(), b"sig"),
        JwtInvalidError,
        "malformed",
        True,
    ),
    Refusal(
        "unknown kid",
        lambda: OTHER.mint(session_claims()),
        JwtInvalidError,
        "unknown_key",
    ),
]


@pytest.mark.parametrize("case", REFUSALS, ids=lambda c: c.name)
async def test_refusals(case: Refusal) -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    token = case.token()
    async with http, client:
        with pytest.raises(case.error) as caught:
            await client.sessions.authenticate_jwt_local(token, max_token_age_seconds=case.max_age)
    err = caught.value
    assert isinstance(err, ClientError)
    assert err.status_code == 401
    assert err.request_id is None
    assert err.error_type == case.error.error_type
    if case.reason is not None:
        assert isinstance(err, JwtInvalidError)
        assert err.reason == case.reason
        assert err.error_details == {"reason": case.reason}
    # Nothing but (at most) the one key set fetch went out.
    assert fake.hits == ({} if case.before_key_lookup else {JWKS_PATH: 1})
    # The token never appears in the error.
    if token:
        assert token not in str(err)
        assert token not in repr(err)


def test_error_types_are_stable() -> None:
    assert [
        c.error_type for c in (JwtInvalidError, JwtExpiredError, JwtNotYetValidError, JwtTooOldError)
    ] == [
        "jwt_invalid",
        "jwt_expired",
        "jwt_not_yet_valid",
        "jwt_too_old",
    ]
    assert str(JwtExpiredError("session JWT expired 5s ago")) == "401 jwt_expired: session JWT expired 5s ago"


async def test_bad_arguments_are_usage_errors() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    token = KEY.mint(session_claims())
    async with http, client:
        with pytest.raises(UsageError, match="must be a string"):
            await client.sessions.authenticate_jwt_local(b"bytes")  # type: ignore[arg-type]
        with pytest.raises(UsageError, match="leeway"):
            await client.sessions.authenticate_jwt_local(token, leeway=-1)
        with pytest.raises(UsageError, match="maximum token age"):
            await client.sessions.authenticate_jwt_local(token, max_token_age_seconds="60")  # type: ignore[arg-type]
        with pytest.raises(UsageError, match="authorization_check"):
            await client.sessions.authenticate_jwt_local(token, authorization_check={"resource_id": "x"})
    assert fake.hits == {}


# -- typed custom claims --------------------------------------------------------------


async def test_claims_type_structures_custom_claims() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    async with http, client:
        result = await client.sessions.authenticate_jwt_local(KEY.mint(session_claims()), claims_type=Plan)
    assert isinstance(result, SessionWithClaims)
    assert result.custom_claims == Plan(plan="pro", seats=5)
    assert result.session.user_id == USER_ID


async def test_claims_shape_mismatch_is_a_decode_error() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    async with http, client:
        with pytest.raises(DecodeError, match="custom claims do not fit Plan"):
            await client.sessions.authenticate_jwt_local(
                KEY.mint(session_claims(seats="many")), claims_type=Plan
            )
        missing = session_claims()
        del missing["seats"]
        with pytest.raises(DecodeError, match="seats"):
            await client.sessions.authenticate_jwt_local(KEY.mint(missing), claims_type=Plan)


async def test_session_claim_of_the_wrong_shape_is_a_decode_error() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    bad_roles = session_claims()
    bad_roles[SESSION_CLAIM]["roles"] = "admin"
    bad_factor = session_claims()
    bad_factor[SESSION_CLAIM]["authentication_factors"] = [{"type": "magic_link"}]
    async with http, client:
        with pytest.raises(DecodeError, match="do not fit Session: roles is not a list"):
            await client.sessions.authenticate_jwt_local(KEY.mint(bad_roles))
        with pytest.raises(DecodeError, match=r"do not fit Session: .*delivery_method"):
            await client.sessions.authenticate_jwt_local(KEY.mint(bad_factor))


# -- RBAC on sessions -----------------------------------------------------------------


async def test_authorization_check_allows_and_denies_from_the_cached_policy() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    token = KEY.mint(session_claims())
    async with http, client:
        await client.sessions.authenticate_jwt_local(
            token, authorization_check=AuthorizationCheck(resource_id="documents", action="write")
        )
        await client.sessions.authenticate_jwt_local(
            token, authorization_check={"resource_id": "documents", "action": "read"}
        )
        with pytest.raises(PermissionDeniedError) as caught:
            await client.sessions.authenticate_jwt_local(
                token, authorization_check={"resource_id": "documents", "action": "delete"}
            )
    err = caught.value
    assert (err.status_code, err.error_type) == (403, "permission_denied")
    assert (err.resource_id, err.action) == ("documents", "delete")
    assert "'delete'" in str(err)
    assert "'documents'" in str(err)
    assert fake.hits == {JWKS_PATH: 1, POLICY_PATH: 1}


async def test_policy_never_fetched_is_unavailable_not_denied() -> None:
    fake = FakeStytch(KEY)
    fake.policy_status = 500
    client, http = make_client(fake)
    async with http, client:
        with pytest.raises(PolicyUnavailableError) as caught:
            await client.sessions.authenticate_jwt_local(
                KEY.mint(session_claims()), authorization_check={"resource_id": "documents", "action": "read"}
            )
    assert isinstance(caught.value, HttpError)
    assert isinstance(caught.value.__cause__, ClientError)


# -- authenticate_jwt: local first, Stytch when it may decide differently ----------------


def _remote_answer(body: dict[str, Any]) -> httpx.Response:
    answer = load_fixture("sessions.authenticate")
    answer["session_jwt"] = "eyJ.refreshed.jwt"
    return httpx.Response(200, json=answer)


async def test_authenticate_jwt_stays_local_when_it_can() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    token = KEY.mint(session_claims())
    async with http, client:
        result = await client.sessions.authenticate_jwt(token, claims_type=Plan)
        untyped = await client.sessions.authenticate_jwt(token)
    assert result.verified_locally
    assert result.request_id is None
    assert result.status_code == 200
    assert result.session_jwt == token
    assert result.custom_claims == Plan(plan="pro", seats=5)
    assert untyped.custom_claims == {"plan": "pro", "seats": 5}
    assert result.user is None
    assert fake.api_calls() == 0
    assert token not in repr(result)


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda: KEY.mint(session_claims(exp=int(time.time()) - 60)), id="expired"),
        pytest.param(lambda: OTHER.mint(session_claims()), id="unknown kid"),
    ],
)
async def test_authenticate_jwt_asks_stytch_when_it_may_decide(make_token: Callable[[], str]) -> None:
    fake = FakeStytch(KEY)
    fake.authenticate_reply = _remote_answer
    client, http = make_client(fake)
    token = make_token()
    async with http, client:
        result = await client.sessions.authenticate_jwt(
            token,
            session_custom_claims={"plan": "team"},
            authorization_check={"resource_id": "documents", "action": "read"},
            claims_type=dict,
        )
    assert not result.verified_locally
    assert result.session_jwt == "eyJ.refreshed.jwt"
    assert result.request_id == load_fixture("sessions.authenticate")["request_id"]
    assert result.user is not None
    assert fake.hits[AUTHENTICATE_PATH] == 1
    sent = fake.requests[-1]
    import json

    assert json.loads(sent.content) == {
        "session_jwt": token,
        "session_custom_claims": {"plan": "team"},
        "authorization_check": {"resource_id": "documents", "action": "read"},
    }


async def test_authenticate_jwt_too_old_goes_to_stytch_with_typed_claims() -> None:
    fake = FakeStytch(KEY)
    fake.authenticate_reply = _remote_answer
    client, http = make_client(fake)
    async with http, client:
        result = await client.sessions.authenticate_jwt(
            KEY.mint(session_claims()), max_token_age_seconds=0, claims_type=_OrgClaims
        )
    assert not result.verified_locally
    assert result.custom_claims == _OrgClaims(plan="pro", org={"id": 42})


@attrs.frozen
class _OrgClaims:
    plan: str
    org: dict[str, int]


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda: Signer(KEY.kid).mint(session_claims()), id="forged signature"),
        pytest.param(lambda: KEY.mint(session_claims(aud=["project-test-other"])), id="other project"),
        pytest.param(lambda: unsigned({"alg": "none"}, session_claims()), id="alg none"),
    ],
)
async def test_authenticate_jwt_refuses_forgeries_without_asking(make_token: Callable[[], str]) -> None:
    fake = FakeStytch(KEY)
    fake.authenticate_reply = _remote_answer
    client, http = make_client(fake)
    async with http, client:
        with pytest.raises(JwtInvalidError):
            await client.sessions.authenticate_jwt(make_token())
    assert fake.api_calls() == 0


async def test_authenticate_jwt_falls_back_when_keys_or_policy_are_unavailable() -> None:
    fake = FakeStytch(KEY)
    fake.jwks_status = 503
    fake.authenticate_reply = _remote_answer
    client, http = make_client(fake)
    async with http, client:
        result = await client.sessions.authenticate_jwt(KEY.mint(session_claims()))
        assert not result.verified_locally
        fake.jwks_status = 200
        fake.policy_status = 500
        client._local.jwks.refresher.cooldown = 0
        result = await client.sessions.authenticate_jwt(
            KEY.mint(session_claims()), authorization_check={"resource_id": "documents", "action": "read"}
        )
    assert not result.verified_locally
    assert fake.hits[AUTHENTICATE_PATH] == 2


async def test_authenticate_jwt_denied_locally_is_not_retried_remotely() -> None:
    fake = FakeStytch(KEY)
    fake.authenticate_reply = _remote_answer
    client, http = make_client(fake)
    async with http, client:
        with pytest.raises(PermissionDeniedError):
            await client.sessions.authenticate_jwt(
                KEY.mint(session_claims()),
                authorization_check={"resource_id": "documents", "action": "delete"},
            )
    assert fake.api_calls() == 0


async def test_a_bare_product_object_cannot_check_locally() -> None:
    from stytch_async._core.pipeline import RequestPipeline
    from stytch_async.consumer.resources.sessions import Sessions

    @attrs.frozen
    class PipelineOnly:  # what the engine's Context protocol asks for, and no more
        pipeline: RequestPipeline

    bare = Sessions(PipelineOnly(AsyncStytch(PROJECT_ID, "s")._pipeline))
    with pytest.raises(UsageError, match="need a product object"):
        await bare.authenticate_jwt_local("a.b.c")


async def test_unavailable_key_set_is_an_http_error() -> None:
    fake = FakeStytch(KEY)
    fake.jwks_status = 500
    client, http = make_client(fake)
    async with http, client:
        with pytest.raises(JwksUnavailableError, match="key set has never been fetched") as caught:
            await client.sessions.authenticate_jwt_local(KEY.mint(session_claims()))
    assert isinstance(caught.value, HttpError)
    assert not isinstance(caught.value, ClientError)
    assert caught.value.error_type == "jwks_unavailable"
    assert isinstance(caught.value.__cause__, ClientError)
    assert caught.value.__cause__.status_code == 500


async def test_signed_payload_that_is_not_json_is_malformed() -> None:
    from joserfc import jws

    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    token = jws.serialize_compact({"alg": "RS256", "kid": KEY.kid}, b"not json", KEY.key)
    array_header = b64(b"[1]") + ".e30.c2ln"
    async with http, client:
        with pytest.raises(JwtInvalidError) as caught:
            await client.sessions.authenticate_jwt_local(token)
        assert caught.value.reason == "malformed"
        with pytest.raises(JwtInvalidError, match="header is not a JSON object"):
            await client.sessions.authenticate_jwt_local(array_header)


async def test_claims_type_that_cattrs_cannot_build_is_a_usage_error() -> None:
    class Plain:
        pass

    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    async with http, client:
        with pytest.raises(UsageError, match="claims_type"):
            await client.sessions.authenticate_jwt_local(KEY.mint(session_claims()), claims_type=Plain)


async def test_a_policy_answer_without_policy_counts_as_unavailable() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    client._local.policy._fetch_response = _no_policy
    async with http, client:
        with pytest.raises(PolicyUnavailableError) as caught:
            await client.sessions.authenticate_jwt_local(
                KEY.mint(session_claims()), authorization_check={"resource_id": "documents", "action": "read"}
            )
    assert isinstance(caught.value.__cause__, DecodeError)
    assert "without a policy" in str(caught.value.__cause__)


async def _no_policy() -> Any:
    from stytch_async.consumer.types.rbac import PolicyResponse

    return PolicyResponse(request_id="request-id-test-1", status_code=200, policy=None)
