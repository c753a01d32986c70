"""Every generated method: the exact wire request, and a strict decode of a recorded answer."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl

import attrs
import pytest

from stytch_async import AsyncStytch
from stytch_async.consumer.types.entities import Attributes, Name, Options
from stytch_async.consumer.types.sessions import AuthorizationCheck
from tests.support.recorded import PROJECT_ID, SECRET, Wire, load_fixture

pytestmark = pytest.mark.anyio

ATTRS = Attributes(ip_address="203.0.113.7", user_agent="Mozilla/5.0")
ATTRS_WIRE = {"ip_address": "203.0.113.7", "user_agent": "Mozilla/5.0"}


@attrs.frozen
class Case:
    accessor: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    http: str
    path: str
    query: dict[str, str] | None = None
    body: dict[str, Any] | None = None

    @property
    def id(self) -> str:
        return self.accessor


CASES = [
    Case(
        "magic_links.authenticate",
        ("DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94=",),
        {
            "attributes": ATTRS,
            "options": Options(ip_match_required=True, user_agent_match_required=False),
            "session_duration_minutes": 60,
            "session_custom_claims": {"plan": "pro"},
            "code_verifier": "e0b1f3c5a9",
        },
        "POST",
        "/v1/magic_links/authenticate",
        body={
            "token": "DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94=",
            "attributes": ATTRS_WIRE,
            "options": {"ip_match_required": True, "user_agent_match_required": False},
            "session_duration_minutes": 60,
            "session_custom_claims": {"plan": "pro"},
            "code_verifier": "e0b1f3c5a9",
        },
    ),
    Case(
        "magic_links.create",
        ("user-test-16d9ba61",),
        {"expiration_minutes": 5},
        "POST",
        "/v1/magic_links",
        body={"user_id": "user-test-16d9ba61", "expiration_minutes": 5},
    ),
    Case(
        "magic_links.email.send",
        ("ada@example.com",),
        {
            "login_magic_link_url": "https://app.example.com/auth",
            "locale": "pt-br",
            "attributes": {"ip_address": "203.0.113.7"},
        },
        "POST",
        "/v1/magic_links/email/send",
        body={
            "email": "ada@example.com",
            "login_magic_link_url": "https://app.example.com/auth",
            "locale": "pt-br",
            "attributes": {"ip_address": "203.0.113.7"},
        },
    ),
    Case(
        "magic_links.email.login_or_create",
        (),
        {
            "email": "ada@example.com",
            "create_user_as_pending": False,
            "code_challenge": "Y2hhbGxlbmdl",
            "signup_expiration_minutes": 10,
        },
        "POST",
        "/v1/magic_links/email/login_or_create",
        body={
            "email": "ada@example.com",
            "create_user_as_pending": False,
            "code_challenge": "Y2hhbGxlbmdl",
            "signup_expiration_minutes": 10,
        },
    ),
    Case(
        "magic_links.email.invite",
        ("grace@example.com",),
        {
            "name": Name(first_name="Grace", last_name="Hopper"),
            "trusted_metadata": {"team": "navy"},
            "invite_expiration_minutes": 1440,
        },
        "POST",
        "/v1/magic_links/email/invite",
        body={
            "email": "grace@example.com",
            "name": {"first_name": "Grace", "last_name": "Hopper"},
            "trusted_metadata": {"team": "navy"},
            "invite_expiration_minutes": 1440,
        },
    ),
    Case(
        "magic_links.email.revoke_invite",
        ("grace@example.com",),
        {},
        "POST",
        "/v1/magic_links/email/revoke_invite",
        body={"email": "grace@example.com"},
    ),
    Case(
        "otps.authenticate",
        ("phone-number-test-d5a3b680", "123456"),
        {"session_duration_minutes": 30, "session_jwt": "eyJ.a.b", "attributes": ATTRS},
        "POST",
        "/v1/otps/authenticate",
        body={
            "method_id": "phone-number-test-d5a3b680",
            "code": "123456",
            "session_duration_minutes": 30,
            "session_jwt": "eyJ.a.b",
            "attributes": ATTRS_WIRE,
        },
    ),
    Case(
        "otps.sms.send",
        ("+12025550162",),
        {"expiration_minutes": 2, "locale": "es", "user_id": "user-test-1"},
        "POST",
        "/v1/otps/sms/send",
        body={
            "phone_number": "+12025550162",
            "expiration_minutes": 2,
            "locale": "es",
            "user_id": "user-test-1",
        },
    ),
    Case(
        "otps.sms.login_or_create",
        ("+12025550162",),
        {"create_user_as_pending": True},
        "POST",
        "/v1/otps/sms/login_or_create",
        body={"phone_number": "+12025550162", "create_user_as_pending": True},
    ),
    Case(
        "otps.whatsapp.send",
        ("+12025550162",),
        {"session_token": "mZAYn5aLEqKU"},
        "POST",
        "/v1/otps/whatsapp/send",
        body={"phone_number": "+12025550162", "session_token": "mZAYn5aLEqKU"},
    ),
    Case(
        "otps.whatsapp.login_or_create",
        ("+12025550162",),
        {"expiration_minutes": 5, "locale": "fr"},
        "POST",
        "/v1/otps/whatsapp/login_or_create",
        body={"phone_number": "+12025550162", "expiration_minutes": 5, "locale": "fr"},
    ),
    Case(
        "otps.email.send",
        ("ada@example.com",),
        {"login_template_id": "tmpl-login", "signup_template_id": "tmpl-signup"},
        "POST",
        "/v1/otps/email/send",
        body={
            "email": "ada@example.com",
            "login_template_id": "tmpl-login",
            "signup_template_id": "tmpl-signup",
        },
    ),
    Case(
        "otps.email.login_or_create",
        ("ada@example.com",),
        {"expiration_minutes": 10, "create_user_as_pending": False},
        "POST",
        "/v1/otps/email/login_or_create",
        body={"email": "ada@example.com", "expiration_minutes": 10, "create_user_as_pending": False},
    ),
    Case(
        "sessions.get",
        ("user-test-16d9ba61",),
        {},
        "GET",
        "/v1/sessions",
        query={"user_id": "user-test-16d9ba61"},
    ),
    Case(
        "sessions.authenticate",
        (),
        {
            "session_token": "mZAYn5aLEqKU",
            "session_duration_minutes": 60,
            "authorization_check": AuthorizationCheck(resource_id="documents", action="read"),
        },
        "POST",
        "/v1/sessions/authenticate",
        body={
            "session_token": "mZAYn5aLEqKU",
            "session_duration_minutes": 60,
            "authorization_check": {"resource_id": "documents", "action": "read"},
        },
    ),
    Case(
        "sessions.revoke",
        (),
        {"session_id": "session-test-fe6c042b"},
        "POST",
        "/v1/sessions/revoke",
        body={"session_id": "session-test-fe6c042b"},
    ),
    Case(
        "sessions.migrate",
        ("external-provider-token",),
        {"session_duration_minutes": 60, "telemetry_id": "telemetry-1"},
        "POST",
        "/v1/sessions/migrate",
        body={
            "session_token": "external-provider-token",
            "session_duration_minutes": 60,
            "telemetry_id": "telemetry-1",
        },
    ),
    Case(
        "sessions.exchange_access_token",
        ("connected-app-access-token",),
        {"session_custom_claims": {"source": "cli"}},
        "POST",
        "/v1/sessions/exchange_access_token",
        body={"access_token": "connected-app-access-token", "session_custom_claims": {"source": "cli"}},
    ),
    Case(
        "sessions.attest",
        ("trusted-token-profile-1", "external-jwt"),
        {"session_duration_minutes": 15},
        "POST",
        "/v1/sessions/attest",
        body={
            "profile_id": "trusted-token-profile-1",
            "token": "external-jwt",
            "session_duration_minutes": 15,
        },
    ),
    Case(
        "sessions.get_jwks",
        (PROJECT_ID,),
        {},
        "GET",
        f"/v1/sessions/jwks/{PROJECT_ID}",
        # The official SDK sends GET path parameters in the query string as well.
        query={"project_id": PROJECT_ID},
    ),
]


def resolve(client: AsyncStytch, accessor: str) -> Any:
    target: Any = client
    for part in accessor.split("."):
        target = getattr(target, part)
    return target


def assert_common_headers(wire: Wire, *, has_body: bool) -> None:
    request = wire.last
    expected_auth = "Basic " + base64.b64encode(f"{PROJECT_ID}:{SECRET}".encode()).decode()
    assert request.headers["authorization"] == expected_auth
    assert re.fullmatch(r"stytch-async/\S+ python/3\.\d+ httpx/\S+", request.headers["user-agent"])
    if has_body:
        assert request.headers["content-type"] == "application/json"
    else:
        assert "content-type" not in request.headers
        assert request.content == b""


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
async def test_wire_request_and_strict_decode(stytch: AsyncStytch, wire: Wire, case: Case) -> None:
    fixture = load_fixture(case.accessor)
    wire.reply(fixture["status_code"], fixture)
    result = await resolve(stytch, case.accessor)(*case.args, **case.kwargs)

    request = wire.last
    assert request.method == case.http
    assert request.url.scheme == "https"
    assert request.url.host == "test.stytch.com"
    assert request.url.raw_path.split(b"?")[0].decode() == case.path
    assert dict(parse_qsl(request.url.query.decode())) == (case.query or {})
    if case.body is None:
        assert_common_headers(wire, has_body=False)
    else:
        assert_common_headers(wire, has_body=True)
        assert json.loads(request.content) == case.body

    assert result.request_id == fixture["request_id"]
    assert result.status_code == fixture["status_code"]
    # Every top-level key of the recorded answer landed on the response object.
    for key in fixture:
        assert hasattr(result, key), key


def test_the_seed_surface_is_covered() -> None:
    seed = {e for e in load_spec_keys() if e.split(".")[0] in ("sessions", "magic_links", "otps")}
    assert seed == {c.accessor for c in CASES}


def load_spec_keys() -> set[str]:
    from codegen.generate import load_spec

    return {e.key for e in load_spec().endpoints_of("consumer")}


async def test_optional_parameters_are_left_out(stytch: AsyncStytch, wire: Wire) -> None:
    wire.reply(200, load_fixture("magic_links.email.login_or_create"))
    await stytch.magic_links.email.login_or_create("ada@example.com")
    assert wire.last_json() == {"email": "ada@example.com"}


async def test_nested_objects_leave_out_unset_fields(stytch: AsyncStytch, wire: Wire) -> None:
    wire.reply(200, load_fixture("otps.sms.send"))
    await stytch.otps.sms.send("+12025550162", attributes=Attributes(ip_address="198.51.100.4"))
    assert wire.last_json() == {"phone_number": "+12025550162", "attributes": {"ip_address": "198.51.100.4"}}


async def test_path_parameters_are_percent_encoded(stytch: AsyncStytch, wire: Wire) -> None:
    wire.reply(200, load_fixture("sessions.get_jwks"))
    await stytch.sessions.get_jwks("project-test-a/../b?x=1")
    assert wire.last.url.raw_path.startswith(b"/v1/sessions/jwks/project-test-a%2F..%2Fb%3Fx%3D1?")


async def test_decoded_values_are_typed(stytch: AsyncStytch, wire: Wire) -> None:
    wire.reply(200, load_fixture("sessions.authenticate"))
    result = await stytch.sessions.authenticate(session_token="mZAYn5aLEqKU")
    assert result.session.started_at == datetime(2021, 12, 29, 21, 6, 16, tzinfo=timezone.utc)
    assert result.session.authentication_factors[0].email_factor is not None
    assert result.session.authentication_factors[0].email_factor.email_address == "ada@example.com"
    assert result.user.emails[0].verified is True
    assert result.verdict is not None
    assert result.verdict.granting_roles == ["editor"]
    assert result.session.custom_claims == {"plan": "pro", "org": {"id": 42}}


async def test_response_reprs_hide_credentials(stytch: AsyncStytch, wire: Wire) -> None:
    fixture = load_fixture("sessions.authenticate")
    wire.reply(200, fixture)
    result = await stytch.sessions.authenticate(session_token="mZAYn5aLEqKU")
    text = repr(result)
    assert fixture["session_token"] not in text
    assert fixture["session_jwt"] not in text
    assert "session_token='<hidden>'" in text
    assert fixture["session"]["session_id"] in text


async def test_unknown_enum_values_decode(stytch: AsyncStytch, wire: Wire) -> None:
    fixture = load_fixture("sessions.authenticate")
    factor = {
        **fixture["session"]["authentication_factors"][0],
        "type": "quantum_link",
        "delivery_method": "owl",
    }
    session = {**fixture["session"], "authentication_factors": [factor]}
    wire.reply(200, {**fixture, "session": session})
    result = await stytch.sessions.authenticate(session_token="t")
    assert result.session.authentication_factors[0].type == "quantum_link"
    assert result.session.authentication_factors[0].delivery_method == "owl"
