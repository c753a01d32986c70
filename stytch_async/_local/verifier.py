"""Per-client state for local token checks: the key set, the RBAC policies, their background tasks.

The client builds one :class:`TokenVerifier` and hands it to every product in
its context (``_local.client.ApiContext``); the hand-written extensions reach it
with ``verifier_for``. A B2B client also keeps each organization's own roles.

Lifecycle: ``start()`` (from ``__aenter__``) optionally preloads the key set,
then opens a task group whose tasks keep the caches fresh; ``cancel()`` (from
``aclose``) cancels those tasks only, never the caller's code; ``stop()`` (from
``__aexit__``) cancels and waits for them, so nothing outlives the ``async with``.
Without ``async with`` there is no task: the caches fetch on demand.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import anyio
from anyio.abc import TaskGroup

from stytch_async._core.pipeline import RequestPipeline, quote_path

from .jwks import JwksCache
from .jwt import check_claims, check_window, read_kid, verify_signature
from .rbac import POLICY_REFRESH_INTERVAL, OrgPolicyCache, PolicyCache


class _Runs(Protocol):
    """A cache whose background task is ``run()``: a :class:`Refresher` or a ``RefresherMap``."""

    name: str

    async def run(self) -> None: ...


def _fetcher(
    pipeline: RequestPipeline, response: str, path: Callable[..., str]
) -> Callable[..., Awaitable[Any]]:
    """A GET of ``path(*args)`` decoded into ``response`` (``"module:Class"``, imported on first use:
    the policy types are large and most apps never check roles)."""
    module_name, _, class_name = response.partition(":")

    async def fetch(*args: str) -> Any:
        model: type[Any] = getattr(importlib.import_module(module_name), class_name)
        return await pipeline.request("GET", path(*args), model, timeout=None)

    return fetch


class TokenVerifier:
    """Everything a local token check needs, for one client."""

    def __init__(
        self,
        pipeline: RequestPipeline,
        *,
        jwks_path: str,
        policy_path: str,
        policy_response: str,
        org_policy: tuple[str, str] | None = None,
        jwks_refresh_interval: float,
        jwks_cooldown: float,
        preload_jwks: bool,
        check_open: Callable[[], None],
    ) -> None:
        self.project_id = pipeline.project_id
        # Stytch signs with ``stytch.com/<project id>``; a custom domain signs with its own URL.
        self.issuers = frozenset({f"stytch.com/{self.project_id}", pipeline.base_url.rstrip("/")})
        self.jwks = JwksCache(pipeline, jwks_path, interval=jwks_refresh_interval, cooldown=jwks_cooldown)

        fetch_policy = _fetcher(pipeline, policy_response, lambda: policy_path)
        self.policy = PolicyCache(
            fetch_policy,
            url=pipeline.base_url + policy_path,
            interval=POLICY_REFRESH_INTERVAL,
            cooldown=jwks_cooldown,
        )
        #: Each organization's own roles (B2B only: ``org_policy`` is ``(path, response type)``).
        self.org_policies: OrgPolicyCache | None = None
        if org_policy is not None:
            org_path, org_response = org_policy
            fetch_org = _fetcher(
                pipeline, org_response, lambda org: org_path.format(organization_id=quote_path(org))
            )
            self.org_policies = OrgPolicyCache(
                fetch_org,
                url=pipeline.base_url + org_path,
                interval=POLICY_REFRESH_INTERVAL,
                cooldown=jwks_cooldown,
            )
        self.preload_jwks = preload_jwks
        #: Raises the client's own "closed" UsageError once it is closed.
        self.check_open = check_open
        #: Seconds since the epoch; tests may swap it.
        self.clock: Callable[[], float] = time.time
        self._group: TaskGroup | None = None
        self._scopes: list[anyio.CancelScope] = []
        #: Background tasks currently running (0 outside ``async with``).
        self.running = 0

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """Preload if asked (raising if that fails), then start the background refresh."""
        if self.preload_jwks:
            await self.jwks.preload()
        group = anyio.create_task_group()
        await group.__aenter__()
        self._group = group
        runners: list[_Runs] = [self.jwks.refresher, self.policy.refresher]
        if self.org_policies is not None:
            runners.append(self.org_policies.refreshers)
        for state in runners:
            scope = anyio.CancelScope()
            self._scopes.append(scope)
            group.start_soon(self._keep_fresh, state, scope, name=f"stytch_async refresh {state.name}")

    async def _keep_fresh(self, state: _Runs, scope: anyio.CancelScope) -> None:
        self.running += 1
        try:
            with scope:
                await state.run()
        finally:
            self.running -= 1

    def cancel(self) -> None:
        """Cancel the background tasks without waiting (safe from anywhere)."""
        for scope in self._scopes:
            scope.cancel()
        self._scopes.clear()

    async def stop(self) -> None:
        """Cancel the background tasks and wait until they are gone."""
        self.cancel()
        group, self._group = self._group, None
        if group is not None:
            # The tasks are already cancelled, so this only waits for them to unwind.
            await group.__aexit__(None, None, None)

    # -- the check -----------------------------------------------------------------------

    async def verify(self, token: object, *, what: str, leeway: object, max_age: object) -> dict[str, Any]:
        """Verify ``token`` as a JWT this project issued; return its claims."""
        self.check_open()
        leeway_s, max_age_s = check_window(leeway, max_age)
        kid = read_kid(token, what)
        assert isinstance(token, str)  # read_kid checked it
        key = await self.jwks.key_for(kid, what)
        claims = verify_signature(token, key, what)
        check_claims(
            claims,
            what=what,
            issuers=self.issuers,
            audience=self.project_id,
            now=self.clock(),
            leeway=leeway_s,
            max_age=max_age_s,
        )
        return claims
