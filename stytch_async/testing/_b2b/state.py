"""The B2B API's records in one project, and the lookups its handlers share.

Everything lives in one :class:`B2BState`; resetting the backend builds a new
one, so nothing is cleared field by field.
"""

from __future__ import annotations

import hmac
from typing import Any

from stytch_async.testing._engine.body import Body
from stytch_async.testing._engine.clock import to_datetime
from stytch_async.testing._engine.credentials import passcode
from stytch_async.testing._engine.errors import fail
from stytch_async.testing._engine.outbox import Channel, Kind, Message
from stytch_async.testing._engine.project import Project
from stytch_async.testing._engine.routing import Call as _Call
from stytch_async.testing._engine.session_book import SessionBook

from .policy import default_resources, default_roles
from .records import (
    IntermediateSession,
    MemberRecord,
    MemberSessionRecord,
    OrgRecord,
    PendingCode,
    PendingLink,
)

INTERMEDIATE_MINUTES = 10  # an intermediate session token lives this long, as with Stytch
MAX_ATTEMPTS = 5  # wrong passcodes before one is voided


class B2BState(SessionBook[MemberSessionRecord]):
    """Every B2B record of one project. Handlers run one at a time under the engine's lock."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.project_id = project.project_id
        self.env = project.env
        self.keys = project.keys
        self.orgs: dict[str, OrgRecord] = {}
        self.members: dict[str, MemberRecord] = {}
        self.sessions: dict[str, MemberSessionRecord] = {}
        self.session_ids_by_token: dict[str, str] = {}
        self.intermediate: dict[str, IntermediateSession] = {}
        self.links: dict[str, PendingLink] = {}
        self.codes: dict[tuple[str, str], PendingCode] = {}  # (member_id, "email" | "sms")
        self.rbac_roles: dict[str, dict[str, Any]] = default_roles()
        self.rbac_resources: dict[str, dict[str, Any]] = default_resources()

    def now(self) -> float:
        return self.project.now()

    def new_id(self, kind: str) -> str:
        return self.project.new_id(kind)

    @staticmethod
    def new_token() -> str:
        return Project.new_token()

    # -- organizations and members -----------------------------------------------------

    def org(self, organization_id: str) -> OrgRecord:
        """The organization named by its id, or (as Stytch allows) its slug or external id."""
        org = self.orgs.get(organization_id) or next(
            (o for o in self.orgs.values() if organization_id in (o.slug, o.external_id)), None
        )
        if org is None:
            raise fail("organization_not_found")
        return org

    def org_from_body(self, body: Body) -> OrgRecord:
        return self.org(body.need("organization_id"))

    def member(self, org: OrgRecord, member_id: str, *, deleted: bool = False) -> MemberRecord:
        if not member_id.startswith(f"member-{self.env}-"):
            raise fail("invalid_member_id")
        member = self.members.get(member_id)
        if member is None or member.organization_id != org.organization_id:
            raise fail("member_not_found")
        if member.status == "deleted" and not deleted:
            raise fail("member_not_found")
        return member

    def by_email(self, org: OrgRecord, email: str) -> MemberRecord | None:
        return next(
            (
                m
                for m in self.members.values()
                if m.organization_id == org.organization_id and m.email == email and m.status != "deleted"
            ),
            None,
        )

    def memberships(self, email: str) -> list[MemberRecord]:
        """The live members with this email address, one per organization, oldest organization first."""
        found = [m for m in self.members.values() if m.email == email and m.status != "deleted"]
        return sorted(found, key=lambda m: self.orgs[m.organization_id].created_at)

    def add_member(self, org: OrgRecord, email: str, *, status: str = "active") -> MemberRecord:
        if self.by_email(org, email) is not None:
            raise fail("duplicate_member_email")
        now = self.now()
        member = MemberRecord(
            self.new_id("member"), org.organization_id, email, self.new_id("member-email"), now, now, status
        )
        self.members[member.member_id] = member
        return member

    def drop_member_secrets(self, member: MemberRecord) -> None:
        """End the member's sessions and void its links, codes and intermediate sessions."""
        for session in [s for s in self.sessions.values() if s.member_id == member.member_id]:
            self.drop_session(session)
        for token in [t for t, link in self.links.items() if link.member_id == member.member_id]:
            del self.links[token]
        for key in [k for k in self.codes if k[0] == member.member_id]:
            del self.codes[key]
        for token in [t for t, ist in self.intermediate.items() if ist.member_id == member.member_id]:
            del self.intermediate[token]

    # -- sessions ----------------------------------------------------------------------

    def session_id_of(self, session: MemberSessionRecord) -> str:
        return session.member_session_id

    def session_owner_of(self, session: MemberSessionRecord) -> str:
        return session.member_id

    def intermediate_session(self, token: str) -> IntermediateSession:
        found = self.intermediate.get(token)
        if found is None or found.expires_at <= self.now():
            self.intermediate.pop(token, None)
            raise fail("intermediate_session_not_found")
        return found

    def new_intermediate(self, email: str, member: MemberRecord | None = None) -> IntermediateSession:
        ist = IntermediateSession(self.new_token(), email, [], self.now() + 60 * INTERMEDIATE_MINUTES)
        if member is not None:
            ist.member_id, ist.organization_id = member.member_id, member.organization_id
        self.intermediate[ist.token] = ist
        return ist

    # -- deliveries --------------------------------------------------------------------

    def deliver(
        self,
        kind: Kind,
        channel: Channel,
        to: str,
        member: MemberRecord | None,
        expires_at: float,
        body: Body,
        *,
        token: str | None = None,
        code: str | None = None,
        url: str | None = None,
        template_field: str | None = None,
    ) -> Message:
        """Put a message in the outbox; ``user_id`` holds the member id (empty for discovery)."""
        message = Message(
            kind=kind,
            channel=channel,
            to=to,
            user_id="" if member is None else member.member_id,
            method_id="" if member is None else member.email_id if channel == "email" else member.member_id,
            sent_at=to_datetime(self.now()),
            expires_at=to_datetime(expires_at),
            token=token,
            code=code,
            url=url,
            template_id=body.text(template_field) if template_field else None,
            locale=body.text("locale"),
        )
        self.project.outbox.deliver(message)
        return message

    def link(
        self, kind: str, email: str, minutes: int, body: Body, member: MemberRecord | None
    ) -> PendingLink:
        """Remember a new link token for ``email``; the caller delivers it."""
        pending = PendingLink(
            self.new_token(),
            kind,
            email,
            self.now() + 60 * minutes,
            None if member is None else member.member_id,
            body.text("pkce_code_challenge") or body.text("code_challenge"),
        )
        self.links[pending.token] = pending
        return pending

    def waiting_link(self, token: str, kinds: tuple[str, ...], error_type: str) -> PendingLink:
        """The unused, unexpired link for ``token`` of one of ``kinds``; else ``error_type``."""
        pending = self.links.get(token)
        if pending is None or pending.kind not in kinds or pending.expires_at <= self.now():
            raise fail(error_type)
        return pending

    def send_code(self, member: MemberRecord, channel: Channel, body: Body, minutes: int) -> None:
        """A fresh passcode for ``member`` by email or SMS (voiding the previous one), into the outbox."""
        code = passcode()
        expires_at = self.now() + 60 * minutes
        self.codes[(member.member_id, channel)] = PendingCode(code, expires_at)
        to = member.email if channel == "email" else member.mfa_phone_number
        template = "login_template_id" if channel == "email" else None
        self.deliver("otp", channel, to, member, expires_at, body, code=code, template_field=template)

    def check_code(self, member: MemberRecord, channel: Channel, code: str) -> None:
        """Spend the member's passcode, or fail; five wrong tries void it."""
        pending = self.codes.get((member.member_id, channel))
        if pending is None or pending.expires_at <= self.now():
            self.codes.pop((member.member_id, channel), None)
            raise fail("unable_to_auth_otp_code")
        if not hmac.compare_digest(pending.code, code):
            pending.attempts += 1
            if pending.attempts >= MAX_ATTEMPTS:
                del self.codes[(member.member_id, channel)]
            raise fail("unable_to_auth_otp_code")
        del self.codes[(member.member_id, channel)]


Call = _Call[B2BState]
