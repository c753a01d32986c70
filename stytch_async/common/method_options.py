"""``method_options``: the acting member's session, sent as headers so Stytch can apply RBAC.

B2B calls that change an organization or its members accept
``method_options=XRequestOptions(authorization=Authorization(session_token=...))`` (or
the same as a mapping). Stytch then checks the acting member's roles, not only the
project secret. The token travels as ``X-Stytch-Member-Session``, the JWT as
``X-Stytch-Member-SessionJWT``; both may be given.
"""

from __future__ import annotations

from collections.abc import Mapping

from stytch_async.errors import UsageError

SESSION_HEADER = "X-Stytch-Member-Session"
SESSION_JWT_HEADER = "X-Stytch-Member-SessionJWT"


def _field(value: object, name: str) -> object:
    if isinstance(value, Mapping):
        return value.get(name)
    return getattr(value, name, None)


def _header_value(what: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise UsageError(f"method_options: {what} must be a non-empty string, got {type(value).__name__}")
    if any(c in value for c in "\r\n\0"):
        # Never let a value start a new header line.
        raise UsageError(f"method_options: {what} contains a line break or NUL")
    return value


def member_session_headers(options: object) -> dict[str, str] | None:
    """The headers ``options`` asks for, or None when there are none."""
    if options is None:
        return None
    if not (isinstance(options, Mapping) or hasattr(options, "authorization")):
        raise UsageError(f"method_options must be a RequestOptions object or a mapping, got {options!r}")
    authorization = _field(options, "authorization")
    if authorization is None:
        return None
    headers: dict[str, str] = {}
    token = _header_value("authorization.session_token", _field(authorization, "session_token"))
    jwt = _header_value("authorization.session_jwt", _field(authorization, "session_jwt"))
    if token is not None:
        headers[SESSION_HEADER] = token
    if jwt is not None:
        headers[SESSION_JWT_HEADER] = jwt
    return headers or None


__all__ = ["SESSION_HEADER", "SESSION_JWT_HEADER", "member_session_headers"]
