"""One-time passcodes end to end through ``AsyncStytch``: SMS, WhatsApp and email."""

from __future__ import annotations

import pytest

from stytch_async import AsyncStytch
from stytch_async.testing import FakeStytch
from tests.support.emulator import EMAIL, PHONE, error_of

pytestmark = pytest.mark.anyio


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
