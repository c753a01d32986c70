"""RBAC: the project policy with Stytch's default roles and resources, organization roles, checks.

Every member holds ``stytch_member`` (everything on ``stytch.self``);
``stytch_admin`` may do everything on every ``stytch.*`` resource. Roles and
resources of your own (what the dashboard defines) are added with
``FakeStytch.add_rbac_resource`` / ``add_rbac_role``; an organization's custom
roles come from ``rbac.organizations.set_org_policy``. A role allows an action
on a resource when one of its permissions names the resource with the action
or ``*``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from stytch_async.errors import UsageError
from stytch_async.testing._engine.errors import ApiError, bad_request, fail
from stytch_async.testing._engine.routing import Routes

from .policy import permission
from .records import MemberRecord, OrgRecord
from .state import B2BState, Call

ROUTES: Routes[B2BState] = Routes()


def _check_permissions(state: B2BState, permissions: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(permissions, list):
        raise bad_request(f"{where}.permissions must be a list.")
    checked = []
    for given in permissions:
        resource_id = given.get("resource_id") if isinstance(given, dict) else None
        actions = given.get("actions") if isinstance(given, dict) else None
        resource = state.rbac_resources.get(resource_id) if isinstance(resource_id, str) else None
        if resource is None:
            raise fail("invalid_rbac_permission", f"{where} names an unknown resource {resource_id!r}.")
        if not isinstance(actions, list) or not actions or not all(isinstance(a, str) for a in actions):
            raise fail("invalid_rbac_permission", f"{where} needs a non-empty list of actions.")
        if ("*" in actions and len(actions) > 1) or not set(actions) <= {"*", *resource["actions"]}:
            raise fail("invalid_rbac_permission", f"{where} names actions {resource_id!r} does not have.")
        checked.append(permission(str(resource_id), actions))
    return checked


def read_role(state: B2BState, role: Any, taken: Iterable[str]) -> dict[str, Any]:
    """A role definition, checked: a new id, known resources, known actions."""
    role_id = role.get("role_id") if isinstance(role, dict) else None
    if not isinstance(role_id, str) or not role_id:
        raise bad_request("Every role needs a role_id.")
    if role_id in taken:
        raise fail("duplicate_rbac_role", f"The role {role_id!r} is already defined.")
    description = role.get("description") or ""
    if not isinstance(description, str):
        raise bad_request("A role's description must be a string.")
    permissions = _check_permissions(state, role.get("permissions", []), f"role {role_id!r}")
    return {"role_id": role_id, "description": description, "permissions": permissions}


def check_roles(state: B2BState, org: OrgRecord, roles: list[str]) -> None:
    """Every role named must be defined for the project or the organization."""
    known = {*state.rbac_roles, *(r["role_id"] for r in org.custom_roles)}
    unknown = [r for r in roles if r not in known]
    if unknown:
        raise fail("invalid_rbac_role", f"Unknown roles: {', '.join(unknown)}.")


def allows(state: B2BState, org: OrgRecord, member: MemberRecord, resource_id: str, action: str) -> bool:
    roles = {**state.rbac_roles, **{r["role_id"]: r for r in org.custom_roles}}
    for role_id in member.all_roles(org):
        for granted in roles.get(role_id, {}).get("permissions", []):
            if granted["resource_id"] == resource_id and (
                "*" in granted["actions"] or action in granted["actions"]
            ):
                return True
    return False


def authorize(state: B2BState, org: OrgRecord, member: MemberRecord, check: dict[str, Any]) -> None:
    """Stytch's ``authorization_check``: the right organization, then a role that allows the action."""
    fields = {k: check.get(k) for k in ("organization_id", "resource_id", "action")}
    if not all(isinstance(v, str) and v for v in fields.values()):
        raise bad_request("authorization_check needs organization_id, resource_id and action strings.")
    if fields["organization_id"] != org.organization_id:
        raise fail("tenancy_mismatch")
    if not allows(state, org, member, str(fields["resource_id"]), str(fields["action"])):
        raise fail("session_authorization_error")


def add_resource(state: B2BState, resource_id: str, actions: list[str], description: str) -> None:
    """A project resource of the test's own (``FakeStytch.add_rbac_resource``)."""
    if not resource_id or resource_id in state.rbac_resources or resource_id.startswith("stytch."):
        raise UsageError(f"resource_id {resource_id!r} is empty, taken or in Stytch's namespace")
    if not actions or "*" in actions or not all(isinstance(a, str) and a for a in actions):
        raise UsageError("a resource needs a list of non-empty action names, without '*'")
    state.rbac_resources[resource_id] = {
        "resource_id": resource_id,
        "description": description,
        "actions": actions,
    }


def add_role(state: B2BState, role_id: str, permissions: dict[str, list[str]], description: str) -> None:
    """A project role of the test's own (``FakeStytch.add_rbac_role``)."""
    given = {
        "role_id": role_id,
        "description": description,
        "permissions": [permission(r, a) for r, a in permissions.items()],
    }
    try:
        state.rbac_roles[role_id] = read_role(state, given, state.rbac_roles)
    except ApiError as exc:
        raise UsageError(exc.message or exc.error_type) from None


@ROUTES.get("/v1/b2b/rbac/policy")
def policy(call: Call) -> dict[str, Any]:
    state = call.state
    return {
        "policy": {
            "roles": list(state.rbac_roles.values()),
            "resources": list(state.rbac_resources.values()),
            "scopes": [],
        }
    }


@ROUTES.get("/v1/b2b/rbac/organizations/{organization_id}")
def get_org_policy(call: Call) -> dict[str, Any]:
    org = call.state.org(call.params["organization_id"])
    return {"org_policy": {"roles": list(org.custom_roles)}}


@ROUTES.put("/v1/b2b/rbac/organizations/{organization_id}")
def set_org_policy(call: Call) -> dict[str, Any]:
    state = call.state
    org = state.org(call.params["organization_id"])
    given = call.body.mapping("org_policy")
    roles = None if given is None else given.get("roles")
    if not isinstance(roles, list):
        raise bad_request("org_policy.roles must be a list.")
    checked: list[dict[str, Any]] = []
    for role in roles:
        checked.append(read_role(state, role, [*state.rbac_roles, *(r["role_id"] for r in checked)]))
    org.custom_roles = checked
    org.updated_at = call.now
    return {"org_policy": {"roles": list(checked)}}
