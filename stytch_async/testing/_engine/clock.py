"""The emulator's clock: real time plus an offset you control, or frozen."""

from __future__ import annotations

import datetime as _dt
import threading
import time

_UTC = _dt.timezone.utc


def iso(timestamp: float) -> str:
    """An RFC 3339 UTC timestamp with whole seconds, as Stytch writes them."""
    return _dt.datetime.fromtimestamp(int(timestamp), _UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_datetime(timestamp: float) -> _dt.datetime:
    return _dt.datetime.fromtimestamp(timestamp, _UTC)


def parse_iso(text: str) -> float | None:
    """Read an RFC 3339 timestamp; ``None`` when it is not one."""
    try:
        value = _dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=_UTC)
    return value.timestamp()


class Clock:
    """Time as the emulator sees it.

    By default it follows the wall clock, so tokens it signs verify anywhere.
    ``advance()`` moves it forward (expiring links, passcodes, sessions and
    JWTs); ``freeze()`` stops it for fully repeatable tests::

        fake.clock.advance(minutes=61)   # the 60-minute session is now over
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0
        self._frozen_at: float | None = None

    def now(self) -> float:
        """Seconds since the epoch, emulator time."""
        with self._lock:
            base = time.time() if self._frozen_at is None else self._frozen_at
            return base + self._offset

    def datetime(self) -> _dt.datetime:
        return to_datetime(self.now())

    def advance(
        self, seconds: float = 0.0, *, minutes: float = 0.0, hours: float = 0.0, days: float = 0.0
    ) -> None:
        """Move time forward (a negative amount moves it back)."""
        with self._lock:
            self._offset += seconds + 60 * minutes + 3600 * hours + 86400 * days

    def freeze(self, at: float | _dt.datetime | None = None) -> None:
        """Stop the clock, at ``at`` (epoch seconds or an aware datetime) or at the current time."""
        if isinstance(at, _dt.datetime):
            if at.tzinfo is None:
                raise ValueError("freeze() needs an aware datetime")
            at = at.timestamp()
        current = self.now()
        with self._lock:
            self._offset = 0.0
            self._frozen_at = current if at is None else float(at)

    def unfreeze(self) -> None:
        """Follow the wall clock again, keeping the current emulator time."""
        current = self.now()
        with self._lock:
            self._frozen_at = None
            self._offset = current - time.time()

    def reset(self) -> None:
        """Back to the plain wall clock."""
        with self._lock:
            self._offset = 0.0
            self._frozen_at = None

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None
