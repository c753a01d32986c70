"""The emulator's core: routing and 501s, auth, error JSON, faults, keys, clock, outbox, concurrency."""

from __future__ import annotations

import base64
import json
import threading
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stytch_async import AsyncStytch, ClientError, HttpError, UsageError
from stytch_async.testing import FakeStytch, NoMessageError
from stytch_async.testing._catalog import CONSUMER_ENDPOINTS
from stytch_async.testing._wire import WireRequest
from tests.support.emulator import strict

pytestmark = pytest.mark.anyio

# What the consumer client reaches: the consumer API and the products both clients share.
SPEC = {
    "endpoints": [
        e
        for api in ("common", "consumer")
        for e in json.loads((Path(__file__).parents[2] / "codegen" / "spec" / f"{api}.json").read_text())[
            "endpoints"
        ]
    ]
}

# Every consumer endpoint the emulator answers; all others answer 501.
IMPLEMENTED = {
    "users.create", "users.get", "users.update", "users.delete", "users.search",
    "users.delete_email", "users.delete_phone_number", "users.delete_password", "users.delete_totp",
    "users.delete_external_id", "users.delete_webauthn_registration",
    "users.delete_biometric_registration", "users.delete_crypto_wallet",
    "users.delete_oauth_registration",
    "magic_links.email.login_or_create", "magic_links.email.send", "magic_links.email.invite",
    "magic_links.email.revoke_invite", "magic_links.create", "magic_links.authenticate",
    "otps.sms.send", "otps.sms.login_or_create", "otps.whatsapp.send", "otps.whatsapp.login_or_create",
    "otps.email.send", "otps.email.login_or_create", "otps.authenticate",
    "passwords.create", "passwords.authenticate", "passwords.strength_check",
    "passwords.email.reset_start", "passwords.email.reset", "passwords.existing_password.reset",
    "passwords.sessions.reset",
    "sessions.authenticate", "sessions.get", "sessions.revoke", "sessions.get_jwks",
    "totps.create", "totps.authenticate", "totps.recover", "totps.recovery_codes",
    "m2m.clients.create", "m2m.clients.get", "m2m.clients.update", "m2m.clients.delete",
    "m2m.clients.search", "m2m.clients.secrets.rotate_start", "m2m.clients.secrets.rotate",
    "m2m.clients.secrets.rotate_cancel", "m2m.token",
}  # fmt: skip

ERROR_KEYS = {"status_code", "request_id", "error_type", "error_message", "error_url"}


def concrete(template: str, project_id: str) -> str:
    parts = []
    for segment in template.split("/"):
        if segment == "{project_id}":
            parts.append(project_id)
        elif segment.startswith("{"):
            parts.append(segment[1:-1].replace("_", "-") + "-test-00000000")
        else:
            parts.append(segment)
    return "/".join(parts)


def auth(fake: FakeStytch) -> dict[str, str]:
    token = base64.b64encode(f"{fake.project_id}:{fake.secret}".encode()).decode()
    return {"authorization": f"Basic {token}", "content-type": "application/json"}


def ask(fake: FakeStytch, method: str, path: str, body: Any = None, **headers: str) -> tuple[int, Any]:
    raw = b"" if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
    answer = fake.handle(WireRequest(method, path, {}, {**auth(fake), **headers}, raw))
    return answer.status, answer.payload


def test_the_catalog_lists_exactly_the_spec_endpoints() -> None:
    from_spec = {(e["http"], e["path"], f"{e['product']}.{e['method']}") for e in SPEC["endpoints"]}
    assert set(CONSUMER_ENDPOINTS) == from_spec
    assert len(CONSUMER_ENDPOINTS) == 89


def test_every_other_consumer_endpoint_answers_501_naming_it() -> None:
    fake = FakeStytch()
    answered, refused = set(), set()
    for method, template, name in CONSUMER_ENDPOINTS:
        status, payload = ask(fake, method, concrete(template, fake.project_id), {})
        if status == 501:
            assert payload["error_type"] == "emulator_not_implemented"
            assert f"{method} " in payload["error_message"]
            assert f"({name})" in payload["error_message"]
            assert set(payload) == ERROR_KEYS
            refused.add(name)
        else:
            answered.add(name)
    assert answered == IMPLEMENTED
    assert len(refused) == 89 - len(IMPLEMENTED)
    assert {"webauthn.register", "oauth.authenticate", "idp.oauth.authorize", "fraud.email.risk"} <= refused


def test_a_path_outside_the_consumer_api_answers_501_too() -> None:
    fake = FakeStytch()
    status, payload = ask(fake, "GET", "/v1/b2b/organizations/org-1")
    assert status == 501
    assert "not an endpoint of Stytch's consumer API" in payload["error_message"]


async def test_unimplemented_endpoint_reaches_the_client_as_a_client_error(stytch: AsyncStytch) -> None:
    with pytest.raises(ClientError) as info:
        await stytch.webauthn.register_start("user-test-1", "example.com")
    assert info.value.status_code == 501
    assert "webauthn.register_start" in info.value.error_message


