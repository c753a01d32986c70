"""Local authorization: the project's RBAC policy, role and scope checks, M2M scope matching."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Generic, NamedTuple, Protocol, TypeVar

from stytch_async.errors import (
    DecodeError,
    PermissionDeniedError,
    PolicyUnavailableError,
    TenancyMismatchError,
    UsageError,
)

from .refresh import Refresher, RefresherMap

T = TypeVar("T")
F = TypeVar("F")

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


class OrgPolicyLike(Protocol):
    @property
    def roles(self) -> Sequence[RoleLike]: ...


class OrgPolicyResponseLike(Protocol):
    @property
    def org_policy(self) -> OrgPolicyLike: ...


class AuthorizationCheckLike(Protocol):
    """What an API's ``AuthorizationCheck`` class offers: the resource and the action."""

    @property
    def resource_id(self) -> str: ...

    @property
    def action(self) -> str: ...


class AuthorizationCheck(NamedTuple):
    """What a caller asks about, however it was passed in: the resource and the action, and
    for the B2B API the organization the member must belong to."""

    resource_id: str
    action: str
    organization_id: str | None = None


# -- RBAC policy checks -----------------------------------------------------------------


def _read(value: object, names: Sequence[str]) -> list[str] | None:
    """The non-empty strings ``names`` from attributes, else from a mapping; None if one is missing."""
    sources: list[Callable[[str], object]] = [lambda name: getattr(value, name, None)]
    if isinstance(value, Mapping):
        sources.append(value.get)
    for get in sources:
        found = [get(name) for name in names]
        strings = [v for v in found if isinstance(v, str) and v]
        if len(strings) == len(names):
            return strings
    return None


def as_check(value: object, *, organization: bool = False) -> AuthorizationCheck:
    """Read an API's ``AuthorizationCheck`` (anything with string ``resource_id`` and
    ``action``, plus ``organization_id`` when ``organization``) or a mapping with those keys."""
    names = ("resource_id", "action", "organization_id") if organization else ("resource_id", "action")
    found = _read(value, names)
    if found is None:
        wanted = ", ".join(repr(n) for n in names)
        raise UsageError(
            f"authorization_check must be an AuthorizationCheck or a mapping with string {wanted}, got {value!r}"
        )
    return AuthorizationCheck(*found)


def _grants(permissions: Iterable[PermissionLike], check: AuthorizationCheck) -> bool:
    return any(
        p.resource_id == check.resource_id and ("*" in p.actions or check.action in p.actions)
        for p in permissions
    )


def roles_allow(
    policy: PolicyLike, roles: Iterable[str], check: AuthorizationCheck, *, extra: Iterable[RoleLike] = ()
) -> bool:
    """True if any of ``roles`` has a permission for ``check.action`` on ``check.resource_id``.

    Roles are looked up in ``policy`` and in ``extra`` (an organization's own roles).
    """
    held = set(roles)
    defined = itertools.chain(policy.roles, extra)
    return _grants((p for role in defined if role.role_id in held for p in role.permissions), check)


def scopes_allow(policy: PolicyLike, scopes: Iterable[str], check: AuthorizationCheck) -> bool:
    """True if any of ``scopes`` is a policy scope granting ``check.action`` on ``check.resource_id``."""
    held = set(scopes)
    return _grants((p for scope in policy.scopes if scope.scope in held for p in scope.permissions), check)


def deny(check: AuthorizationCheck) -> PermissionDeniedError:
    return PermissionDeniedError(
        resource_id=check.resource_id, action=check.action, organization_id=check.organization_id
    )


# -- the cached policy ------------------------------------------------------------------


async def _current(state: Refresher[T], what: str, url: str) -> T:
    """The value of ``state`` (fetched if stale); :class:`PolicyUnavailableError` if it never was."""
    await state.ensure()
    value = state.value
    if value is None:
        raise PolicyUnavailableError(
            f"cannot check authorization: {what} has never been fetched", method="GET", url=url
        ) from state.error
    return value


class _Cached(Generic[F]):
    """A policy source: how to fetch it, and its URL for errors."""

    def __init__(self, fetch: F, *, url: str, interval: float, cooldown: float) -> None:
        self._fetch_response = fetch
        self.url = url
        self._start(interval, cooldown)

    def _start(self, interval: float, cooldown: float) -> None:
        raise NotImplementedError


class PolicyCache(_Cached[Callable[[], Awaitable[PolicyResponseLike]]]):
    """The project's RBAC policy, fetched with ``fetch`` and kept fresh."""

    def _start(self, interval: float, cooldown: float) -> None:
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
        return await _current(self.refresher, "the RBAC policy", self.url)


class OrgPolicyCache(_Cached[Callable[[str], Awaitable[OrgPolicyResponseLike]]]):
    """Each organization's own roles (B2B), fetched with ``fetch(organization_id)`` and kept fresh.

    ``url`` is the policy URL with ``{organization_id}`` left in, for errors.
    """

    def _start(self, interval: float, cooldown: float) -> None:
        self.refreshers: RefresherMap[str, Sequence[RoleLike]] = RefresherMap(
            "RBAC organization policy", self._fetch, interval=interval, cooldown=cooldown
        )

    async def _fetch(self, organization_id: str) -> Sequence[RoleLike]:
        response = await self._fetch_response(organization_id)
        return list(response.org_policy.roles)

    async def roles(self, organization_id: str) -> Sequence[RoleLike]:
        """The organization's roles; raises :class:`PolicyUnavailableError` if never fetched."""
        return await _current(
            self.refreshers.get(organization_id),
            f"the RBAC policy of organization {organization_id!r}",
            self.url.format(organization_id=organization_id),
        )


async def authorize_member(
    policy: PolicyCache,
    org_policies: OrgPolicyCache,
    *,
    organization_id: str,
    roles: Sequence[str],
    check: AuthorizationCheck,
) -> None:
    """Check a B2B member (of ``organization_id``, holding ``roles``) against ``check``.

    The organization comes first: a check naming another organization is a
    :class:`TenancyMismatchError`, whatever the roles. Then the project's roles are
    asked, and only if they do not allow the action and the member holds a role
    the project does not define, the organization's own roles (organization roles
    never reuse a project role's id, so the answer is the same as asking both at
    once, with one fetch fewer). A denial is a :class:`PermissionDeniedError`.
    """
    if check.organization_id != organization_id:
        raise TenancyMismatchError(
            organization_id=check.organization_id or "", member_organization_id=organization_id
        )
    project = await policy.get()
    if roles_allow(project, roles, check):
        return
    defined = {role.role_id for role in project.roles}
    if all(role in defined for role in roles):
        raise deny(check)
    if not roles_allow(project, roles, check, extra=await org_policies.roles(organization_id)):
        raise deny(check)
