"""A short login flow against an in-process stand-in for Stytch (no network).

The stand-in answers four endpoints with Stytch's wire format; it is a preview
until the full emulator in ``stytch_async.testing`` arrives.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import anyio
import httpx

from . import AsyncStytch, ClientError

PROJECT_ID = "project-test-00000000-0000-4000-8000-000000000000"
SECRET = "secret-test-demo-only"


class _StandIn:
    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}
        self.sessions: dict[str, str] = {}
        self.outbox: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body: dict[str, Any] = json.loads(request.content or b"{}")
        rid = f"request-id-test-{secrets.token_hex(8)}"
        user_id = "user-test-00000000-0000-4000-8000-000000000001"
        if request.url.path == "/v1/magic_links/email/login_or_create":
            token = secrets.token_urlsafe(24)
            self.tokens[token] = body["email"]
            self.outbox.append(token)
            return httpx.Response(
                200,
                json={
                    "request_id": rid,
                    "status_code": 200,
                    "user_id": user_id,
                    "email_id": "email-test-1",
                    "user_created": True,
                },
            )
        if request.url.path == "/v1/sessions/revoke":
            self.sessions.pop(body.get("session_token", ""), None)
            return httpx.Response(200, json={"request_id": rid, "status_code": 200})
        if request.url.path == "/v1/sessions/authenticate":
            if body.get("session_token") not in self.sessions:
                return httpx.Response(
                    404,
                    json={
                        "status_code": 404,
                        "request_id": rid,
                        "error_type": "session_not_found",
                        "error_message": "Session could not be found.",
                        "error_url": "https://stytch.com/docs/api/errors/404#session_not_found",
                    },
                )
            return httpx.Response(200, json={"request_id": rid, "status_code": 200})
        return httpx.Response(
            501, json={"status_code": 501, "request_id": rid, "error_type": "not_implemented"}
        )


async def _main() -> int:
    stand_in = _StandIn()
    http = httpx.AsyncClient(transport=httpx.MockTransport(stand_in))
    async with http, AsyncStytch(PROJECT_ID, SECRET, http_client=http) as stytch:
        started = time.perf_counter()
        sent = await stytch.magic_links.email.login_or_create("ada@example.com")
        print(f"login_or_create  -> user {sent.user_id} (created={sent.user_created})")
        token = stand_in.outbox[-1]
        print(f"outbox           -> magic link token {token[:6]}…")
        session_token = secrets.token_urlsafe(24)
        stand_in.sessions[session_token] = sent.user_id
        await stytch.sessions.revoke(session_token=session_token)
        print("sessions.revoke  -> ok")
        try:
            await stytch.sessions.authenticate(session_token=session_token)
        except ClientError as exc:
            print(f"authenticate     -> refused as expected: {exc}")
        else:
            print("authenticate     -> accepted a revoked session (bug)")
            return 1
        print(f"done in {(time.perf_counter() - started) * 1000:.1f} ms")
    return 0


def run() -> int:
    return anyio.run(_main)
