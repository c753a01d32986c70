"""Passwords: create, authenticate, strength check, and the three ways to reset.

Strength follows a simple, documented policy reported as ``"luds"``: a password
is valid when it has at least 8 characters, at least 3 of the 4 character
classes (lower case, upper case, digit, symbol), is not on a short list of
well-known breached passwords, and does not contain the local part of the
user's email address. ``score`` is the number of classes present (0 to 4), or
0 below 8 characters. Passwords are stored as salted PBKDF2-SHA256 hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Any

from stytch_async.testing._engine.body import Body
from stytch_async.testing._engine.errors import fail
from stytch_async.testing._engine.routing import Routes

from .magic_links import check_pkce, link_url
from .records import EmailRecord, Factor, PasswordRecord, PendingToken, UserRecord, email_factor
from .sessions import SessionRequest
from .state import Call, ConsumerState

ROUTES: Routes[ConsumerState] = Routes()

MIN_LENGTH = 8
MIN_CLASSES = 3
RESET_MINUTES = 30
RECENT_AUTH_SECONDS = 300  # sessions.reset needs a factor this fresh
_ITERATIONS = 10_000
BREACHED = frozenset(
    {
        "password",
        "password1",
        "password123",
        "p@ssw0rd",
        "passw0rd!",
        "123456",
        "12345678",
        "123456789",
        "1234567890",
        "qwerty",
        "qwerty123",
        "iloveyou",
        "letmein",
        "welcome1",
        "admin123",
        "abc123",
        "monkey",
        "dragon",
        "sunshine",
        "football",
        "Password1!",
        "Welcome123!",
    }
)


def strength(password: str, email: str | None) -> dict[str, Any]:
    classes = {
        "has_lower_case": any(c.islower() for c in password),
        "has_upper_case": any(c.isupper() for c in password),
        "has_digit": any(c.isdigit() for c in password),
        "has_symbol": any(not c.isalnum() for c in password),
    }
    count = sum(classes.values())
    missing_characters = max(0, MIN_LENGTH - len(password))
    missing_complexity = max(0, MIN_CLASSES - count)
    breached = password in BREACHED or password.lower() in BREACHED
    local = email.split("@", 1)[0].lower() if email else ""
    uses_email = len(local) >= 3 and local in password.lower()
    suggestions = []
    if missing_characters:
        suggestions.append(f"Use at least {MIN_LENGTH} characters.")
    if missing_complexity:
        suggestions.append("Mix lower case, upper case, digits and symbols.")
    if uses_email:
        suggestions.append("Leave your email address out of your password.")
    if breached:
        suggestions.append("Pick a password that is not on breach lists.")
    valid = not (missing_characters or missing_complexity or breached or uses_email)
    return {
        "valid_password": valid,
        "score": 0 if missing_characters else count,
        "breached_password": breached,
        "strength_policy": "luds",
        "breach_detection_on_create": True,
        "feedback": {
            "warning": "" if valid else "This password is too easy to guess.",
            "suggestions": suggestions,
            "luds_requirements": {
                **classes,
                "missing_complexity": missing_complexity,
                "missing_characters": missing_characters,
            },
        },
    }


def _require_strong(password: str, email: str | None) -> None:
    verdict = strength(password, email)
    if verdict["breached_password"]:
        raise fail("breached_password")
    if not verdict["valid_password"]:
        raise fail(
            "weak_password", "The password is too weak: " + " ".join(verdict["feedback"]["suggestions"])
        )


def _digest(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _ITERATIONS)


def _set_password(state: ConsumerState, user: UserRecord, password: str) -> None:
    salt = os.urandom(16)
    user.password = PasswordRecord(state.new_id("password"), salt, _digest(password, salt))


def _matches(user: UserRecord, password: str) -> bool:
    record = user.password
    return record is not None and hmac.compare_digest(record.digest, _digest(password, record.salt))


def _primary_email(user: UserRecord) -> EmailRecord | None:
    return user.emails[0] if user.emails else None


def _password_factor(user: UserRecord, now: float) -> Factor:
    email = _primary_email(user)
    if email is None:
        return Factor("password", "knowledge", None, {}, now, now)
    return email_factor("password", "knowledge", email, now)


def _user_by_email(state: ConsumerState, body: Body) -> tuple[UserRecord, EmailRecord]:
    address = body.need_email()
    found = state.by_email(address)
    if found is None:
        raise fail("email_not_found")
    return found


def _logged_in(call: Call, request: SessionRequest, user: UserRecord, factor: Factor) -> dict[str, Any]:
    return {"user_id": user.user_id, **request.start(call, user, factor), "user": user.to_json()}


@ROUTES.post("/v1/passwords")
def create(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    address = body.need_email()
    password = body.need("password")
    name = body.mapping("name")
    trusted, untrusted = body.mapping("trusted_metadata"), body.mapping("untrusted_metadata")
    request = SessionRequest.read(call)
    if state.by_email(address) is not None:
        raise fail("duplicate_email")
    _require_strong(password, address)
    user = state.create_user(email=address, name=name)
    user.trusted_metadata.update(trusted or {})
    user.untrusted_metadata.update(untrusted or {})
    _set_password(state, user, password)
    result = _logged_in(call, request, user, _password_factor(user, call.now))
    return {"email_id": user.emails[0].email_id, **result}


@ROUTES.post("/v1/passwords/authenticate")
def authenticate(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    password = body.need("password")
    user, _email = _user_by_email(state, body)
    request = SessionRequest.read(call)
    if user.password is None:
        raise fail("no_user_password")
    if not _matches(user, password):
        raise fail("unauthorized_credentials", "The email or password is wrong.")
    if user.password.requires_reset:
        raise fail("reset_password")
    return _logged_in(call, request, user, _password_factor(user, call.now))


@ROUTES.post("/v1/passwords/strength_check")
def strength_check(call: Call) -> dict[str, Any]:
    body = call.body
    return strength(body.need("password"), body.email(required=False))


@ROUTES.post("/v1/passwords/email/reset/start")
def reset_start(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    minutes = body.minutes(
        "reset_password_expiration_minutes",
        default=RESET_MINUTES,
        low=5,
        high=10_080,
        error_type="invalid_expiration",
    )
    user, email = _user_by_email(state, body)
    token = state.new_token()
    expires_at = call.now + 60 * minutes
    state.resets[token] = PendingToken(
        token, "reset", user.user_id, email.email_id, expires_at, body.text("code_challenge")
    )
    state.deliver(
        "password_reset",
        "email",
        user,
        email,
        expires_at,
        body,
        token=token,
        url=link_url(body.text("reset_password_redirect_url"), token, "reset_password"),
        template_field="reset_password_template_id",
    )
    return {"user_id": user.user_id, "email_id": email.email_id}


@ROUTES.post("/v1/passwords/email/reset")
def email_reset(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    body.not_emulated("options", endpoint=call.endpoint)
    token = body.need("token")
    password = body.need("password")
    verifier = body.text("code_verifier")
    request = SessionRequest.read(call)
    pending = state.resets.get(token)
    user = state.users.get(pending.user_id) if pending is not None else None
    if pending is None or user is None or pending.used or pending.expires_at <= call.now:
        raise fail("unable_to_auth_password_reset_token")
    check_pkce(pending.code_challenge, verifier)
    email = next((e for e in user.emails if e.email_id == pending.email_id), None)
    if email is None:
        raise fail("unable_to_auth_password_reset_token")
    _require_strong(password, email.email)
    request.check_user(user)
    pending.used = True
    email.verified = True
    user.activate()
    _set_password(state, user, password)
    return _logged_in(call, request, user, email_factor("password", "email", email, call.now))


@ROUTES.post("/v1/passwords/existing_password/reset")
def existing_password_reset(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    existing = body.need("existing_password")
    new = body.need("new_password")
    user, email = _user_by_email(state, body)
    request = SessionRequest.read(call)
    if user.password is None:
        raise fail("no_user_password")
    if not _matches(user, existing):
        raise fail("unauthorized_credentials", "The email or existing password is wrong.")
    _require_strong(new, email.email)
    request.check_user(user)
    _set_password(state, user, new)
    return _logged_in(call, request, user, _password_factor(user, call.now))


@ROUTES.post("/v1/passwords/session/reset")
def sessions_reset(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    password = body.need("password")
    request = SessionRequest.read(call)
    session = request.existing
    if session is None:
        raise fail("no_session_arguments")
    if call.now - session.last_authenticated() > RECENT_AUTH_SECONDS:
        raise fail("session_too_old_to_reset_password")
    user = state.users[session.user_id]
    email = _primary_email(user)
    _require_strong(password, email.email if email else None)
    _set_password(state, user, password)
    return _logged_in(call, request, user, _password_factor(user, call.now))
