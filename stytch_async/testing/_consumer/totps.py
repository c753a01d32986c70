"""TOTP: authenticator-app registrations with real RFC 6238 codes, and recovery codes.

``totps.create`` hands out a random 160-bit secret (base32) and ten recovery
codes. Codes are the standard ones (HMAC-SHA1, 30-second steps, 6 digits), so
any authenticator app, or :func:`totp_code`, produces them; one step of clock
drift either way is accepted and each step's code works once. An unverified
registration lapses after ``expiration_minutes`` (default and maximum 1440).

``qr_code`` is a ``data:`` URI carrying the ``otpauth://`` provisioning URI as
text, not a PNG image; render it with any QR library if you need a picture.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import struct
from typing import Any
from urllib.parse import quote

from stytch_async.testing._engine.errors import fail
from stytch_async.testing._engine.routing import Routes

from .records import Factor, RecoveryCode, TotpRecord, UserRecord
from .sessions import SessionRequest
from .state import Call, ConsumerState

ROUTES: Routes[ConsumerState] = Routes()

STEP = 30
DIGITS = 6
RECOVERY_CODES = 10
_RECOVERY_SHAPE = re.compile(r"^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$")
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def totp_code(secret: str, at: float, *, step: int = STEP, digits: int = DIGITS) -> str:
    """The RFC 6238 code for ``secret`` (base32) at epoch second ``at``."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int(at // step))
    mac = hmac.new(key, counter, hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def _recovery_code() -> str:
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))


def _active(state: ConsumerState, user: UserRecord) -> TotpRecord:
    """The user's verified TOTP, or the pending one while it has not lapsed."""
    for totp in user.totps:
        if totp.verified:
            return totp
    pending = user.totps[-1] if user.totps else None
    if pending is None:
        raise fail("totp_not_found")
    if pending.expires_at <= state.now():
        raise fail("expired_totp")
    return pending


@ROUTES.post("/v1/totps")
def create(call: Call) -> dict[str, Any]:
    state, body = call.state, call.body
    user = state.user_from_body(body)
    minutes = body.minutes(
        "expiration_minutes", default=1440, low=5, high=1440, error_type="invalid_expiration"
    )
    if any(t.verified for t in user.totps):
        raise fail("active_totp_exists")
    secret = base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")
    codes = [
        RecoveryCode(state.new_id("totp-recovery-code"), _recovery_code()) for _ in range(RECOVERY_CODES)
    ]
    totp = TotpRecord(state.new_id("totp"), secret, call.now, call.now + 60 * minutes, codes)
    user.totps = [totp]  # an unverified registration is replaced by the new one
    label = quote(f"{state.project_id}:{user.emails[0].email if user.emails else user.user_id}")
    uri = f"otpauth://totp/{label}?secret={secret}&issuer=Stytch&algorithm=SHA1&digits={DIGITS}&period={STEP}"
    return {
        "totp_id": totp.totp_id,
        "secret": secret,
        "qr_code": "data:text/plain;charset=utf-8," + quote(uri, safe=""),
        "recovery_codes": [c.code for c in codes],
        "user_id": user.user_id,
        "user": user.to_json(),
    }


@ROUTES.post("/v1/totps/authenticate")
def authenticate(call: Call) -> dict[str, Any]:
    state, body = call.state, call.body
    user = state.user_from_body(body)
    code = body.need("totp_code")
    request = SessionRequest.read(call)
    totp = _active(state, user)
    if _RECOVERY_SHAPE.match(code):
        raise fail("recovery_code_used_as_totp_code")
    now_step = int(call.now // STEP)
    matched = next(
        (
            s
            for s in (now_step, now_step - 1, now_step + 1)
            if hmac.compare_digest(code, totp_code(totp.secret, s * STEP))
        ),
        None,
    )
    if matched is None:
        raise fail("unable_to_authenticate_totp")
    if totp.last_step is not None and matched <= totp.last_step:
        raise fail("totp_code_already_authenticated")
    request.check_user(user)
    totp.last_step = matched
    totp.verified = True
    factor = Factor(
        "totp", "authenticator_app", "authenticator_app_factor", {"totp_id": totp.totp_id}, call.now, call.now
    )
    session = request.start(call, user, factor)
    return {"user_id": user.user_id, "totp_id": totp.totp_id, **session, "user": user.to_json()}


@ROUTES.post("/v1/totps/recover")
def recover(call: Call) -> dict[str, Any]:
    state, body = call.state, call.body
    user = state.user_from_body(body)
    given = body.need("recovery_code").lower()
    request = SessionRequest.read(call)
    totp = _active(state, user)
    if given.isdigit() and len(given) == DIGITS:
        raise fail("totp_code_used_as_recovery_code")
    code = next((c for c in totp.recovery_codes if hmac.compare_digest(c.code, given)), None)
    if code is None or code.used:
        raise fail("unable_to_authenticate_recovery_code")
    request.check_user(user)
    code.used = True
    factor = Factor(
        "recovery_codes",
        "recovery_code",
        "recovery_code_factor",
        {"totp_recovery_code_id": code.code_id},
        call.now,
        call.now,
    )
    session = request.start(call, user, factor)
    return {"user_id": user.user_id, "totp_id": totp.totp_id, **session, "user": user.to_json()}


@ROUTES.post("/v1/totps/recovery_codes")
def recovery_codes(call: Call) -> dict[str, Any]:
    user = call.state.user_from_body(call.body)
    return {
        "user_id": user.user_id,
        "totps": [
            {
                "totp_id": t.totp_id,
                "verified": t.verified,
                "recovery_codes": [c.code for c in t.recovery_codes if not c.used],
            }
            for t in user.totps
        ],
    }
