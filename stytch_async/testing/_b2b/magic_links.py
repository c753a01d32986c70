"""B2B email magic links: login or sign-up (JIT by allowed domain), invites, discovery, authenticate.

Each link lands in the outbox with its token and the URL a member would click
(``<redirect URL>?stytch_token_type=multi_tenant_magic_links&token=…``, or
``discovery`` for discovery links). A token works once, until it expires (60
minutes unless the call says otherwise; invites a week). A link started with a
``pkce_code_challenge`` needs the matching ``pkce_code_verifier``.
"""

from __future__ import annotations

from typing import Any

from stytch_async.testing._engine.body import Body
from stytch_async.testing._engine.credentials import check_pkce, link_url
from stytch_async.testing._engine.errors import fail
from stytch_async.testing._engine.routing import Routes
from stytch_async.testing._engine.sessions import Factor

from .auth import AuthRequest, finish
from .discovery import discovery_answer, may_join
from .members import answer, apply_profile, store_profile
from .records import MemberRecord, OrgRecord
from .state import B2BState, Call

ROUTES: Routes[B2BState] = Routes()

WEEK = 10_080
LINK_TYPE = "multi_tenant_magic_links"


def _minutes(body: Body, name: str, default: int = 60) -> int:
    return body.minutes(name, default=default, low=5, high=WEEK, error_type="invalid_expiration")


def email_factor(member: MemberRecord, kind: str, delivery: str, now: float) -> Factor:
    detail = {"email_id": member.email_id, "email_address": member.email}
    return Factor(kind, delivery, "email_factor", detail, now, now)


def login_or_join(state: B2BState, org: OrgRecord, email: str) -> tuple[MemberRecord, bool]:
    """The member to send a login to, made now (``pending``) when the allowed domains let the address in."""
    member = state.by_email(org, email)
    if member is not None:
        return member, False
    if not may_join(org, email):
        raise fail("email_jit_provisioning_not_allowed")
    return state.add_member(org, email, status="pending"), True


def _send(
    call: Call, kind: str, email: str, member: MemberRecord | None, minutes: int, url_field: str
) -> None:
    state, body = call.state, call.body
    pending = state.link(kind, email, minutes, body, member)
    token_type = "discovery" if kind == "discovery" else LINK_TYPE
    template = {"invite": "invite_template_id", "signup": "signup_template_id"}.get(kind, "login_template_id")
    state.deliver(
        "invite" if kind == "invite" else "magic_link",
        "email",
        email,
        member,
        pending.expires_at,
        body,
        token=pending.token,
        url=link_url(body.text(url_field), pending.token, token_type),
        template_field=template,
    )


@ROUTES.post("/v1/b2b/magic_links/email/login_or_signup")
def login_or_signup(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    org = state.org_from_body(body)
    email = body.need_email("email_address")
    login_minutes = _minutes(body, "login_expiration_minutes")
    signup_minutes = _minutes(body, "signup_expiration_minutes")
    member, created = login_or_join(state, org, email)
    signup = member.status != "active"
    if signup:
        _send(call, "signup", email, member, signup_minutes, "signup_redirect_url")
    else:
        _send(call, "login", email, member, login_minutes, "login_redirect_url")
    return {**answer(org, member), "member_created": created}


@ROUTES.post("/v1/b2b/magic_links/email/invite")
def invite(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    org = state.org_from_body(body)
    email = body.need_email("email_address")
    minutes = _minutes(body, "invite_expiration_minutes", default=WEEK)
    fields = apply_profile(state, org, None, body)
    rule = org.settings["email_invites"]
    if rule == "NOT_ALLOWED" or (rule == "RESTRICTED" and not org.domain_allowed(email)):
        raise fail("email_invites_not_allowed")
    member = state.by_email(org, email)
    if member is not None and member.status == "active":
        raise fail(
            "member_already_active", "This email belongs to an active member; send a login link instead."
        )
    if member is None:
        member = state.add_member(org, email, status="invited")
    member.status = "invited"
    store_profile(member, fields, call.now)
    _send(call, "invite", email, member, minutes, "invite_redirect_url")
    return answer(org, member)


@ROUTES.post("/v1/b2b/magic_links/authenticate")
def authenticate(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    token = body.need("magic_links_token")
    verifier = body.text("pkce_code_verifier")
    request = AuthRequest.read(call)
    link = state.waiting_link(token, ("login", "signup", "invite"), "unable_to_auth_magic_link")
    member = state.members.get(link.member_id or "")
    if member is None or member.status == "deleted" or member.email != link.email:
        raise fail("unable_to_auth_magic_link")
    check_pkce(link.code_challenge, verifier)
    org = state.orgs[member.organization_id]
    request.check(member)
    del state.links[token]
    member.email_verified = True
    factor = email_factor(member, "magic_link", "email", call.now)
    result = finish(call, member, org, factor, request)
    return {
        **result,
        "method_id": member.email_id,
        "reset_sessions": False,
        "organization_id": org.organization_id,
    }


@ROUTES.post("/v1/b2b/magic_links/email/discovery/send")
def discovery_send(call: Call) -> dict[str, Any]:
    body = call.body
    email = body.need_email("email_address")
    minutes = _minutes(body, "discovery_expiration_minutes")
    _send(call, "discovery", email, None, minutes, "discovery_redirect_url")
    return {}


@ROUTES.post("/v1/b2b/magic_links/discovery/authenticate")
def discovery_authenticate(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    token = body.need("discovery_magic_links_token")
    verifier = body.text("pkce_code_verifier")
    link = state.waiting_link(token, ("discovery",), "unable_to_auth_magic_link")
    check_pkce(link.code_challenge, verifier)
    del state.links[token]
    now = call.now
    detail = {"email_id": "", "email_address": link.email}
    factor = Factor("magic_link", "email", "email_factor", detail, now, now)
    return discovery_answer(state, link.email, factor)
