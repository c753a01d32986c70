"""Sessions end to end: session JWTs and their claims, refresh, custom claims, list and revoke."""

from __future__ import annotations

import base64
import json
from typing import Any

import attrs
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from stytch_async import AsyncStytch
from stytch_async.errors import JwtExpiredError
from stytch_async.testing import FakeStytch
from tests.support.emulator import EMAIL, PHONE, error_of, login

pytestmark = pytest.mark.anyio


async def verify(stytch: AsyncStytch, fake: FakeStytch, token: str) -> dict[str, Any]:
    jwks = await stytch.sessions.get_jwks(fake.project_id)
    keys = KeySet.import_key_set({"keys": [attrs.asdict(k) for k in jwks.keys]})
    return dict(jwt.decode(token, keys, algorithms=["RS256"]).claims)


async def test_the_session_jwt_carries_stytchs_claims(fake: FakeStytch, stytch: AsyncStytch) -> None:
    auth = await login(fake, stytch, session_custom_claims={"plan": "pro", "org": {"id": 7}})
    claims = await verify(stytch, fake, auth.session_jwt)
    session = claims.pop("https://stytch.com/session")
    assert claims["iss"] == f"stytch.com/{fake.project_id}"
    assert claims["aud"] == [fake.project_id]
    assert claims["sub"] == auth.user_id
    assert claims["exp"] - claims["iat"] == 300
    assert claims["nbf"] == claims["iat"]
    assert (claims["plan"], claims["org"]) == ("pro", {"id": 7})
    assert set(session) == {
        "id",
        "started_at",
        "last_accessed_at",
        "expires_at",
        "attributes",
        "authentication_factors",
        "roles",
    }
    assert auth.session is not None
    assert session["id"] == auth.session.session_id
    assert session["roles"] == ["stytch_user"]
    assert session["authentication_factors"][0]["email_factor"]["email_address"] == EMAIL
    assert auth.session.custom_claims == {"plan": "pro", "org": {"id": 7}}


async def test_authenticate_by_token_or_jwt_and_extend(fake: FakeStytch, stytch: AsyncStytch) -> None:
    auth = await login(fake, stytch, minutes=10)
    by_token = await stytch.sessions.authenticate(session_token=auth.session_token)
    assert auth.session is not None
    assert by_token.session.session_id == auth.session.session_id
    assert by_token.session_token == auth.session_token
    assert by_token.user.user_id == auth.user_id
    fake.clock.advance(minutes=1)
    longer = await stytch.sessions.authenticate(session_jwt=auth.session_jwt, session_duration_minutes=120)
    assert longer.session.expires_at is not None
    assert longer.session.last_accessed_at is not None
    assert (longer.session.expires_at - longer.session.last_accessed_at).total_seconds() == 7200
    claims = await stytch.sessions.authenticate(
        session_token=auth.session_token, session_custom_claims={"a": 1}
    )
    assert claims.session.custom_claims == {"a": 1}
    cleared = await stytch.sessions.authenticate(
        session_token=auth.session_token, session_custom_claims={"a": None}
    )
    assert cleared.session.custom_claims == {}


async def test_an_expired_jwt_is_refreshed_while_the_session_lives(
    fake: FakeStytch, stytch: AsyncStytch
) -> None:
    auth = await login(fake, stytch, minutes=60)
    fake.clock.advance(minutes=10)
    refreshed = await stytch.sessions.authenticate(session_jwt=auth.session_jwt)
    assert refreshed.session_jwt != auth.session_jwt
    old, new = (
        json.loads(base64.urlsafe_b64decode(t.split(".")[1] + "=="))
        for t in (auth.session_jwt, refreshed.session_jwt)
    )
    assert new["exp"] - old["exp"] == pytest.approx(600, abs=2)
    fake.clock.advance(minutes=51)
    assert await error_of(stytch.sessions.authenticate(session_jwt=auth.session_jwt)) == (
        404,
        "session_not_found",
    )
    assert await error_of(stytch.sessions.authenticate(session_token=auth.session_token)) == (
        404,
        "session_not_found",
    )


async def test_the_clients_local_check_accepts_the_emulators_jwts(
    fake: FakeStytch, stytch: AsyncStytch
) -> None:
    auth = await login(fake, stytch, session_custom_claims={"plan": "pro"})
    session = await stytch.sessions.authenticate_jwt_local(auth.session_jwt)
    assert auth.session is not None
    assert (session.session_id, session.user_id) == (auth.session.session_id, auth.user_id)
    assert session.custom_claims == {"plan": "pro"}
    assert session.roles == ["stytch_user"]
    assert session.authentication_factors == auth.session.authentication_factors
    assert [r.path for r in fake.requests].count(f"/v1/sessions/jwks/{fake.project_id}") == 1


