"""``/_emulator/…``: the test helpers over HTTP, for apps that talk to ``serve`` from any language.

All of them need the project's basic auth, like the API itself:

* ``GET  /_emulator/outbox``: ``{"messages": [...]}``, oldest first (``?email=`` or ``?phone_number=`` filter)
* ``POST /_emulator/reset``: forget every user, session, token, client, message and fault
* ``POST /_emulator/clock/advance`` ``{"seconds": 3600}``: move the clock forward
* ``POST /_emulator/keys/rotate`` ``{"keep_previous": true}``: sign with a new key; answers ``{"kid": …}``
* ``POST /_emulator/fail_next`` ``{"path": "/v1/…", "status": 503, "retry_after": 1, "times": 1}``
"""

from __future__ import annotations

from typing import Any, Protocol

from stytch_async.errors import UsageError

from .clock import Clock
from .errors import bad_request
from .outbox import Outbox
from .routing import Call, Routes


class Controls(Protocol):
    """What the helpers act on: the engine's test helpers."""

    @property
    def clock(self) -> Clock: ...

    @property
    def outbox(self) -> Outbox: ...

    def reset(self) -> None: ...

    def rotate_keys(self, *, keep_previous: bool = True) -> str: ...

    def fail_next(
        self,
        path: str,
        *,
        status: int = 503,
        retry_after: float | None = None,
        times: int = 1,
        method: str | None = None,
        error_type: str | None = None,
        disconnect: bool = False,
    ) -> None: ...


CONTROL_ROUTES: Routes[Controls] = Routes()


@CONTROL_ROUTES.get("/_emulator/outbox")
def outbox(call: Call[Controls]) -> dict[str, Any]:
    found = call.state.outbox.all(email=call.query.get("email"), phone_number=call.query.get("phone_number"))
    return {"messages": [m.to_json() for m in found]}


@CONTROL_ROUTES.post("/_emulator/reset")
def reset(call: Call[Controls]) -> dict[str, Any]:
    call.state.reset()
    return {}


@CONTROL_ROUTES.post("/_emulator/clock/advance")
def advance(call: Call[Controls]) -> dict[str, Any]:
    seconds = call.body.raw("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise bad_request("seconds must be a number.")
    call.state.clock.advance(seconds)
    return {"now": call.state.clock.datetime().isoformat()}


@CONTROL_ROUTES.post("/_emulator/keys/rotate")
def rotate(call: Call[Controls]) -> dict[str, Any]:
    keep = call.body.boolean("keep_previous")
    return {"kid": call.state.rotate_keys(keep_previous=True if keep is None else keep)}


@CONTROL_ROUTES.post("/_emulator/fail_next")
def fail_next(call: Call[Controls]) -> dict[str, Any]:
    body = call.body
    retry_after = body.raw("retry_after")
    if retry_after is not None and (
        isinstance(retry_after, bool) or not isinstance(retry_after, (int, float))
    ):
        raise bad_request("retry_after must be a number of seconds.")
    try:
        call.state.fail_next(
            body.need("path"),
            status=body.integer("status") or 503,
            retry_after=retry_after,
            times=body.integer("times") or 1,
            method=body.text("method"),
            error_type=body.text("error_type"),
            disconnect=bool(body.boolean("disconnect")),
        )
    except UsageError as exc:
        raise bad_request(str(exc)) from exc
    return {}
