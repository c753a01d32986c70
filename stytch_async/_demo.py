"""``python -m stytch_async demo``: a whole passwordless login against the embedded emulator.

No configuration, account or network is needed: every call goes to a
``stytch_async.testing.FakeStytch`` in the same process, over the same wire
format Stytch speaks. Each step prints one line: the call, what came back
(ids and key ids) and how long it took. The session JWT is checked locally
with ``sessions.authenticate_jwt_local`` against the emulator's JWKS.

With ``STYTCH_PROJECT_ID`` and ``STYTCH_SECRET`` set, it runs a read-only check
against the real API instead (fetch the JWKS, list one user) and says so.
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import anyio
import httpx

from . import AsyncStytch, ClientError, StytchError
from .consumer.types.entities import Session
from .testing import FakeStytch

T = TypeVar("T")
EMAIL = "ada@example.com"


class _Steps:
    """Numbers the steps and prints each as one line with its timing."""

    def __init__(self) -> None:
        self.count = 0
        self.started = time.perf_counter()

    async def run(self, call: str, action: Callable[[], Awaitable[T]], describe: Callable[[T], str]) -> T:
        self.count += 1
        began = time.perf_counter()
        result = await action()
        elapsed = (time.perf_counter() - began) * 1000
        print(f"{self.count}. {call:<61} -> {describe(result)}  [{elapsed:.1f} ms]")
        return result

    def total_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000


def key_id(token: str) -> str:
    """The ``kid`` in a JWT's header, for display (the signature is checked elsewhere)."""
    header = token.split(".", 1)[0]
    return str(json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"])


def _short(value: str, keep: int = 8) -> str:
    return value if len(value) <= keep + 1 else value[:keep] + "…"


async def offline() -> int:
    print("stytch_async demo: a passwordless login against the embedded Stytch emulator")
    print("(in process: no network, no account; set STYTCH_PROJECT_ID and STYTCH_SECRET for a real check)")
    steps = _Steps()
    async with FakeStytch() as fake, fake.client() as stytch:
        sent = await steps.run(
            f'magic_links.email.login_or_create("{EMAIL}")',
            lambda: stytch.magic_links.email.login_or_create(EMAIL),
            lambda r: f"user {r.user_id} (new: {r.user_created})",
        )

        async def read_outbox() -> Any:
            return fake.outbox.last(email=EMAIL)

        link = await steps.run(
            f'outbox.last(email="{EMAIL}")',
            read_outbox,
            lambda m: f"magic link token {_short(m.token or '')}, valid until {m.expires_at:%H:%M:%S} UTC",
        )
        auth = await steps.run(
            "magic_links.authenticate(token, session_duration_minutes=60)",
            lambda: stytch.magic_links.authenticate(link.token, session_duration_minutes=60),
            lambda r: f"session {r.session.session_id if r.session else '?'}, JWT {len(r.session_jwt)} bytes",
        )
        kid = key_id(auth.session_jwt)
        asked = len(fake.requests)

        def checked(session: Session) -> str:
            fetched = sum("/sessions/jwks/" in r.path for r in fake.requests[asked:])
            return f"signature ok with kid {kid}, user {session.user_id}; JWKS fetched {fetched}x"

        verified = await steps.run(
            "sessions.authenticate_jwt_local(session_jwt)",
            lambda: stytch.sessions.authenticate_jwt_local(auth.session_jwt),
            checked,
        )
        if verified.user_id != sent.user_id:
            return 1
        await steps.run(
            f"sessions.get({_short(sent.user_id, 18)})",
            lambda: stytch.sessions.get(sent.user_id),
            lambda r: f"{len(r.sessions)} live session(s): " + ", ".join(s.session_id for s in r.sessions),
        )
        session_id = auth.session.session_id if auth.session else ""
        await steps.run(
            f"sessions.revoke(session_id={_short(session_id, 21)})",
            lambda: stytch.sessions.revoke(session_id=session_id),
            lambda r: f"revoked (request {r.request_id})",
        )

        async def refused() -> str:
            try:
                await stytch.sessions.authenticate(session_token=auth.session_token)
            except ClientError as err:
                return f"{err.status_code} {err.error_type}"
            return "accepted"

        verdict = await steps.run(
            "sessions.authenticate(session_token=<revoked>)",
            refused,
            lambda v: f"refused as expected: {v}" if v != "accepted" else "ACCEPTED a revoked session",
        )
        if verdict == "accepted":
            return 1
    print(
        f"Passwordless login complete: {steps.count} steps in {steps.total_ms():.1f} ms (signing key {kid})."
    )
    return 0


async def online(project_id: str, secret: str, http_client: httpx.AsyncClient | None) -> int:
    print("stytch_async demo: STYTCH_PROJECT_ID and STYTCH_SECRET are set, so this is a read-only")
    print(f"check against the real Stytch API for {project_id}: nothing is created or changed.")
    steps = _Steps()
    async with AsyncStytch(project_id, secret, http_client=http_client) as stytch:
        await steps.run(
            f"sessions.get_jwks({_short(project_id, 21)})",
            lambda: stytch.sessions.get_jwks(project_id),
            lambda r: f"{len(r.keys)} signing key(s): " + ", ".join(k.kid for k in r.keys),
        )
        await steps.run(
            "users.search(limit=1)",
            lambda: stytch.users.search(limit=1),
            lambda r: f"credentials accepted; the project has {r.results_metadata.total} user(s)",
        )
    print(f"Read-only check complete in {steps.total_ms():.1f} ms.")
    return 0


def run(env: Mapping[str, str] | None = None, *, http_client: httpx.AsyncClient | None = None) -> int:
    """Run the demo; ``env`` defaults to ``os.environ``. Returns the exit status."""
    env = os.environ if env is None else env
    project_id, secret = env.get("STYTCH_PROJECT_ID", ""), env.get("STYTCH_SECRET", "")
    try:
        if project_id and secret:
            return anyio.run(online, project_id, secret, http_client)
        return anyio.run(offline)
    except StytchError as err:
        print(f"demo failed: {type(err).__name__}: {err}")
        return 1