async def test_an_expired_jwt_falls_back_to_the_emulator_and_comes_back_fresh(
    fake: FakeStytch, stytch: AsyncStytch
) -> None:
    auth = await login(fake, stytch)
    fake.clock.advance(minutes=6)  # the client's local checks read the same clock
    with pytest.raises(JwtExpiredError):
        await stytch.sessions.authenticate_jwt_local(auth.session_jwt)
    answer = await stytch.sessions.authenticate_jwt(auth.session_jwt)
    assert answer.verified_locally is False
    assert answer.session_jwt != auth.session_jwt
    assert (await stytch.sessions.authenticate_jwt(answer.session_jwt)).verified_locally is True


async def test_bad_jwts_are_refused(fake: FakeStytch, stytch: AsyncStytch) -> None:
    auth = await login(fake, stytch)
    head, body, signature = auth.session_jwt.split(".")
    tampered = f"{head}.{body[:-4]}AAAA.{signature}"
    for token in (tampered, "not.a.jwt", "garbage"):
        assert await error_of(stytch.sessions.authenticate(session_jwt=token)) == (
            400,
            "unable_to_parse_session_jwt",
        )
    other = FakeStytch()
    async with other, other.client() as foreign:
        await foreign.magic_links.email.login_or_create(EMAIL)
        outsider = await foreign.magic_links.authenticate(
            other.outbox.last().token or "", session_duration_minutes=5
        )
    assert await error_of(stytch.sessions.authenticate(session_jwt=outsider.session_jwt)) == (
        400,
        "unable_to_parse_session_jwt",
    )
    assert await error_of(stytch.sessions.authenticate()) == (400, "no_session_arguments")


@pytest.mark.parametrize(
    ("claims", "error_type"),
    [
        ({"sub": "someone"}, "reserved_claims_in_custom_claims"),
        ({"https://stytch.com/session": {}}, "stytch_claims_in_custom_claims"),
        ({"blob": "x" * 5000}, "custom_claims_too_large"),
    ],
)
async def test_custom_claims_rules(
    fake: FakeStytch, stytch: AsyncStytch, claims: dict[str, Any], error_type: str
) -> None:
    auth = await login(fake, stytch)
    refused = stytch.sessions.authenticate(session_token=auth.session_token, session_custom_claims=claims)
    assert await error_of(refused) == (400, error_type)


async def test_authorization_checks_are_not_emulated(fake: FakeStytch, stytch: AsyncStytch) -> None:
    auth = await login(fake, stytch)
    check = {"resource_id": "documents", "action": "read"}
    refused = stytch.sessions.authenticate(session_token=auth.session_token, authorization_check=check)
    assert await error_of(refused) == (501, "emulator_not_implemented")


async def test_list_and_revoke_sessions_each_way(fake: FakeStytch, stytch: AsyncStytch) -> None:
    first = await login(fake, stytch)
    second = await login(fake, stytch)
    third = await login(fake, stytch)
    listed = await stytch.sessions.get(first.user_id)
    assert [s.session_id for s in listed.sessions] == [
        a.session.session_id for a in (first, second, third) if a.session is not None
    ]
    await stytch.sessions.revoke(session_token=first.session_token)
    await stytch.sessions.revoke(session_jwt=second.session_jwt)
    assert third.session is not None
    await stytch.sessions.revoke(session_id=third.session.session_id)
    assert (await stytch.sessions.get(first.user_id)).sessions == []
    assert await error_of(stytch.sessions.revoke(session_token=first.session_token)) == (
        404,
        "session_not_found",
    )
    assert await error_of(stytch.sessions.revoke()) == (400, "no_session_revoke_arguments")
    both = stytch.sessions.revoke(session_id="session-test-1", session_token="t")
    assert await error_of(both) == (400, "too_many_session_revoke_arguments")
    assert await error_of(stytch.sessions.get("user-test-nobody")) == (404, "user_not_found")


async def test_a_session_of_another_user_cannot_take_a_factor(fake: FakeStytch, stytch: AsyncStytch) -> None:
    ada = await login(fake, stytch)
    await stytch.otps.sms.login_or_create(PHONE)
    message = fake.outbox.last(phone_number=PHONE)
    mixed = stytch.otps.authenticate(message.method_id, message.code or "", session_token=ada.session_token)
    assert await error_of(mixed) == (400, "user_id_mismatch")
