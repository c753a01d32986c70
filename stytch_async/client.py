"""``AsyncStytch``: the async client for Stytch's consumer API."""

from __future__ import annotations

import httpx

from ._consumer import ConsumerProducts
from ._core.client import BaseClient
from ._wire.base import DEFAULT_MAX_RESPONSE_SIZE


class AsyncStytch(BaseClient, ConsumerProducts):
    """An async client for Stytch's consumer API.

    Create one per process and reuse it; it holds one pool of keep-alive connections::

        async with AsyncStytch("project-test-...", "secret-test-...") as stytch:
            await stytch.magic_links.email.login_or_create(email="ada@example.com")

    ``base_url`` overrides the API host (a path prefix is kept); without it the
    environment comes from ``environment`` or from the project id prefix
    (``project-live-`` or ``project-test-``). ``timeout`` bounds each whole call,
    retries included; ``max_retries`` is how many more attempts a retryable
    failure gets. An ``http_client`` you pass in is used as is and left open;
    without one, calls go through the client's own HTTP/1.1 pool (or an
    ``httpx.AsyncClient`` when proxy environment variables apply).

    Local token checks (``sessions.authenticate_jwt_local``, ``m2m.authenticate_token``,
    ``idp.introspect_access_token_local``) use the project's key set, fetched through
    the same connections. Inside ``async with`` a background task refreshes it every
    ``jwks_refresh_interval`` seconds; a token signed by an unknown key triggers at
    most one extra fetch per ``jwks_cooldown`` seconds. ``preload_jwks=True`` fetches
    the key set on entering the block and fails fast if Stytch cannot provide it.

    ``max_response_size`` (bytes, 32 MiB by default) bounds any answer's body, after
    decompression, through the own pool and an ``http_client`` alike; a bigger answer
    fails with an :class:`~stytch_async.errors.HttpError` while it is being read.
    """

    def __init__(
        self,
        project_id: str,
        secret: str,
        *,
        environment: str | None = None,
        base_url: str | None = None,
        fraud_base_url: str | None = None,
        timeout: float | None = 30.0,
        max_retries: int = 2,
        http_client: httpx.AsyncClient | None = None,
        jwks_refresh_interval: float = 600.0,
        jwks_cooldown: float = 30.0,
        preload_jwks: bool = False,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
    ) -> None:
        super().__init__(
            project_id,
            secret,
            environment=environment,
            base_url=base_url,
            fraud_base_url=fraud_base_url,
            timeout=timeout,
            max_retries=max_retries,
            http_client=http_client,
            jwks_refresh_interval=jwks_refresh_interval,
            jwks_cooldown=jwks_cooldown,
            preload_jwks=preload_jwks,
            max_response_size=max_response_size,
        )
        self._init_products(self._pipeline)
