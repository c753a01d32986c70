"""The engine: dispatch and 501s, auth, bad input, resets, concurrency, the transport."""

from __future__ import annotations

import threading
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stytch_async import AsyncStytch, ClientError, UsageError
from stytch_async.testing import FakeStytch
from stytch_async.testing._catalog import ENDPOINTS
from stytch_async.testing._engine.http import FakeRequest
from tests.support.emulator import ERROR_KEYS, IMPLEMENTED, SPEC, ask, concrete, strict

pytestmark = pytest.mark.anyio


def test_every_other_consumer_endpoint_answers_501_naming_it() -> None:
    fake = FakeStytch()
    answered, refused = set(), set()
    for api in ("common", "consumer"):  # what the consumer client reaches
        for method, template, name in ENDPOINTS[api]:
            status, payload = ask(fake, method, concrete(template, fake.project_id), {})
            if status == 501:
                assert payload["error_type"] == "emulator_not_implemented"
                assert f"{method} " in payload["error_message"]
                assert f"({api} API: {name})" in payload["error_message"]
                assert set(payload) == ERROR_KEYS
                refused.add(name)
            else:
                answered.add(name)
    assert answered == IMPLEMENTED
    assert len(refused) == 89 - len(IMPLEMENTED)
    assert {"webauthn.register", "oauth.authenticate", "idp.oauth.authorize", "fraud.email.risk"} <= refused


def test_a_path_outside_every_api_answers_501_too() -> None:
    fake = FakeStytch()
    status, payload = ask(fake, "GET", "/v1/b2b/organizations/org-1")
    assert status == 501
    assert "(b2b API: organizations.get)" in payload["error_message"]
    status, payload = ask(fake, "GET", "/v1/nowhere/at/all")
    assert status == 501
    assert "not an endpoint of Stytch's common, consumer or b2b API" in payload["error_message"]


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
    answer = fake.handle(FakeRequest("GET", f"/v1/sessions/jwks/{fake.project_id}"))
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


_ROUTES = [(m, t) for m, t, name in ENDPOINTS["consumer"] if name in IMPLEMENTED]


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
