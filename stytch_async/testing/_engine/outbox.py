"""Everything the emulator "sent": magic links, passcodes, invites and reset links."""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from stytch_async.errors import UsageError

Kind = Literal["magic_link", "invite", "otp", "password_reset"]
Channel = Literal["email", "sms", "whatsapp"]


class NoMessageError(UsageError, LookupError):
    """The outbox holds no message matching the filter."""


@dataclass(frozen=True)
class Message:
    """One delivery. ``token`` is set for links, ``code`` for passcodes.

    ``to`` is the email address or phone number; ``method_id`` is the email or
    phone id that ``otps.authenticate`` expects; ``url`` is the full link a
    user would click, with ``token`` in its query.
    """

    kind: Kind
    channel: Channel
    to: str
    user_id: str
    method_id: str
    sent_at: _dt.datetime
    expires_at: _dt.datetime
    token: str | None = None
    code: str | None = None
    url: str | None = None
    template_id: str | None = None
    locale: str | None = None

    def to_json(self) -> dict[str, str | None]:
        """The message as JSON values, as ``GET /_emulator/outbox`` lists it."""
        return {
            "kind": self.kind,
            "channel": self.channel,
            "to": self.to,
            "user_id": self.user_id,
            "method_id": self.method_id,
            "sent_at": self.sent_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "token": self.token,
            "code": self.code,
            "url": self.url,
            "template_id": self.template_id,
            "locale": self.locale,
        }

    def __repr__(self) -> str:
        # Tokens and codes are credentials even in a test; keep them out of reprs.
        return (
            f"Message(kind={self.kind!r}, channel={self.channel!r}, to={self.to!r}, "
            f"user_id={self.user_id!r}, sent_at={self.sent_at.isoformat()!r})"
        )


class Outbox:
    """The delivered messages, oldest first; safe to read while requests run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[Message] = []
        self._listeners: list[Callable[[Message], None]] = []

    def subscribe(self, listener: Callable[[Message], None]) -> None:
        """Call ``listener`` with every message as it is delivered (``serve`` prints them)."""
        self._listeners.append(listener)

    def deliver(self, message: Message) -> None:
        with self._lock:
            self._messages.append(message)
        for listener in self._listeners:
            listener(message)

    def all(
        self,
        *,
        email: str | None = None,
        phone_number: str | None = None,
        kind: Kind | None = None,
    ) -> list[Message]:
        """Messages matching every filter given (emails compare case-insensitively)."""
        with self._lock:
            found = list(self._messages)
        if email is not None:
            found = [m for m in found if m.channel == "email" and m.to == email.lower()]
        if phone_number is not None:
            found = [m for m in found if m.channel != "email" and m.to == phone_number]
        if kind is not None:
            found = [m for m in found if m.kind == kind]
        return found

    def last(
        self,
        *,
        email: str | None = None,
        phone_number: str | None = None,
        kind: Kind | None = None,
    ) -> Message:
        """The newest matching message; :class:`NoMessageError` when there is none."""
        found = self.all(email=email, phone_number=phone_number, kind=kind)
        if not found:
            wanted = ", ".join(
                f"{k}={v!r}"
                for k, v in (("email", email), ("phone_number", phone_number), ("kind", kind))
                if v is not None
            )
            raise NoMessageError(f"the outbox has no message for {wanted or 'anyone'}")
        return found[-1]

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._messages)

    def __iter__(self) -> Iterator[Message]:
        with self._lock:
            return iter(list(self._messages))
