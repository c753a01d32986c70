"""A request as the emulator receives it and the answer it gives, whatever carried them.

The in-process httpx transport and the loopback server both turn what they
receive into a :class:`FakeRequest` and write a :class:`FakeResponse` back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FakeRequest:
    """One HTTP request as the emulator sees it; ``path`` is still percent-encoded."""

    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""


@dataclass
class FakeResponse:
    """The emulator's answer: a status, a JSON payload and extra headers."""

    status: int
    payload: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    disconnect: bool = False  # fault injection: drop the connection, send nothing

    def content(self) -> bytes:
        return json.dumps(self.payload, separators=(",", ":")).encode()


Answer = Callable[[FakeRequest], FakeResponse]  # what the transport and the server call
