"""``AsyncStytch``: the async client for Stytch's consumer API."""

from __future__ import annotations

from stytch_async._core.lazy import products_section
from stytch_async._local.client import LocalChecksClient
from stytch_async.consumer._products import ConsumerProducts


class AsyncStytch(LocalChecksClient, ConsumerProducts):
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

    _jwks_path = "/v1/sessions/jwks/{project_id}"
    _policy_path = "/v1/rbac/policy"
    _policy_response = "stytch_async.consumer.types.rbac:PolicyResponse"
    _warm_modules = (
        "stytch_async.common.types.entities",
        "stytch_async.consumer.types.entities",
        "stytch_async.consumer.types.sessions",
        "stytch_async.consumer.resources.sessions",
    )


# help() files the lazy product attributes under "Methods"; the docstring names them instead.
AsyncStytch.__doc__ = (AsyncStytch.__doc__ or "").rstrip() + products_section(AsyncStytch)

__all__ = ["AsyncStytch"]