async def test_wrong_secret_is_refused_with_stytchs_401(fake: FakeStytch) -> None:
    async with strict(
        AsyncStytch(fake.project_id, "secret-test-wrong", http_client=fake.http_client())
    ) as bad:
        with pytest.raises(ClientError) as info:
            await bad.users.get("user-test-1")
    assert (info.value.status_code, info.value.error_type) == (401, "unauthorized_credentials")
    assert info.value.error_url == "https://stytch.com/docs/api/errors/401#unauthorized_credentials"
    status, _ = ask(fake, "GET", "/v1/users/user-test-1", authorization="")
    assert status == 401


def test_the_jwks_needs_no_credentials_but_the_right_project() -> None:
    fake = FakeStytch()
    answer = fake.handle(WireRequest("GET", f"/v1/sessions/jwks/{fake.project_id}"))
    assert answer.status == 200
    assert [k["kid"] for k in answer.payload["keys"]] == fake.key_ids
    assert answer.payload["keys"] == fake.jwks()["keys"]
    status, payload = ask(fake, "GET", "/v1/sessions/jwks/project-test-other")
    assert (status, payload["error_type"]) == (404, "project_not_found")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        ({"email": 42}, "Email format is invalid"),
        ({"email": "ada@example.com", "login_expiration_minutes": "soon"}, "must be a whole number"),
        ({"email": "ada@example.com", "create_user_as_pending": "yes"}, "must be true or false"),
    ],
)
def test_bad_bodies_get_stytchs_400(body: Any, message: str) -> None:
    fake = FakeStytch()
    status, payload = ask(fake, "POST", "/v1/magic_links/email/login_or_create", body)
    assert status == 400
    assert message in payload["error_message"]
    assert set(payload) == ERROR_KEYS
    assert fake.outbox.all() == []


def test_missing_required_fields_name_the_field() -> None:
    fake = FakeStytch()
    status, payload = ask(fake, "POST", "/v1/magic_links/authenticate", {})
    assert (status, payload["error_type"]) == (400, "bad_request")
    assert payload["error_message"] == "token is a required field."


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)
_FIELDS = sorted({p["name"] for e in SPEC["endpoints"] for p in e.get("body_params", [])})
_ROUTES = [(m, t) for m, t, name in CONSUMER_ENDPOINTS if name in IMPLEMENTED]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    route=st.sampled_from(_ROUTES),
    body=st.dictionaries(st.sampled_from(_FIELDS) | st.text(max_size=8), _JSON, max_size=6),
    segment=st.text(min_size=1, max_size=12).filter(lambda s: "/" not in s and s not in (".", "..")),
)
def test_no_input_makes_the_emulator_answer_500(
    route: tuple[str, str], body: dict[str, Any], segment: str
) -> None:
    fake = _FUZZ_FAKE
    method, template = route
    path = "/".join(
        (fake.project_id if s == "{project_id}" else segment) if s.startswith("{") else s
        for s in template.split("/")
    )
    status, payload = ask(fake, method, path, body)
    assert status in (200, 400, 401, 404, 501), payload
    assert "status_code" in payload
    assert "request_id" in payload


_FUZZ_FAKE = FakeStytch()


async def test_a_503_with_retry_after_is_retried_and_then_succeeds(
    fake: FakeStytch, stytch: AsyncStytch
) -> None:
    fake.fail_next("/v1/magic_links/email/login_or_create", status=503, retry_after=0)
    sent = await stytch.magic_links.email.login_or_create("ada@example.com")
    assert sent.user_created
    assert [(r.path, r.status) for r in fake.requests] == [
        ("/v1/magic_links/email/login_or_create", 503),
        ("/v1/magic_links/email/login_or_create", 200),
    ]
    assert len(fake.outbox) == 1


async def test_injected_errors_carry_stytchs_json_and_retry_after(fake: FakeStytch) -> None:
    fake.fail_next("*", status=429, retry_after=2, method="get")
    status, payload = ask(fake, "POST", "/v1/users", {"email": "a@example.com"})
    assert status == 200
    answer = fake.handle(WireRequest("GET", f"/v1/sessions/jwks/{fake.project_id}"))
    assert (answer.status, answer.payload["error_type"], answer.headers) == (
        429,
        "too_many_requests",
        {"Retry-After": "2"},
    )
    fake.fail_next("/v1/users", status=418)
    status, payload = ask(fake, "POST", "/v1/users", {"email": "b@example.com"})
    assert (status, payload["error_type"]) == (418, "emulator_injected_fault")


async def test_a_500_on_a_post_is_not_replayed(fake: FakeStytch, stytch: AsyncStytch) -> None:
    fake.fail_next("/v1/otps/sms/send", status=500)
    with pytest.raises(ClientError) as info:
        await stytch.otps.sms.send("+12025550162")
    assert info.value.error_type == "internal_server_error"
    assert len(fake.requests) == 1


