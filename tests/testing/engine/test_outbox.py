"""The outbox."""

from __future__ import annotations

import pytest

from stytch_async import AsyncStytch, UsageError
from stytch_async.testing import FakeStytch, NoMessageError

pytestmark = pytest.mark.anyio


async def test_the_outbox_filters_and_keeps_tokens_out_of_reprs(
    fake: FakeStytch, stytch: AsyncStytch
) -> None:
    with pytest.raises(NoMessageError, match=r"email='ada@example\.com'") as info:
        fake.outbox.last(email="ada@example.com")
    assert isinstance(info.value, UsageError)
    assert isinstance(info.value, LookupError)
    await stytch.magic_links.email.login_or_create("Ada@Example.com")
    await stytch.otps.sms.login_or_create("+12025550162")
    link = fake.outbox.last(email="ADA@example.com")
    code = fake.outbox.last(phone_number="+12025550162")
    assert (link.kind, link.channel, link.code) == ("magic_link", "email", None)
    assert (code.kind, code.channel, code.token) == ("otp", "sms", None)
    assert code.code is not None
    assert len(code.code) == 6
    assert link.token is not None
    assert link.token not in repr(link)
    assert code.code not in repr(code)
    assert [m.kind for m in fake.outbox] == ["magic_link", "otp"]
    assert fake.outbox.all(kind="otp") == [code]
    assert link.to_json()["token"] == link.token
    fake.outbox.clear()
    assert len(fake.outbox) == 0
