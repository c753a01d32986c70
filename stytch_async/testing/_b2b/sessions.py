"""Member sessions: authenticate (with ``authorization_check``), get, revoke, exchange; the JWKS.

A JWT whose five minutes are over is still accepted by ``sessions.authenticate``
while its session lives, and a fresh JWT comes back, as with Stytch.
``sessions.exchange`` moves a member to another organization where the same
email address is a member (or may join by its allowed domains): the factors
carry over, and the new organization's MFA rule applies.
"""

from __future__ import annotations

from typing import Any

from stytch_async.testing._engine.errors import fail
from stytch_async.testing._engine.routing import Routes
from stytch_async.testing._engine.sessions import merge_claims, read_claims

from .auth import AuthRequest, finish, named_session, session_from_jwt, session_json, tokens
from .discovery import join
from .rbac import authorize
from .records import MemberSessionRecord
from .state import B2BState, Call

ROUTES: Routes[B2BState] = Routes()


@ROUTES.post("/v1/b2b/sessions/authenticate")
def authenticate(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    minutes = body.session_minutes()
    claims = read_claims(body)
    check = body.mapping("authorization_check")
    session = named_session(state, body)
    if session is None:
        raise fail("no_session_arguments")
    org = state.orgs[session.organization_id]
    member = state.members[session.member_id]
    if check is not None:
        authorize(state, org, member, check)
    now = call.now
    session.last_accessed_at = now
    if minutes is not None:
        session.expires_at = now + 60 * minutes
    merge_claims(session.custom_claims, claims)
    return {**tokens(state, session), "member": member.to_json(org), "organization": org.to_json()}


@ROUTES.get("/v1/b2b/sessions")
def get(call: Call) -> dict[str, Any]:
    state = call.state
    org_id, member_id = call.query.get("organization_id") or "", call.query.get("member_id") or ""
    if not org_id or not member_id:
        raise fail("bad_request", "organization_id and member_id are required.")
    member = state.member(state.org(org_id), member_id)
    sessions = sorted(state.live_sessions(member.member_id), key=lambda s: s.started_at)
    return {"member_sessions": [session_json(state, s) for s in sessions]}


@ROUTES.post("/v1/b2b/sessions/revoke")
def revoke(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    names = ("member_session_id", "session_token", "session_jwt", "member_id")
    given = {name: body.text(name) for name in names}
    named = [k for k, v in given.items() if v is not None]
    if not named:
        raise fail("no_session_revoke_arguments")
    if len(named) > 1:
        raise fail("too_many_session_revoke_arguments")
    if given["member_id"] is not None:
        member = state.members.get(given["member_id"])
        if member is None or member.status == "deleted":
            raise fail("member_not_found")
        for live in list(state.live_sessions(member.member_id)):
            state.drop_session(live)
        return {}
    session: MemberSessionRecord | None
    if given["member_session_id"] is not None:
        session = state.session_by_id(given["member_session_id"])
    elif given["session_token"] is not None:
        session = state.session_by_token(given["session_token"])
    else:
        session = session_from_jwt(state, str(given["session_jwt"]))
    if session is None:
        raise fail("session_not_found")
    state.drop_session(session)
    return {}


@ROUTES.post("/v1/b2b/sessions/exchange")
def exchange(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    target = state.org_from_body(body)
    request = AuthRequest.read(call)
    current = request.existing
    if current is None:
        raise fail("no_session_arguments")
    email = state.members[current.member_id].email
    if current.organization_id == target.organization_id:
        raise fail("session_exchange_same_organization")
    member = join(state, target, email)
    factors = list(current.factors)
    request.existing = None  # the old session stays; a new one starts in the target organization
    result = finish(call, member, target, factors[0], request)
    if result["member_authenticated"]:
        session = state.session_by_token(result["session_token"])
        assert session is not None
        for factor in factors[1:]:
            session.add_factor(factor)
        result.update(tokens(state, session))
    return result


@ROUTES.get("/v1/b2b/sessions/jwks/{project_id}", public=True)
def get_jwks(call: Call) -> dict[str, Any]:
    if call.params["project_id"] != call.state.project_id:
        raise fail("project_not_found")
    return {"keys": call.state.keys.jwks()}
