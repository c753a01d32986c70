"""TOTP for members: register an authenticator app, and complete MFA with its codes.

``totps.create`` hands out a random 160-bit secret and ten recovery codes; the
codes are RFC 6238 ones (:func:`stytch_async.testing.totp_code` makes them),
one step of clock drift either way is accepted and each step's code works once.
``totps.authenticate`` completes MFA like ``otps.sms.authenticate``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from stytch_async.testing._engine.credentials import otpauth_qr, recovery_code, totp_secret, totp_step
from stytch_async.testing._engine.errors import fail
from stytch_async.testing._engine.routing import Routes
from stytch_async.testing._engine.sessions import Factor

from .auth import AuthRequest, complete_mfa
from .records import TotpRecord
from .state import B2BState, Call

ROUTES: Routes[B2BState] = Routes()

RECOVERY_CODES = 10


@ROUTES.post("/v1/b2b/totp")
def create(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    org = state.org_from_body(body)
    member = state.member(org, body.need("member_id"))
    minutes = body.minutes(
        "expiration_minutes", default=60, low=5, high=1440, error_type="invalid_expiration"
    )
    request = AuthRequest.read(call)
    request.check(member)
    if member.totp is not None and member.totp.verified:
        raise fail("active_totp_exists")
    secret = totp_secret()
    codes = [recovery_code() for _ in range(RECOVERY_CODES)]
    member.totp = TotpRecord(state.new_id("member-totp"), secret, call.now + 60 * minutes, codes)
    return {
        "member_id": member.member_id,
        "totp_registration_id": member.totp.totp_id,
        "secret": secret,
        "qr_code": otpauth_qr(quote(f"{org.slug}:{member.email}"), secret),
        "recovery_codes": list(codes),
        "member": member.to_json(org),
        "organization": org.to_json(),
    }


@ROUTES.post("/v1/b2b/totp/authenticate")
def authenticate(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    org = state.org_from_body(body)
    member = state.member(org, body.need("member_id"))
    code = body.need("code")
    enrollment = body.text("set_mfa_enrollment")
    if enrollment not in (None, "enroll", "unenroll"):
        raise fail("bad_request", "set_mfa_enrollment must be enroll or unenroll.")
    request = AuthRequest.read(call)
    totp = member.totp
    if totp is None or (not totp.verified and totp.expires_at <= call.now):
        raise fail("totp_not_found")
    request.require_primary()
    request.check(member)
    step = totp_step(totp.secret, code, call.now)
    if step is None:
        raise fail("unable_to_authenticate_totp")
    if totp.last_step is not None and step <= totp.last_step:
        raise fail("totp_code_already_authenticated")
    totp.last_step, totp.verified = step, True
    if enrollment is not None:
        member.mfa_enrolled = enrollment == "enroll"
    if body.boolean("set_default_mfa"):
        member.default_mfa_method = "totp"
    factor = Factor(
        "totp", "authenticator_app", "authenticator_app_factor", {"totp_id": totp.totp_id}, call.now, call.now
    )
    return complete_mfa(call, member, org, factor, request)
