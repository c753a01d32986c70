"""TOTPs end to end: real RFC 6238 codes, lapsing registrations, recovery codes."""

from __future__ import annotations

import base64
from urllib.parse import unquote

import pytest

from stytch_async import AsyncStytch
from stytch_async.testing import FakeStytch, totp_code
from tests.support.emulator import error_of

pytestmark = pytest.mark.anyio


pytestmark = pytest.mark.anyio


RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()  # RFC 6238 appendix B, SHA-1


@pytest.mark.parametrize(
    ("at", "code"),
    [(59, "94287082"), (1_111_111_109, "07081804"), (1_234_567_890, "89005924"), (2_000_000_000, "69279037")],
)
def test_codes_match_the_rfc_6238_vectors(at: int, code: str) -> None:
    assert totp_code(RFC_SECRET, at, digits=8) == code
    assert totp_code(RFC_SECRET, at) == code[-6:]


async def test_create_and_authenticate_with_real_codes(fake: FakeStytch, stytch: AsyncStytch) -> None:
    fake.clock.freeze(1_700_000_000)
    user = await stytch.users.create(email="ada@example.com")
    created = await stytch.totps.create(user.user_id)
    assert len(base64.b32decode(created.secret)) == 20
    assert len(created.recovery_codes) == 10
    assert all(len(c) == 14 and c.count("-") == 2 for c in created.recovery_codes)
    assert created.user.totps[0].verified is False
    uri = unquote(created.qr_code.split(",", 1)[1])
    assert uri.startswith("otpauth://totp/")
    assert f"secret={created.secret}" in uri

    code = totp_code(created.secret, fake.clock.now())
    auth = await stytch.totps.authenticate(user.user_id, code, session_duration_minutes=30)
    assert auth.totp_id == created.totp_id
    assert auth.user.totps[0].verified
    assert auth.session is not None
    factor = auth.session.authentication_factors[0]
    assert (factor.type, factor.delivery_method) == ("totp", "authenticator_app")
    assert factor.authenticator_app_factor is not None
    assert factor.authenticator_app_factor.totp_id == created.totp_id

    assert await error_of(stytch.totps.authenticate(user.user_id, code)) == (
        400,
        "totp_code_already_authenticated",
    )
    fake.clock.advance(60)
    late = totp_code(created.secret, fake.clock.now() - 30)  # one step of drift either way is accepted
    assert (await stytch.totps.authenticate(user.user_id, late)).totp_id == created.totp_id
    fake.clock.advance(60)
    early = totp_code(created.secret, fake.clock.now() + 30)
    assert (await stytch.totps.authenticate(user.user_id, early)).totp_id == created.totp_id
    wrong = f"{(int(totp_code(created.secret, fake.clock.now())) + 1) % 10**6:06d}"
    assert await error_of(stytch.totps.authenticate(user.user_id, wrong)) == (
        401,
        "unable_to_authenticate_totp",
    )
    assert await error_of(stytch.totps.authenticate(user.user_id, created.recovery_codes[0])) == (
        400,
        "recovery_code_used_as_totp_code",
    )
    assert await error_of(stytch.totps.create(user.user_id)) == (400, "active_totp_exists")


async def test_a_code_from_far_away_in_time_is_refused(fake: FakeStytch, stytch: AsyncStytch) -> None:
    user = await stytch.users.create()
    created = await stytch.totps.create(user.user_id)
    stale = totp_code(created.secret, fake.clock.now() - 120)
    assert await error_of(stytch.totps.authenticate(user.user_id, stale)) == (
        401,
        "unable_to_authenticate_totp",
    )


async def test_an_unverified_totp_lapses(fake: FakeStytch, stytch: AsyncStytch) -> None:
    user = await stytch.users.create()
    created = await stytch.totps.create(user.user_id, expiration_minutes=5)
    fake.clock.advance(minutes=6)
    late = stytch.totps.authenticate(user.user_id, totp_code(created.secret, fake.clock.now()))
    assert await error_of(late) == (400, "expired_totp")
    assert (await stytch.totps.create(user.user_id)).totp_id != created.totp_id
    assert await error_of(stytch.totps.create(user.user_id, expiration_minutes=2000)) == (
        400,
        "invalid_expiration",
    )


async def test_recovery_codes(fake: FakeStytch, stytch: AsyncStytch) -> None:
    user = await stytch.users.create(email="ada@example.com")
    created = await stytch.totps.create(user.user_id)
    await stytch.totps.authenticate(user.user_id, totp_code(created.secret, fake.clock.now()))
    recovered = await stytch.totps.recover(
        user.user_id, created.recovery_codes[0], session_duration_minutes=10
    )
    assert recovered.totp_id == created.totp_id
    assert recovered.session is not None
    factor = recovered.session.authentication_factors[0]
    assert (factor.type, factor.delivery_method) == ("recovery_codes", "recovery_code")
    assert factor.recovery_code_factor is not None
    again = stytch.totps.recover(user.user_id, created.recovery_codes[0])
    assert await error_of(again) == (401, "unable_to_authenticate_recovery_code")
    assert await error_of(stytch.totps.recover(user.user_id, "123456")) == (
        400,
        "totp_code_used_as_recovery_code",
    )
    left = await stytch.totps.recovery_codes(user.user_id)
    assert left.totps[0].recovery_codes == created.recovery_codes[1:]
    assert await error_of(stytch.totps.recovery_codes("user-test-gone")) == (404, "user_not_found")
    nobody = await stytch.users.create()
    assert await error_of(stytch.totps.authenticate(nobody.user_id, "123456")) == (404, "totp_not_found")


async def test_totp_as_a_second_factor_on_a_magic_link_session(fake: FakeStytch, stytch: AsyncStytch) -> None:
    await stytch.magic_links.email.login_or_create("ada@example.com")
    first = await stytch.magic_links.authenticate(fake.outbox.last().token or "", session_duration_minutes=60)
    created = await stytch.totps.create(first.user_id)
    second = await stytch.totps.authenticate(
        first.user_id, totp_code(created.secret, fake.clock.now()), session_token=first.session_token
    )
    assert second.session is not None
    assert [f.type for f in second.session.authentication_factors] == ["magic_link", "totp"]
    assert second.session_token == first.session_token
