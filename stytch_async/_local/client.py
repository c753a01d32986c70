"""A client whose products can check tokens locally: the verifier, its context, its lifecycle.

Both API clients build on :class:`LocalChecksClient`. Each says where its key set
and RBAC policy live (and the policy's response type); this module builds one
:class:`TokenVerifier` from that, runs its background refresh inside ``async with``,
and hands every product an :class:`ApiContext` holding the request pipeline and the
verifier. Nothing here knows a product.
"""

from __future__ import annotations

from typing import ClassVar

import attrs
import httpx

from stytch_async._core.client import BaseClient, check_seconds
from stytch_async._core.pipeline import RequestPipeline, quote_path
from stytch_async._core.resource import Context
from stytch_async._wire.base import DEFAULT_MAX_RESPONSE_SIZE
from stytch_async.errors import UsageError

from .verifier import TokenVerifier


@attrs.frozen
class ApiContext:
    """What a product of either API receives: the pipeline, and the verifier for local checks."""

    pipeline: RequestPipeline
    verifier: TokenVerifier


def verifier_for(ctx: Context) -> TokenVerifier:
    """The verifier of a product's context; a product built on a bare pipeline context cannot check locally."""
    if isinstance(ctx, ApiContext):
        ctx.verifier.check_open()  # a closed client refuses local checks as it refuses remote calls
        return ctx.verifier
    raise UsageError("local token checks need a product object that belongs to an AsyncStytch client")


class LocalChecksClient(BaseClient):
    """A :class:`BaseClient` with a key set and an RBAC policy kept fresh for local checks."""

    #: Where the project's key set lives; ``{project_id}`` is filled in.
    _jwks_path: ClassVar[str]
    #: Where the project's RBAC policy lives, and the type its answer decodes into
    #: (``"module:Class"``, imported on the first policy fetch).
    _policy_path: ClassVar[str]
    _policy_response: ClassVar[str]
    #: Where one organization's own roles live (``{organization_id}`` is filled in) and
    #: the type of the answer; ``None`` for an API without organizations.
    _org_policy: ClassVar[tuple[str, str] | None] = None

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
            max_response_size=max_response_size,
        )
        self._local = TokenVerifier(
            self._pipeline,
            jwks_path=self._jwks_path.format(project_id=quote_path(project_id)),
            policy_path=self._policy_path,
            policy_response=self._policy_response,
            org_policy=self._org_policy,
            jwks_refresh_interval=check_seconds(
                "jwks_refresh_interval", jwks_refresh_interval, allow_zero=False
            ),
            jwks_cooldown=check_seconds("jwks_cooldown", jwks_cooldown, allow_zero=True),
            preload_jwks=bool(preload_jwks),
            check_open=self._check_open,
        )
        self._context = ApiContext(self._pipeline, self._local)

    async def _start_background(self) -> None:
        await self._local.start()

    async def _stop_background(self) -> None:
        await self._local.stop()

    def _cancel_background(self) -> None:
        self._local.cancel()


__all__ = ["ApiContext", "LocalChecksClient", "verifier_for"]
