"""``sessions.authenticate_jwt_local`` and ``sessions.authenticate_jwt``: session JWTs checked locally.

The base class of the generated ``Sessions`` resource. It imports the generated
types, never the resource, and calls the pipeline itself where it needs a request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, overload

import cattrs

from stytch_async._core.resource import Resource
from stytch_async._local.claims import (
    ORGANIZATION_CLAIM,
    build,
    local_or_none,
    session_fields,
    structure_claims,
)
from stytch_async._local.client import verifier_for
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
from stytch_async.errors import JwtInvalidError

C = TypeVar("C")

_WHAT = "session JWT"


def session_from_claims(claims: Mapping[str, Any], converter: cattrs.Converter) -> Session:
    """Build the ``Session`` a session JWT describes (the official SDK's mapping).

    A B2B member session JWT (it names an organization) is refused: its subject
    is a member, not a user.
    """
    if ORGANIZATION_CLAIM in claims:
        raise JwtInvalidError(
            f"{_WHAT} is a B2B member session JWT; check it with AsyncStytchB2B", reason="wrong_kind"
        )
    session, data = session_fields(claims, _WHAT, "Session")
    data.update(
        session_id=session.get("id"),
        user_id=data.pop("subject"),
        attributes=session.get("attributes"),
    )
    return build(data, Session, converter, _WHAT)


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

        Args:
            session_jwt: The session JWT to check, e.g. from the ``stytch_session_jwt``
                cookie.
            max_token_age_seconds: Refuse a JWT issued more than this many seconds ago,
                even if not yet expired; leave out for no such limit.
            leeway: Seconds of clock difference to tolerate in the time checks.
            authorization_check: ``resource_id`` and ``action`` that the session's roles must
                allow under the project's RBAC policy; leave out for no check.
            claims_type: An attrs class (or other type the converter can build) to
                structure the session's custom claims into; leave out to get the bare
                ``Session``.
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

        Args:
            session_jwt: The session JWT to check.
            max_token_age_seconds: Seconds after issue past which the JWT is not trusted
                locally and Stytch is asked instead; leave out for no such limit.
            session_custom_claims: Claims to add to the session, sent only when Stytch is
                asked (a claim set to ``None`` is removed).
            authorization_check: ``resource_id`` and ``action`` that the session's roles must
                allow; checked locally, or by Stytch when it is asked.
            timeout: Seconds the request to Stytch may take, when one is made, retries and
                back-off included; leave out to use the client's timeout.
            claims_type: A type to structure the custom claims into; leave out to get them
                as a plain ``dict``.
        """
        converter = self._pipeline.converter
        session = await local_or_none(
            self._session_local(session_jwt, max_token_age_seconds, 0, authorization_check)
        )
        if session is not None:
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

        Args:
            claims_type: A type to structure the session's custom claims into.
            session_token: The session token to check; pass this or ``session_jwt``.
            session_jwt: The session JWT to check; pass this or ``session_token``.
            session_duration_minutes: Minutes from now the session should last (5 to
                527,040, i.e. 366 days); leave out to keep its current expiry.
            session_custom_claims: Claims to add to the session and its JWTs (reserved JWT
                claims are ignored; 4 KB at most in all); a claim set to ``None`` is removed.
            authorization_check: ``resource_id`` and ``action`` that the session's roles must
                allow; if they do not, the call raises ``ClientError``.
            timeout: Seconds the whole call may take, retries and back-off included; past it
                ``HttpTimeoutError`` is raised. Leave out to use the client's timeout.
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
