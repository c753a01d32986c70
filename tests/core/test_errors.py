"""The error tree itself: class-level status/type, headers, the 429 mapping, pickling."""

from __future__ import annotations

import copy
import pickle

import anyio.to_process
import httpx
import pytest

from stytch_async import errors
from stytch_async._core.converter import make_converter
from stytch_async._core.response import client_error, parse_response
from stytch_async.consumer.types.magic_links import EmailSendResponse
from stytch_async.errors import (
    ClientError,
    HttpError,
    HttpTimeoutError,
    InsufficientScopesError,
    JwtExpiredError,
    JwtInvalidError,
    PermissionDeniedError,
    RateLimitError,
    StytchError,
)
from tests.support.errors import fields, raise_it, samples

RATE_LIMITED = (
    b'{"status_code":429,"request_id":"r-429","error_type":"too_many_requests","error_message":"Slow down."}'
)


def exception_classes() -> set[type[BaseException]]:
    return {
        cls
        for name in errors.__all__
        if isinstance(cls := getattr(errors, name), type) and issubclass(cls, BaseException)
    }


def test_samples_cover_every_class() -> None:
    assert errors.__all__ == sorted(errors.__all__)
    assert {type(e) for e in samples()} == exception_classes()


@pytest.mark.parametrize("error", samples(), ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_every_error_pickles_with_equal_fields(error: StytchError, protocol: int) -> None:
    again = pickle.loads(pickle.dumps(error, protocol=protocol))  # noqa: S301 - our own bytes
    assert again is not error
    assert fields(again) == fields(error)
    assert fields(copy.deepcopy(error)) == fields(error)


def test_unpickled_errors_keep_behaving() -> None:
    error = RateLimitError(status_code=429, retry_after=3.0, headers={"Retry-After": "3"})
    again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert again.headers["retry-after"] == "3"
    assert again.retry_after == 3.0
    with pytest.raises(RateLimitError):
        raise again


@pytest.mark.anyio
async def test_an_error_raised_in_another_process_arrives_whole() -> None:
    sent = samples()[6]  # a RateLimitError with headers, body and retry_after
    assert isinstance(sent, RateLimitError)
    with anyio.fail_after(60), pytest.raises(RateLimitError) as caught:
        await anyio.to_process.run_sync(raise_it, sent)
    assert fields(caught.value) == fields(sent)


# -- one class-level convention -----------------------------------------------------------


def test_fixed_status_and_type_are_class_attributes_read_by_instances() -> None:
    assert (RateLimitError.status_code, RateLimitError.error_type) == (429, None)
    assert (JwtExpiredError.status_code, JwtExpiredError.error_type) == (401, "jwt_expired")
    assert (PermissionDeniedError.status_code, PermissionDeniedError.error_type) == (403, "permission_denied")
    assert InsufficientScopesError.error_type == "insufficient_scopes"
    assert (errors.TenancyMismatchError.status_code, errors.TenancyMismatchError.error_type) == (
        403,
        "tenancy_mismatch",
    )
    # Distinct classes: catching a denial never hides a cross-tenant request, nor the reverse.
    assert not issubclass(errors.TenancyMismatchError, PermissionDeniedError)
    assert not issubclass(PermissionDeniedError, errors.TenancyMismatchError)
    assert errors.JwksUnavailableError.error_type == "jwks_unavailable"
    assert HttpTimeoutError.error_type == "timeout"
    assert HttpError.error_type is None
    err = JwtExpiredError("expired")
    assert (err.status_code, err.error_type) == (401, "jwt_expired")
    assert JwtInvalidError("x", reason="issuer").error_type == "jwt_invalid"
    # What the wire says wins over the class default; the class fills what it left out.
    assert RateLimitError(error_type="too_many_requests").status_code == 429
    assert RateLimitError(error_type="too_many_requests").error_type == "too_many_requests"


def test_a_plain_client_error_needs_a_status() -> None:
    with pytest.raises(TypeError, match="needs a status_code"):
        ClientError(error_message="no status")


def test_local_refusals_have_no_headers() -> None:
    assert dict(PermissionDeniedError(resource_id="r", action="a").headers) == {}


# -- headers ------------------------------------------------------------------------------


def test_headers_are_read_only_case_insensitive_and_redacted() -> None:
    err = ClientError(
        status_code=400,
        headers={
            "Request-Id": "r-1",
            "Retry-After": "1",
            "Set-Cookie": "session=abc",
            "X-Upstream-Authorization": "Bearer leaked",
            "WWW-Authenticate": 'Basic realm="stytch"',
        },
    )
    assert err.headers["request-id"] == err.headers["REQUEST-ID"] == "r-1"
    assert "Retry-After" in err.headers
    assert err.headers["set-cookie"] == "<redacted>"
    assert err.headers["x-upstream-authorization"] == "<redacted>"
    assert err.headers["www-authenticate"] == 'Basic realm="stytch"'
    assert "abc" not in repr(err.headers)
    assert "leaked" not in repr(err.headers)
    with pytest.raises(TypeError):
        err.headers["request-id"] = "other"  # type: ignore[index]


def test_redaction_stays_right_when_names_repeat_and_past_the_name_cache() -> None:
    # Header names are remembered as secret or not; the second answer with the same
    # names, and names arriving after the memory is full, are redacted the same way.
    for _ in range(2):
        err = ClientError(status_code=400, headers={"X-Api-Key": "k-1", "X-Trace": "t"})
        assert dict(err.headers) == {"x-api-key": "<redacted>", "x-trace": "t"}
    for i in range(700):
        err = ClientError(status_code=400, headers={f"x-{i}-token": "tok", f"x-{i}-plain": "p"})
        assert dict(err.headers) == {f"x-{i}-token": "<redacted>", f"x-{i}-plain": "p"}


def response(status: int, content: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.Response(
        status,
        content=content,
        headers=headers,
        request=httpx.Request(
            "POST", "https://test.stytch.com/v1/x", headers={"Authorization": "Basic c2VjcmV0"}
        ),
    )


def test_parse_response_keeps_the_answers_headers_not_the_requests() -> None:
    reply = response(
        404, b'{"error_type":"user_not_found"}', {"Request-Id": "r-9", "Content-Type": "application/json"}
    )
    with pytest.raises(ClientError) as caught:
        parse_response(reply, EmailSendResponse, make_converter())
    assert type(caught.value) is ClientError
    assert caught.value.headers["request-id"] == "r-9"
    assert caught.value.headers["content-type"] == "application/json"
    assert "authorization" not in caught.value.headers


# -- 429 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "seconds"),
    [({"Retry-After": "7"}, 7.0), ({"Retry-After": "0.5"}, 0.5), ({"Retry-After": "soon"}, None), ({}, None)],
)
def test_429_is_a_rate_limit_error_with_retry_after(header: dict[str, str], seconds: float | None) -> None:
    with pytest.raises(RateLimitError) as caught:
        parse_response(response(429, RATE_LIMITED, header), EmailSendResponse, make_converter())
    err = caught.value
    assert isinstance(err, ClientError)
    assert err.retry_after == seconds
    assert (err.status_code, err.error_type, err.request_id) == (429, "too_many_requests", "r-429")
    assert str(err) == "429 too_many_requests: Slow down. (request_id=r-429)"


def test_429_with_an_http_date_and_a_non_json_body() -> None:
    reply = response(429, b"<html>slow down</html>", {"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"})
    err = client_error(429, reply.content, headers=reply.headers)
    assert isinstance(err, RateLimitError)
    assert err.retry_after is not None
    assert err.retry_after > 365 * 24 * 3600
    assert err.error_message == "<html>slow down</html>"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 500, 503])
def test_other_statuses_stay_plain_client_errors(status: int) -> None:
    err = client_error(status, RATE_LIMITED, headers={"Retry-After": "3"})
    assert type(err) is ClientError
    assert err.status_code == status
