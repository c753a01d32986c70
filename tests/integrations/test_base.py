"""The error table and the token lookup shared by the FastAPI helpers and the ASGI middleware."""

from __future__ import annotations

import subprocess
import sys

import pytest

from stytch_async.errors import (
    ClientError,
    DecodeError,
    HttpError,
    HttpTimeoutError,
    InsufficientScopesError,
    JwksUnavailableError,
    JwtExpiredError,
    JwtInvalidError,
    PermissionDeniedError,
    PolicyUnavailableError,
    RateLimitError,
    StytchError,
    UsageError,
)
from stytch_async.integrations.base import find_session_jwt, http_answer

SECRET = "secret-test-must-never-show"

TABLE: list[tuple[StytchError, int]] = [
    (JwtExpiredError("session JWT expired"), 401),
    (JwtInvalidError("bad signature", reason="signature"), 401),
    (ClientError(status_code=404, error_type="session_not_found", error_message="no session"), 401),
    (ClientError(status_code=401, error_type="otp_code_not_found", error_message="wrong code"), 401),
    (ClientError(status_code=401, error_type="unauthorized_credentials", error_message="bad secret"), 500),
    (PermissionDeniedError(resource_id="documents", action="delete"), 403),
    (InsufficientScopesError(["write:users"]), 403),
    (ClientError(status_code=403, error_type="forbidden", error_message="no"), 403),
    (RateLimitError(status_code=429, error_type="too_many_requests", retry_after=2.2), 429),
    (ClientError(status_code=400, error_type="invalid_email", error_message="bad email"), 400),
    (ClientError(status_code=409, error_type="duplicate_email", error_message="taken"), 400),
    (ClientError(status_code=503, error_type="server_unavailable", error_message="down"), 502),
    (DecodeError("response body is not JSON", status_code=200), 502),
    (HttpError("connection refused"), 503),
    (HttpTimeoutError("deadline passed"), 503),
    (JwksUnavailableError("no key set"), 503),
    (PolicyUnavailableError("no policy"), 503),
    (UsageError("timeout must be positive"), 500),
]


@pytest.mark.parametrize(("error", "status"), TABLE, ids=[f"{type(e).__name__}-{s}" for e, s in TABLE])
def test_each_error_gets_its_status(error: StytchError, status: int) -> None:
    answer = http_answer(error)
    assert answer.status_code == status
    assert set(answer.body) == {"error_type", "error_message", "request_id"}
    if status >= 500:
        assert answer.body["error_type"] in {"stytch_unavailable", "stytch_error"}
        assert str(error) not in answer.body["error_message"]


def test_headers_say_how_to_retry_or_authenticate() -> None:
    assert http_answer(JwtExpiredError("expired")).headers == {"WWW-Authenticate": "Bearer"}
    assert http_answer(HttpTimeoutError("slow")).headers == {"Retry-After": "5"}
    limited = RateLimitError(status_code=429, retry_after=2.2)
    assert http_answer(limited).headers == {"Retry-After": "3"}
    assert http_answer(RateLimitError(status_code=429)).headers == {}
    denied = http_answer(PermissionDeniedError(resource_id="documents", action="delete"))
    assert denied.body["error_type"] == "permission_denied"
    assert "delete" in denied.body["error_message"]


def test_the_token_comes_from_the_bearer_header_then_the_cookie() -> None:
    assert find_session_jwt("Bearer a.b.c", {"stytch_session_jwt": "x.y.z"}) == "a.b.c"
    assert find_session_jwt("bearer   a.b.c ", {}) == "a.b.c"
    assert find_session_jwt("Basic dXNlcg==", {"stytch_session_jwt": "x.y.z"}) == "x.y.z"
    assert find_session_jwt(None, {"mine": "m.n.o"}, cookie_name="mine") == "m.n.o"
    with pytest.raises(JwtInvalidError, match="no session JWT") as info:
        find_session_jwt("Bearer ", {"stytch_session_jwt": ""})
    assert info.value.reason == "missing"
    with pytest.raises(JwtInvalidError, match=r"Bearer header$"):
        find_session_jwt(None, {"stytch_session_jwt": "x.y.z"}, cookie_name=None)


def test_importing_the_package_loads_no_web_framework() -> None:
    code = (
        "import sys, stytch_async, stytch_async.integrations, stytch_async.integrations.asgi\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('fastapi', 'starlette', 'pydantic'))\n"
        "print(loaded)\n"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter running a fixed snippet
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"
