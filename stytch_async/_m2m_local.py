"""``m2m.authenticate_token``: M2M access tokens checked locally, with scope matching."""

from __future__ import annotations

from collections.abc import Sequence

from ._local.jwt import custom_claims, require_str
from ._local.rbac import missing_scopes
from ._local.verifier import verifier_of
from ._m2m import M2MTokens
from .errors import InsufficientScopesError
from .tokens import M2MJWTClaims

_WHAT = "access token"


class M2MLocal(M2MTokens):
    """Token fetching (``M2MTokens``) plus the local check of the tokens it hands out."""

    async def authenticate_token(
        self,
        access_token: str,
        *,
        required_scopes: Sequence[str] | None = None,
        max_token_age: float | None = None,
        leeway: float = 0,
    ) -> M2MJWTClaims:
        """Check an M2M access token with the project's keys, without asking Stytch.

        The same signature, issuer, audience and time checks as session JWTs (``leeway``
        seconds of clock skew; ``max_token_age`` seconds since issue at most). Each of
        ``required_scopes`` must be covered by the token's scopes: ``action:resource``
        matches the same action on the same resource or on ``*``; a scope without a
        colon matches only itself or ``action:*``.

        Returns the client id, scopes and custom claims. Never returns None: a refused
        token raises a ``JwtError`` subclass, missing scopes ``InsufficientScopesError``,
        a malformed required scope ``UsageError``.
        """
        required = [] if required_scopes is None else required_scopes
        # Check the caller's scopes before the token, so a typo fails the same way every time.
        missing_scopes([], required)
        claims = await verifier_of(self._pipeline).verify(
            access_token, what=_WHAT, leeway=leeway, max_age=max_token_age
        )
        scopes = require_str(claims, "scope", _WHAT).split()
        client_id = require_str(claims, "sub", _WHAT)
        missing = missing_scopes(scopes, required)
        if missing:
            raise InsufficientScopesError(missing)
        return M2MJWTClaims(client_id=client_id, scopes=scopes, custom_claims=custom_claims(claims, "scope"))
