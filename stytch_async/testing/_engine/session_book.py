"""The live sessions of one backend, by id and by token; an expired one goes when next looked at.

Both backends keep sessions the same way and differ only in what a record calls its
id and its owner (``session_id``/``user_id``, ``member_session_id``/``member_id``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, Protocol, TypeVar


class _Record(Protocol):
    token: str
    expires_at: float


R = TypeVar("R", bound=_Record)


class SessionBook(Generic[R]):
    """Mixed into a backend's state: ``sessions`` by id, ``session_ids_by_token``, and the lookups."""

    sessions: dict[str, R]
    session_ids_by_token: dict[str, str]

    def now(self) -> float:
        raise NotImplementedError

    def session_id_of(self, session: R) -> str:
        raise NotImplementedError

    def session_owner_of(self, session: R) -> str:
        raise NotImplementedError

    def live_sessions(self, owner: str | None = None) -> Iterator[R]:
        """Unexpired sessions (of ``owner``, when given); expired ones are dropped on the way."""
        now = self.now()
        for session in list(self.sessions.values()):
            if session.expires_at <= now:
                self.drop_session(session)
            elif owner is None or self.session_owner_of(session) == owner:
                yield session

    def session_by_token(self, token: str) -> R | None:
        session_id = self.session_ids_by_token.get(token)
        return self.session_by_id(session_id) if session_id else None

    def session_by_id(self, session_id: str) -> R | None:
        session = self.sessions.get(session_id)
        if session is not None and session.expires_at <= self.now():
            self.drop_session(session)
            return None
        return session

    def drop_session(self, session: R) -> None:
        self.sessions.pop(self.session_id_of(session), None)
        self.session_ids_by_token.pop(session.token, None)


__all__ = ["SessionBook"]
