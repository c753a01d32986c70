"""``sessions.authenticate_with_claims``: the remote check with typed custom claims."""

from __future__ import annotations

import attrs
import pytest

from stytch_async import AsyncStytch, DecodeError
from tests.support.recorded import Wire, load_fixture

pytestmark = pytest.mark.anyio


@attrs.frozen
class Org:
    id: int


@attrs.frozen
class Claims:
    plan: str
    org: Org


async def test_claims_are_structured_into_the_callers_class(stytch: AsyncStytch, wire: Wire) -> None:
    fixture = load_fixture("sessions.authenticate")
    wire.reply(200, fixture)
    result = await stytch.sessions.authenticate_with_claims(
        Claims, session_token="mZAYn5aLEqKU", session_duration_minutes=30
    )
    assert result.custom_claims == Claims(plan="pro", org=Org(id=42))
    assert result.response.session.session_id == fixture["session"]["session_id"]
    assert wire.last_json() == {"session_token": "mZAYn5aLEqKU", "session_duration_minutes": 30}


async def test_claims_that_do_not_fit_are_a_decode_error(stytch: AsyncStytch, wire: Wire) -> None:
    fixture = load_fixture("sessions.authenticate")
    session = {**fixture["session"], "custom_claims": {"plan": "pro", "org": {"id": "not-a-number"}}}
    wire.reply(200, {**fixture, "session": session})
    with pytest.raises(DecodeError, match="custom claims do not fit Claims"):
        await stytch.sessions.authenticate_with_claims(Claims, session_token="t")
