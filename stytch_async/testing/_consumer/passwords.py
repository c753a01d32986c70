"""Passwords: create, authenticate, strength check, and the three ways to reset.

Strength follows the emulator's ``"luds"`` policy, shared with the B2B API
(see ``_engine/credentials.py``); passwords are stored as salted PBKDF2-SHA256 hashes.
"""

from __future__ import annotations

from typing import Any

from stytch_async.testing._engine.body import Body
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
from stytch_async.testing._engine.sessions import Factor

from .records import EmailRecord, PasswordRecord, PendingToken, UserRecord, email_factor
from .sessions import SessionRequest
from .state import Call, ConsumerState

ROUTES: Routes[ConsumerState] = Routes()

RESET_MINUTES = 30
RECENT_AUTH_SECONDS = 300  # sessions.reset needs a factor this fresh


def _set_password(state: ConsumerState, user: UserRecord, password: str) -> None:
    salt, digest = hash_password(password)
    user.password = PasswordRecord(state.new_id("password"), salt, digest)


def _matches(user: UserRecord, password: str) -> bool:
    record = user.password
    return record is not None and password_matches(password, record.salt, record.digest)


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
    require_strong(password, address)
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
    require_strong(password, email.email)
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
    require_strong(new, email.email)
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
    require_strong(password, email.email if email else None)
    _set_password(state, user, password)
    return _logged_in(call, request, user, _password_factor(user, call.now))
