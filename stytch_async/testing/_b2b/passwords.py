"""Passwords for members: authenticate, email reset (start, reset), strength check.

Strength follows the emulator's ``"luds"`` policy shared with the consumer API
(see ``_engine/credentials.py``). A reset link lasts 30 minutes unless
``reset_password_expiration_minutes`` says otherwise; resetting verifies the
email address and logs the member in, MFA rules applying.
"""

from __future__ import annotations

from typing import Any

from stytch_async.testing._engine.credentials import (
    check_pkce,
    hash_password,
    link_url,
    password_matches,
    require_strong,
    strength,
)
from stytch_async.testing._engine.errors import fail
from stytch_async.testing._engine.routing import Routes

from .auth import AuthRequest, finish
from .magic_links import email_factor
from .records import MemberRecord, OrgRecord, PasswordRecord
from .state import B2BState, Call

ROUTES: Routes[B2BState] = Routes()

RESET_MINUTES = 30


def _member(call: Call) -> tuple[OrgRecord, MemberRecord]:
    body, state = call.body, call.state
    org = state.org_from_body(body)
    email = body.need_email("email_address")
    member = state.by_email(org, email)
    if member is None:
        raise fail("member_not_found")
    return org, member


def set_password(state: B2BState, member: MemberRecord, password: str) -> None:
    salt, digest = hash_password(password)
    member.password = PasswordRecord(state.new_id("member-password"), salt, digest)


@ROUTES.post("/v1/b2b/passwords/authenticate")
def authenticate(call: Call) -> dict[str, Any]:
    body = call.body
    password = body.need("password")
    org, member = _member(call)
    request = AuthRequest.read(call)
    record = member.password
    if record is None or not password_matches(password, record.salt, record.digest):
        raise fail("unauthorized_credentials", "The email or password is wrong.")
    request.check(member)
    factor = email_factor(member, "password", "knowledge", call.now)
    return {**finish(call, member, org, factor, request), "organization_id": org.organization_id}


@ROUTES.post("/v1/b2b/passwords/strength_check")
def strength_check(call: Call) -> dict[str, Any]:
    body = call.body
    verdict = strength(body.need("password"), body.email("email_address", required=False))
    feedback = verdict.pop("feedback")
    return {**verdict, "luds_feedback": feedback["luds_requirements"], "zxcvbn_feedback": None}


@ROUTES.post("/v1/b2b/passwords/email/reset/start")
def reset_start(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    minutes = body.minutes(
        "reset_password_expiration_minutes",
        default=RESET_MINUTES,
        low=5,
        high=10_080,
        error_type="invalid_expiration",
    )
    org, member = _member(call)
    pending = state.link("reset", member.email, minutes, body, member)
    state.deliver(
        "password_reset",
        "email",
        member.email,
        member,
        pending.expires_at,
        body,
        token=pending.token,
        url=link_url(body.text("reset_password_redirect_url"), pending.token, "multi_tenant_passwords"),
        template_field="reset_password_template_id",
    )
    return {"member_id": member.member_id, "member_email_id": member.email_id, "member": member.to_json(org)}


@ROUTES.post("/v1/b2b/passwords/email/reset")
def reset(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    token = body.need("password_reset_token")
    password = body.need("password")
    verifier = body.text("code_verifier")
    request = AuthRequest.read(call)
    pending = state.waiting_link(token, ("reset",), "unable_to_auth_password_reset_token")
    member = state.members.get(pending.member_id or "")
    if member is None or member.status == "deleted" or member.email != pending.email:
        raise fail("unable_to_auth_password_reset_token")
    check_pkce(pending.code_challenge, verifier)
    require_strong(password, member.email)
    request.check(member)
    del state.links[token]
    member.email_verified = True
    set_password(state, member, password)
    org = state.orgs[member.organization_id]
    result = finish(call, member, org, email_factor(member, "password", "email", call.now), request)
    return {**result, "member_email_id": member.email_id, "organization_id": org.organization_id}
