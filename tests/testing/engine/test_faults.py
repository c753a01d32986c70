"""Fault injection: ``fail_next`` errors, Retry-After and dropped connections, seen by a client."""

from __future__ import annotations

from typing import Any

import pytest

from stytch_async import AsyncStytch, ClientError, HttpError, UsageError
from stytch_async.testing import FakeStytch
from stytch_async.testing._engine.http import FakeRequest
from tests.support.emulator import ask

pytestmark = pytest.mark.anyio


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
    answer = fake.handle(FakeRequest("GET", f"/v1/sessions/jwks/{fake.project_id}"))
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
