"""``m2m.token``, a cached token source, and the local check of M2M access tokens.

The base class of the generated ``M2M`` resource; both clients mount it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import anyio

from stytch_async._core.pipeline import quote_path
from stytch_async._core.resource import Resource
from stytch_async._local.client import verifier_for
from stytch_async._local.jwt import custom_claims, require_str
from stytch_async._local.rbac import missing_scopes
from stytch_async.common.tokens import M2MJWTClaims
from stytch_async.common.types.m2m import GetTokenResponse
from stytch_async.errors import InsufficientScopesError, UsageError

_WHAT = "access token"


class M2MExtension(Resource):
    """Access tokens for M2M clients: fetched (``token``), cached (``token_source``), checked locally."""

    async def token(
        self,
        client_id: str,
        client_secret: str,
        *,
        scopes: Sequence[str] | None = None,
        extra: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> GetTokenResponse:
        """Exchange an M2M client's id and secret for an access token.

        ``scopes`` narrows the token to some of the client's scopes (all of them when
        left out); ``extra`` adds fields to the request body. For repeated use prefer
        :meth:`token_source`, which reuses a token until shortly before it expires.

        Args:
            client_id: The ID of the M2M client asking for a token.
            client_secret: That client's secret.
            scopes: The scopes the token should carry, each one the client holds; sent
                joined by spaces. Leave out for all of the client's scopes.
            extra: More fields for the request body, sent as given.
            timeout: Seconds the whole call may take, retries and back-off included; past it
                ``HttpTimeoutError`` is raised. Leave out to use the client's timeout.
        """
        if isinstance(scopes, str):
            raise UsageError("scopes must be a list of scope strings, not one string")
        body: dict[str, Any] = dict(extra or {})
        body.update(grant_type="client_credentials", client_id=client_id, client_secret=client_secret)
        if scopes is not None:
            body["scope"] = " ".join(scopes)
        return await self._post(
            f"/v1/public/{quote_path(self._pipeline.project_id)}/oauth2/token",
            body,
            GetTokenResponse,
            timeout=timeout,
        )

    def token_source(
        self,
        client_id: str,
        client_secret: str,
        *,
        scopes: Sequence[str] | None = None,
        refresh_margin: float = 60.0,
    ) -> M2MTokenSource:
        """A token cache for one M2M client: ``await source.get()`` returns a live access token.

        Nothing is fetched until the first ``get()``.

        Args:
            client_id: The ID of the M2M client the tokens are for.
            client_secret: That client's secret.
            scopes: The scopes each token should carry; leave out for all of the client's.
            refresh_margin: Seconds before a token expires at which the next ``get()``
                fetches a new one instead of reusing it.
        """
        return M2MTokenSource(self, client_id, client_secret, scopes=scopes, refresh_margin=refresh_margin)

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

        Args:
            access_token: The M2M access token (a JWT), e.g. from an ``Authorization:
                Bearer`` header.
            required_scopes: Scopes the token must cover, such as ``read:users``; leave
                out to check only that the token is valid.
            max_token_age: Refuse tokens issued more than this many seconds ago, even if
                not yet expired; leave out for no such limit.
            leeway: Seconds of clock difference to tolerate in the time checks.
        """
        required = [] if required_scopes is None else required_scopes
        # Check the caller's scopes before the token, so a typo fails the same way every time.
        missing_scopes([], required)
        claims = await verifier_for(self._ctx).verify(
            access_token, what=_WHAT, leeway=leeway, max_age=max_token_age
        )
        scopes = require_str(claims, "scope", _WHAT).split()
        client_id = require_str(claims, "sub", _WHAT)
        missing = missing_scopes(scopes, required)
        if missing:
            raise InsufficientScopesError(missing)
        return M2MJWTClaims(client_id=client_id, scopes=scopes, custom_claims=custom_claims(claims, "scope"))


class M2MTokenSource:
    """Reuses one access token until ``refresh_margin`` seconds before it expires.

    Many concurrent callers share a single refresh: the first one fetches, the
    others wait for its result. A failed refresh raises to every waiter and the
    next call tries again.
    """

    def __init__(
        self,
        m2m: M2MExtension,
        client_id: str,
        client_secret: str,
        *,
        scopes: Sequence[str] | None,
        refresh_margin: float,
    ) -> None:
        if refresh_margin < 0:
            raise UsageError(f"refresh_margin must be >= 0, got {refresh_margin!r}")
        self._m2m = m2m
        self.client_id = client_id
        self._client_secret = client_secret
        self.scopes = tuple(scopes) if scopes is not None else None
        self.refresh_margin = refresh_margin
        self._token: str | None = None
        self._fresh_until = float("-inf")
        self._lock: anyio.Lock | None = None
        self.fetches = 0

    def __repr__(self) -> str:
        return f"M2MTokenSource(client_id={self.client_id!r}, scopes={self.scopes!r})"

    async def get(self, *, timeout: float | None = None) -> str:
        """Return a cached access token, fetching a new one when it is about to expire.

        Args:
            timeout: Seconds a fetch may take, retries and back-off included; leave out to
                use the client's timeout. A cached token returns at once.
        """
        if self._token is not None and anyio.current_time() < self._fresh_until:
            return self._token
        if self._lock is None:
            self._lock = anyio.Lock()
        async with self._lock:
            # Someone else may have refreshed while we waited for the lock.
            if self._token is not None and anyio.current_time() < self._fresh_until:
                return self._token
            started = anyio.current_time()
            response = await self._m2m.token(
                self.client_id, self._client_secret, scopes=self.scopes, timeout=timeout
            )
            self.fetches += 1
            self._token = response.access_token
            self._fresh_until = started + max(0.0, response.expires_in - self.refresh_margin)
            return self._token

    def invalidate(self) -> None:
        """Forget the cached token, e.g. after the API rejected it."""
        self._token = None
        self._fresh_until = float("-inf")
