"""Fault injection: make the next matching request fail the way Stytch or the network can."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from stytch_async.errors import UsageError

from .errors import ApiError, ErrorCatalog
from .http import FakeResponse

_TYPES = {429: "too_many_requests", 500: "internal_server_error", 503: "server_unavailable"}


@dataclass
class Fault:
    path: str  # an exact request path, or "*" for any
    method: str | None
    status: int
    retry_after: float | None
    error_type: str | None
    disconnect: bool
    remaining: int

    @classmethod
    def checked(
        cls,
        path: object,
        *,
        status: object,
        retry_after: object,
        times: object,
        method: str | None,
        error_type: str | None,
        disconnect: bool,
    ) -> Fault:
        """A fault from ``fail_next``'s arguments; :class:`UsageError` names a bad one."""
        if not isinstance(path, str) or not (path == "*" or path.startswith("/")):
            raise UsageError(f"path must be a request path starting with '/', or '*'; got {path!r}")
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise UsageError(f"status must be an HTTP error status (400-599), got {status!r}")
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise UsageError(f"times must be a whole number >= 1, got {times!r}")
        if retry_after is not None and (
            isinstance(retry_after, bool) or not isinstance(retry_after, (int, float)) or retry_after < 0
        ):
            raise UsageError(f"retry_after must be a number of seconds >= 0, got {retry_after!r}")
        verb = method.upper() if method is not None else None
        return cls(path, verb, status, retry_after, error_type, disconnect, times)

    def matches(self, method: str, path: str) -> bool:
        return (self.path in ("*", path)) and (self.method is None or self.method == method)

    def response(self, errors: ErrorCatalog, request_id: str) -> FakeResponse:
        if self.disconnect:
            return FakeResponse(0, {}, disconnect=True)
        error_type = self.error_type or _TYPES.get(self.status, "emulator_injected_fault")
        message = None if error_type in errors else "This failure was injected with fail_next()."
        headers = {} if self.retry_after is None else {"Retry-After": f"{self.retry_after:g}"}
        return errors.render(ApiError(error_type, message, status=self.status, headers=headers), request_id)


class Faults:
    """The armed faults, first armed first taken."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Fault] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._pending.append(fault)

    def take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._pending:
                if fault.matches(method, path):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._pending.remove(fault)
                    return fault
        return None

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)