async def test_a_dropped_connection_is_an_http_error_and_gets_are_retried(
    fake: FakeStytch, stytch: AsyncStytch
) -> None:
    fake.fail_next("/v1/magic_links/email/login_or_create", disconnect=True)
    with pytest.raises(HttpError, match="RemoteProtocolError"):
        await stytch.magic_links.email.login_or_create("ada@example.com")
    fake.fail_next(f"/v1/sessions/jwks/{fake.project_id}", disconnect=True, times=2)
    jwks = await stytch.sessions.get_jwks(fake.project_id)
    assert len(jwks.keys) == 1
    assert [r.status for r in fake.requests] == [0, 0, 0, 200]


@pytest.mark.parametrize(
    ("path", "options", "message"),
    [
        ("v1/users", {}, "starting with '/'"),
        ("/v1/users", {"status": 200}, "HTTP error status"),
        ("/v1/users", {"times": 0}, "times"),
        ("/v1/users", {"retry_after": -1}, "retry_after"),
    ],
)
def test_fail_next_checks_its_arguments(path: str, options: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        FakeStytch().fail_next(path, **options)


async def test_reset_forgets_everything_but_the_keys(fake: FakeStytch, stytch: AsyncStytch) -> None:
    kids = fake.key_ids
    sent = await stytch.magic_links.email.login_or_create("ada@example.com")
    fake.fail_next("/v1/users/search", status=503, times=5)
    fake.clock.advance(hours=3)
    fake.reset()
    assert (len(fake.outbox), fake.requests, fake.key_ids) == (0, [], kids)
    assert abs(fake.clock.now() - __import__("time").time()) < 5
    with pytest.raises(ClientError) as info:
        await stytch.users.get(sent.user_id)
    assert info.value.error_type == "user_not_found"
    assert (await stytch.users.search()).results == []


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


def test_the_clock_advances_freezes_and_resumes() -> None:
    fake = FakeStytch()
    fake.clock.freeze(1_700_000_000)
    assert fake.clock.now() == 1_700_000_000
    fake.clock.advance(minutes=1, seconds=5)
    assert fake.clock.now() == 1_700_000_065
    assert fake.clock.frozen
    fake.clock.unfreeze()
    assert not fake.clock.frozen
    assert 1_700_000_065 <= fake.clock.now() < 1_700_000_075
    with pytest.raises(ValueError, match="aware"):
        fake.clock.freeze(__import__("datetime").datetime(2024, 1, 1))


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


async def test_concurrent_requests_from_many_tasks(fake: FakeStytch, stytch: AsyncStytch) -> None:
    created: list[str] = []

    async def sign_up(n: int) -> None:
        created.append((await stytch.magic_links.email.login_or_create(f"user{n}@example.com")).user_id)

    async with anyio.create_task_group() as tg:
        for n in range(40):
            tg.start_soon(sign_up, n)
    assert len(set(created)) == 40
    assert len(fake.outbox) == 40
    page = await stytch.users.search(limit=1000)
    assert page.results_metadata.total == 40


def test_concurrent_threads_create_one_user_per_email() -> None:
    fake = FakeStytch()
    results: list[bool] = []

    def sign_up() -> None:
        _, payload = ask(fake, "POST", "/v1/magic_links/email/login_or_create", {"email": "ada@example.com"})
        results.append(payload["user_created"])

    threads = [threading.Thread(target=sign_up) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(results) == [False] * 15 + [True]
    assert len(fake.outbox) == 16


def test_construction_checks_and_ids_follow_the_environment() -> None:
    with pytest.raises(UsageError, match="project_id"):
        FakeStytch(project_id="")
    with pytest.raises(UsageError, match="secret"):
        FakeStytch(secret=" ")
    live = FakeStytch(project_id="project-live-1234", secret="secret-live-abcd")
    assert repr(live) == "FakeStytch(project_id='project-live-1234')"
    assert "secret-live-abcd" not in repr(live)
    status, payload = ask(live, "POST", "/v1/users", {"email": "a@example.com"})
    assert status == 200
    assert payload["user_id"].startswith("user-live-")
    assert payload["request_id"].startswith("request-id-live-")
    assert live.key_ids[0].startswith("jwk-live-")


async def test_aclose_closes_the_http_clients_it_made() -> None:
    fake = FakeStytch()
    first, second = fake.http_client(), fake.client()
    await fake.aclose()
    assert first.is_closed
    assert second._http is not None
    assert second._http.is_closed


def test_the_transport_also_serves_sync_httpx() -> None:
    fake = FakeStytch()
    with httpx.Client(transport=fake.transport(), base_url="https://test.stytch.com") as http:
        answer = http.get(f"/v1/sessions/jwks/{fake.project_id}")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["status_code"] == 200


def test_the_testing_package_exports_a_sorted_all() -> None:
    import stytch_async.testing as testing

    assert testing.__all__ == sorted(testing.__all__)
    assert {name for name in dir(testing) if not name.startswith("_") and name[0].isupper()} <= set(
        testing.__all__
    )
    for name in testing.__all__:
        assert getattr(testing, name).__module__.startswith("stytch_async.testing")
