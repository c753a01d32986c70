"""The framework-free part of the integrations: find the session JWT, check it, answer errors.

The FastAPI helpers and the ASGI middleware are thin layers over :class:`SessionCheck`
(consumer sessions, with an ``AsyncStytch``), :class:`MemberSessionCheck` (B2B member
sessions, with an ``AsyncStytchB2B``) and :func:`http_answer`. The answers, by error:

==============================================  ======  =========================================
Error                                           Status  Why
==============================================  ======  =========================================
``JwtError`` (local: invalid, expired, ...)     401     the presented token was refused
``ClientError`` 401 or 404 from Stytch          401     the token, code or link is unknown or
                                                        expired (``session_not_found``, ...)
``ClientError`` ``unauthorized_credentials``    500     the app's own project id/secret is wrong
``PermissionDeniedError``,                      403     authenticated, but not allowed
``TenancyMismatchError``,                               (a member of another organization
``InsufficientScopesError``, ``ClientError``            counts as not allowed)
403
``RateLimitError`` (429)                        429     passed on, with ``Retry-After``
other ``ClientError`` 4xx (400, 409, ...)       400     Stytch refused what the user sent
                                                        (a malformed email, a weak password)
``ClientError`` 5xx, ``DecodeError``            502     Stytch answered, but not usefully
``HttpError`` (``HttpTimeoutError``,            503     Stytch could not be reached in time, or
``JwksUnavailableError``,                               no key set or policy was ever fetched;
``PolicyUnavailableError``)                             ``Retry-After: 5``
``UsageError``                                  500     a bug in the app's call
==============================================  ======  =========================================

The body is JSON: ``{"error_type": ..., "error_message": ..., "request_id": ...}``.
For 5xx answers the message is generic (the details go to the ``stytch_async.integrations``
logger, which never sees a secret); for 4xx it is the error's own message.
"""

from __future__ import annotations

import inspect
import logging
import math
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, TypeAlias, TypeVar

import attrs

from stytch_async.b2b.client import AsyncStytchB2B
from stytch_async.b2b.types.entities import MemberSession
from stytch_async.b2b.types.sessions import AuthorizationCheck as MemberAuthorizationCheck
from stytch_async.b2b.types.sessions import AuthorizationCheckDict as MemberAuthorizationCheckDict
from stytch_async.consumer.client import AsyncStytch
from stytch_async.consumer.types.entities import Session
from stytch_async.consumer.types.sessions import AuthorizationCheck, AuthorizationCheckDict
from stytch_async.errors import (
    ClientError,
    DecodeError,
    HttpError,
    InsufficientScopesError,
    JwtError,
    JwtInvalidError,
    PermissionDeniedError,
    RateLimitError,
    StytchError,
    UsageError,
)

logger = logging.getLogger("stytch_async.integrations")

#: The cookie Stytch's frontend SDKs set for the session JWT.
SESSION_JWT_COOKIE = "stytch_session_jwt"
#: ``Retry-After`` sent with a 503 when Stytch is unreachable.
UNAVAILABLE_RETRY_AFTER = 5


@attrs.frozen
class HttpAnswer:
    """An HTTP answer for an error: status, JSON body and extra headers."""

    status_code: int
    body: dict[str, Any]
    headers: dict[str, str] = attrs.Factory(dict)


def _status_for(exc: StytchError) -> int:
    if isinstance(exc, JwtError):
        return 401
    if isinstance(exc, (PermissionDeniedError, InsufficientScopesError)):
        return 403
    if isinstance(exc, RateLimitError):
        return 429
    if isinstance(exc, ClientError):
        status = exc.status_code
        if exc.error_type == "unauthorized_credentials":
            return 500
        if status in (401, 404):
            return 401
        if status == 403:
            return 403
        return 502 if status >= 500 else 400
    if isinstance(exc, DecodeError):
        return 502
    if isinstance(exc, HttpError):
        return 503
    return 500


