"""Fault injection: make the next matching request fail the way Stytch or the network can."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ._wire import ApiError, WireResponse, error_body, fail, known_error

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

    def matches(self, method: str, path: str) -> bool:
        return (self.path in ("*", path)) and (self.method is None or self.method == method)

    def response(self, request_id: str) -> WireResponse:
        if self.disconnect:
            return WireResponse(0, {}, disconnect=True)
        error_type = self.error_type or _TYPES.get(self.status, "emulator_injected_fault")
        if known_error(error_type):
            error = fail(error_type, status=self.status)
        else:
            error = ApiError(self.status, error_type, "This failure was injected with fail_next().")
        headers = {}
        if self.retry_after is not None:
            headers["Retry-After"] = f"{self.retry_after:g}"
        return WireResponse(self.status, error_body(error, request_id), headers)


class Faults:
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

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)
