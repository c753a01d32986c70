"""Organizations: create (unique slug), get, update, delete, search; and the settings they carry.

Settings a call leaves out take Stytch's defaults (``email_jit_provisioning``
``NOT_ALLOWED``, ``email_invites`` ``ALL_ALLOWED``, ``mfa_policy`` ``OPTIONAL``,
...). Enumerated settings accept only the values Stytch documents, and
``RESTRICTED`` needs its list: allowed domains for JIT provisioning and
invites, allowed methods for ``auth_methods`` and ``mfa_methods``.
"""

from __future__ import annotations

import re
from typing import Any

from stytch_async.testing._engine.body import Body
from stytch_async.testing._engine.errors import bad_request, fail
from stytch_async.testing._engine.routing import Routes
from stytch_async.testing._engine.search import Filters, page

from .records import OrgRecord
from .state import B2BState, Call

ROUTES: Routes[B2BState] = Routes()

_SLUG = re.compile(r"^[a-z0-9\-._~]{2,128}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
_TRISTATE = frozenset({"ALL_ALLOWED", "RESTRICTED", "NOT_ALLOWED"})
_CHOICES: dict[str, frozenset[str]] = {
    "sso_jit_provisioning": _TRISTATE,
    "email_jit_provisioning": _TRISTATE,
    "email_invites": _TRISTATE,
    "oauth_tenant_jit_provisioning": _TRISTATE,
    "first_party_connected_apps_allowed_type": _TRISTATE,
    "third_party_connected_apps_allowed_type": _TRISTATE,
    "auth_methods": frozenset({"ALL_ALLOWED", "RESTRICTED"}),
    "mfa_methods": frozenset({"ALL_ALLOWED", "RESTRICTED"}),
    "mfa_policy": frozenset({"OPTIONAL", "REQUIRED_FOR_ALL"}),
}
AUTH_METHODS = frozenset(
    {
        "sso",
        "magic_link",
        "email_otp",
        "password",
        "google_oauth",
        "microsoft_oauth",
        "slack_oauth",
        "github_oauth",
        "hubspot_oauth",
    }
)
MFA_METHODS = frozenset({"sms_otp", "totp"})
_LISTS = (
    "sso_jit_provisioning_allowed_connections",
    "allowed_first_party_connected_apps",
    "allowed_third_party_connected_apps",
)


def _domains(body: Body, name: str) -> list[str] | None:
    given = body.strings(name)
    if given is None:
        return None
    domains = [d.lower() for d in given]
    if not all(_DOMAIN.match(d) for d in domains):
        raise fail("invalid_email_domain", f"{name} holds something that is not a domain name.")
    return domains


def _implicit_roles(body: Body) -> list[dict[str, Any]] | None:
    given = body.raw("rbac_email_implicit_role_assignments")
    if given is None:
        return None
    if not isinstance(given, list) or not all(
        isinstance(r, dict) and isinstance(r.get("domain"), str) and isinstance(r.get("role_id"), str)
        for r in given
    ):
        raise bad_request("rbac_email_implicit_role_assignments must be a list of {domain, role_id}.")
    return [{"domain": r["domain"].lower(), "role_id": r["role_id"]} for r in given]


def read_settings(body: Body, current: dict[str, Any]) -> dict[str, Any]:
    """The settings after applying the body to ``current``, checked; nothing is changed yet."""
    settings = dict(current)
    for name, allowed in _CHOICES.items():
        value = body.text(name)
        if value is not None:
            if value not in allowed:
                raise bad_request(f"{name} must be one of {', '.join(sorted(allowed))}.")
            settings[name] = value
    for name in ("email_allowed_domains", "claimed_email_domains"):
        domains = _domains(body, name)
        if domains is not None:
            settings[name] = domains
    for name, known in (("allowed_auth_methods", AUTH_METHODS), ("allowed_mfa_methods", MFA_METHODS)):
        methods = body.strings(name)
        if methods is not None:
            if not set(methods) <= known:
                raise bad_request(f"{name} may hold only {', '.join(sorted(known))}.")
            settings[name] = methods
    for name in _LISTS:
        values = body.strings(name)
        if values is not None:
            settings[name] = values
    roles = _implicit_roles(body)
    if roles is not None:
        settings["rbac_email_implicit_role_assignments"] = roles
    tenants = body.mapping("allowed_oauth_tenants")
    if tenants is not None:
        settings["allowed_oauth_tenants"] = tenants
    if settings["auth_methods"] == "RESTRICTED" and not settings["allowed_auth_methods"]:
        raise fail("allowed_auth_methods_required_for_restricted")
    if settings["mfa_methods"] == "RESTRICTED" and not settings["allowed_mfa_methods"]:
        raise fail("allowed_mfa_methods_required_for_restricted")
    for name in ("email_jit_provisioning", "email_invites"):
        if settings[name] == "RESTRICTED" and not settings["email_allowed_domains"]:
            raise fail(
                "email_allowed_domains_required_for_restricted",
                f"{name} RESTRICTED needs email_allowed_domains.",
            )
    return settings


def _slug(state: B2BState, slug: str, org: OrgRecord | None = None) -> str:
    if not _SLUG.match(slug):
        raise fail("invalid_organization_slug")
    if any(o.slug == slug and o is not org for o in state.orgs.values()):
        raise fail("organization_slug_already_used")
    return slug


def _external_id(state: B2BState, body: Body, org: OrgRecord | None = None) -> str | None:
    value = body.text("organization_external_id")
    if value is not None and any(o.external_id == value and o is not org for o in state.orgs.values()):
        raise fail("duplicate_organization_external_id")
    return value


def create_org(call: Call) -> OrgRecord:
    """An organization from a create body (``organizations.create`` or discovery), stored."""
    body, state = call.body, call.state
    name = body.need("organization_name")
    given = body.text("organization_slug")
    slug = _slug(
        state, given if given is not None else re.sub(r"[^a-z0-9\-._~]+", "-", name.lower()).strip("-")
    )
    external_id = _external_id(state, body)
    settings = read_settings(body, OrgRecord("", "", "", 0, 0).settings)
    org = OrgRecord(state.new_id("organization"), name, slug, call.now, call.now)
    org.logo_url = body.text("organization_logo_url") or ""
    org.external_id = external_id
    org.trusted_metadata = body.mapping("trusted_metadata") or {}
    org.settings = settings
    state.orgs[org.organization_id] = org
    return org


@ROUTES.post("/v1/b2b/organizations")
def create(call: Call) -> dict[str, Any]:
    return {"organization": create_org(call).to_json()}


@ROUTES.get("/v1/b2b/organizations/{organization_id}")
def get(call: Call) -> dict[str, Any]:
    return {"organization": call.state.org(call.params["organization_id"]).to_json()}


@ROUTES.put("/v1/b2b/organizations/{organization_id}")
def update(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    body.not_emulated("sso_default_connection_id", endpoint=call.endpoint)
    org = state.org(call.params["organization_id"])
    name = body.text("organization_name")
    slug = body.text("organization_slug")
    slug = None if slug is None else _slug(state, slug, org)
    external_id = _external_id(state, body, org)
    settings = read_settings(body, org.settings)
    trusted = body.mapping("trusted_metadata")
    org.name = name or org.name
    org.slug = slug or org.slug
    org.external_id = external_id if external_id is not None else org.external_id
    org.logo_url = body.text("organization_logo_url") or org.logo_url
    if trusted is not None:
        org.trusted_metadata = {k: v for k, v in {**org.trusted_metadata, **trusted}.items() if v is not None}
    org.settings = settings
    org.updated_at = call.now
    return {"organization": org.to_json()}


@ROUTES.delete("/v1/b2b/organizations/{organization_id}")
def delete(call: Call) -> dict[str, Any]:
    state = call.state
    org = state.org(call.params["organization_id"])
    for member in [m for m in state.members.values() if m.organization_id == org.organization_id]:
        state.drop_member_secrets(member)
        del state.members[member.member_id]
    del state.orgs[org.organization_id]
    return {"organization_id": org.organization_id}


def _members(state: B2BState, org: OrgRecord) -> list[str]:
    return [
        m.email
        for m in state.members.values()
        if m.organization_id == org.organization_id and m.status != "deleted"
    ]


_SEARCH_ERRORS = dict.fromkeys(
    ("unknown", "missing_value", "list", "bool", "text", "choice", "time", "operator"), "invalid_search_query"
)


def _filters(state: B2BState) -> Filters[OrgRecord]:
    return Filters(
        errors=_SEARCH_ERRORS,
        lists={
            "organization_ids": lambda o: [o.organization_id],
            "organization_slugs": lambda o: [o.slug],
            "organization_external_ids": lambda o: [o.external_id] if o.external_id else [],
            "member_emails": lambda o: _members(state, o),
            "allowed_domains": lambda o: o.settings["email_allowed_domains"],
            "claimed_email_domains": lambda o: o.settings["claimed_email_domains"],
        },
        fuzzy={
            "organization_name_fuzzy": lambda o: [o.name],
            "organization_slug_fuzzy": lambda o: [o.slug],
            "member_email_fuzzy": lambda o: _members(state, o),
            "allowed_domain_fuzzy": lambda o: o.settings["email_allowed_domains"],
        },
        choices={
            "mfa_policy": (lambda o: o.settings["mfa_policy"], _CHOICES["mfa_policy"]),
            "email_jit_provisioning": (lambda o: o.settings["email_jit_provisioning"], _TRISTATE),
            "auth_methods": (lambda o: o.settings["auth_methods"], _CHOICES["auth_methods"]),
        },
    )


@ROUTES.post("/v1/b2b/organizations/search")
def search(call: Call) -> dict[str, Any]:
    state, body = call.state, call.body
    test = _filters(state).compile(body.mapping("query"))
    found = [o for o in state.orgs.values() if test(o)]  # in creation order
    chunk, meta = page(found, body, cursor_error="invalid_search_query", limit_error="invalid_search_query")
    return {"organizations": [o.to_json() for o in chunk], "results_metadata": meta}
