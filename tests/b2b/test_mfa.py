"""The MFA branch of a B2B login stays typed: a first factor answering ``member_authenticated=False``,
then a second factor completed with the intermediate session token (the flow docs/b2b.md shows)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from stytch_async import AsyncStytchB2B
from stytch_async._core.converter import make_converter
from stytch_async.b2b.types.entities import MemberOptions, MemberSession, MfaRequired, PrimaryRequired
from tests.support.recorded import PROJECT_ID, SECRET, load_fixture

pytestmark = pytest.mark.anyio

IST = "ist-test-4f1b0f7e-1c55-4b5e-9a0e-52a3e7f8d1c2"


def first_factor_needs_mfa() -> dict[str, Any]:
    """``magic_links.authenticate`` as Stytch answers when the organization requires MFA."""
    answer = load_fixture("magic_links.authenticate", "b2b")
    answer.update(
        member_authenticated=False,
        intermediate_session_token=IST,
        session_token="",
        session_jwt="",
        primary_required=None,
    )
    del answer["member_session"]
    return answer


class Stytch:
    """Answers the first factor with the MFA branch and each second factor with a full session."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.sent.append((request.url.path, body))
        if request.url.path == "/v1/b2b/magic_links/authenticate":
            return httpx.Response(200, json=first_factor_needs_mfa())
        key = {
            "/v1/b2b/otps/sms/authenticate": "otps.sms.authenticate",
            "/v1/b2b/totp/authenticate": "totps.authenticate",
        }
        return httpx.Response(200, json=load_fixture(key[request.url.path], "b2b"))


def client_for(stytch: Stytch) -> tuple[AsyncStytchB2B, httpx.AsyncClient]:
    http = httpx.AsyncClient(transport=httpx.MockTransport(stytch))
    client = AsyncStytchB2B(PROJECT_ID, SECRET, http_client=http, max_retries=0)
    # A field the models forgot would fail here rather than pass silently.
    client._pipeline.converter = make_converter(strict=True)
    return client, http


@pytest.mark.parametrize("second_factor", ["sms", "totp"])
async def test_mfa_branch_decodes_and_the_second_factor_uses_the_intermediate_token(
    second_factor: str,
) -> None:
    stytch = Stytch()
    client, http = client_for(stytch)
    async with http, client:
        first = await client.magic_links.authenticate("magic-link-token-test-1", session_duration_minutes=60)
        assert first.member_authenticated is False
        assert first.member_session is None
        assert isinstance(first.mfa_required, MfaRequired)
        assert isinstance(first.mfa_required.member_options, MemberOptions)
        assert first.mfa_required.member_options.mfa_phone_number.startswith("+")
        assert first.primary_required is None
        assert first.intermediate_session_token == IST
        assert IST not in repr(first)  # a credential, hidden like the session token
        if second_factor == "sms":
            second = await client.otps.sms.authenticate(
                first.organization_id, first.member_id, "123456", intermediate_session_token=IST
            )
        else:
            second = await client.totps.authenticate(
                first.organization_id, first.member_id, "123456", intermediate_session_token=IST
            )
    assert isinstance(second.member_session, MemberSession)
    assert second.session_jwt
    path, body = stytch.sent[-1]
    assert path == f"/v1/b2b/{'otps/sms' if second_factor == 'sms' else 'totp'}/authenticate"
    assert body == {
        "organization_id": first.organization_id,
        "member_id": first.member_id,
        "code": "123456",
        "intermediate_session_token": IST,
    }


async def test_primary_required_decodes() -> None:
    answer = load_fixture("sessions.exchange", "b2b")
    answer.update(member_authenticated=False, primary_required={"allowed_auth_methods": ["sso", "password"]})

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=answer)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = AsyncStytchB2B(PROJECT_ID, SECRET, http_client=http)
        client._pipeline.converter = make_converter(strict=True)
        result = await client.sessions.exchange("organization-test-1", session_token="t0k3n-test-1")
    assert result.primary_required == PrimaryRequired(allowed_auth_methods=["sso", "password"])
    assert result.member_authenticated is False
