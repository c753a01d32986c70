"""Members of an organization: create, get (by id or email), update, delete, reactivate, search.

A deleted member keeps its record with status ``deleted`` (``dangerously_get``
with ``include_deleted`` still finds it, and ``reactivate`` brings it back);
deleting ends its sessions and voids its links and codes.
"""

from __future__ import annotations

from typing import Any

from stytch_async.testing._engine.body import Body
from stytch_async.testing._engine.errors import bad_request, fail
from stytch_async.testing._engine.routing import Routes
from stytch_async.testing._engine.search import Filters, page

from .rbac import check_roles
from .records import MemberRecord, OrgRecord
from .state import B2BState, Call

ROUTES: Routes[B2BState] = Routes()

_STATUSES = frozenset({"active", "invited", "pending", "deleted"})
_MFA_METHODS = frozenset({"sms_otp", "totp"})


def answer(org: OrgRecord, member: MemberRecord) -> dict[str, Any]:
    return {"member_id": member.member_id, "member": member.to_json(org), "organization": org.to_json()}


def apply_profile(state: B2BState, org: OrgRecord, member: MemberRecord | None, body: Body) -> dict[str, Any]:
    """Read and check the profile fields a create, update or invite may carry; nothing changes yet."""
    fields: dict[str, Any] = {}
    name = body.text("name")
    if name is not None:
        fields["name"] = name
    for flag in ("is_breakglass", "mfa_enrolled"):
        if body.boolean(flag) is not None:
            fields[flag] = body.boolean(flag)
    phone = body.phone("mfa_phone_number", required=False)
    if phone is not None:
        taken = any(
            m.mfa_phone_number == phone and m is not member and m.organization_id == org.organization_id
            for m in state.members.values()
        )
        if taken:
            raise fail("duplicate_member_phone_number")
        fields["mfa_phone_number"] = phone
    roles = body.strings("roles")
    if roles is not None:
        check_roles(state, org, roles)
        fields["roles"] = roles
    external_id = body.text("external_id")
    if external_id is not None:
        if any(m.external_id == external_id and m is not member for m in state.members.values()):
            raise fail("duplicate_member_external_id")
        fields["external_id"] = external_id
    for meta in ("trusted_metadata", "untrusted_metadata"):
        value = body.mapping(meta)
        if value is not None:
            fields[meta] = value
    return fields


def store_profile(member: MemberRecord, fields: dict[str, Any], now: float) -> None:
    for name, value in fields.items():
        if name in ("trusted_metadata", "untrusted_metadata"):
            merged = {**getattr(member, name), **value}
            setattr(member, name, {k: v for k, v in merged.items() if v is not None})
        elif name == "mfa_phone_number":
            if value != member.mfa_phone_number:
                member.mfa_phone_number, member.mfa_phone_verified = value, False
        else:
            setattr(member, name, value)
    member.updated_at = now


