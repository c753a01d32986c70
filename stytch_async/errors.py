"""Every exception this library raises.

The tree is sealed: catching :class:`StytchError` catches everything, and each
branch answers one question about what went wrong::

    StytchError
    ├── UsageError   the call could not be made as written (also a ValueError):
    │                a bad constructor argument, a client that is closed, an
    │                argument that cannot be encoded as JSON
    ├── HttpError    no usable answer arrived: connect failure, timeout, TLS or
    │                protocol error; the httpx exception is the ``__cause__``
    ├── DecodeError  a 2xx answer whose body is not JSON or does not fit the model
    └── ClientError  Stytch (or a proxy in front of it) answered with status >= 400

Local token checks (``sessions.authenticate_jwt_local``, ``m2m.authenticate_token``,
``idp.introspect_access_token_local``) fail inside the same tree, each class with
one stable ``error_type``::

    HttpError
    ├── JwksUnavailableError       no key set has ever been fetched       jwks_unavailable
    └── PolicyUnavailableError     no RBAC policy has ever been fetched   rbac_policy_unavailable
    ClientError
    ├── JwtError (401)             the token was refused locally
    │   ├── JwtInvalidError        malformed, wrong algorithm, bad        jwt_invalid
    │   │                          signature, issuer, audience, unknown
    │   │                          key, missing claim (see ``reason``)
    │   ├── JwtExpiredError        past ``exp`` (plus leeway)             jwt_expired
    │   ├── JwtNotYetValidError    before ``nbf``/``iat`` (less leeway)   jwt_not_yet_valid
    │   └── JwtTooOldError         ``iat`` older than the caller allows   jwt_too_old
    ├── PermissionDeniedError (403)    RBAC denied the action             permission_denied
    └── InsufficientScopesError (403)  an M2M token lacks scopes          insufficient_scopes

``str(error)`` is one line meant for a log: status, error type, message and
request id. No message ever contains the project secret.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

__all__ = [
    "ClientError",
    "DecodeError",
    "HttpError",
    "InsufficientScopesError",
    "JwksUnavailableError",
    "JwtError",
    "JwtExpiredError",
    "JwtInvalidError",
    "JwtNotYetValidError",
    "JwtTooOldError",
    "PermissionDeniedError",
    "PolicyUnavailableError",
    "StytchError",
    "UsageError",
]


class StytchError(Exception):
    """Base of every exception raised by stytch_async."""


class UsageError(StytchError, ValueError):
    """The call could not be made as written; nothing was sent."""


class HttpError(StytchError):
    """The request failed in transport: nothing usable came back.

    ``method`` and ``url`` name the request; the underlying httpx exception, when
    there is one, is chained as ``__cause__``.
    """

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url

    def __str__(self) -> str:
        where = f" ({self.method} {self.url})" if self.method else ""
        return f"{self.message}{where}"


class DecodeError(StytchError):
    """A successful status came with a body that is not JSON or does not fit the model.

    ``excerpt`` is a short, redacted start of the body, safe to log.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        request_id: str | None = None,
        excerpt: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.request_id = request_id
        self.excerpt = excerpt

    def __str__(self) -> str:
        rid = f" (request_id={self.request_id})" if self.request_id else ""
        return f"{self.status_code} {self.message}{rid}"


class ClientError(StytchError):
    """Stytch answered with an error status.

    Attributes mirror Stytch's error JSON: ``status_code``, ``request_id``,
    ``error_type``, ``error_message``, ``error_url`` and ``error_details``. OAuth
    style answers (``error``, ``error_description``, ``error_uri``) fill the same
    attributes. ``body`` keeps the decoded JSON (or ``None``) and ``text`` the raw
    text, so an HTML page from a proxy is not lost.
    """

    def __init__(
        self,
        *,
        status_code: int,
        error_type: str | None = None,
        error_message: str = "",
        request_id: str | None = None,
        error_url: str | None = None,
        error_details: Mapping[str, Any] | None = None,
        body: Any = None,
        text: str = "",
    ) -> None:
        self.status_code = status_code
        self.error_type = error_type
        self.error_message = error_message
        self.request_id = request_id
        self.error_url = error_url
        self.error_details = error_details
        self.body = body
        self.text = text
        super().__init__(self._line())

    def _line(self) -> str:
        parts = [str(self.status_code)]
        if self.error_type:
            parts.append(self.error_type)
        line = " ".join(parts)
        if self.error_message:
            line = f"{line}: {self.error_message}"
        if self.request_id:
            line = f"{line} (request_id={self.request_id})"
        return line

    def __str__(self) -> str:
        return self._line()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code!r}, "
            f"error_type={self.error_type!r}, error_message={self.error_message!r}, "
            f"request_id={self.request_id!r})"
        )


# -- local token checks ----------------------------------------------------------------


class JwksUnavailableError(HttpError):
    """A token could not be checked: the signing keys have never been fetched.

    This is about Stytch (or the network), not the token: answer 503, not 401.
    The last fetch failure is chained as ``__cause__``.
    """

    error_type: ClassVar[str] = "jwks_unavailable"


class PolicyUnavailableError(HttpError):
    """An authorization check could not run: the RBAC policy has never been fetched."""

    error_type: ClassVar[str] = "rbac_policy_unavailable"


class _LocalRefusal(ClientError):
    """A refusal decided locally: no request was made, so there is no request id."""

    STATUS: ClassVar[int]
    ERROR_TYPE: ClassVar[str]

    def __init__(self, message: str, *, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(
            status_code=self.STATUS,
            error_type=self.ERROR_TYPE,
            error_message=message,
            error_details=details,
        )


class JwtError(_LocalRefusal):
    """A token was refused by a local check (status 401)."""

    STATUS = 401
    ERROR_TYPE = "jwt_invalid"


class JwtInvalidError(JwtError):
    """The token is not one this project issued, or cannot be read.

    ``reason`` says why, one of: ``malformed``, ``too_large``, ``algorithm``,
    ``signature``, ``issuer``, ``audience``, ``unknown_key``, ``missing_claim``.
    """

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message, details={"reason": reason})
        self.reason = reason


class JwtExpiredError(JwtError):
    """The token's ``exp`` has passed (beyond the allowed leeway)."""

    ERROR_TYPE = "jwt_expired"


class JwtNotYetValidError(JwtError):
    """The token's ``nbf`` or ``iat`` lies in the future (beyond the allowed leeway)."""

    ERROR_TYPE = "jwt_not_yet_valid"


class JwtTooOldError(JwtError):
    """The token was issued longer ago than ``max_token_age_seconds`` allows."""

    ERROR_TYPE = "jwt_too_old"


class PermissionDeniedError(_LocalRefusal):
    """None of the subject's roles (or scopes) allows ``action`` on ``resource_id`` (status 403)."""

    STATUS = 403
    ERROR_TYPE = "permission_denied"

    def __init__(self, *, resource_id: str, action: str) -> None:
        super().__init__(
            f"not allowed to {action!r} on resource {resource_id!r}",
            details={"resource_id": resource_id, "action": action},
        )
        self.resource_id = resource_id
        self.action = action


class InsufficientScopesError(_LocalRefusal):
    """An M2M access token lacks some of the required scopes (status 403)."""

    STATUS = 403
    ERROR_TYPE = "insufficient_scopes"

    def __init__(self, missing_scopes: Sequence[str]) -> None:
        self.missing_scopes = list(missing_scopes)
        super().__init__(
            "token lacks the scopes " + ", ".join(repr(s) for s in self.missing_scopes),
            details={"missing_scopes": self.missing_scopes},
        )
