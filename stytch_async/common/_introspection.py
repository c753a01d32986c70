"""``idp.introspect_token_network`` and ``idp.introspect_access_token_local``, for both APIs.

The base class of the generated consumer and B2B ``IDP`` resources: OAuth token
introspection (RFC 7662, a form post) and its local twin, both with scope-based
RBAC against the client's cached policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stytch_async._core.pipeline import quote_path
from stytch_async._core.resource import Resource
from stytch_async._local.client import verifier_for
from stytch_async._local.jwt import custom_claims, require_str
from stytch_async._local.rbac import AuthorizationCheckLike, as_check, deny, scopes_allow
from stytch_async.common.tokens import IDPTokenClaims
from stytch_async.common.types.entities import IDPTokenResponse

_WHAT = "access token"


class IDPIntrospection(Resource):
    """Token introspection for Connected Apps, over the network or locally."""

    async def _introspect_network(
        self,
        token: str,
        client_id: str,
        *,
        client_secret: str | None,
        token_type_hint: str,
        timeout: float | None,
    ) -> IDPTokenResponse:
        body = {"token": token, "client_id": client_id, "token_type_hint": token_type_hint}
        if client_secret is not None:
            body["client_secret"] = client_secret
        return await self._pipeline.request(
            "POST",
            f"/v1/public/{quote_path(self._pipeline.project_id)}/oauth2/introspect",
            IDPTokenResponse,
            body=body,
            form=True,
            timeout=timeout,
        )

    async def introspect_token_network(
        self,
        token: str,
        client_id: str,
        *,
        client_secret: str | None = None,
        token_type_hint: str = "access_token",  # noqa: S107 - a token kind, not a credential
        authorization_check: AuthorizationCheckLike | Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> IDPTokenResponse:
        """Ask Stytch whether an access or refresh token is active, and read its claims.

        ``client_id`` (and ``client_secret`` for confidential clients) identify the
        Connected App the token was issued to. An inactive token is not an error: the
        response has ``active=False`` and no claims. ``authorization_check`` then asks the
        cached RBAC policy whether an active token's scopes grant ``action`` on
        ``resource_id``, raising ``PermissionDeniedError`` if not.
        """
        check = None if authorization_check is None else as_check(authorization_check)
        answer = await self._introspect_network(
            token, client_id, client_secret=client_secret, token_type_hint=token_type_hint, timeout=timeout
        )
        if check is not None and answer.active:
            policy = await verifier_for(self._ctx).policy.get()
            if not scopes_allow(policy, (answer.scope or "").split(), check):
                raise deny(check)
        return answer

    async def introspect_access_token_local(
        self,
        access_token: str,
        *,
        authorization_check: AuthorizationCheckLike | Mapping[str, Any] | None = None,
    ) -> IDPTokenClaims:
        """Check an access token Stytch issued as an identity provider, without asking Stytch.

        The same signature, issuer, audience and time checks as session JWTs.
        ``authorization_check`` also asks the cached RBAC policy whether one of the
        token's scopes grants ``action`` on ``resource_id``.

        Never returns None: a refused token raises a ``JwtError`` subclass and a denied
        check ``PermissionDeniedError``. Refresh tokens are opaque; use
        ``introspect_token_network`` for those.
        """
        local = verifier_for(self._ctx)
        check = None if authorization_check is None else as_check(authorization_check)
        claims = await local.verify(access_token, what=_WHAT, leeway=0, max_age=None)
        scope = require_str(claims, "scope", _WHAT)
        if check is not None and not scopes_allow(await local.policy.get(), scope.split(), check):
            raise deny(check)
        aud = claims["aud"]
        return IDPTokenClaims(
            subject=require_str(claims, "sub", _WHAT),
            scope=scope,
            audience=[aud] if isinstance(aud, str) else list(aud),
            expires_at=int(claims["exp"]),
            issued_at=int(claims["iat"]),
            issuer=claims["iss"],
            not_before=int(claims["nbf"]),
            token_type="access_token",  # noqa: S106 - a token kind, not a credential
            custom_claims=custom_claims(claims, "scope"),
        )
