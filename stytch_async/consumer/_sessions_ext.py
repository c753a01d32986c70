"""``sessions.authenticate_jwt_local`` and ``sessions.authenticate_jwt``: session JWTs checked locally.

The base class of the generated ``Sessions`` resource. It imports the generated
types, never the resource, and calls the pipeline itself where it needs a request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, overload

import cattrs

from stytch_async._core.resource import Resource
from stytch_async._core.response import _describe
from stytch_async._local.client import verifier_for
from stytch_async._local.jwt import custom_claims, require_str
from stytch_async._local.rbac import as_check, deny, roles_allow
from stytch_async.consumer.tokens import (
    AuthenticateJWTResponse,
    AuthenticateWithClaimsResponse,
    SessionWithClaims,
)
from stytch_async.consumer.types.entities import Session
from stytch_async.consumer.types.sessions import (
    AuthenticateRequest,
    AuthenticateResponse,
    AuthorizationCheck,
    AuthorizationCheckDict,
)
from stytch_async.errors import (
    DecodeError,
    JwksUnavailableError,
    JwtExpiredError,
    JwtInvalidError,
    JwtNotYetValidError,
    JwtTooOldError,
    PolicyUnavailableError,
    StytchError,
    UsageError,
)

C = TypeVar("C")

#: The claim that carries the session in a Stytch session JWT.
SESSION_CLAIM = "https://stytch.com/session"
_WHAT = "session JWT"


def session_from_claims(claims: Mapping[str, Any], converter: cattrs.Converter) -> Session:
    """Build the ``Session`` a session JWT describes (the official SDK's mapping)."""
    session = claims.get(SESSION_CLAIM)
    if not isinstance(session, dict):
        raise JwtInvalidError(
            f"{_WHAT} has no {SESSION_CLAIM!r} claim: not a session JWT", reason="missing_claim"
        )
    roles = session.get("roles", [])
    if not isinstance(roles, list):
        # Checked here: the converter would happily split a string into characters.
        raise DecodeError(f"{_WHAT} claims do not fit Session: roles is not a list", status_code=200)
    data: dict[str, Any] = {
        "session_id": session.get("id"),
        "user_id": require_str(claims, "sub", _WHAT),
        "started_at": session.get("started_at"),
        "last_accessed_at": session.get("last_accessed_at"),
        "expires_at": session.get("expires_at", claims.get("exp")),
        "attributes": session.get("attributes"),
        "authentication_factors": session.get("authentication_factors", []),
        "roles": roles,
        "custom_claims": custom_claims(claims, SESSION_CLAIM),
    }
    try:
        return converter.structure({k: v for k, v in data.items() if v is not None}, Session)
    except (cattrs.BaseValidationError, KeyError, TypeError, ValueError) as exc:
        raise DecodeError(f"{_WHAT} claims do not fit Session: {_describe(exc)}", status_code=200) from exc


def structure_claims(value: Mapping[str, Any] | None, claims_type: type[C], converter: cattrs.Converter) -> C:
    """Structure custom claims into the caller's class; a mismatch is a ``DecodeError``."""
    try:
        return converter.structure(dict(value or {}), claims_type)
    except cattrs.errors.StructureHandlerNotFoundError as exc:
        raise UsageError(f"claims_type {claims_type!r} is not a class cattrs can build (use attrs)") from exc
    except (cattrs.BaseValidationError, KeyError, TypeError, ValueError) as exc:
        name = getattr(claims_type, "__name__", repr(claims_type))
        raise DecodeError(f"custom claims do not fit {name}: {_describe(exc)}", status_code=200) from exc


def server_may_decide(exc: StytchError) -> bool:
    """Local failures that Stytch may still accept: time-based ones and missing keys or policy.

    A malformed or forged token (bad signature, issuer, audience) is refused
    without asking; Stytch would refuse it too, and asking would let garbage
    tokens turn into API calls.
    """
    if isinstance(exc, (JwtExpiredError, JwtTooOldError, JwtNotYetValidError)):
        return True
    if isinstance(exc, (JwksUnavailableError, PolicyUnavailableError)):
        return True
    return isinstance(exc, JwtInvalidError) and exc.reason == "unknown_key"


class SessionsExtension(Resource):
    """Session JWT checks that need no request while the key set is fresh."""

    async def _authenticate(
        self, request: AuthenticateRequest, timeout: float | None
    ) -> AuthenticateResponse:
        return await self._post("/v1/sessions/authenticate", request, AuthenticateResponse, timeout=timeout)

    async def _session_local(
        self,
        session_jwt: str,
        max_token_age_seconds: float | None,
        leeway: float,
        authorization_check: AuthorizationCheck | AuthorizationCheckDict | None,
    ) -> Session:
        local = verifier_for(self._ctx)
        check = None if authorization_check is None else as_check(authorization_check)
        claims = await local.verify(session_jwt, what=_WHAT, leeway=leeway, max_age=max_token_age_seconds)
        session = session_from_claims(claims, self._pipeline.converter)
        if check is not None and not roles_allow(await local.policy.get(), session.roles, check):
            raise deny(check)
        return session

    @overload
    async def authenticate_jwt_local(
        self,
        session_jwt: str,
        *,
        max_token_age_seconds: float | None = None,
        leeway: float = 0,
        authorization_check: AuthorizationCheck | AuthorizationCheckDict | None = None,
    ) -> Session: ...

    @overload
    async def authenticate_jwt_local(
        self,
        session_jwt: str,
        *,
        max_token_age_seconds: float | None = None,
        leeway: float = 0,
        authorization_check: AuthorizationCheck | AuthorizationCheckDict | None = None,
        claims_type: type[C],
    ) -> SessionWithClaims[C]: ...

    async def authenticate_jwt_local(
        self,
        session_jwt: str,
        *,
        max_token_age_seconds: float | None = None,
        leeway: float = 0,
        authorization_check: AuthorizationCheck | AuthorizationCheckDict | None = None,
        claims_type: type[C] | None = None,
    ) -> Session | SessionWithClaims[C]:
        """Check a session JWT with the project's keys, without asking Stytch.

        Checks the RS256 signature, the issuer (``stytch.com/<project id>`` or the
        custom base URL), the audience (the project id), ``exp``/``nbf``/``iat`` with
        ``leeway`` seconds of clock skew, and, when ``max_token_age_seconds`` is given,
        that the JWT is younger than that. ``authorization_check`` also asks the cached
        RBAC policy whether the session's roles allow ``action`` on ``resource_id``.

        Returns the ``Session`` the JWT describes (or, with ``claims_type``, the session
        and its custom claims structured into that class). Never returns None: a refused
        JWT raises a ``JwtError`` subclass, a denied check ``PermissionDeniedError``, and
        a key set Stytch never delivered ``JwksUnavailableError``.
        """
        session = await self._session_local(session_jwt, max_token_age_seconds, leeway, authorization_check)
        if claims_type is None:
            return session
        claims = structure_claims(session.custom_claims, claims_type, self._pipeline.converter)
        return SessionWithClaims(session=session, custom_claims=claims)

    @overload
    async def authenticate_jwt(
        self,
        session_jwt: str,
        *,
        max_token_age_seconds: float | None = None,
        session_custom_claims: Mapping[str, Any] | None = None,
        authorization_check: AuthorizationCheck | AuthorizationCheckDict | None = None,
        timeout: float | None = None,
    ) -> AuthenticateJWTResponse[dict[str, Any]]: ...

    @overload
    async def authenticate_jwt(
        self,
        session_jwt: str,
        *,
        max_token_age_seconds: float | None = None,
        session_custom_claims: Mapping[str, Any] | None = None,
        authorization_check: AuthorizationCheck | AuthorizationCheckDict | None = None,
        timeout: float | None = None,
        claims_type: type[C],
    ) -> AuthenticateJWTResponse[C]: ...

    async def authenticate_jwt(
        self,
        session_jwt: str,
        *,
        max_token_age_seconds: float | None = None,
        session_custom_claims: Mapping[str, Any] | None = None,
        authorization_check: AuthorizationCheck | AuthorizationCheckDict | None = None,
        timeout: float | None = None,
        claims_type: type[C] | None = None,
    ) -> AuthenticateJWTResponse[Any]:
        """Check a session JWT locally when possible, otherwise let Stytch decide.

        The local check runs first (see ``authenticate_jwt_local``). When it fails for a
        reason Stytch may see differently (the JWT expired or is older than
        ``max_token_age_seconds``, and Stytch can refresh it; its key or the RBAC policy
        is not available locally), ``sessions.authenticate`` decides, with
        ``session_custom_claims`` and ``authorization_check``. A malformed or forged JWT
        is refused without a request. ``verified_locally`` on the result says which
        path answered; ``timeout`` bounds the request to Stytch.
        """
        converter = self._pipeline.converter
        try:
            session = await self._session_local(session_jwt, max_token_age_seconds, 0, authorization_check)
        except StytchError as exc:
            if not server_may_decide(exc):
                raise
        else:
            claims = session.custom_claims or {}
            return AuthenticateJWTResponse(
                status_code=200,
                request_id=None,
                session=session,
                session_jwt=session_jwt,
                custom_claims=claims
                if claims_type is None
                else structure_claims(claims, claims_type, converter),
                verified_locally=True,
            )
        answer = await self._authenticate(
            AuthenticateRequest(
                session_jwt=session_jwt,
                session_custom_claims=session_custom_claims,
                authorization_check=authorization_check,
            ),
            timeout,
        )
        claims = answer.session.custom_claims or {}
        return AuthenticateJWTResponse(
            status_code=answer.status_code,
            request_id=answer.request_id,
            session=answer.session,
            session_jwt=answer.session_jwt,
            custom_claims=claims if claims_type is None else structure_claims(claims, claims_type, converter),
            verified_locally=False,
            user=answer.user,
            verdict=answer.verdict,
        )

    async def authenticate_with_claims(
        self,
        claims_type: type[C],
        *,
        session_token: str | None = None,
        session_jwt: str | None = None,
        session_duration_minutes: int | None = None,
        session_custom_claims: Mapping[str, Any] | None = None,
        authorization_check: AuthorizationCheck | AuthorizationCheckDict | None = None,
        timeout: float | None = None,
    ) -> AuthenticateWithClaimsResponse[C]:
        """``sessions.authenticate``, with the session's custom claims structured into ``claims_type``.

        Always asks Stytch (so it also refreshes and extends the session); claims that do
        not fit ``claims_type`` raise :class:`~stytch_async.errors.DecodeError`.
        """
        answer = await self._authenticate(
            AuthenticateRequest(
                session_token=session_token,
                session_jwt=session_jwt,
                session_duration_minutes=session_duration_minutes,
                session_custom_claims=session_custom_claims,
                authorization_check=authorization_check,
            ),
            timeout,
        )
        claims = structure_claims(answer.session.custom_claims, claims_type, self._pipeline.converter)
        return AuthenticateWithClaimsResponse(response=answer, custom_claims=claims)
