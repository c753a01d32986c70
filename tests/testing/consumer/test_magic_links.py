"""Magic links end to end through ``AsyncStytch``: send, invite, embedded, PKCE, expiry."""

from __future__ import annotations

import base64
import hashlib

import pytest

from stytch_async import AsyncStytch, ClientError
from stytch_async.testing import FakeStytch
from tests.support.emulator import EMAIL, error_of, login

pytestmark = pytest.mark.anyio


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
