"""Discovery: an email proven without an organization, the organizations it may enter, and entering one.

``discovery.authenticate`` (magic link or email passcode) yields an
intermediate session token for the address and its discovered organizations:
those where it is a member (``active_member``, ``invited_member``,
``pending_member``) and those whose allowed domains let it join
(``eligible_to_join_by_email_domain``, with ``email_jit_provisioning``
``RESTRICTED``). ``discovery.intermediate_sessions.exchange`` enters one,
``discovery.organizations.create`` makes a new one with the address as its
first member and ``stytch_admin``.
"""

from __future__ import annotations

from typing import Any

from stytch_async.testing._engine.errors import fail
from stytch_async.testing._engine.routing import Routes
from stytch_async.testing._engine.sessions import Factor

from .auth import AuthRequest, finish, named_session, needs_mfa
from .organizations import create_org
from .records import ADMIN_ROLE, IntermediateSession, MemberRecord, OrgRecord
from .state import B2BState, Call

ROUTES: Routes[B2BState] = Routes()


def may_join(org: OrgRecord, email: str) -> bool:
    return org.settings["email_jit_provisioning"] == "RESTRICTED" and org.domain_allowed(email)


def join(state: B2BState, org: OrgRecord, email: str) -> MemberRecord:
    """The member with ``email`` in ``org``, made now when its allowed domains let the address in."""
    member = state.by_email(org, email)
    if member is not None:
        return member
    if not may_join(org, email):
        raise fail("email_jit_provisioning_not_allowed")
    member = state.add_member(org, email, status="pending")
    member.email_verified = True
    return member


def discovered(state: B2BState, email: str, factors: list[Factor]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for member in state.memberships(email):
        org = state.orgs[member.organization_id]
        mfa = needs_mfa(org, member, factors)
        found.append(
            {
                "member_authenticated": not mfa and member.status == "active",
                "organization": org.to_json(),
                "membership": {
                    "type": f"{member.status}_member",
                    "details": None,
                    "member": member.to_json(org),
                },
                "primary_required": None,
                "mfa_required": None
                if not mfa
                else {"member_options": None, "secondary_auth_initiated": None},
            }
        )
    members_of = {m.organization_id for m in state.memberships(email)}
    for org in state.orgs.values():
        if org.organization_id not in members_of and may_join(org, email):
            domain = email.rsplit("@", 1)[-1]
            found.append(
                {
                    "member_authenticated": False,
                    "organization": org.to_json(),
                    "membership": {
                        "type": "eligible_to_join_by_email_domain",
                        "details": {"domain": domain},
                        "member": None,
                    },
                    "primary_required": None,
                    "mfa_required": None,
                }
            )
    return found


def discovery_answer(state: B2BState, email: str, factor: Factor) -> dict[str, Any]:
    """What every ``*.discovery.authenticate`` returns: a fresh intermediate session and the organizations."""
    ist = state.new_intermediate(email)
    ist.factors = [factor]
    return {
        "intermediate_session_token": ist.token,
        "email_address": email,
        "discovered_organizations": discovered(state, email, ist.factors),
    }


def _discovery_session(call: Call) -> IntermediateSession:
    ist = call.state.intermediate_session(call.body.need("intermediate_session_token"))
    if ist.member_id is not None:  # one waiting for MFA belongs to its organization
        raise fail("intermediate_session_not_found")
    return ist


@ROUTES.post("/v1/b2b/discovery/intermediate_sessions/exchange")
def exchange(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    _discovery_session(call)
    org = state.org_from_body(body)
    request = AuthRequest.read(call)
    assert request.intermediate is not None
    member = join(state, org, request.intermediate.email)
    factor = request.intermediate.factors[0]
    return finish(call, member, org, factor, request)


@ROUTES.post("/v1/b2b/discovery/organizations/create")
def create(call: Call) -> dict[str, Any]:
    state = call.state
    ist = _discovery_session(call)
    request = AuthRequest.read(call)
    org = create_org(call)
    member = state.add_member(org, ist.email, status="active")
    member.email_verified = True
    member.roles = [ADMIN_ROLE]
    return finish(call, member, org, ist.factors[0], request)


@ROUTES.post("/v1/b2b/discovery/organizations")
def list_organizations(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    ist_token = body.text("intermediate_session_token")
    if ist_token is not None:
        ist = state.intermediate_session(ist_token)
        email, factors = ist.email, ist.factors
    else:
        session = named_session(state, body)
        if session is None:
            raise fail("no_session_arguments")
        email, factors = state.members[session.member_id].email, session.factors
    return {
        "email_address": email,
        "discovered_organizations": discovered(state, email, factors),
        "organization_id_hint": None,
    }
