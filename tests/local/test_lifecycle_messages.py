"""A closed client refuses local checks as it refuses remote calls; refusals say what is known."""

from __future__ import annotations

import pytest

from stytch_async.errors import JwtInvalidError, UsageError
from tests.support.tokens import (
    JWKS_PATH,
    POLICY_PATH,
    FakeStytch,
    make_client,
    registered,
    session_claims,
    signer,
)

pytestmark = pytest.mark.anyio

KEY = signer("jwk-test-primary")
ROTATED = signer("jwk-test-rotated")
CLOSED = "^AsyncStytch is closed; create a new client$"


async def test_local_checks_after_aclose_refuse_even_with_cached_keys() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    session_jwt = KEY.mint(session_claims())
    m2m_jwt = KEY.mint(registered(scope="read:users"))
    check = {"resource_id": "documents", "action": "read"}
    async with http:
        async with client:
            await client.sessions.authenticate_jwt_local(session_jwt, authorization_check=check)
            await client.m2m.authenticate_token(m2m_jwt)
        hits = dict(fake.hits)
        assert hits == {JWKS_PATH: 1, POLICY_PATH: 1}
        with pytest.raises(UsageError, match=CLOSED) as remote:
            await client.sessions.get("user-1")
        with pytest.raises(UsageError, match=CLOSED) as local:
            await client.sessions.authenticate_jwt_local(session_jwt)
        assert str(local.value) == str(remote.value)
        with pytest.raises(UsageError, match=CLOSED):
            await client.sessions.authenticate_jwt_local(session_jwt, authorization_check=check)
        with pytest.raises(UsageError, match=CLOSED):
            await client.m2m.authenticate_token(m2m_jwt, required_scopes=["read:users"])
        with pytest.raises(UsageError, match=CLOSED):
            await client.idp.introspect_access_token_local(m2m_jwt)
        with pytest.raises(UsageError, match=CLOSED):
            await client._local.verify(m2m_jwt, what="token", leeway=0, max_age=None)
        assert dict(fake.hits) == hits


async def test_local_checks_after_aclose_refuse_when_keys_were_never_fetched() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    async with http:
        await client.aclose()
        for _ in range(3):
            with pytest.raises(UsageError, match=CLOSED):
                await client.sessions.authenticate_jwt_local(KEY.mint(session_claims()))
    assert fake.requests == []


# -- an unknown key id within the key-set cooldown ----------------------------------------


async def test_an_unknown_kid_within_the_cooldown_says_when_the_next_fetch_may_happen() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake, jwks_cooldown=30)
    async with http, client:
        await client.sessions.authenticate_jwt_local(KEY.mint(session_claims()))
        fake.signers.append(ROTATED)  # Stytch rotates; our copy is seconds old
        with pytest.raises(JwtInvalidError) as info:
            await client.sessions.authenticate_jwt_local(ROTATED.mint(session_claims()))
    message = info.value.error_message
    assert info.value.reason == "unknown_key"
    assert "does not publish" not in message
    assert "key id 'jwk-test-rotated'" in message
    assert "not in the key set fetched 0s ago" in message
    assert "fetched at most every 30s, next in " in message
    wait = float(message.rpartition("next in ")[2].rstrip("s"))
    assert 29.0 < wait <= 30.0
    assert fake.hits[JWKS_PATH] == 1


async def test_an_unknown_kid_after_a_fresh_fetch_is_not_published() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake, jwks_cooldown=0)
    async with http, client:
        await client.sessions.authenticate_jwt_local(KEY.mint(session_claims()))
        with pytest.raises(JwtInvalidError) as info:
            await client.sessions.authenticate_jwt_local(ROTATED.mint(session_claims()))
    assert fake.hits[JWKS_PATH] == 2  # the unknown kid fetched again, and it is still unknown
    assert info.value.reason == "unknown_key"
    assert "signed by a key this project does not publish (key id 'jwk-test-rotated')" in str(info.value)


async def test_an_unknown_kid_whose_fetch_fails_says_so() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake, jwks_cooldown=0)
    async with http, client:
        await client.sessions.authenticate_jwt_local(KEY.mint(session_claims()))
        fake.jwks_status = 500
        with pytest.raises(JwtInvalidError) as info:
            await client.sessions.authenticate_jwt_local(ROTATED.mint(session_claims()))
    assert "does not publish" not in str(info.value)
    assert "fetching a newer one failed (500 internal_server_error" in str(info.value)
