"""What the B2B backend stores, and each record's JSON exactly as Stytch shapes it.

Every ``to_json`` emits the keys of the matching response model and no others,
so the client's strict converter decodes each answer (the tests check that).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stytch_async.testing._engine.clock import iso
from stytch_async.testing._engine.sessions import Factor, add_factor

MEMBER_ROLE = "stytch_member"  # every member holds it
ADMIN_ROLE = "stytch_admin"

# An organization's settings as Stytch creates them when a call leaves them out.
ORG_DEFAULTS: dict[str, Any] = {
    "sso_jit_provisioning": "ALL_ALLOWED",
    "sso_jit_provisioning_allowed_connections": [],
    "email_allowed_domains": [],
    "email_jit_provisioning": "NOT_ALLOWED",
    "email_invites": "ALL_ALLOWED",
    "auth_methods": "ALL_ALLOWED",
    "allowed_auth_methods": [],
    "mfa_policy": "OPTIONAL",
    "rbac_email_implicit_role_assignments": [],
    "mfa_methods": "ALL_ALLOWED",
    "allowed_mfa_methods": [],
    "oauth_tenant_jit_provisioning": "NOT_ALLOWED",
    "allowed_oauth_tenants": {},
    "claimed_email_domains": [],
    "first_party_connected_apps_allowed_type": "ALL_ALLOWED",
    "allowed_first_party_connected_apps": [],
    "third_party_connected_apps_allowed_type": "ALL_ALLOWED",
    "allowed_third_party_connected_apps": [],
}


@dataclass
class OrgRecord:
    organization_id: str
    name: str
    slug: str
    created_at: float
    updated_at: float
    logo_url: str = ""
    external_id: str | None = None
    trusted_metadata: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=lambda: {k: _copy(v) for k, v in ORG_DEFAULTS.items()})
    custom_roles: list[dict[str, Any]] = field(default_factory=list)  # its RBAC org policy

    def domain_allowed(self, email: str) -> bool:
        domain = email.rsplit("@", 1)[-1]
        return domain in self.settings["email_allowed_domains"]

    def requires_mfa(self) -> bool:
        return bool(self.settings["mfa_policy"] == "REQUIRED_FOR_ALL")

    def to_json(self) -> dict[str, Any]:
        return {
            "organization_id": self.organization_id,
            "organization_name": self.name,
            "organization_logo_url": self.logo_url,
            "organization_slug": self.slug,
            "sso_active_connections": [],
            **{k: _copy(v) for k, v in self.settings.items()},
            "custom_roles": [_copy(r) for r in self.custom_roles],
            "trusted_metadata": dict(self.trusted_metadata),
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "organization_external_id": self.external_id,
            "sso_default_connection_id": None,
            "scim_active_connection": None,
        }


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


@dataclass
class PasswordRecord:
    password_id: str
    salt: bytes
    digest: bytes


@dataclass
class TotpRecord:
    totp_id: str
    secret: str
    expires_at: float
    recovery_codes: list[str]
    verified: bool = False
    last_step: int | None = None


@dataclass
class MemberRecord:
    member_id: str
    organization_id: str
    email: str
    email_id: str
    created_at: float
    updated_at: float
    status: str = "active"  # "active" | "invited" | "pending" | "deleted"
    name: str = ""
    email_verified: bool = False
    is_breakglass: bool = False
    mfa_phone_number: str = ""
    mfa_phone_verified: bool = False
    mfa_enrolled: bool = False
    default_mfa_method: str = ""
    roles: list[str] = field(default_factory=list)  # assigned directly
    trusted_metadata: dict[str, Any] = field(default_factory=dict)
    untrusted_metadata: dict[str, Any] = field(default_factory=dict)
    external_id: str | None = None
    password: PasswordRecord | None = None
    totp: TotpRecord | None = None

    def role_sources(self, org: OrgRecord) -> dict[str, list[dict[str, Any]]]:
        """Each role the member holds, with where it comes from, in Stytch's order."""
        held: dict[str, list[dict[str, Any]]] = {MEMBER_ROLE: [{"type": "direct_assignment", "details": {}}]}
        for role in self.roles:
            held.setdefault(role, []).append({"type": "direct_assignment", "details": {}})
        domain = self.email.rsplit("@", 1)[-1]
        for rule in org.settings["rbac_email_implicit_role_assignments"]:
            if rule["domain"] == domain:
                source = {"type": "email_assignment", "details": {"email_domain": domain}}
                held.setdefault(rule["role_id"], []).append(source)
        return held

    def all_roles(self, org: OrgRecord) -> list[str]:
        return list(self.role_sources(org))

    def to_json(self, org: OrgRecord) -> dict[str, Any]:
        roles = self.role_sources(org)
        return {
            "organization_id": self.organization_id,
            "member_id": self.member_id,
            "email_address": self.email,
            "status": self.status,
            "name": self.name,
            "sso_registrations": [],
            "is_breakglass": self.is_breakglass,
            "member_password_id": "" if self.password is None else self.password.password_id,
            "oauth_registrations": [],
            "email_address_verified": self.email_verified,
            "mfa_phone_number_verified": self.mfa_phone_verified,
            "is_admin": ADMIN_ROLE in roles,
            "totp_registration_id": self.totp.totp_id if self.totp and self.totp.verified else "",
            "retired_email_addresses": [],
            "is_locked": False,
            "mfa_enrolled": self.mfa_enrolled,
            "mfa_phone_number": self.mfa_phone_number,
            "default_mfa_method": self.default_mfa_method,
            "roles": [{"role_id": r, "sources": s} for r, s in roles.items()],
            "trusted_metadata": dict(self.trusted_metadata),
            "untrusted_metadata": dict(self.untrusted_metadata),
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "scim_registration": None,
            "external_id": self.external_id,
            "lock_created_at": None,
            "lock_expires_at": None,
        }


