"""B2B ``sessions.authenticate_jwt_local`` and ``sessions.authenticate_jwt``: member session JWTs checked locally.

The base class of the generated B2B ``Sessions`` resource. It imports the
generated types, never the resource, and calls the pipeline itself where it
needs a request. The JWT steps, the claim mapping helpers and the RBAC engine
are the consumer API's, from ``stytch_async._local``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, overload

import cattrs

from stytch_async._core.resource import Resource
from stytch_async._local.claims import (
    ORGANIZATION_CLAIM,
    build,
    claim_object,
    local_or_none,
    session_fields,
    structure_claims,
)
from stytch_async._local.client import verifier_for
from stytch_async._local.jwt import require_str
from stytch_async._local.rbac import as_check, authorize_member
from stytch_async.b2b.tokens import AuthenticateJWTResponse, MemberSessionWithClaims
from stytch_async.b2b.types.entities import MemberSession
from stytch_async.b2b.types.sessions import (
    AuthenticateRequest,
    AuthenticateResponse,
    AuthorizationCheck,
    AuthorizationCheckDict,
)
from stytch_async.errors import JwtInvalidError, UsageError

C = TypeVar("C")

_WHAT = "member session JWT"


def member_session_from_claims(claims: Mapping[str, Any], converter: cattrs.Converter) -> MemberSession:
    """Build the ``MemberSession`` a member session JWT describes (the official SDK's mapping).

    The organization claim must be an object with string ``organization_id`` and
    ``slug``. A consumer session JWT has no such claim, so it is refused here.
    """
    if ORGANIZATION_CLAIM not in claims:
        raise JwtInvalidError(
            f"{_WHAT} has no {ORGANIZATION_CLAIM!r} claim: not a member session JWT "
            "(a consumer session JWT? check it with AsyncStytch)",
            reason="missing_claim",
        )
    org = claim_object(claims, ORGANIZATION_CLAIM, _WHAT)
    session, data = session_fields(claims, _WHAT, "MemberSession")
    data.update(
        member_session_id=session.get("id"),
        member_id=data.pop("subject"),
        organization_id=require_str(org, "organization_id", f"{_WHAT} organization claim"),
        organization_slug=require_str(org, "slug", f"{_WHAT} organization claim"),
    )
    return build(data, MemberSession, converter, _WHAT)


class B2BSessionsExtension(Resource):
    """Member session JWT checks that need no request while the key set and policies are fresh."""

    async def _member_session_local(
        self,
        session_jwt: str,
        max_token_age_seconds: float | None,
        leeway: float,
        authorization_check: AuthorizationCheck | AuthorizationCheckDict | None,
    ) -> MemberSession:
        local = verifier_for(self._ctx)
        check = None if authorization_check is None else as_check(authorization_check, organization=True)
        claims = await local.verify(session_jwt, what=_WHAT, leeway=leeway, max_age=max_token_age_seconds)
        member_session = member_session_from_claims(claims, self._pipeline.converter)
        if check is not None:
            if local.org_policies is None:
                raise UsageError("organization RBAC checks need an AsyncStytchB2B client")
            await authorize_member(
                local.policy,
                local.org_policies,
                organization_id=member_session.organization_id,
                roles=member_session.roles,
                check=check,
            )
        return member_session

    @overload
    async def authenticate_jwt_local(
        self,
        session_jwt: str,
        *,
        max_token_age_seconds: float | None = None,
        leeway: float = 0,
        authorization_check: AuthorizationCheck | AuthorizationCheckDict | None = None,
    ) -> MemberSession: ...

    @overload
    async def authenticate_jwt_local(
        self,
        session_jwt: str,
        *,
        max_token_age_seconds: float | None = None,
        leeway: float = 0,
        authorization_check: AuthorizationCheck | AuthorizationCheckDict | None = None,
        claims_type: type[C],
    ) -> MemberSessionWithClaims[C]: ...

    async def authenticate_jwt_local(
        self,
        session_jwt: str,
        *,
        max_token_age_seconds: float | None = None,
        leeway: float = 0,
        authorization_check: AuthorizationCheck | AuthorizationCheckDict | None = None,
        claims_type: type[C] | None = None,
    ) -> MemberSession | MemberSessionWithClaims[C]:
        """Check a member session JWT with the project's B2B keys, without asking Stytch.

        The same signature, issuer, audience and time checks as the consumer API's
        (``leeway`` seconds of clock skew; ``max_token_age_seconds`` bounds the age), and
        the JWT must name its organization (``https://stytch.com/organization``): a
        consumer session JWT is refused with ``JwtInvalidError``.

        ``authorization_check`` (``organization_id``, ``resource_id``, ``action``) first
        requires the member to belong to ``organization_id`` (else
        ``TenancyMismatchError``), then asks the cached project policy, and the
        organization's own roles, whether the member's roles allow ``action`` on
        ``resource_id`` (else ``PermissionDeniedError``).

        Returns the ``MemberSession`` the JWT describes (or, with ``claims_type``, the
        session and its custom claims structured into that class). Never returns None.

        Args:
            session_jwt: The member session JWT to check, e.g. from the ``stytch_session_jwt``
                cookie.
            max_token_age_seconds: Refuse a JWT issued more than this many seconds ago,
                even if not yet expired; leave out for no such limit.
            leeway: Seconds of clock difference to tolerate in the time checks.
            authorization_check: ``organization_id``, ``resource_id`` and ``action`` the member
                must belong to and be allowed under the project's and the organization's RBAC
                policies; leave out for no check.
            claims_type: An attrs class (or other type the converter can build) to structure
                the session's custom claims into; leave out to get the bare ``MemberSession``.
        """
        member_session = await self._member_session_local(
            session_jwt, max_token_age_seconds, leeway, authorization_check
        )
        if claims_type is None:
            return member_session
        claims = structure_claims(member_session.custom_claims, claims_type, self._pipeline.converter)
        return MemberSessionWithClaims(member_session=member_session, custom_claims=claims)

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
        """Check a member session JWT locally when possible, otherwise let Stytch decide.

        The local check runs first (see ``authenticate_jwt_local``). When it fails for a
        reason Stytch may see differently (the JWT expired or is too old, and Stytch can
        refresh it; its key, the project policy or the organization's policy is not
        available locally), ``sessions.authenticate`` decides, with
        ``session_custom_claims`` and ``authorization_check``. A malformed or forged JWT,
        a consumer JWT, a tenancy mismatch and a denial are final: no request is made.
        ``verified_locally`` on the result says which path answered; ``timeout`` bounds
        the request to Stytch.

        Args:
            session_jwt: The member session JWT to check.
            max_token_age_seconds: Seconds after issue past which the JWT is not trusted
                locally and Stytch is asked instead; leave out for no such limit.
            session_custom_claims: Claims to add to the session, sent only when Stytch is
                asked (a claim set to ``None`` is removed).
            authorization_check: ``organization_id``, ``resource_id`` and ``action`` to check;
                locally, or by Stytch when it is asked.
            timeout: Seconds the request to Stytch may take, when one is made, retries and
                back-off included; leave out to use the client's timeout.
            claims_type: A type to structure the custom claims into; leave out to get them
                as a plain ``dict``.
        """
        converter = self._pipeline.converter

        def typed(claims: dict[str, Any] | None) -> Any:
            return (claims or {}) if claims_type is None else structure_claims(claims, claims_type, converter)

        member_session = await local_or_none(
            self._member_session_local(session_jwt, max_token_age_seconds, 0, authorization_check)
        )
        if member_session is not None:
            return AuthenticateJWTResponse(
                status_code=200,
                request_id=None,
                member_session=member_session,
                session_jwt=session_jwt,
                custom_claims=typed(member_session.custom_claims),
                verified_locally=True,
            )
        answer = await self._post(
            "/v1/b2b/sessions/authenticate",
            AuthenticateRequest(
                session_jwt=session_jwt,
                session_custom_claims=session_custom_claims,
                authorization_check=authorization_check,
            ),
            AuthenticateResponse,
            timeout=timeout,
        )
        return AuthenticateJWTResponse(
            status_code=answer.status_code,
            request_id=answer.request_id,
            member_session=answer.member_session,
            session_jwt=answer.session_jwt,
            custom_claims=typed(answer.member_session.custom_claims),
            verified_locally=False,
            member=answer.member,
            organization=answer.organization,
            verdict=answer.verdict,
        )
