"""The key ring: rotation keeps or withdraws the old key."""

from __future__ import annotations

import base64
import json

import pytest

from stytch_async import AsyncStytch, ClientError
from stytch_async.testing import FakeStytch

pytestmark = pytest.mark.anyio


async def test_key_rotation_keeps_or_withdraws_the_old_key(fake: FakeStytch, stytch: AsyncStytch) -> None:
    await stytch.magic_links.email.login_or_create("ada@example.com")
    token = fake.outbox.last().token
    auth = await stytch.magic_links.authenticate(token or "", session_duration_minutes=30)
    old_kid = fake.key_ids[0]
    new_kid = fake.rotate_keys()
    assert fake.key_ids == [old_kid, new_kid]
    assert [k.kid for k in (await stytch.sessions.get_jwks(fake.project_id)).keys] == [old_kid, new_kid]
    again = await stytch.sessions.authenticate(session_jwt=auth.session_jwt)
    header = json.loads(base64.urlsafe_b64decode(again.session_jwt.split(".")[0] + "=="))
    assert header == {"alg": "RS256", "kid": new_kid, "typ": "JWT"}
    newest = fake.rotate_keys(keep_previous=False)
    assert fake.key_ids == [newest]
    with pytest.raises(ClientError) as info:
        await stytch.sessions.authenticate(session_jwt=auth.session_jwt)
    assert info.value.error_type == "unable_to_parse_session_jwt"
    assert (await stytch.sessions.authenticate(session_token=auth.session_token)).session_jwt
