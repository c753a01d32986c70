"""``AsyncStytchB2B``: the async client for Stytch's B2B API."""

from __future__ import annotations

from stytch_async._core.lazy import products_section
from stytch_async._local.client import LocalChecksClient
from stytch_async.b2b._products import B2BProducts


class AsyncStytchB2B(LocalChecksClient, B2BProducts):
    """An async client for Stytch's B2B API: organizations, members, discovery, SSO, SCIM, RBAC.

    Create one per process and reuse it; it holds one pool of keep-alive connections::

        async with AsyncStytchB2B("project-test-...", "secret-test-...") as stytch:
            org = await stytch.organizations.create("Acme", organization_slug="acme")

    It takes the same options as :class:`~stytch_async.AsyncStytch` and shares its
    engine: retries, deadlines, the error tree, the connection pool or an injected
    ``httpx.AsyncClient``. Besides the B2B products it mounts the ones both APIs
    share (``m2m``, ``connected_app``, ``fraud``, ``project``, ``debug``).

    Member session JWTs are checked against the project's B2B key set
    (``/v1/b2b/sessions/jwks/<project id>``), refreshed in the background inside
    ``async with``; RBAC checks read the B2B policy (``/v1/b2b/rbac/policy``) and
    each organization's own roles (``rbac.organizations.get_org_policy``), both
    cached and refreshed in the background too.
    """

    _jwks_path = "/v1/b2b/sessions/jwks/{project_id}"
    _policy_path = "/v1/b2b/rbac/policy"
    _policy_response = "stytch_async.b2b.types.rbac:PolicyResponse"
    _warm_modules = (
        "stytch_async.common.types.entities",
        "stytch_async.b2b.types.entities",
        "stytch_async.b2b.types.sessions",
        "stytch_async.b2b.resources.sessions",
    )
    _org_policy = (
        "/v1/b2b/rbac/organizations/{organization_id}",
        "stytch_async.b2b.types.rbac:OrganizationsGetOrgPolicyResponse",
    )


# help() files the lazy product attributes under "Methods"; the docstring names them instead.
AsyncStytchB2B.__doc__ = (AsyncStytchB2B.__doc__ or "").rstrip() + products_section(AsyncStytchB2B)

__all__ = ["AsyncStytchB2B"]