def http_answer(exc: StytchError) -> HttpAnswer:
    """The answer a web app gives for ``exc`` (see the table in this module's docstring)."""
    status = _status_for(exc)
    headers: dict[str, str] = {}
    error_type = getattr(exc, "error_type", None) or type(exc).__name__
    request_id = getattr(exc, "request_id", None)
    if status >= 500:
        logger.warning("Stytch call failed, answering %d: %s", status, exc)
        message = "authentication is unavailable" if status == 503 else "authentication failed on the server"
        error_type = "stytch_unavailable" if status == 503 else "stytch_error"
    else:
        message = getattr(exc, "error_message", "") or str(exc)
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    elif status == 503:
        headers["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)
    elif isinstance(exc, RateLimitError) and exc.retry_after is not None:
        headers["Retry-After"] = str(math.ceil(exc.retry_after))
    body = {"error_type": error_type, "error_message": message, "request_id": request_id}
    return HttpAnswer(status, body, headers)


def find_session_jwt(
    authorization: str | None, cookies: Mapping[str, str], *, cookie_name: str | None = SESSION_JWT_COOKIE
) -> str:
    """The session JWT from ``Authorization: Bearer ...``, else from the cookie.

    Raises :class:`~stytch_async.errors.JwtInvalidError` (reason ``missing``) when neither has one.
    """
    if authorization:
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
    if cookie_name is not None:
        token = cookies.get(cookie_name, "")
        if token:
            return token
    where = "an Authorization: Bearer header" + (f" or the {cookie_name!r} cookie" if cookie_name else "")
    raise JwtInvalidError(f"no session JWT in {where}", reason="missing")


def _fixed_consumer_check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    # A consumer check has no organization to fill in nor a request to read: refuse the B2B forms
    # here rather than let a duck-typed OwnOrganizationCheck pass as a plain permission check.
    if isinstance(value, OwnOrganizationCheck) or callable(value):
        raise UsageError(
            f"{type(instance).__name__}.authorization_check takes a fixed consumer check, got {value!r}: "
            "OwnOrganizationCheck and per-request functions are for RequireMemberSession and "
            "StytchB2BMiddleware"
        )


@attrs.frozen(kw_only=True)
class SessionCheck:
    """How a request's session is authenticated.

    The JWT comes from ``Authorization: Bearer`` or the ``cookie_name`` cookie and is
    checked locally (``sessions.authenticate_jwt_local``). With ``remote_fallback`` a
    JWT the local check cannot accept for a reason Stytch may see differently (expired
    but refreshable, unknown key, no key set) goes to ``sessions.authenticate_jwt``;
    its refusals are then ``ClientError``s (404 ``session_not_found``: answered 401),
    not ``JwtError``s. ``authorization_check`` also requires an RBAC permission (403).
    """

    cookie_name: str | None = SESSION_JWT_COOKIE
    remote_fallback: bool = False
    authorization_check: AuthorizationCheck | AuthorizationCheckDict | None = attrs.field(
        default=None, validator=_fixed_consumer_check
    )
    max_token_age_seconds: float | None = None

    async def authenticate(
        self, client: AsyncStytch, authorization: str | None, cookies: Mapping[str, str]
    ) -> Session:
        """The session the request's JWT stands for; refusals raise from the error tree."""
        jwt = find_session_jwt(authorization, cookies, cookie_name=self.cookie_name)
        if self.remote_fallback:
            answer = await client.sessions.authenticate_jwt(
                jwt,
                max_token_age_seconds=self.max_token_age_seconds,
                authorization_check=self.authorization_check,
            )
            return answer.session
        return await client.sessions.authenticate_jwt_local(
            jwt,
            max_token_age_seconds=self.max_token_age_seconds,
            authorization_check=self.authorization_check,
        )


def _non_empty(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value:
        raise UsageError(
            f"{type(instance).__name__}.{attribute.name} must be a non-empty string, got {value!r}"
        )


@attrs.frozen(kw_only=True)
class OwnOrganizationCheck:
    """A B2B RBAC check in the member's own organization: ``resource_id`` and ``action`` only.

    The organization is the one the verified session JWT names, so this check can
    never fail with ``TenancyMismatchError``; it asks only whether the member's roles
    (the project's and their organization's) allow ``action`` on ``resource_id``.
    Only the B2B integrations understand it (``RequireMemberSession``,
    ``StytchB2BMiddleware``); ``b2b.sessions.authenticate_jwt_local`` and the consumer
    integrations refuse it with ``UsageError``.
    """

    resource_id: str = attrs.field(validator=_non_empty)
    action: str = attrs.field(validator=_non_empty)

    def in_organization(self, organization_id: str) -> MemberAuthorizationCheck:
        """The same check naming ``organization_id``, as the B2B sessions methods take it."""
        return MemberAuthorizationCheck(
            organization_id=organization_id, resource_id=self.resource_id, action=self.action
        )


#: A B2B check as ``b2b.sessions.authenticate_jwt_local`` takes it (the organization named).
MemberCheck: TypeAlias = MemberAuthorizationCheck | MemberAuthorizationCheckDict
#: What a per-request check function returns: a check, a check in the member's own
#: organization, or None for no check on this request.
MemberCheckResult: TypeAlias = MemberCheck | OwnOrganizationCheck | None
RequestT = TypeVar("RequestT")
#: A function of the request (a FastAPI ``Request``, an ASGI scope) giving its check,
#: plainly or through an awaitable (``async def``).
MemberCheckFor: TypeAlias = Callable[[RequestT], MemberCheckResult | Awaitable[MemberCheckResult]]


@attrs.frozen(kw_only=True)
class MemberSessionCheck(Generic[RequestT]):
    """How a request's B2B member session is authenticated, with an ``AsyncStytchB2B``.

    The same lookup and fallback rules as :class:`SessionCheck`, through
    ``b2b.sessions.authenticate_jwt_local`` (and ``b2b.sessions.authenticate_jwt`` with
    ``remote_fallback``). ``authorization_check`` names the organization as well as the
    resource and action: a member of another organization is refused with
    ``TenancyMismatchError`` (403), a member without the permission with
    ``PermissionDeniedError`` (403). A consumer session JWT is refused (401).

    ``authorization_check`` is one of:

    - a check (``AuthorizationCheck`` or its dict), the same for every request;
    - an :class:`OwnOrganizationCheck`: the permission in whatever organization the
      member's verified JWT names;
    - a function of the request (``RequestT``: what the framework layer passes) returning
      either of those, or None for no check on that request; it may be ``async``. It is
      called once per request, after a JWT was found and before it is verified, so it
      must take the organization from the request itself (the path, say), never from
      anything the JWT claims. What it raises is raised, not treated as "no check".

    Anything else (a dict without ``organization_id``, a string) fails with ``UsageError``
    when the request comes; only None skips the check.
    """

    cookie_name: str | None = SESSION_JWT_COOKIE
    remote_fallback: bool = False
    authorization_check: MemberCheck | OwnOrganizationCheck | MemberCheckFor[RequestT] | None = None
    max_token_age_seconds: float | None = None

    async def check_for(self, request: RequestT) -> MemberCheckResult:
        """The check ``request`` must pass: ``authorization_check``, called with it if a function."""
        check = self.authorization_check
        if not callable(check):
            return check
        found = check(request)
        return await found if inspect.isawaitable(found) else found

    async def authenticate(
        self,
        client: AsyncStytchB2B,
        authorization: str | None,
        cookies: Mapping[str, str],
        *,
        request: RequestT,
    ) -> MemberSession:
        """The member session the request's JWT stands for; refusals raise from the error tree."""
        jwt = find_session_jwt(authorization, cookies, cookie_name=self.cookie_name)
        check = await self.check_for(request)
        if not isinstance(check, OwnOrganizationCheck):
            member_session, _ = await self._verify(client, jwt, check)
            return member_session
        # The organization is known once the JWT is verified. The check then runs through the
        # same public method with it filled in (one more signature check, tens of microseconds),
        # on the JWT Stytch just issued if Stytch was asked, so an expired JWT costs one request.
        member_session, verified_jwt = await self._verify(client, jwt, None)
        await self._verify(client, verified_jwt, check.in_organization(member_session.organization_id))
        return member_session

    async def _verify(
        self, client: AsyncStytchB2B, jwt: str, check: MemberCheck | None
    ) -> tuple[MemberSession, str]:
        if self.remote_fallback:
            answer = await client.sessions.authenticate_jwt(
                jwt, max_token_age_seconds=self.max_token_age_seconds, authorization_check=check
            )
            return answer.member_session, answer.session_jwt
        member_session = await client.sessions.authenticate_jwt_local(
            jwt, max_token_age_seconds=self.max_token_age_seconds, authorization_check=check
        )
        return member_session, jwt


__all__ = [
    "SESSION_JWT_COOKIE",
    "HttpAnswer",
    "MemberCheck",
    "MemberCheckFor",
    "MemberCheckResult",
    "MemberSessionCheck",
    "OwnOrganizationCheck",
    "SessionCheck",
    "find_session_jwt",
    "http_answer",
]