@dataclass
class MemberSessionRecord:
    member_session_id: str
    member_id: str
    organization_id: str
    token: str
    started_at: float
    last_accessed_at: float
    expires_at: float
    factors: list[Factor]
    custom_claims: dict[str, Any] = field(default_factory=dict)

    def add_factor(self, factor: Factor) -> None:
        add_factor(self.factors, factor)

    def to_json(self, roles: list[str], slug: str) -> dict[str, Any]:
        return {
            "member_session_id": self.member_session_id,
            "member_id": self.member_id,
            "started_at": iso(self.started_at),
            "last_accessed_at": iso(self.last_accessed_at),
            "expires_at": iso(self.expires_at),
            "authentication_factors": [f.to_json() for f in self.factors],
            "organization_id": self.organization_id,
            "roles": list(roles),
            "organization_slug": slug,
            "custom_claims": dict(self.custom_claims),
        }

    def claims(self, roles: list[str], slug: str) -> dict[str, Any]:
        """The ``https://stytch.com/session`` and ``https://stytch.com/organization`` claims of its JWT."""
        return {
            "https://stytch.com/session": {
                "id": self.member_session_id,
                "started_at": iso(self.started_at),
                "last_accessed_at": iso(self.last_accessed_at),
                "expires_at": iso(self.expires_at),
                "attributes": {"ip_address": "", "user_agent": ""},
                "authentication_factors": [f.to_json() for f in self.factors],
                "roles": list(roles),
            },
            "https://stytch.com/organization": {"organization_id": self.organization_id, "slug": slug},
        }


@dataclass
class IntermediateSession:
    """Proof of some factors that is not yet a session: after discovery, or before MFA.

    A discovery one names only an email address; one waiting for MFA also names
    the member (and so the organization) it belongs to.
    """

    token: str
    email: str
    factors: list[Factor]
    expires_at: float
    member_id: str | None = None
    organization_id: str | None = None


@dataclass
class PendingLink:
    """A magic link, invite, discovery link or password reset waiting to be used."""

    token: str
    kind: str  # "login" | "signup" | "invite" | "discovery" | "reset"
    email: str
    expires_at: float
    member_id: str | None = None
    code_challenge: str | None = None


@dataclass
class PendingCode:
    """The newest passcode sent to one member, by email or SMS."""

    code: str
    expires_at: float
    attempts: int = 0
