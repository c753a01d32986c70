"""Magic links: email login-or-create, send, invite and revoke, embedded links, authenticate.

Each link lands in the outbox with its token and the full URL a user would
click (``<redirect URL>?stytch_token_type=magic_links&token=…``). A token works
once, until it expires (60 minutes unless the call says otherwise; invites a
week). A link started with a PKCE ``code_challenge`` needs the matching
``code_verifier`` (S256) to authenticate.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from stytch_async.testing._engine.body import Body
from stytch_async.testing._engine.errors import fail
from stytch_async.testing._engine.routing import Routes

from .records import EmailRecord, Factor, PendingToken, UserRecord, email_factor
from .sessions import SessionRequest, target_user
from .state import Call, ConsumerState, reach, set_name

ROUTES: Routes[ConsumerState] = Routes()

DEFAULT_REDIRECT = "http://localhost:3000/authenticate"
WEEK = 10_080


def link_url(base: str | None, token: str, token_type: str) -> str:
    parts = urlsplit(base or DEFAULT_REDIRECT)
    extra = urlencode({"stytch_token_type": token_type, "token": token})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def check_pkce(challenge: str | None, verifier: str | None) -> None:
    """Stytch's PKCE rule: ``challenge == base64url(sha256(verifier))`` without padding."""
    if challenge is None:
        if verifier is not None:
            raise fail("pkce_did_not_expect_code_verifier")
        return
    if verifier is None:
        raise fail("pkce_expected_code_verifier")
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    if not hmac.compare_digest(digest, challenge):
        raise fail("pkce_mismatch")


def _minutes(body: Body, name: str, default: int = 60) -> int:
    return body.minutes(name, default=default, low=5, high=WEEK, error_type="invalid_expiration")


def _send(
    call: Call,
    user: UserRecord,
    email: EmailRecord,
    *,
    kind: str,
    minutes: int,
    url_field: str,
    template_field: str | None,
) -> None:
    state, body = call.state, call.body
    token = state.new_token()
    expires_at = call.now + 60 * minutes
    state.links[token] = PendingToken(
        token, kind, user.user_id, email.email_id, expires_at, body.text("code_challenge")
    )
    state.deliver(
        "invite" if kind == "invite" else "magic_link",
        "email",
        user,
        email,
        expires_at,
        body,
        token=token,
        url=link_url(body.text(url_field), token, "magic_links"),
        template_field=template_field,
    )


@ROUTES.post("/v1/magic_links/email/login_or_create")
def login_or_create(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    address = body.need_email()
    login_minutes = _minutes(body, "login_expiration_minutes")
    signup_minutes = _minutes(body, "signup_expiration_minutes")
    pending = bool(body.boolean("create_user_as_pending"))
    found = state.by_email(address)
    if found is None:
        user = state.create_user(email=address, pending=pending)
        email, created = user.emails[0], True
    else:
        (user, email), created = found, False
    signup = created or user.status == "pending"
    _send(
        call,
        user,
        email,
        kind="signup" if signup else "login",
        minutes=signup_minutes if signup else login_minutes,
        url_field="signup_magic_link_url" if signup else "login_magic_link_url",
        template_field="signup_template_id" if signup else "login_template_id",
    )
    return {"user_id": user.user_id, "email_id": email.email_id, "user_created": created}


@ROUTES.post("/v1/magic_links/email/send")
def send(call: Call) -> dict[str, Any]:
    body = call.body
    address = body.email()
    login_minutes = _minutes(body, "login_expiration_minutes")
    _minutes(body, "signup_expiration_minutes")
    user, record = reach(call.state, target_user(call), email=address)
    assert isinstance(record, EmailRecord)
    _send(
        call,
        user,
        record,
        kind="login",
        minutes=login_minutes,
        url_field="login_magic_link_url",
        template_field="login_template_id",
    )
    return {"user_id": user.user_id, "email_id": record.email_id}


@ROUTES.post("/v1/magic_links/email/invite")
def invite(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    address = body.need_email()
    minutes = _minutes(body, "invite_expiration_minutes", default=WEEK)
    name = body.mapping("name")
    trusted, untrusted = body.mapping("trusted_metadata"), body.mapping("untrusted_metadata")
    found = state.by_email(address)
    if found is None:
        user = state.create_user(email=address, pending=True)
        email = user.emails[0]
    else:
        user, email = found
        if user.status == "active":
            raise fail("duplicate_email", "This email belongs to an active user; send a login link instead.")
    if name:
        set_name(user, name)
    user.trusted_metadata.update(trusted or {})
    user.untrusted_metadata.update(untrusted or {})
    _send(
        call,
        user,
        email,
        kind="invite",
        minutes=minutes,
        url_field="invite_magic_link_url",
        template_field="invite_template_id",
    )
    return {"user_id": user.user_id, "email_id": email.email_id}


@ROUTES.post("/v1/magic_links/email/revoke_invite")
def revoke_invite(call: Call) -> dict[str, Any]:
    state = call.state
    address = call.body.need_email()
    found = state.by_email(address)
    if found is None:
        raise fail("email_not_found")
    email_id = found[1].email_id
    for token in [t for t, rec in state.links.items() if rec.kind == "invite" and rec.email_id == email_id]:
        del state.links[token]
    return {}


@ROUTES.post("/v1/magic_links")
def create(call: Call) -> dict[str, Any]:
    state = call.state
    user = state.user_from_body(call.body)
    minutes = _minutes(call.body, "expiration_minutes")
    token = state.new_token()
    state.links[token] = PendingToken(token, "embedded", user.user_id, None, call.now + 60 * minutes)
    return {"user_id": user.user_id, "token": token}


@ROUTES.post("/v1/magic_links/authenticate")
def authenticate(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    body.not_emulated("options", endpoint=call.endpoint)
    token = body.need("token")
    verifier = body.text("code_verifier")
    session_request = SessionRequest.read(call)
    link = state.links.get(token)
    user = state.users.get(link.user_id) if link is not None else None
    if link is None or user is None:
        raise fail("magic_link_not_found")
    if link.used or link.expires_at <= call.now:
        raise fail("unable_to_auth_magic_link")
    check_pkce(link.code_challenge, verifier)
    session_request.check_user(user)
    link.used = True
    user.activate()
    factor: Factor
    if link.email_id is None:
        method_id = state.new_id("embedded")
        detail = {"embedded_id": method_id}
        factor = Factor("magic_link", "embedded", "embeddable_magic_link_factor", detail, call.now, call.now)
    else:
        email = next((e for e in user.emails if e.email_id == link.email_id), None)
        if email is None:  # the address was deleted after the link was sent
            raise fail("unable_to_auth_magic_link")
        email.verified = True
        method_id = email.email_id
        factor = email_factor("magic_link", "email", email, call.now)
    session = session_request.start(call, user, factor)
    return {
        "user_id": user.user_id,
        "method_id": method_id,
        "reset_sessions": False,
        **session,
        "user": user.to_json(),
    }
