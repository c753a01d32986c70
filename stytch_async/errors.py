"""Every exception this library raises.

The tree is sealed: catching :class:`StytchError` catches everything, and each
branch answers one question about what went wrong::

    StytchError
    ├── UsageError          the call could not be made as written (also a
    │                       ValueError): a bad constructor argument, a client
    │                       that is closed, an argument that cannot be encoded
    ├── HttpError           no usable answer arrived: connect failure, TLS or
    │   │                   protocol error; the httpx exception is the ``__cause__``
    │   └── HttpTimeoutError    a deadline passed: the wire's own timeout, or the
    │                           call's ``timeout`` that covers retries and backoff
    ├── DecodeError         a 2xx answer whose body is not JSON or does not fit the model
    └── ClientError         Stytch (or a proxy in front of it) answered with status >= 400
        └── RateLimitError  429 Too Many Requests, with ``retry_after`` in seconds

Local token checks (``sessions.authenticate_jwt_local`` on both clients,
``m2m.authenticate_token``, ``idp.introspect_access_token_local``) fail inside the
same tree, each class with one stable ``error_type``::

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
    ├── TenancyMismatchError (403)     a member of another organization   tenancy_mismatch
    └── InsufficientScopesError (403)  an M2M token lacks scopes          insufficient_scopes

One convention fixes a class's status and type: a subclass sets the class
attributes ``status_code`` and ``error_type`` (``RateLimitError.status_code ==
429``, ``JwtExpiredError.error_type == "jwt_expired"``). Instances read the same
names, so ``err.status_code`` works whether it came from the class or the wire.

``str(error)`` is one line meant for a log: status, error type, message and
request id. No message ever contains the project secret, and ``ClientError.headers``
never holds cookies or credentials.

Every exception pickles and unpickles with the same fields (Celery,
``multiprocessing``, ``anyio.to_process``); ``__cause__`` is not carried across,
as with any pickled exception.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "ClientError",
    "DecodeError",
    "HttpError",
    "HttpTimeoutError",
    "InsufficientScopesError",
    "JwksUnavailableError",
    "JwtError",
    "JwtExpiredError",
    "JwtInvalidError",
    "JwtNotYetValidError",
    "JwtTooOldError",
    "PermissionDeniedError",
    "PolicyUnavailableError",
    "RateLimitError",
    "StytchError",
    "TenancyMismatchError",
    "UsageError",
]


def _rebuild(cls: type[StytchError], args: tuple[Any, ...], state: dict[str, Any]) -> StytchError:
    """Unpickle without calling ``__init__``: the saved attributes are the whole state."""
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class StytchError(Exception):
    """Base of every exception raised by stytch_async."""

    def __reduce__(self) -> tuple[Any, ...]:
        # The default rebuilds with ``cls(*self.args)``, which fails for any class
        # whose ``__init__`` takes keywords; restoring the attributes cannot.
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


class UsageError(StytchError, ValueError):
    """The call could not be made as written; nothing was sent."""


class HttpError(StytchError):
    """The request failed in transport: nothing usable came back.

    ``method`` and ``url`` name the request; the underlying httpx exception, when
    there is one, is chained as ``__cause__``. Subclasses with a stable meaning
    set the class attribute ``error_type``.
    """

    error_type: str | None = None

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url

    def __str__(self) -> str:
        where = f" ({self.method} {self.url})" if self.method else ""
        return f"{self.message}{where}"


class HttpTimeoutError(HttpError):
    """A deadline passed before an answer arrived.

    Either the wire's own timeout fired (an injected ``httpx.AsyncClient``'s
    ``timeout``; the ``httpx.TimeoutException`` is the ``__cause__``), or the
    call's ``timeout``, which bounds every attempt and every backoff sleep
    together, ran out (a built-in ``TimeoutError`` is the ``__cause__``).
    """

    error_type = "timeout"


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


# Response headers kept on an error, minus those that can carry a credential.
_HIDDEN = "<redacted>"
_SECRET_HEADER_HINTS = ("authorization", "cookie", "token", "secret", "api-key", "apikey")
# The same hints as one search: a regular expression costs a fifth of ``any(...)`` over them.
_SECRET_HEADER = re.compile("|".join(re.escape(hint) for hint in _SECRET_HEADER_HINTS))
# What the search said of each header name seen so far: answers name the same few
# headers every time. Bounded, so a server inventing names cannot grow it for ever.
_SECRET_NAMES: dict[str, bool] = {}
_SECRET_NAMES_MAX = 512


class _ResponseHeaders(Mapping[str, str]):
    """A read-only, case-insensitive view of an error answer's headers.

    Names are lower-case; repeated headers are joined with ``", "``. Values of
    headers that can carry a credential (``set-cookie``, anything like
    ``authorization``) are replaced by ``<redacted>``.
    """

    __slots__ = ("_items",)

    def __init__(self, headers: Mapping[str, str] | None = None) -> None:
        items: dict[str, str] = {}
        if headers:
            for name, value in headers.items():
                key = name.lower()
                hidden = _SECRET_NAMES.get(key)
                if hidden is None:
                    hidden = _SECRET_HEADER.search(key) is not None
                    if len(_SECRET_NAMES) < _SECRET_NAMES_MAX:
                        _SECRET_NAMES[key] = hidden
                shown = _HIDDEN if hidden else value
                items[key] = f"{items[key]}, {shown}" if key in items else shown
        self._items = items

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._items!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self._items,))


#: Read-only, so one empty view serves every error without headers (local refusals).
_NO_HEADERS = _ResponseHeaders()


class _ClientErrorFields(TypedDict, total=False):
    """The keyword arguments of :class:`ClientError`, for subclasses that add their own."""

    status_code: int
    error_type: str | None
    error_message: str
    request_id: str | None
    error_url: str | None
    error_details: Mapping[str, Any] | None
    body: Any
    text: str
    headers: Mapping[str, str] | None


class ClientError(StytchError):
    """Stytch answered with an error status.

    Attributes mirror Stytch's error JSON: ``status_code``, ``request_id``,
    ``error_type``, ``error_message``, ``error_url`` and ``error_details``. OAuth
    style answers (``error``, ``error_description``, ``error_uri``) fill the same
    attributes. ``body`` keeps the decoded JSON (or ``None``) and ``text`` the raw
    text, so an HTML page from a proxy is not lost. ``headers`` is a read-only,
    case-insensitive mapping of the answer's headers, cookies and credentials
    redacted (empty for refusals decided locally).

    A subclass fixes its status or type by setting the class attributes
    ``status_code`` and ``error_type``; the constructor uses them when the
    caller passes none.
    """

    status_code: int
    error_type: str | None = None

    def __init__(
        self,
        *,
        status_code: int | None = None,
        error_type: str | None = None,
        error_message: str = "",
        request_id: str | None = None,
        error_url: str | None = None,
        error_details: Mapping[str, Any] | None = None,
        body: Any = None,
        text: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if status_code is None:
            status_code = getattr(type(self), "status_code", None)
            if status_code is None:
                raise TypeError(f"{type(self).__name__}() needs a status_code")
        self.status_code = status_code
        self.error_type = error_type if error_type is not None else type(self).error_type
        self.error_message = error_message
        self.request_id = request_id
        self.error_url = error_url
        self.error_details = error_details
        self.body = body
        self.text = text
        self.headers: Mapping[str, str] = _ResponseHeaders(headers) if headers else _NO_HEADERS
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


class RateLimitError(ClientError):
    """Stytch answered 429 Too Many Requests (after any retries the client made).

    ``retry_after`` is the wait, in seconds, that the ``Retry-After`` header asked
    for (delta seconds or an HTTP date), or ``None`` when the header was absent
    or unreadable.
    """

    status_code = 429

    def __init__(self, *, retry_after: float | None = None, **fields: Unpack[_ClientErrorFields]) -> None:
        self.retry_after = retry_after
        super().__init__(**fields)


# -- local token checks ----------------------------------------------------------------


class JwksUnavailableError(HttpError):
    """A token could not be checked: the signing keys have never been fetched.

    This is about Stytch (or the network), not the token: answer 503, not 401.
    The last fetch failure is chained as ``__cause__``.
    """

    error_type = "jwks_unavailable"


class PolicyUnavailableError(HttpError):
    """An authorization check could not run: the RBAC policy has never been fetched."""

    error_type = "rbac_policy_unavailable"


class _LocalRefusal(ClientError):
    """A refusal decided locally: no request was made, so there is no request id
    and no headers. Subclasses set ``status_code`` and ``error_type``."""

    def __init__(self, message: str, *, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(error_message=message, error_details=details)


class JwtError(_LocalRefusal):
    """A token was refused by a local check (status 401)."""

    status_code = 401
    error_type = "jwt_invalid"


class JwtInvalidError(JwtError):
    """The token is not one this project issued, or cannot be read.

    ``reason`` says why, one of: ``malformed``, ``too_large``, ``algorithm``,
    ``signature``, ``issuer``, ``audience``, ``unknown_key``, ``missing_claim``,
    ``wrong_kind`` (a B2B member session JWT given to the consumer client; a
    consumer JWT given to the B2B client has no organization claim, so it is
    ``missing_claim``).
    Also ``missing``: no token was presented at all (the web integrations).
    """

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message, details={"reason": reason})
        self.reason = reason


class JwtExpiredError(JwtError):
    """The token's ``exp`` has passed (beyond the allowed leeway)."""

    error_type = "jwt_expired"


