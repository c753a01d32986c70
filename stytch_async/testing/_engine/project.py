"""The emulated project as every backend sees it: ids, secret-free settings, time, keys, outbox."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field

from .clock import Clock
from .keys import KeyRing
from .outbox import Outbox


@dataclass
class Project:
    """One Stytch project. Backends keep their records apart and reach shared services here."""

    project_id: str
    clock: Clock = field(default_factory=Clock)
    outbox: Outbox = field(default_factory=Outbox)
    keys: KeyRing = field(init=False)
    env: str = field(init=False)  # "live" or "test", from the project id
    request_time: float | None = None  # one reading of the clock per request

    def __post_init__(self) -> None:
        self.env = "live" if self.project_id.startswith("project-live-") else "test"
        self.keys = KeyRing(self.env)

    def now(self) -> float:
        return self.clock.now() if self.request_time is None else self.request_time

    def new_id(self, kind: str) -> str:
        """``user-test-<uuid>``, ``session-live-<uuid>``, …: Stytch's id shapes."""
        return f"{kind}-{self.env}-{uuid.uuid4()}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(33)  # 44 characters, like Stytch's tokens
