"""Passwords end to end: strength policy, authenticate, the three resets."""

from __future__ import annotations

import pytest

from stytch_async import AsyncStytch
from stytch_async.testing import FakeStytch
from tests.support.emulator import STRONG, error_of

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("password", "valid", "score", "breached"),
    [
        ("short1A!", True, 4, False),
        ("abc", False, 0, False),
        ("alllowercase", False, 1, False),
        ("lower-and-symbols", False, 2, False),
        ("Password1!", False, 4, True),
        ("Correct-Horse-9", True, 4, False),
        ("ada-Lovelace-1815", False, 4, False),  # holds the email's local part
    ],
)
async def test_strength_check_scoring(
    stytch: AsyncStytch, password: str, valid: bool, score: int, breached: bool
) -> None:
    result = await stytch.passwords.strength_check(password, email="ada-lovelace@example.com")
    assert (result.valid_password, result.score, result.breached_password) == (valid, score, breached)
    assert result.strength_policy == "luds"
    assert result.feedback is not None
    assert result.feedback.luds_requirements is not None
    assert bool(result.feedback.suggestions) is not valid


async def test_create_and_authenticate(stytch: AsyncStytch) -> None:
    created = await stytch.passwords.create(
        "ada@example.com", STRONG, session_duration_minutes=60, name={"first_name": "Ada"}
    )
    assert created.session is not None
    factor = created.session.authentication_factors[0]
    assert (factor.type, factor.delivery_method) == ("password", "knowledge")
    assert created.user.password is not None
    assert created.email_id == created.user.emails[0].email_id
    auth = await stytch.passwords.authenticate("ADA@example.com", STRONG, session_duration_minutes=5)
    assert auth.user_id == created.user_id
    assert await error_of(stytch.passwords.authenticate("ada@example.com", "wrong")) == (
        401,
        "unauthorized_credentials",
    )
    assert await error_of(stytch.passwords.authenticate("bob@example.com", STRONG)) == (
        404,
        "email_not_found",
    )
    assert await error_of(stytch.passwords.create("ada@example.com", STRONG)) == (400, "duplicate_email")
    assert await error_of(stytch.passwords.create("bob@example.com", "weak")) == (400, "weak_password")
    assert await error_of(stytch.passwords.create("bob@example.com", "password123")) == (
        400,
        "breached_password",
    )
    await stytch.users.create(email="nopass@example.com")
    assert await error_of(stytch.passwords.authenticate("nopass@example.com", STRONG)) == (
        400,
        "no_user_password",
    )


async def test_reset_by_email(fake: FakeStytch, stytch: AsyncStytch) -> None:
    created = await stytch.passwords.create("ada@example.com", STRONG)
    started = await stytch.passwords.email.reset_start(
        "ada@example.com", reset_password_redirect_url="https://app.example/reset"
    )
    assert (started.user_id, started.email_id) == (created.user_id, created.email_id)
    message = fake.outbox.last(kind="password_reset")
    assert message.url == f"https://app.example/reset?stytch_token_type=reset_password&token={message.token}"
    assert (message.expires_at - message.sent_at).total_seconds() == pytest.approx(1800, abs=1)
    token = message.token or ""
    assert await error_of(stytch.passwords.email.reset(token, "weak")) == (400, "weak_password")
    reset = await stytch.passwords.email.reset(token, "New-Secret-42!", session_duration_minutes=30)
    assert reset.user.emails[0].verified
    assert reset.session is not None
    assert await error_of(stytch.passwords.email.reset(token, "Another-One-43!")) == (
        401,
        "unable_to_auth_password_reset_token",
    )
    assert await error_of(stytch.passwords.authenticate("ada@example.com", STRONG)) == (
        401,
        "unauthorized_credentials",
    )
    assert (
        await stytch.passwords.authenticate("ada@example.com", "New-Secret-42!")
    ).user_id == created.user_id
    assert await error_of(stytch.passwords.email.reset_start("bob@example.com")) == (404, "email_not_found")


async def test_reset_by_email_expires(fake: FakeStytch, stytch: AsyncStytch) -> None:
    await stytch.passwords.create("ada@example.com", STRONG)
    await stytch.passwords.email.reset_start("ada@example.com", reset_password_expiration_minutes=10)
    fake.clock.advance(minutes=11)
    expired = stytch.passwords.email.reset(fake.outbox.last().token or "", "New-Secret-42!")
    assert await error_of(expired) == (401, "unable_to_auth_password_reset_token")


async def test_reset_with_the_existing_password(stytch: AsyncStytch) -> None:
    await stytch.passwords.create("ada@example.com", STRONG)
    wrong = stytch.passwords.existing_password.reset("ada@example.com", "nope", "New-Secret-42!")
    assert await error_of(wrong) == (401, "unauthorized_credentials")
    done = await stytch.passwords.existing_password.reset("ada@example.com", STRONG, "New-Secret-42!")
    assert done.session is None
    assert (await stytch.passwords.authenticate("ada@example.com", "New-Secret-42!")).user_id == done.user_id


async def test_reset_with_a_recent_session(fake: FakeStytch, stytch: AsyncStytch) -> None:
    created = await stytch.passwords.create("ada@example.com", STRONG, session_duration_minutes=60)
    done = await stytch.passwords.sessions.reset("New-Secret-42!", session_token=created.session_token)
    assert done.user_id == created.user_id
    assert done.session_token == created.session_token
    fake.clock.advance(minutes=6)
    stale = stytch.passwords.sessions.reset("Newer-Secret-43!", session_token=created.session_token)
    assert await error_of(stale) == (400, "session_too_old_to_reset_password")
    assert await error_of(stytch.passwords.sessions.reset("Newer-Secret-43!")) == (
        400,
        "no_session_arguments",
    )
