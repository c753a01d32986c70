"""One sample of every exception in ``stytch_async.errors``, for round-trip tests."""

from __future__ import annotations

from typing import Any

from stytch_async import errors


def samples() -> list[errors.StytchError]:
    """Each class once, with every field it has set to something other than its default."""
    answer: dict[str, Any] = {
        "status_code": 404,
        "error_type": "user_not_found",
        "error_message": "User could not be found.",
        "request_id": "request-id-test-1",
        "error_url": "https://stytch.com/docs/api/errors/404#user_not_found",
        "error_details": {"field": "user_id"},
        "body": {"error_type": "user_not_found", "nested": [1, {"a": None}]},
        "text": '{"error_type":"user_not_found"}',
        "headers": {"Request-Id": "request-id-test-1", "Set-Cookie": "sid=1"},
    }
    where = {"method": "GET", "url": "https://test.stytch.com/v1/users/u1"}
    return [
        errors.StytchError("plain"),
        errors.UsageError("timeout must be positive"),
        errors.HttpError("ConnectError: refused", **where),
        errors.HttpTimeoutError("timed out after 0.5s", **where),
        errors.DecodeError("response body is not JSON", status_code=200, request_id="r-1", excerpt="<html>"),
        errors.ClientError(**answer),
        errors.RateLimitError(retry_after=2.5, **{**answer, "status_code": 429}),
        errors.JwksUnavailableError("the key set has never been fetched", **where),
        errors.PolicyUnavailableError("the policy has never been fetched", **where),
        errors.JwtError("refused"),
        errors.JwtInvalidError("bad signature", reason="signature"),
        errors.JwtExpiredError("expired"),
        errors.JwtNotYetValidError("not yet"),
        errors.JwtTooOldError("too old"),
        errors.PermissionDeniedError(
            resource_id="docs", action="write", organization_id="organization-test-1"
        ),
        errors.TenancyMismatchError(
            organization_id="organization-test-2", member_organization_id="organization-test-1"
        ),
        errors.InsufficientScopesError(["read:users", "write:users"]),
    ]


def fields(error: BaseException) -> tuple[Any, ...]:
    """Everything that makes two errors equal: class, args, attributes, text."""
    return (type(error), error.args, dict(vars(error)), str(error), repr(error))


def raise_it(error: BaseException) -> None:
    """Run in a worker process: raise what was sent, so it is pickled back to the caller."""
    raise error