class JwtNotYetValidError(JwtError):
    """The token's ``nbf`` or ``iat`` lies in the future (beyond the allowed leeway)."""

    error_type = "jwt_not_yet_valid"


class JwtTooOldError(JwtError):
    """The token was issued longer ago than ``max_token_age_seconds`` allows."""

    error_type = "jwt_too_old"


class PermissionDeniedError(_LocalRefusal):
    """None of the subject's roles (or scopes) allows ``action`` on ``resource_id`` (status 403).

    ``organization_id`` is the organization of a B2B check, ``None`` for the consumer API.
    """

    status_code = 403
    error_type = "permission_denied"

    def __init__(self, *, resource_id: str, action: str, organization_id: str | None = None) -> None:
        where = "" if organization_id is None else f" in organization {organization_id!r}"
        details = {"resource_id": resource_id, "action": action}
        if organization_id is not None:
            details["organization_id"] = organization_id
        super().__init__(f"not allowed to {action!r} on resource {resource_id!r}{where}", details=details)
        self.resource_id = resource_id
        self.action = action
        self.organization_id = organization_id


class TenancyMismatchError(_LocalRefusal):
    """A B2B authorization check names an organization the member does not belong to (status 403).

    ``organization_id`` is the organization the check asked about and
    ``member_organization_id`` the one the member session belongs to. No role
    was looked at: a member never acts in another organization, whatever its roles.
    """

    status_code = 403
    error_type = "tenancy_mismatch"

    def __init__(self, *, organization_id: str, member_organization_id: str) -> None:
        super().__init__(
            f"the member belongs to organization {member_organization_id!r}, "
            f"not {organization_id!r} named by the check",
            details={"organization_id": organization_id, "member_organization_id": member_organization_id},
        )
        self.organization_id = organization_id
        self.member_organization_id = member_organization_id


class InsufficientScopesError(_LocalRefusal):
    """An M2M access token lacks some of the required scopes (status 403)."""

    status_code = 403
    error_type = "insufficient_scopes"

    def __init__(self, missing_scopes: Sequence[str]) -> None:
        self.missing_scopes = list(missing_scopes)
        super().__init__(
            "token lacks the scopes " + ", ".join(repr(s) for s in self.missing_scopes),
            details={"missing_scopes": self.missing_scopes},
        )
