"""One-time passcodes by SMS, WhatsApp and email: send, login-or-create, authenticate.

Each send puts a fresh six-digit code in the outbox and voids the previous one
for the same email or phone. A code expires after ``expiration_minutes`` (2 by
default, 1 to 10 allowed), works once, and is voided after
:data:`MAX_ATTEMPTS` wrong tries.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from stytch_async.testing._engine.errors import fail
from stytch_async.testing._engine.outbox import Channel
from stytch_async.testing._engine.routing import Routes

from .records import EmailRecord, PendingCode, PhoneRecord, UserRecord, email_factor, phone_factor
from .sessions import SessionRequest, target_user
from .state import Call, ConsumerState, reach

ROUTES: Routes[ConsumerState] = Routes()

MAX_ATTEMPTS = 5


_CHANNELS: dict[str, Channel] = {"email": "email", "sms": "sms", "whatsapp": "whatsapp"}


def _minutes(call: Call) -> int:
    return call.body.minutes(
        "expiration_minutes", default=2, low=1, high=10, error_type="invalid_expiration_otp"
    )


def _send_code(
    call: Call, user: UserRecord, record: EmailRecord | PhoneRecord, delivery: str, minutes: int
) -> None:
    state, body = call.state, call.body
    code = f"{secrets.randbelow(10**6):06d}"
    method_id = record.email_id if isinstance(record, EmailRecord) else record.phone_id
    expires_at = call.now + 60 * minutes
    state.codes[method_id] = PendingCode(method_id, user.user_id, code, delivery, expires_at)
    state.deliver(
        "otp",
        _CHANNELS[delivery],
        user,
        record,
        expires_at,
        body,
        code=code,
        template_field="login_template_id" if delivery == "email" else None,
    )


def _send(call: Call, delivery: str) -> tuple[UserRecord, EmailRecord | PhoneRecord]:
    body = call.body
    minutes = _minutes(call)
    target = target_user(call)
    if delivery == "email":
        user, record = reach(call.state, target, email=body.email())
    else:
        user, record = reach(call.state, target, phone_number=body.phone())
    _send_code(call, user, record, delivery, minutes)
    return user, record


def _login_or_create(call: Call, delivery: str) -> tuple[UserRecord, EmailRecord | PhoneRecord, bool]:
    body, state = call.body, call.state
    pending = bool(body.boolean("create_user_as_pending"))
    minutes = _minutes(call)
    found: tuple[UserRecord, EmailRecord | PhoneRecord] | None
    if delivery == "email":
        address = body.email()
        found = state.by_email(address) if address else None
        new = None if found else state.create_user(email=address, pending=pending)
    else:
        number = body.phone()
        found = state.by_phone(number) if number else None
        new = None if found else state.create_user(phone_number=number, pending=pending)
    if new is not None:
        record: EmailRecord | PhoneRecord = new.emails[0] if delivery == "email" else new.phones[0]
        user = new
    else:
        assert found is not None
        user, record = found
    _send_code(call, user, record, delivery, minutes)
    return user, record, new is not None


def _id_field(record: EmailRecord | PhoneRecord) -> dict[str, str]:
    if isinstance(record, EmailRecord):
        return {"email_id": record.email_id}
    return {"phone_id": record.phone_id}


def _register(delivery: str) -> None:
    prefix = f"/v1/otps/{delivery}"

    def send(call: Call) -> dict[str, Any]:
        user, record = _send(call, delivery)
        return {"user_id": user.user_id, **_id_field(record)}

    def login_or_create(call: Call) -> dict[str, Any]:
        user, record, created = _login_or_create(call, delivery)
        return {"user_id": user.user_id, **_id_field(record), "user_created": created}

    ROUTES.post(f"{prefix}/send")(send)
    ROUTES.post(f"{prefix}/login_or_create")(login_or_create)


for _delivery in ("sms", "whatsapp", "email"):
    _register(_delivery)


@ROUTES.post("/v1/otps/authenticate")
def authenticate(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    body.not_emulated("options", endpoint=call.endpoint)
    method_id = body.need("method_id")
    code = body.need("code")
    session_request = SessionRequest.read(call)
    pending = state.codes.get(method_id)
    user = state.users.get(pending.user_id) if pending is not None else None
    if pending is None or user is None:
        raise fail("otp_code_not_found")
    if pending.used or pending.expires_at <= call.now or pending.attempts >= MAX_ATTEMPTS:
        raise fail("unable_to_auth_otp_code")
    session_request.check_user(user)
    if not hmac.compare_digest(code.encode(), pending.code.encode()):
        pending.attempts += 1
        raise fail("unable_to_auth_otp_code")
    pending.used = True
    if pending.delivery == "email":
        email = next((e for e in user.emails if e.email_id == method_id), None)
        if email is None:
            raise fail("otp_code_not_found")
        email.verified = True
        factor = email_factor("otp", "email", email, call.now)
    else:
        phone = next((p for p in user.phones if p.phone_id == method_id), None)
        if phone is None:
            raise fail("otp_code_not_found")
        phone.verified = True
        factor = phone_factor(pending.delivery, phone, call.now)
    user.activate()
    session = session_request.start(call, user, factor)
    return {
        "user_id": user.user_id,
        "method_id": method_id,
        "reset_sessions": False,
        **session,
        "user": user.to_json(),
    }
