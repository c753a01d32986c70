"""Stytch's error answers: :class:`ApiError`, raised by handlers, and the catalog that renders it.

Handlers never build error JSON themselves: they raise an :class:`ApiError`
(usually through :func:`fail`) and the engine turns it into the body Stytch sends::

    {"status_code": 404, "request_id": "request-id-test-…", "error_type": "user_not_found",
     "error_message": "User could not be found.",
     "error_url": "https://stytch.com/docs/api/errors/404#user_not_found"}

An error type's status and message come from an :class:`ErrorCatalog`: the
types every API shares (below) plus the table each backend brings. Stytch's
error types are one namespace across its APIs, so the catalog refuses a type
that two tables define differently instead of letting one overwrite the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .http import FakeResponse

ERROR_DOCS = "https://stytch.com/docs/api/errors"

ErrorTable = Mapping[str, tuple[int, str]]  # error_type -> (status, message)

# Messages of types listed in Stytch's error reference follow it; the rest are short
# descriptions of what went wrong.
COMMON_ERRORS: ErrorTable = {
    "bad_request": (400, "The submitted request is invalid."),
    "invalid_email": (400, "Email format is invalid."),
    "invalid_phone_number": (400, "Phone number format is invalid; use E.164, e.g. +12025550162."),
    "invalid_session_duration_minutes": (
        400,
        "session_duration_minutes must be between 5 and 527040 minutes.",
    ),
    "invalid_expiration": (400, "The expiration is out of the allowed range."),
    "unauthorized_credentials": (401, "Unauthorized credentials."),
    "project_not_found": (404, "Project could not be found."),
    "too_many_requests": (429, "Too many requests have been made."),
    "internal_server_error": (
        500,
        "Oops, something seems to have gone wrong, please reach out to support@stytch.com to let us know what went wrong.",
    ),
    "server_unavailable": (503, "Oops, something seems to have gone wrong. Please retry the request."),
}

_UNKNOWN = (400, "The submitted request is invalid.")


class ApiError(Exception):
    """An error answer. ``status`` and ``message`` default to the catalog's for ``error_type``."""

    def __init__(
        self,
        error_type: str,
        message: str | None = None,
        *,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        oauth: bool = False,
    ) -> None:
        super().__init__(f"{status or ''} {error_type}: {message or ''}".strip())
        self.error_type = error_type
        self.message = message
        self.status = status
        self.headers = dict(headers or {})
        self.oauth = oauth  # answer in RFC 6749 shape (error, error_description)


def fail(error_type: str, message: str | None = None, *, status: int | None = None) -> ApiError:
    """The error for a known ``error_type``: ``raise fail("user_not_found")``."""
    return ApiError(error_type, message, status=status)


def bad_request(message: str) -> ApiError:
    return ApiError("bad_request", message)


def not_emulated(what: str) -> ApiError:
    """A 501 for something the emulator does not reproduce; ``what`` names it."""
    return ApiError(
        "emulator_not_implemented",
        f"{what} is not implemented by the stytch_async emulator.",
        status=501,
    )


class ErrorCatalog:
    """Every error type the emulator can answer with, and how it renders one."""

    def __init__(self, *tables: ErrorTable) -> None:
        self._known: dict[str, tuple[int, str]] = {}
        for table in (COMMON_ERRORS, *tables):
            for error_type, entry in table.items():
                if self._known.setdefault(error_type, entry) != entry:
                    raise ValueError(f"error type {error_type!r} is defined twice, differently")

    def __contains__(self, error_type: object) -> bool:
        return error_type in self._known

    def status(self, error: ApiError) -> int:
        return error.status or self._known.get(error.error_type, _UNKNOWN)[0]

    def body(self, error: ApiError, request_id: str) -> dict[str, Any]:
        status = self.status(error)
        message = error.message or self._known.get(error.error_type, _UNKNOWN)[1]
        if error.oauth:
            return {
                "status_code": status,
                "request_id": request_id,
                "error": error.error_type,
                "error_description": message,
            }
        return {
            "status_code": status,
            "request_id": request_id,
            "error_type": error.error_type,
            "error_message": message,
            "error_url": f"{ERROR_DOCS}/{status}#{error.error_type}",
        }

    def render(self, error: ApiError, request_id: str) -> FakeResponse:
        return FakeResponse(self.status(error), self.body(error, request_id), error.headers)
