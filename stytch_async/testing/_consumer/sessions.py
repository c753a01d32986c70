"""Sessions: started by every authenticate call, checked by token or JWT, listed, revoked; the JWKS.

Session JWTs carry the claims Stytch puts in them: ``iss`` ``stytch.com/<project_id>``,
``aud`` ``[project_id]``, ``sub`` the user id, ``iat``/``nbf``/``exp`` (five
minutes), the ``https://stytch.com/session`` claim (``id``, ``started_at``,
``last_accessed_at``, ``expires_at``, ``attributes``, ``authentication_factors``,
``roles``) and the session's custom claims at the top level. A JWT whose five
minutes are over is still accepted by ``sessions.authenticate`` while its
session lives, and a fresh JWT comes back, as with Stytch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from stytch_async.testing._engine.body import Body
from stytch_async.testing._engine.errors import bad_request, fail
from stytch_async.testing._engine.keys import InvalidJWT
from stytch_async.testing._engine.routing import Routes

from .records import DEFAULT_ROLE, Factor, SessionRecord, UserRecord
from .state import Call, ConsumerState

ROUTES: Routes[ConsumerState] = Routes()

JWT_LIFETIME = 300
SESSION_CLAIM = "https://stytch.com/session"
_REGISTERED_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})
_CLAIMS_LIMIT = 4000


def roles_of(state: ConsumerState, session: SessionRecord) -> list[str]:
    user = state.users.get(session.user_id)
    return user.all_roles() if user is not None else [DEFAULT_ROLE]


def mint_jwt(state: ConsumerState, session: SessionRecord) -> str:
    now = int(state.now())
    claims: dict[str, Any] = {
        **session.custom_claims,
        "aud": [state.project_id],
        "exp": now + JWT_LIFETIME,
        "iat": now,
        "iss": f"stytch.com/{state.project_id}",
        "nbf": now,
        "sub": session.user_id,
        SESSION_CLAIM: session.claim(roles_of(state, session)),
    }
    return state.keys.sign(claims)


def session_from_jwt(state: ConsumerState, token: str) -> SessionRecord:
    """The live session a correctly signed JWT names, expired or not; else a Stytch error."""
    try:
        claims = state.keys.verify(token)
    except InvalidJWT as exc:
        raise fail("unable_to_parse_session_jwt") from exc
    if claims.get("iss") != f"stytch.com/{state.project_id}":
        raise fail("jwt_invalid_issuer")
    audience = claims.get("aud")
    if state.project_id not in (audience if isinstance(audience, list) else [audience]):
        raise fail("jwt_invalid_audience")
    claim = claims.get(SESSION_CLAIM)
    session_id = claim.get("id") if isinstance(claim, dict) else None
    if not isinstance(session_id, str):
        raise fail("unable_to_parse_session_jwt")
    session = state.session_by_id(session_id)
    if session is None:
        raise fail("session_not_found")
    return session


def target_user(call: Call) -> UserRecord | None:
    """The user a ``send`` call names by ``user_id``, ``session_token`` or ``session_jwt``."""
    body, state = call.body, call.state
    user_id = body.text("user_id")
    if user_id is not None:
        return state.user(user_id)
    session = named_session(state, body)
    return None if session is None else state.users[session.user_id]


def named_session(state: ConsumerState, body: Body) -> SessionRecord | None:
    """The live session named by ``session_token`` or ``session_jwt``; None when neither is given."""
    token, jwt = body.text("session_token"), body.text("session_jwt")
    if token is not None:
        session = state.session_by_token(token)
        if session is None:
            raise fail("session_not_found")
        return session
    return None if jwt is None else session_from_jwt(state, jwt)


def _read_claims(body: Body) -> dict[str, Any] | None:
    claims = body.mapping("session_custom_claims")
    if claims is None:
        return None
    if _REGISTERED_CLAIMS & claims.keys():
        raise fail("reserved_claims_in_custom_claims")
    if any(key.startswith("https://stytch.com/") for key in claims):
        raise fail("stytch_claims_in_custom_claims")
    try:
        size = len(json.dumps(claims, allow_nan=False))
    except ValueError as exc:
        raise bad_request("session_custom_claims must be plain JSON.") from exc
    if size > _CLAIMS_LIMIT:
        raise fail("custom_claims_too_large")
    return claims


def _merge_claims(session: SessionRecord, claims: dict[str, Any] | None) -> None:
    for key, value in (claims or {}).items():
        if value is None:
            session.custom_claims.pop(key, None)  # null deletes a claim
        else:
            session.custom_claims[key] = value


def _attributes(body: Body) -> dict[str, str]:
    given = body.mapping("attributes") or {}
    found = {}
    for key in ("ip_address", "user_agent"):
        value = given.get(key, "")
        if not isinstance(value, str):
            raise bad_request(f"attributes.{key} must be a string.")
        found[key] = value
    return found


@dataclass
class SessionRequest:
    """The session part of an authenticate call, read and checked before anything changes."""

    minutes: int | None
    claims: dict[str, Any] | None
    existing: SessionRecord | None
    attributes: dict[str, str]

    @classmethod
    def read(cls, call: Call) -> SessionRequest:
        body = call.body
        minutes = body.session_minutes()
        claims = _read_claims(body)
        attributes = _attributes(body)
        return cls(minutes, claims, named_session(call.state, body), attributes)

    def check_user(self, user: UserRecord) -> None:
        if self.existing is not None and self.existing.user_id != user.user_id:
            raise fail("user_id_mismatch")

    def start(self, call: Call, user: UserRecord, factor: Factor) -> dict[str, Any]:
        """Add ``factor`` to the named session, or start one when a duration is given.

        Without a session to extend and without ``session_duration_minutes``, no
        session is made and the token fields come back empty, as with Stytch.
        """
        self.check_user(user)
        state, now = call.state, call.now
        if self.existing is not None:
            session = self.existing
            session.add_factor(factor)
            session.last_accessed_at = now
            if self.minutes is not None:
                session.expires_at = now + 60 * self.minutes
        elif self.minutes is None:
            return {"session_token": "", "session_jwt": "", "session": None}
        else:
            session = SessionRecord(
                state.new_id("session"),
                user.user_id,
                state.new_token(),
                now,
                now,
                now + 60 * self.minutes,
                self.attributes,
                [factor],
            )
            state.sessions[session.session_id] = session
            state.session_ids_by_token[session.token] = session.session_id
        _merge_claims(session, self.claims)
        return {
            "session_token": session.token,
            "session_jwt": mint_jwt(state, session),
            "session": session.to_json(user.all_roles()),
        }


# -- endpoints -----------------------------------------------------------------------------


@ROUTES.post("/v1/sessions/authenticate")
def authenticate(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    body.not_emulated("authorization_check", endpoint=call.endpoint)
    minutes = body.session_minutes()
    claims = _read_claims(body)
    session = named_session(state, body)
    if session is None:
        raise fail("no_session_arguments")
    now = call.now
    session.last_accessed_at = now
    if minutes is not None:
        session.expires_at = now + 60 * minutes
    _merge_claims(session, claims)
    user = state.users[session.user_id]
    return {
        "session": session.to_json(user.all_roles()),
        "session_token": session.token,
        "session_jwt": mint_jwt(state, session),
        "user": user.to_json(),
    }


@ROUTES.get("/v1/sessions")
def get(call: Call) -> dict[str, Any]:
    user_id = call.query.get("user_id") or ""
    if not user_id:
        raise bad_request("user_id is a required field.")
    user = call.state.user(user_id)
    sessions = sorted(call.state.live_sessions(user.user_id), key=lambda s: s.started_at)
    return {"sessions": [s.to_json(user.all_roles()) for s in sessions]}


@ROUTES.post("/v1/sessions/revoke")
def revoke(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    given = {name: body.text(name) for name in ("session_id", "session_token", "session_jwt")}
    named = {k: v for k, v in given.items() if v is not None}
    if not named:
        raise fail("no_session_revoke_arguments")
    if len(named) > 1:
        raise fail("too_many_session_revoke_arguments")
    if given["session_id"] is not None:
        state.check_id(given["session_id"], "session", "invalid_session_id")
        session = state.session_by_id(given["session_id"])
    elif given["session_token"] is not None:
        session = state.session_by_token(given["session_token"])
    else:
        session = session_from_jwt(state, str(given["session_jwt"]))
    if session is None:
        raise fail("session_not_found")
    state.drop_session(session)
    return {}


@ROUTES.get("/v1/sessions/jwks/{project_id}", public=True)
def get_jwks(call: Call) -> dict[str, Any]:
    if call.params["project_id"] != call.state.project_id:
        raise fail("project_not_found")
    return {"keys": call.state.keys.jwks()}
