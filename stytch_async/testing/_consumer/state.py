"""The consumer API's records in one project, and the lookups its handlers share.

Everything here lives in one :class:`ConsumerState`; resetting the backend
builds a new one, so nothing has to be cleared field by field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stytch_async.testing._engine.body import Body
from stytch_async.testing._engine.clock import to_datetime
from stytch_async.testing._engine.errors import fail
from stytch_async.testing._engine.outbox import Channel, Kind, Message
from stytch_async.testing._engine.project import Project
from stytch_async.testing._engine.routing import Call as _Call
from stytch_async.testing._engine.session_book import SessionBook

from .records import (
    EmailRecord,
    M2MClientRecord,
    PendingCode,
    PendingToken,
    PhoneRecord,
    SessionRecord,
    UserRecord,
)


class ConsumerState(SessionBook[SessionRecord]):
    """Every consumer record of one project. Handlers run one at a time under the engine's lock."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.project_id = project.project_id
        self.env = project.env
        self.keys = project.keys
        self.users: dict[str, UserRecord] = {}
        self.sessions: dict[str, SessionRecord] = {}
        self.session_ids_by_token: dict[str, str] = {}
        self.links: dict[str, PendingToken] = {}
        self.resets: dict[str, PendingToken] = {}
        self.codes: dict[str, PendingCode] = {}
        self.m2m_clients: dict[str, M2MClientRecord] = {}

    # -- ids and time ------------------------------------------------------------------

    def now(self) -> float:
        return self.project.now()

    def new_id(self, kind: str) -> str:
        return self.project.new_id(kind)

    @staticmethod
    def new_token() -> str:
        return Project.new_token()

    def deliver(
        self,
        kind: Kind,
        channel: Channel,
        user: UserRecord,
        record: EmailRecord | PhoneRecord,
        expires_at: float,
        body: Body,
        *,
        token: str | None = None,
        code: str | None = None,
        url: str | None = None,
        template_field: str | None = None,
    ) -> Message:
        """Put a message in the outbox, addressed to ``record``'s email or phone."""
        if isinstance(record, EmailRecord):
            to, method_id = record.email, record.email_id
        else:
            to, method_id = record.phone_number, record.phone_id
        message = Message(
            kind=kind,
            channel=channel,
            to=to,
            user_id=user.user_id,
            method_id=method_id,
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

    # -- users -------------------------------------------------------------------------

    def check_id(self, value: str, kind: str, error_type: str) -> None:
        if not value.startswith(f"{kind}-{self.env}-"):
            raise fail(error_type, f"{value!r} is not a valid {kind.replace('-', '_')}_id.")

    def user(self, user_id: str) -> UserRecord:
        self.check_id(user_id, "user", "invalid_user_id")
        user = self.users.get(user_id)
        if user is None:
            raise fail("user_not_found")
        return user

    def user_from_body(self, body: Body) -> UserRecord:
        return self.user(body.need("user_id"))

    def by_email(self, address: str) -> tuple[UserRecord, EmailRecord] | None:
        for user in self.users.values():
            found = user.email(address)
            if found is not None:
                return user, found
        return None

    def by_phone(self, number: str) -> tuple[UserRecord, PhoneRecord] | None:
        for user in self.users.values():
            found = user.phone(number)
            if found is not None:
                return user, found
        return None

    def create_user(
        self,
        *,
        email: str | None = None,
        phone_number: str | None = None,
        pending: bool = False,
        name: Mapping[str, Any] | None = None,
    ) -> UserRecord:
        if email is not None and self.by_email(email) is not None:
            raise fail("duplicate_email")
        if phone_number is not None and self.by_phone(phone_number) is not None:
            raise fail("duplicate_phone_number")
        user = UserRecord(self.new_id("user"), self.now(), status="pending" if pending else "active")
        if name:
            set_name(user, name)
        if email is not None:
            self.add_email(user, email)
        if phone_number is not None:
            self.add_phone(user, phone_number)
        self.users[user.user_id] = user
        return user

    def add_email(self, user: UserRecord, address: str) -> EmailRecord:
        record = EmailRecord(self.new_id("email"), address)
        user.emails.append(record)
        return record

    def add_phone(self, user: UserRecord, number: str) -> PhoneRecord:
        record = PhoneRecord(self.new_id("phone-number"), number)
        user.phones.append(record)
        return record

    def delete_user(self, user: UserRecord) -> None:
        del self.users[user.user_id]
        for session in [s for s in self.sessions.values() if s.user_id == user.user_id]:
            self.drop_session(session)
        for store in (self.links, self.resets, self.codes):
            for key in [k for k, v in store.items() if v.user_id == user.user_id]:
                del store[key]

    # -- sessions ----------------------------------------------------------------------

    def session_id_of(self, session: SessionRecord) -> str:
        return session.session_id

    def session_owner_of(self, session: SessionRecord) -> str:
        return session.user_id


def set_name(user: UserRecord, name: Mapping[str, Any]) -> None:
    for part in ("first_name", "middle_name", "last_name"):
        value = name.get(part)
        if value is not None:
            if not isinstance(value, str):
                raise fail("bad_request", f"name.{part} must be a string.")
            user.name[part] = value


Call = _Call[ConsumerState]


def reach(
    state: ConsumerState,
    target: UserRecord | None,
    *,
    email: str | None = None,
    phone_number: str | None = None,
) -> tuple[UserRecord, EmailRecord | PhoneRecord]:
    """The user and the email or phone record a ``send`` call delivers to.

    Without ``target`` the address must already belong to a user. With one
    (named by ``user_id`` or a session), a new address is added to that user,
    unverified, as Stytch does when a factor is attached.
    """
    found: tuple[UserRecord, EmailRecord | PhoneRecord] | None
    if email is not None:
        found, missing, taken = state.by_email(email), "email_not_found", "duplicate_email"
    else:
        assert phone_number is not None
        found, missing, taken = (
            state.by_phone(phone_number),
            "phone_number_not_found",
            "duplicate_phone_number",
        )
    if found is not None and target is not None and found[0] is not target:
        raise fail(taken)
    if found is not None:
        return found
    if target is None:
        raise fail(missing)
    if email is not None:
        return target, state.add_email(target, email)
    assert phone_number is not None
    return target, state.add_phone(target, phone_number)
