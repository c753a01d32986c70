"""Stytch's default RBAC policy for B2B projects: the ``stytch.*`` resources and the two default roles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .records import ADMIN_ROLE, MEMBER_ROLE

DEFAULT_RESOURCES: dict[str, tuple[str, ...]] = {
    "stytch.organization": (
        "update.info.name",
        "update.info.slug",
        "update.info.logo-url",
        "update.settings.allowed-auth-methods",
        "update.settings.allowed-mfa-methods",
        "update.settings.email-jit-provisioning",
        "update.settings.email-invites",
        "update.settings.allowed-domains",
        "update.settings.sso-jit-provisioning",
        "update.settings.mfa-policy",
        "update.settings.implicit-roles",
        "delete",
    ),
    "stytch.member": (
        "create",
        "update.info.name",
        "update.info.untrusted-metadata",
        "update.info.mfa-phone",
        "update.info.email",
        "update.info.delete.mfa-phone",
        "update.info.delete.password",
        "update.info.delete.mfa-totp",
        "update.settings.is-breakglass",
        "update.settings.mfa-enrolled",
        "update.settings.roles",
        "search",
        "delete",
    ),
    "stytch.sso": ("create", "update", "delete"),
    "stytch.scim": ("create", "update", "delete", "get", "get-groups"),
    "stytch.self": (
        "update.info.name",
        "update.info.untrusted-metadata",
        "update.info.mfa-phone",
        "update.info.delete.mfa-phone",
        "update.info.delete.password",
        "update.info.delete.mfa-totp",
        "update.settings.mfa-enrolled",
        "update.settings.default-mfa-method",
        "revoke-sessions",
        "delete",
    ),
}


def permission(resource_id: str, actions: Iterable[str]) -> dict[str, Any]:
    return {"resource_id": resource_id, "actions": list(actions)}


def default_roles() -> dict[str, dict[str, Any]]:
    return {
        MEMBER_ROLE: {
            "role_id": MEMBER_ROLE,
            "description": "Granted to every member of an organization.",
            "permissions": [permission("stytch.self", ["*"])],
        },
        ADMIN_ROLE: {
            "role_id": ADMIN_ROLE,
            "description": "May do everything on every Stytch resource of its organization.",
            "permissions": [permission(r, ["*"]) for r in DEFAULT_RESOURCES],
        },
    }


def default_resources() -> dict[str, dict[str, Any]]:
    return {
        r: {"resource_id": r, "description": f"Stytch's {r.split('.', 1)[1]} resource.", "actions": list(a)}
        for r, a in DEFAULT_RESOURCES.items()
    }
