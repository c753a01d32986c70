"""The emulator's wire layer: request and response values, Stytch's error JSON, input checks.

Handlers never build error JSON themselves: they raise :class:`ApiError` (usually
through :func:`fail`) and the dispatcher turns it into the body Stytch sends::

    {"status_code": 404, "request_id": "request-id-test-…", "error_type": "user_not_found",
     "error_message": "User could not be found.",
     "error_url": "https://stytch.com/docs/api/errors/404#user_not_found"}

:class:`Body` reads a JSON request body field by field and answers a wrong type
or a missing required field with the same 400 errors Stytch gives, so no bad
input ever reaches a handler as a Python exception.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ERROR_DOCS = "https://stytch.com/docs/api/errors"

# error_type -> (status, message). Messages of types listed in Stytch's error
# reference follow it; the rest are short descriptions of what went wrong.
_ERRORS: dict[str, tuple[int, str]] = {
    "bad_request": (400, "The submitted request is invalid."),
    "invalid_email": (400, "Email format is invalid."),
    "invalid_phone_number": (400, "Phone number format is invalid; use E.164, e.g. +12025550162."),
    "invalid_user_id": (400, "user_id format is invalid."),
    "invalid_session_id": (400, "session_id format is invalid."),
    "invalid_session_duration_minutes": (
        400,
        "session_duration_minutes must be between 5 and 527040 minutes.",
    ),
    "invalid_expiration": (400, "The expiration is out of the allowed range."),
    "invalid_expiration_otp": (400, "expiration_minutes for a passcode must be between 1 and 10."),
    "duplicate_email": (400, "A user with this email already exists."),
    "duplicate_phone_number": (400, "A user with this phone number already exists."),
    "duplicate_user_external_id": (400, "Another user already has this external_id."),
    "no_session_arguments": (400, "Pass a session_token or a session_jwt."),
    "no_session_revoke_arguments": (400, "Pass one of session_id, session_token or session_jwt."),
    "too_many_session_revoke_arguments": (
        400,
        "Pass only one of session_id, session_token or session_jwt.",
    ),
    "unable_to_parse_session_jwt": (400, "The session JWT could not be parsed or verified."),
    "jwt_invalid_issuer": (400, "The session JWT was issued for another project."),
    "jwt_invalid_audience": (400, "The session JWT is meant for another project."),
    "reserved_claims_in_custom_claims": (400, "Custom claims may not use a registered JWT claim name."),
    "stytch_claims_in_custom_claims": (400, "Custom claims may not use the https://stytch.com/ namespace."),
    "custom_claims_too_large": (400, "Custom claims may not exceed 4,000 bytes of JSON."),
    "user_id_mismatch": (400, "The session belongs to a different user."),
    "pkce_expected_code_verifier": (400, "This token was started with PKCE; pass its code_verifier."),
    "pkce_did_not_expect_code_verifier": (400, "This token was not started with PKCE."),
    "pkce_mismatch": (400, "The code_verifier does not match the code_challenge."),
    "weak_password": (400, "The password is too weak; see passwords.strength_check for feedback."),
    "breached_password": (400, "The password appears in a list of breached passwords."),
    "no_user_password": (400, "This user has no password."),
    "reset_password": (400, "This password must be reset before it can be used."),
    "session_too_old_to_reset_password": (
        400,
        "The session was last authenticated more than 5 minutes ago; authenticate again first.",
    ),
    "active_totp_exists": (
        400,
        (
            "Cannot create a new TOTP for the specified user since the user already has an active TOTP. "
            "Users may only have one active TOTP at a time."
        ),
    ),
    "expired_totp": (400, "The TOTP registration expired before it was verified."),
    "totp_code_already_authenticated": (400, "This TOTP code was already used."),
    "recovery_code_used_as_totp_code": (400, "A recovery code was passed where a TOTP code belongs."),
    "totp_code_used_as_recovery_code": (400, "A TOTP code was passed where a recovery code belongs."),
    "user_search_invalid_cursor": (400, "The cursor is not one this search handed out."),
    "user_search_invalid_limit": (400, "limit must be between 1 and 1000."),
    "user_search_invalid_operator": (400, "operator must be AND or OR."),
    "user_search_filter_name_not_recognized": (400, "The filter_name is not a known user search filter."),
    "user_search_missing_filter_value": (400, "Every operand needs a filter_value."),
    "user_search_expected_array_of_string": (400, "This filter takes a list of strings."),
    "user_search_expected_bool": (400, "This filter takes a boolean."),
    "user_search_expected_string": (400, "This filter takes a string."),
    "user_search_expected_timestamp": (400, "This filter takes an RFC 3339 timestamp."),
    "user_search_invalid_status_filter": (400, "status must be active or pending."),
    "m2m_search_filter_name_not_recognized": (400, "The filter_name is not a known M2M search filter."),
    "m2m_search_missing_filter_value": (400, "Every operand needs a filter_value."),
    "m2m_search_expected_array_of_strings": (400, "This filter takes a list of strings."),
    "duplicate_m2m_client_id": (400, "An M2M client with this client_id already exists."),
    "invalid_m2m_client_scope": (400, "Scopes must be non-empty strings without spaces."),
    "invalid_m2m_client_status": (400, "status must be active or inactive."),
    "insecure_m2m_client_secret": (400, "A client_secret must be at least 32 characters."),
    "m2m_client_already_rotating_secret": (400, "A secret rotation is already in progress."),
    "m2m_client_not_rotating_secret": (400, "No secret rotation is in progress; call rotate_start first."),
    "unauthorized_credentials": (401, "Unauthorized credentials."),
    "unable_to_auth_magic_link": (
        401,
        (
            "The magic link could not be authenticated because it was either already used or expired. "
            "Send another magic link to this user."
        ),
    ),
    "unable_to_auth_otp_code": (
        401,
        "The passcode could not be authenticated: it is wrong, expired, or already used.",
    ),
    "unable_to_auth_password_reset_token": (
        401,
        "The password reset token could not be authenticated: it is unknown, expired, or already used.",
    ),
    "unable_to_authenticate_totp": (401, "The TOTP code could not be authenticated."),
    "unable_to_authenticate_recovery_code": (401, "The recovery code could not be authenticated."),
    "email_not_found": (404, "Email could not be found."),
    "phone_number_not_found": (404, "Phone number could not be found."),
    "user_not_found": (404, "User could not be found."),
    "session_not_found": (404, "Session could not be found."),
    "magic_link_not_found": (404, "Magic link could not be found."),
    "otp_code_not_found": (404, "No passcode is waiting for this method_id."),
    "password_not_found": (404, "Password could not be found."),
    "totp_not_found": (404, "TOTP could not be found."),
    "m2m_client_not_found": (404, "The m2m client requested could not be found."),
    "project_not_found": (404, "Project could not be found."),
    "crypto_wallet_not_found": (404, "Crypto wallet could not be found."),
    "webauthn_registration_not_found": (404, "WebAuthn registration could not be found."),
    "biometric_registration_not_found": (404, "Biometric registration could not be found."),
    "oauth_user_registration_not_found": (404, "OAuth user registration could not be found."),
    "too_many_requests": (429, "Too many requests have been made."),
    "internal_server_error": (
        500,
        (
            "Oops, something seems to have gone wrong, please reach out to support@stytch.com to let us "
            "know what went wrong."
        ),
    ),
    "server_unavailable": (503, "Oops, something seems to have gone wrong. Please retry the request."),
}


class ApiError(Exception):
    """An error answer: raised by handlers, rendered by the dispatcher."""

    def __init__(
        self,
        status: int,
        error_type: str,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        oauth: bool = False,
    ) -> None:
        super().__init__(f"{status} {error_type}: {message}")
        self.status = status
        self.error_type = error_type
        self.message = message
        self.headers = dict(headers or {})
        self.oauth = oauth


def fail(error_type: str, message: str | None = None, *, status: int | None = None) -> ApiError:
    """The ApiError for a known ``error_type`` (``raise fail("user_not_found")``)."""
    known_status, known_message = _ERRORS.get(error_type, (400, "The submitted request is invalid."))
    return ApiError(status or known_status, error_type, message or known_message)


def known_error(error_type: str) -> bool:
    return error_type in _ERRORS


def bad_request(message: str) -> ApiError:
    return ApiError(400, "bad_request", message)


def error_body(error: ApiError, request_id: str) -> dict[str, Any]:
    if error.oauth:
        # The OAuth token endpoint answers in RFC 6749 shape.
        return {
            "status_code": error.status,
            "request_id": request_id,
            "error": error.error_type,
            "error_description": error.message,
        }
    return {
        "status_code": error.status,
        "request_id": request_id,
        "error_type": error.error_type,
        "error_message": error.message,
        "error_url": f"{ERROR_DOCS}/{error.status}#{error.error_type}",
    }


@dataclass(frozen=True)
class WireRequest:
    """One HTTP request as the emulator sees it; ``path`` is still percent-encoded."""

    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""


@dataclass
class WireResponse:
    status: int
    payload: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    disconnect: bool = False  # fault injection: drop the connection, send nothing

    def content(self) -> bytes:
        return json.dumps(self.payload, separators=(",", ":")).encode()


_EMAIL = re.compile(r"^[^@\s\"(),:;<>\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
_E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")

SESSION_MINUTES = (5, 527_040)  # Stytch's bounds for session_duration_minutes


class Body:
    """Typed access to a JSON request body; every misuse becomes a Stytch 400."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data

    @classmethod
    def parse(cls, raw: bytes, content_type: str = "application/json") -> Body:
        if not raw.strip():
            return cls({})
        if content_type.startswith("application/x-www-form-urlencoded"):
            from urllib.parse import parse_qsl

            try:
                return cls(dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True)))
            except UnicodeDecodeError as exc:
                raise bad_request("The request body is not valid UTF-8.") from exc
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise bad_request("The request body is not valid JSON.") from exc
        if not isinstance(data, dict):
            raise bad_request("The request body must be a JSON object.")
        return cls(data)

    def has(self, name: str) -> bool:
        return self._data.get(name) is not None

    def raw(self, name: str) -> Any:
        return self._data.get(name)

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self._data.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is a required field.")
            return None
        if not isinstance(value, str):
            raise bad_request(f"{name} must be a string.")
        return value

    def need(self, name: str) -> str:
        value = self.text(name, required=True)
        assert value is not None
        return value

    def integer(self, name: str) -> int | None:
        value = self._data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad_request(f"{name} must be a whole number.")
        return value

    def boolean(self, name: str) -> bool | None:
        value = self._data.get(name)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise bad_request(f"{name} must be true or false.")
        return value

    def mapping(self, name: str) -> dict[str, Any] | None:
        value = self._data.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise bad_request(f"{name} must be a JSON object.")
        return value

    def strings(self, name: str) -> list[str] | None:
        value = self._data.get(name)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad_request(f"{name} must be a list of strings.")
        return list(value)

    def email(self, name: str = "email", *, required: bool = True) -> str | None:
        value = self._data.get(name)
        if value is None or value == "":
            if required:
                raise fail("invalid_email", f"{name} is a required field.")
            return None
        if not isinstance(value, str) or len(value) > 254 or not _EMAIL.match(value):
            raise fail("invalid_email")
        return value.lower()

    def need_email(self, name: str = "email") -> str:
        value = self.email(name)
        assert value is not None
        return value

    def phone(self, name: str = "phone_number", *, required: bool = True) -> str | None:
        value = self._data.get(name)
        if value is None or value == "":
            if required:
                raise fail("invalid_phone_number", f"{name} is a required field.")
            return None
        if not isinstance(value, str) or not _E164.match(value):
            raise fail("invalid_phone_number")
        return value

    def minutes(self, name: str, *, default: int, low: int, high: int, error_type: str) -> int:
        value = self.integer(name)
        if value is None:
            return default
        if not low <= value <= high:
            raise fail(error_type, f"{name} must be between {low} and {high} minutes.")
        return value

    def session_minutes(self) -> int | None:
        value = self.integer("session_duration_minutes")
        if value is None or value == 0:
            return None
        low, high = SESSION_MINUTES
        if not low <= value <= high:
            raise fail("invalid_session_duration_minutes")
        return value

    def not_emulated(self, *names: str, endpoint: str) -> None:
        """Answer 501 for a parameter whose meaning the emulator does not reproduce."""
        for name in names:
            if self._data.get(name) is not None:
                raise ApiError(
                    501,
                    "emulator_not_implemented",
                    f"{endpoint}: the parameter {name!r} is not implemented by the stytch_async emulator.",
                )
