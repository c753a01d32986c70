"""Where every B2B login ends: a member session, or an intermediate session waiting for MFA.

Each primary authentication (magic link, email passcode, password, discovery
exchange) hands its factor to :func:`finish`. When the organization requires
MFA (``mfa_policy`` ``REQUIRED_FOR_ALL``) or the member enrolled in it, and the
factors so far hold no second factor, no session starts: the answer carries
``member_authenticated=false``, an ``intermediate_session_token`` and
``mfa_required``, and an SMS passcode goes out at once when the member has a
phone number and does not prefer TOTP. SMS passcodes and TOTP codes then call
:func:`complete_mfa` with that token.

Member session JWTs carry the claims Stytch puts in them (``sub`` the member id,
the ``https://stytch.com/session`` claim with ``roles``, the
``https://stytch.com/organization`` claim with ``organization_id`` and ``slug``,
and the custom claims), signed with the project's rotating keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stytch_async.testing._engine.body import Body
from stytch_async.testing._engine.errors import fail
from stytch_async.testing._engine.sessions import (
    Factor,
    add_factor,
    merge_claims,
    mint,
    read_claims,
    session_id_of,
)

from .records import IntermediateSession, MemberRecord, MemberSessionRecord, OrgRecord
from .state import B2BState, Call

DEFAULT_MINUTES = 60
_SECOND_FACTORS = frozenset(
    {("otp", "sms"), ("totp", "authenticator_app"), ("recovery_codes", "recovery_code")}
)


def mint_jwt(state: B2BState, session: MemberSessionRecord) -> str:
    org = state.orgs[session.organization_id]
    member = state.members[session.member_id]
    claims = {**session.custom_claims, **session.claims(member.all_roles(org), org.slug)}
    return mint(state.keys, state.project_id, session.member_id, state.now(), claims)


def session_from_jwt(state: B2BState, token: str) -> MemberSessionRecord:
    """The live session a correctly signed JWT names, expired or not; else a Stytch error."""
    session = state.session_by_id(session_id_of(state.keys, state.project_id, token))
    if session is None:
        raise fail("session_not_found")
    return session


def named_session(state: B2BState, body: Body) -> MemberSessionRecord | None:
    """The live session ``session_token`` or ``session_jwt`` names; None when neither is given."""
    token, jwt = body.text("session_token"), body.text("session_jwt")
    if token is not None:
        session = state.session_by_token(token)
        if session is None:
            raise fail("session_not_found")
        return session
    return None if jwt is None else session_from_jwt(state, jwt)


def session_json(state: B2BState, session: MemberSessionRecord) -> dict[str, Any]:
    org = state.orgs[session.organization_id]
    return session.to_json(state.members[session.member_id].all_roles(org), org.slug)


def tokens(state: B2BState, session: MemberSessionRecord) -> dict[str, Any]:
    """``session_token``, ``session_jwt`` and ``member_session`` for an answer."""
    return {
        "session_token": session.token,
        "session_jwt": mint_jwt(state, session),
        "member_session": session_json(state, session),
    }


def mfa_required(member: MemberRecord, initiated: str | None) -> dict[str, Any]:
    totp_id = member.totp.totp_id if member.totp is not None and member.totp.verified else ""
    return {
        "member_options": {"mfa_phone_number": member.mfa_phone_number, "totp_registration_id": totp_id},
        "secondary_auth_initiated": initiated,
    }


def needs_mfa(org: OrgRecord, member: MemberRecord, factors: list[Factor]) -> bool:
    wanted = org.requires_mfa() or member.mfa_enrolled
    return wanted and not any((f.type, f.delivery_method) in _SECOND_FACTORS for f in factors)


@dataclass
class AuthRequest:
    """The session part of an authenticate call, read and checked before anything changes."""

    minutes: int | None
    claims: dict[str, Any] | None
    existing: MemberSessionRecord | None
    intermediate: IntermediateSession | None

    @classmethod
    def read(cls, call: Call) -> AuthRequest:
        body, state = call.body, call.state
        minutes = body.session_minutes()
        claims = read_claims(body)
        existing = named_session(state, body)
        ist = body.text("intermediate_session_token")
        return cls(minutes, claims, existing, None if ist is None else state.intermediate_session(ist))

    def require_primary(self) -> None:
        """A second factor needs a login waiting for MFA, or a session."""
        if self.existing is None and (self.intermediate is None or self.intermediate.member_id is None):
            raise fail("action_available_only_once_primary_authentication_is_met")

    def check(self, member: MemberRecord) -> None:
        """The given session or intermediate session must belong to ``member``."""
        if self.existing is not None and self.existing.member_id != member.member_id:
            raise fail("session_member_mismatch")
        ist = self.intermediate
        if ist is not None and (ist.email != member.email or ist.member_id not in (None, member.member_id)):
            raise fail("intermediate_session_mismatch")

    def factors(self, factor: Factor) -> list[Factor]:
        found: list[Factor] = []
        for earlier in (self.intermediate.factors if self.intermediate else []) + (
            self.existing.factors if self.existing else []
        ):
            add_factor(found, earlier)
        add_factor(found, factor)
        return found

    def start(self, call: Call, member: MemberRecord, factors: list[Factor]) -> MemberSessionRecord:
        """Extend the named session with ``factors``, or start one."""
        state, now = call.state, call.now
        if self.intermediate is not None:
            state.intermediate.pop(self.intermediate.token, None)
        session = self.existing
        if session is None:
            session = MemberSessionRecord(
                state.new_id("member-session"),
                member.member_id,
                member.organization_id,
                state.new_token(),
                now,
                now,
                now + 60 * (self.minutes or DEFAULT_MINUTES),
                [],
            )
            state.sessions[session.member_session_id] = session
            state.session_ids_by_token[session.token] = session.member_session_id
        elif self.minutes is not None:
            session.expires_at = now + 60 * self.minutes
        session.last_accessed_at = now
        for factor in factors:
            session.add_factor(factor)
        merge_claims(session.custom_claims, self.claims)
        return session


def finish(
    call: Call, member: MemberRecord, org: OrgRecord, factor: Factor, request: AuthRequest
) -> dict[str, Any]:
    """End a primary authentication: a session, or an intermediate session when MFA is due."""
    state = call.state
    request.check(member)
    factors = request.factors(factor)
    if member.status in ("invited", "pending"):
        member.status = "active"
    base = {"member_id": member.member_id, "member": member.to_json(org), "organization": org.to_json()}
    if request.existing is None and needs_mfa(org, member, factors):
        if request.intermediate is not None:
            state.intermediate.pop(request.intermediate.token, None)
        ist = state.new_intermediate(member.email, member)
        ist.factors = factors
        initiated = None
        if member.mfa_phone_number and member.default_mfa_method != "totp":
            state.send_code(member, "sms", call.body, 10)
            initiated = "sms_otp"
        return {
            **base,
            "session_token": "",
            "session_jwt": "",
            "member_session": None,
            "member_authenticated": False,
            "intermediate_session_token": ist.token,
            "mfa_required": mfa_required(member, initiated),
        }
    session = request.start(call, member, factors)
    base["member"] = member.to_json(org)
    return {
        **base,
        **tokens(state, session),
        "member_authenticated": True,
        "intermediate_session_token": "",
        "mfa_required": None,
    }


def complete_mfa(
    call: Call, member: MemberRecord, org: OrgRecord, factor: Factor, request: AuthRequest
) -> dict[str, Any]:
    """End a second-factor check: it needs an intermediate session or a session of the member."""
    request.require_primary()
    request.check(member)
    session = request.start(call, member, request.factors(factor))
    return {
        "member_id": member.member_id,
        "member": member.to_json(org),
        "organization": org.to_json(),
        **tokens(call.state, session),
    }