@ROUTES.post("/v1/b2b/organizations/{organization_id}/members")
def create(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    org = state.org(call.params["organization_id"])
    email = body.need_email("email_address")
    fields = apply_profile(state, org, None, body)
    pending = bool(body.boolean("create_member_as_pending"))
    member = state.add_member(org, email, status="pending" if pending else "active")
    store_profile(member, fields, call.now)
    return answer(org, member)


@ROUTES.get("/v1/b2b/organizations/{organization_id}/member")
def get(call: Call) -> dict[str, Any]:
    state = call.state
    org = state.org(call.params["organization_id"])
    member_id, email = call.query.get("member_id"), call.query.get("email_address")
    if member_id:
        member = state.member(org, member_id)
    elif email:
        found = state.by_email(org, email.lower())
        if found is None:
            raise fail("member_not_found")
        member = found
    else:
        raise bad_request("Pass member_id or email_address.")
    return answer(org, member)


@ROUTES.get("/v1/b2b/organizations/members/dangerously_get/{member_id}")
def dangerously_get(call: Call) -> dict[str, Any]:
    state = call.state
    member = state.members.get(call.params["member_id"])
    include_deleted = call.query.get("include_deleted", "").lower() == "true"
    if member is None or (member.status == "deleted" and not include_deleted):
        raise fail("member_not_found")
    return answer(state.orgs[member.organization_id], member)


@ROUTES.put("/v1/b2b/organizations/{organization_id}/members/{member_id}")
def update(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    body.not_emulated("unlink_email", endpoint=call.endpoint)
    org = state.org(call.params["organization_id"])
    member = state.member(org, call.params["member_id"])
    fields = apply_profile(state, org, member, body)
    email = body.email("email_address", required=False)
    method = body.text("default_mfa_method")
    if method is not None and method not in _MFA_METHODS:
        raise bad_request("default_mfa_method must be sms_otp or totp.")
    if email is not None and email != member.email:
        if state.by_email(org, email) is not None:
            raise fail("duplicate_member_email")
        member.email, member.email_id, member.email_verified = email, state.new_id("member-email"), False
    if method is not None:
        member.default_mfa_method = method
    store_profile(member, fields, call.now)
    return answer(org, member)


@ROUTES.delete("/v1/b2b/organizations/{organization_id}/members/{member_id}")
def delete(call: Call) -> dict[str, Any]:
    state = call.state
    org = state.org(call.params["organization_id"])
    member = state.member(org, call.params["member_id"])
    state.drop_member_secrets(member)
    member.status = "deleted"
    member.updated_at = call.now
    return {"member_id": member.member_id}


@ROUTES.put("/v1/b2b/organizations/{organization_id}/members/{member_id}/reactivate")
def reactivate(call: Call) -> dict[str, Any]:
    state = call.state
    org = state.org(call.params["organization_id"])
    member = state.member(org, call.params["member_id"], deleted=True)
    if member.status != "deleted":
        raise fail("member_already_active")
    if state.by_email(org, member.email) is not None:
        raise fail("duplicate_member_email")
    member.status = "active"
    member.updated_at = call.now
    return answer(org, member)


_SEARCH_ERRORS = dict.fromkeys(
    ("unknown", "missing_value", "list", "bool", "text", "choice", "time", "operator"), "invalid_search_query"
)


def _filters(state: B2BState) -> Filters[MemberRecord]:
    def roles(m: MemberRecord) -> list[str]:
        return m.all_roles(state.orgs[m.organization_id])

    return Filters(
        errors=_SEARCH_ERRORS,
        lists={
            "member_ids": lambda m: [m.member_id],
            "member_emails": lambda m: [m.email],
            "statuses": lambda m: [m.status],
            "member_mfa_phone_numbers": lambda m: [m.mfa_phone_number] if m.mfa_phone_number else [],
            "member_roles": roles,
            "member_external_ids": lambda m: [m.external_id] if m.external_id else [],
        },
        bools={
            "member_is_breakglass": lambda m: m.is_breakglass,
            "member_password_exists": lambda m: m.password is not None,
        },
        fuzzy={
            "member_email_fuzzy": lambda m: [m.email],
            "member_mfa_phone_number_fuzzy": lambda m: [m.mfa_phone_number],
        },
    )


@ROUTES.post("/v1/b2b/organizations/members/search")
def search(call: Call) -> dict[str, Any]:
    state, body = call.state, call.body
    ids = body.strings("organization_ids")
    if not ids:
        raise bad_request("organization_ids is a required field.")
    orgs = [state.org(i) for i in ids]
    wanted = {o.organization_id for o in orgs}
    test = _filters(state).compile(body.mapping("query"))
    found = [
        m for m in state.members.values() if m.organization_id in wanted and m.status != "deleted" and test(m)
    ]
    chunk, meta = page(found, body, cursor_error="invalid_search_query", limit_error="invalid_search_query")
    return {
        "members": [m.to_json(state.orgs[m.organization_id]) for m in chunk],
        "results_metadata": meta,
        "organizations": {o.organization_id: o.to_json() for o in orgs},
    }
