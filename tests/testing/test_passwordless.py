"""End to end through ``AsyncStytch``: magic links, one-time passcodes and sessions."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import attrs
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from stytch_async import AsyncStytch, ClientError
from stytch_async.errors import JwtExpiredError
from stytch_async.testing import FakeStytch

pytestmark = pytest.mark.anyio

EMAIL = "ada@example.com"
PHONE = "+12025550162"


async def error_of(call: Any) -> tuple[int, str | None]:
    with pytest.raises(ClientError) as info:
        await call
    return info.value.status_code, info.value.error_type


async def login(fake: FakeStytch, stytch: AsyncStytch, minutes: int = 60, **options: Any) -> Any:
    await stytch.magic_links.email.login_or_create(EMAIL)
    token = fake.outbox.last(email=EMAIL).token
    assert token is not None
    return await stytch.magic_links.authenticate(token, session_duration_minutes=minutes, **options)


async def verify(stytch: AsyncStytch, fake: FakeStytch, token: str) -> dict[str, Any]:
    jwks = await stytch.sessions.get_jwks(fake.project_id)
    keys = KeySet.import_key_set({"keys": [attrs.asdict(k) for k in jwks.keys]})
    return dict(jwt.decode(token, keys, algorithms=["RS256"]).claims)


# -- magic links ---------------------------------------------------------------------------


async def test_login_or_create_then_authenticate(fake: FakeStytch, stytch: AsyncStytch) -> None:
    sent = await stytch.magic_links.email.login_or_create(
        EMAIL,
        login_magic_link_url="https://app.example/login",
        signup_magic_link_url="https://app.example/signup",
    )
    assert sent.user_created
    message = fake.outbox.last(email=EMAIL)
    assert (message.kind, message.user_id, message.method_id) == ("magic_link", sent.user_id, sent.email_id)
    assert message.url == f"https://app.example/signup?stytch_token_type=magic_links&token={message.token}"
    assert (message.expires_at - message.sent_at).total_seconds() == pytest.approx(3600, abs=1)
    auth = await stytch.magic_links.authenticate(message.token or "", session_duration_minutes=60)
    assert (auth.user_id, auth.method_id, auth.reset_sessions) == (sent.user_id, sent.email_id, False)
    assert auth.user.status == "active"
    assert auth.user.emails[0].verified
    assert auth.session is not None
    assert auth.session.expires_at is not None
    assert auth.session.started_at is not None
    assert (auth.session.expires_at - auth.session.started_at).total_seconds() == 3600
    factor = auth.session.authentication_factors[0]
    assert (factor.type, factor.delivery_method) == ("magic_link", "email")
    assert factor.email_factor is not None
    assert factor.email_factor.email_address == EMAIL
    assert auth.session.roles == ["stytch_user"]
    assert len(auth.session_token) == 44

    again = await stytch.magic_links.email.login_or_create(EMAIL)
    assert (again.user_created, again.user_id) == (False, sent.user_id)
    assert fake.outbox.last(email=EMAIL).url.startswith("http://localhost:3000/authenticate?")  # type: ignore[union-attr]


async def test_a_magic_link_works_once(fake: FakeStytch, stytch: AsyncStytch) -> None:
    await login(fake, stytch)
    token = fake.outbox.last().token or ""
    assert await error_of(stytch.magic_links.authenticate(token)) == (401, "unable_to_auth_magic_link")
    assert await error_of(stytch.magic_links.authenticate("no-such-token")) == (404, "magic_link_not_found")


async def test_a_magic_link_expires(fake: FakeStytch, stytch: AsyncStytch) -> None:
    await stytch.magic_links.email.login_or_create(EMAIL, signup_expiration_minutes=5)
    token = fake.outbox.last().token or ""
    fake.clock.advance(minutes=5, seconds=1)
    assert await error_of(stytch.magic_links.authenticate(token)) == (401, "unable_to_auth_magic_link")
    assert await error_of(stytch.magic_links.email.login_or_create(EMAIL, login_expiration_minutes=4)) == (
        400,
        "invalid_expiration",
    )


async def test_without_a_duration_no_session_is_made(fake: FakeStytch, stytch: AsyncStytch) -> None:
    await stytch.magic_links.email.login_or_create(EMAIL)
    auth = await stytch.magic_links.authenticate(fake.outbox.last().token or "")
    assert (auth.session, auth.session_token, auth.session_jwt) == (None, "", "")


@pytest.mark.parametrize("minutes", [4, 527_041, -1])
async def test_a_bad_session_duration_is_refused_and_the_link_kept(
    fake: FakeStytch, stytch: AsyncStytch, minutes: int
) -> None:
    await stytch.magic_links.email.login_or_create(EMAIL)
    token = fake.outbox.last().token or ""
    refused = stytch.magic_links.authenticate(token, session_duration_minutes=minutes)
    assert await error_of(refused) == (400, "invalid_session_duration_minutes")
    assert (await stytch.magic_links.authenticate(token, session_duration_minutes=5)).session is not None


async def test_pkce(fake: FakeStytch, stytch: AsyncStytch) -> None:
    verifier = "a-long-random-verifier-string-0123456789-abcdefg"
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    await stytch.magic_links.email.login_or_create(EMAIL, code_challenge=challenge)
    token = fake.outbox.last().token or ""
    assert await error_of(stytch.magic_links.authenticate(token)) == (400, "pkce_expected_code_verifier")
    wrong = stytch.magic_links.authenticate(token, code_verifier="not-it")
    assert await error_of(wrong) == (400, "pkce_mismatch")
    assert (await stytch.magic_links.authenticate(token, code_verifier=verifier)).user_id
    await stytch.magic_links.email.send(EMAIL)
    plain = fake.outbox.last().token or ""
    unexpected = stytch.magic_links.authenticate(plain, code_verifier=verifier)
    assert await error_of(unexpected) == (400, "pkce_did_not_expect_code_verifier")


async def test_send_needs_a_known_email_or_adds_one_to_a_session_user(
    fake: FakeStytch, stytch: AsyncStytch
) -> None:
    assert await error_of(stytch.magic_links.email.send("nobody@example.com")) == (404, "email_not_found")
    assert await error_of(stytch.magic_links.email.send("not-an-email")) == (400, "invalid_email")
    auth = await login(fake, stytch)
    added = await stytch.magic_links.email.send("work@example.com", session_token=auth.session_token)
    assert added.user_id == auth.user_id
    user = await stytch.users.get(auth.user_id)
    assert [(e.email, e.verified) for e in user.emails] == [(EMAIL, True), ("work@example.com", False)]
    again = await stytch.magic_links.authenticate(
        fake.outbox.last().token or "", session_token=auth.session_token
    )
    assert again.session is not None
    assert [f.email_factor.email_address for f in again.session.authentication_factors if f.email_factor] == [
        EMAIL,
        "work@example.com",
    ]


async def test_invite_creates_a_pending_user_until_the_link_is_used(
    fake: FakeStytch, stytch: AsyncStytch
) -> None:
    invited = await stytch.magic_links.email.invite(
        EMAIL, name={"first_name": "Ada"}, untrusted_metadata={"a": 1}
    )
    user = await stytch.users.get(invited.user_id)
    assert (user.status, user.name.first_name if user.name else None, user.untrusted_metadata) == (
        "pending",
        "Ada",
        {"a": 1},
    )
    message = fake.outbox.last(email=EMAIL, kind="invite")
    assert (message.expires_at - message.sent_at).days == 7
    await stytch.magic_links.authenticate(message.token or "")
    assert (await stytch.users.get(invited.user_id)).status == "active"
    assert await error_of(stytch.magic_links.email.invite(EMAIL)) == (400, "duplicate_email")


async def test_revoke_invite_voids_the_link(fake: FakeStytch, stytch: AsyncStytch) -> None:
    await stytch.magic_links.email.invite(EMAIL)
    token = fake.outbox.last().token or ""
    await stytch.magic_links.email.revoke_invite(EMAIL)
    assert await error_of(stytch.magic_links.authenticate(token)) == (404, "magic_link_not_found")
    assert await error_of(stytch.magic_links.email.revoke_invite("x@example.com")) == (404, "email_not_found")


async def test_embedded_links(stytch: AsyncStytch) -> None:
    user = await stytch.users.create(email=EMAIL)
    created = await stytch.magic_links.create(user.user_id)
    auth = await stytch.magic_links.authenticate(created.token, session_duration_minutes=30)
    assert auth.session is not None
    factor = auth.session.authentication_factors[0]
    assert (factor.type, factor.delivery_method) == ("magic_link", "embedded")
    assert factor.embeddable_magic_link_factor is not None
    assert auth.method_id == factor.embeddable_magic_link_factor.embedded_id
    assert await error_of(stytch.magic_links.create("user-test-missing")) == (404, "user_not_found")
    assert await error_of(stytch.magic_links.create("someone")) == (400, "invalid_user_id")


async def test_options_answer_501_rather_than_being_ignored(fake: FakeStytch, stytch: AsyncStytch) -> None:
    await stytch.magic_links.email.login_or_create(EMAIL)
    token = fake.outbox.last().token or ""
    with pytest.raises(ClientError) as info:
        await stytch.magic_links.authenticate(token, options={"ip_match_required": True})
    assert info.value.status_code == 501
    assert "'options'" in info.value.error_message
    assert (await stytch.magic_links.authenticate(token)).user_id  # the link was not spent


# -- one-time passcodes --------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["sms", "whatsapp"])
async def test_phone_passcodes(fake: FakeStytch, stytch: AsyncStytch, channel: str) -> None:
    product = getattr(stytch.otps, channel)
    created = await product.login_or_create(PHONE, expiration_minutes=5)
    assert created.user_created
    message = fake.outbox.last(phone_number=PHONE)
    assert (message.kind, message.channel, message.method_id) == ("otp", channel, created.phone_id)
    auth = await stytch.otps.authenticate(created.phone_id, message.code or "", session_duration_minutes=15)
    assert auth.method_id == created.phone_id
    assert auth.user.phone_numbers[0].verified
    assert auth.session is not None
    factor = auth.session.authentication_factors[0]
    assert (factor.type, factor.delivery_method) == ("otp", channel)
    assert factor.phone_number_factor is not None
    assert factor.phone_number_factor.phone_number == PHONE
    sent = await product.send(PHONE)
    assert (sent.user_id, sent.phone_id) == (created.user_id, created.phone_id)
    assert await error_of(product.send("+12025550199")) == (404, "phone_number_not_found")
    assert await error_of(product.send("2025550162")) == (400, "invalid_phone_number")


async def test_send_adds_a_new_phone_to_the_named_user(fake: FakeStytch, stytch: AsyncStytch) -> None:
    user = await stytch.users.create(email=EMAIL)
    sent = await stytch.otps.whatsapp.send(PHONE, user_id=user.user_id)
    assert sent.user_id == user.user_id
    added = await stytch.users.get(user.user_id)
    assert [(p.phone_id, p.phone_number, p.verified) for p in added.phone_numbers] == [
        (sent.phone_id, PHONE, False)
    ]
    await stytch.otps.authenticate(sent.phone_id, fake.outbox.last(phone_number=PHONE).code or "")
    assert (await stytch.users.get(user.user_id)).phone_numbers[0].verified
    other = await stytch.users.create()
    assert await error_of(stytch.otps.sms.send(PHONE, user_id=other.user_id)) == (
        400,
        "duplicate_phone_number",
    )


async def test_email_passcodes(fake: FakeStytch, stytch: AsyncStytch) -> None:
    created = await stytch.otps.email.login_or_create(EMAIL)
    code = fake.outbox.last(email=EMAIL).code or ""
    auth = await stytch.otps.authenticate(created.email_id, code)
    assert auth.user.emails[0].verified
    assert auth.session is None
    await stytch.otps.email.send(EMAIL)
    again = await stytch.otps.authenticate(
        created.email_id, fake.outbox.last().code or "", session_duration_minutes=5
    )
    assert again.session is not None
    assert again.session.authentication_factors[0].delivery_method == "email"


async def test_a_passcode_works_once_and_only_the_newest_counts(
    fake: FakeStytch, stytch: AsyncStytch
) -> None:
    created = await stytch.otps.sms.login_or_create(PHONE)
    first = fake.outbox.last().code or ""
    await stytch.otps.sms.send(PHONE)
    second = fake.outbox.last().code or ""
    if first != second:
        assert await error_of(stytch.otps.authenticate(created.phone_id, first)) == (
            401,
            "unable_to_auth_otp_code",
        )
    await stytch.otps.authenticate(created.phone_id, second)
    assert await error_of(stytch.otps.authenticate(created.phone_id, second)) == (
        401,
        "unable_to_auth_otp_code",
    )
    assert await error_of(stytch.otps.authenticate("phone-number-test-x", "123456")) == (
        404,
        "otp_code_not_found",
    )


async def test_a_passcode_expires(fake: FakeStytch, stytch: AsyncStytch) -> None:
    created = await stytch.otps.sms.login_or_create(PHONE)
    fake.clock.advance(minutes=2, seconds=1)
    code = fake.outbox.last().code or ""
    assert await error_of(stytch.otps.authenticate(created.phone_id, code)) == (
        401,
        "unable_to_auth_otp_code",
    )
    assert await error_of(stytch.otps.sms.send(PHONE, expiration_minutes=11)) == (
        400,
        "invalid_expiration_otp",
    )


async def test_five_wrong_tries_void_the_passcode(fake: FakeStytch, stytch: AsyncStytch) -> None:
    created = await stytch.otps.sms.login_or_create(PHONE)
    code = fake.outbox.last().code or ""
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert await error_of(stytch.otps.authenticate(created.phone_id, wrong)) == (
            401,
            "unable_to_auth_otp_code",
        )
    assert await error_of(stytch.otps.authenticate(created.phone_id, code)) == (
        401,
        "unable_to_auth_otp_code",
    )


# -- sessions ------------------------------------------------------------------------------


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
