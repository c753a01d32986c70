"""Local authorization: the project's RBAC policy, role and scope checks, M2M scope matching."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import NamedTuple, Protocol

from stytch_async.errors import DecodeError, PermissionDeniedError, PolicyUnavailableError, UsageError

from .refresh import Refresher

#: How often the background task re-reads the policy (Stytch's Go SDK uses five minutes too).
POLICY_REFRESH_INTERVAL = 300.0
# The resource of a scope written without one ("admin"): only "*" or the same bare scope matches it.
_NO_RESOURCE = "-"


# -- M2M scopes: "action:resource", "*" only as the resource ----------------------------


def parse_scope(scope: object) -> tuple[str, str] | None:
    """``"read:users"`` -> ``("read", "users")``; ``"admin"`` -> ``("admin", "-")``; malformed -> None."""
    if not isinstance(scope, str) or not scope or scope.count(":") > 1:
        return None
    action, colon, resource = scope.partition(":")
    if not action or (colon and not resource):
        return None
    return action, resource if colon else _NO_RESOURCE


def missing_scopes(granted: Iterable[str], required: Sequence[str]) -> list[str]:
    """The required scopes that ``granted`` does not cover, in the order given.

    A required ``action:resource`` is covered by a granted scope with the same
    action whose resource is the same or ``*``. The wildcard counts only as the
    granted resource: ``read:*`` covers ``read:users``, never the reverse, and
    ``*:users`` covers nothing but itself. A malformed granted scope covers
    nothing; a malformed required scope is the caller's mistake (``UsageError``).
    """
    if isinstance(required, str):
        raise UsageError("required_scopes must be a list of scope strings, not one string")
    resources: dict[str, set[str]] = {}
    for scope in granted:
        parsed = parse_scope(scope)
        if parsed is not None:
            resources.setdefault(parsed[0], set()).add(parsed[1])
    missing = []
    for scope in required:
        parsed = parse_scope(scope)
        if parsed is None:
            raise UsageError(f"required scope {scope!r} is malformed: write 'action:resource' or 'action'")
        action, resource = parsed
        have = resources.get(action, set())
        if "*" not in have and resource not in have:
            missing.append(scope)
    return missing


# -- the policy, as far as the checks read it --------------------------------------------
# Protocols, so the consumer and B2B policy types (generated in their own packages) both fit.


class PermissionLike(Protocol):
    @property
    def resource_id(self) -> str: ...

    @property
    def actions(self) -> Sequence[str]: ...


class RoleLike(Protocol):
    @property
    def role_id(self) -> str: ...

    @property
    def permissions(self) -> Sequence[PermissionLike]: ...


class ScopeLike(Protocol):
    @property
    def scope(self) -> str: ...

    @property
    def permissions(self) -> Sequence[PermissionLike]: ...


class PolicyLike(Protocol):
    @property
    def roles(self) -> Sequence[RoleLike]: ...

    @property
    def scopes(self) -> Sequence[ScopeLike]: ...


class PolicyResponseLike(Protocol):
    @property
    def policy(self) -> PolicyLike | None: ...

    @property
    def status_code(self) -> int: ...


class AuthorizationCheckLike(Protocol):
    """What an API's ``AuthorizationCheck`` class offers: the resource and the action."""

    @property
    def resource_id(self) -> str: ...

    @property
    def action(self) -> str: ...


class AuthorizationCheck(NamedTuple):
    """The ``resource_id`` and ``action`` a caller asks about, however it was passed in."""

    resource_id: str
    action: str


# -- RBAC policy checks -----------------------------------------------------------------


def as_check(value: object) -> AuthorizationCheck:
    """Read an API's ``AuthorizationCheck`` (anything with string ``resource_id`` and
    ``action``) or a mapping with those keys."""
    resource_id, action = getattr(value, "resource_id", None), getattr(value, "action", None)
    if isinstance(resource_id, str) and isinstance(action, str) and resource_id and action:
        return AuthorizationCheck(resource_id=resource_id, action=action)
    if isinstance(value, Mapping):
        resource_id, action = value.get("resource_id"), value.get("action")
        if isinstance(resource_id, str) and isinstance(action, str) and resource_id and action:
            return AuthorizationCheck(resource_id=resource_id, action=action)
    raise UsageError(
        "authorization_check must be an AuthorizationCheck or a mapping with string "
        f"'resource_id' and 'action', got {value!r}"
    )


def _grants(permissions: Iterable[PermissionLike], check: AuthorizationCheck) -> bool:
    return any(
        p.resource_id == check.resource_id and ("*" in p.actions or check.action in p.actions)
        for p in permissions
    )


def roles_allow(policy: PolicyLike, roles: Iterable[str], check: AuthorizationCheck) -> bool:
    """True if any of ``roles`` has a permission for ``check.action`` on ``check.resource_id``."""
    held = set(roles)
    return _grants((p for role in policy.roles if role.role_id in held for p in role.permissions), check)


def scopes_allow(policy: PolicyLike, scopes: Iterable[str], check: AuthorizationCheck) -> bool:
    """True if any of ``scopes`` is a policy scope granting ``check.action`` on ``check.resource_id``."""
    held = set(scopes)
    return _grants((p for scope in policy.scopes if scope.scope in held for p in scope.permissions), check)


def deny(check: AuthorizationCheck) -> PermissionDeniedError:
    return PermissionDeniedError(resource_id=check.resource_id, action=check.action)


# -- the cached policy ------------------------------------------------------------------


class PolicyCache:
    """The project's RBAC policy, fetched with ``fetch`` and kept fresh."""

    def __init__(
        self,
        fetch: Callable[[], Awaitable[PolicyResponseLike]],
        *,
        url: str,
        interval: float,
        cooldown: float,
    ) -> None:
        self._fetch_response = fetch
        self.url = url
        self.refresher: Refresher[PolicyLike] = Refresher(
            "RBAC policy", self._fetch, interval=interval, cooldown=cooldown
        )

    async def _fetch(self) -> PolicyLike:
        response = await self._fetch_response()
        if response.policy is None:
            raise DecodeError("rbac.policy answered without a policy", status_code=response.status_code)
        return response.policy

    async def get(self) -> PolicyLike:
        """The policy; raises :class:`PolicyUnavailableError` if it has never been fetched."""
        await self.refresher.ensure()
        policy = self.refresher.value
        if policy is None:
            raise PolicyUnavailableError(
                "cannot check authorization: the RBAC policy has never been fetched",
                method="GET",
                url=self.url,
            ) from self.refresher.error
        return policy
