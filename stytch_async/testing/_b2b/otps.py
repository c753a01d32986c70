"""Passcodes for members: email login-or-sign-up and authenticate; SMS as a second factor.

A passcode is six digits, works once, expires (email: 10 minutes unless
``login_expiration_minutes``/``signup_expiration_minutes`` say otherwise; SMS:
10 minutes) and is voided after five wrong tries. ``otps.sms.authenticate``
completes MFA: it needs the intermediate session token of a login waiting for
MFA, or a session of the member.
"""

from __future__ import annotations

from typing import Any

from stytch_async.testing._engine.errors import fail
from stytch_async.testing._engine.routing import Routes
from stytch_async.testing._engine.sessions import Factor

from .auth import AuthRequest, complete_mfa, finish
from .magic_links import email_factor, login_or_join
from .members import answer
from .state import B2BState, Call

ROUTES: Routes[B2BState] = Routes()

SMS_MINUTES = 10


@ROUTES.post("/v1/b2b/otps/email/login_or_signup")
def email_login_or_signup(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    org = state.org_from_body(body)
    email = body.need_email("email_address")
    bounds = {"low": 2, "high": 15, "error_type": "invalid_expiration"}
    login = body.minutes("login_expiration_minutes", default=10, **bounds)  # type: ignore[arg-type]
    signup = body.minutes("signup_expiration_minutes", default=10, **bounds)  # type: ignore[arg-type]
    member, created = login_or_join(state, org, email)
    state.send_code(member, "email", body, signup if member.status != "active" else login)
    return {**answer(org, member), "member_created": created}


@ROUTES.post("/v1/b2b/otps/email/authenticate")
def email_authenticate(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    org = state.org_from_body(body)
    email = body.need_email("email_address")
    code = body.need("code")
    request = AuthRequest.read(call)
    member = state.by_email(org, email)
    if member is None:
        raise fail("member_not_found")
    request.check(member)
    state.check_code(member, "email", code)
    member.email_verified = True
    result = finish(call, member, org, email_factor(member, "otp", "email", call.now), request)
    return {**result, "method_id": member.email_id, "organization_id": org.organization_id}


@ROUTES.post("/v1/b2b/otps/sms/send")
def sms_send(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    org = state.org_from_body(body)
    member = state.member(org, body.need("member_id"))
    phone = body.phone("mfa_phone_number", required=False)
    request = AuthRequest.read(call)
    request.check(member)
    if phone is not None and phone != member.mfa_phone_number:
        if member.mfa_phone_verified:
            raise fail("member_phone_number_already_verified")
        member.mfa_phone_number = phone
    if not member.mfa_phone_number:
        raise fail("member_phone_number_not_found")
    state.send_code(member, "sms", body, SMS_MINUTES)
    return answer(org, member)


@ROUTES.post("/v1/b2b/otps/sms/authenticate")
def sms_authenticate(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    org = state.org_from_body(body)
    member = state.member(org, body.need("member_id"))
    code = body.need("code")
    enrollment = body.text("set_mfa_enrollment")
    if enrollment not in (None, "enroll", "unenroll"):
        raise fail("bad_request", "set_mfa_enrollment must be enroll or unenroll.")
    request = AuthRequest.read(call)
    request.require_primary()
    request.check(member)
    state.check_code(member, "sms", code)
    member.mfa_phone_verified = True
    if enrollment is not None:
        member.mfa_enrolled = enrollment == "enroll"
    if body.boolean("set_default_mfa"):
        member.default_mfa_method = "sms_otp"
    detail = {"phone_id": member.member_id, "phone_number": member.mfa_phone_number}
    factor = Factor("otp", "sms", "phone_number_factor", detail, call.now, call.now)
    return complete_mfa(call, member, org, factor, request)
