"""Helpers for tests that run against the emulator."""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import pytest

from stytch_async import AsyncStytch, ClientError
from stytch_async._core.converter import make_converter
from stytch_async.testing import FakeStytch
from stytch_async.testing._engine.http import FakeRequest


def strict(client: AsyncStytch) -> AsyncStytch:
    """Decode with the strict converter, so a field the models do not know fails the test."""
    client._pipeline.converter = make_converter(strict=True)
    return client


# What the consumer client reaches: the consumer API and the products both clients share.
SPEC = {
    "endpoints": [
        e
        for api in ("common", "consumer")
        for e in json.loads((Path(__file__).parents[2] / "codegen" / "spec" / f"{api}.json").read_text())[
            "endpoints"
        ]
    ]
}


# Every consumer endpoint the emulator answers; all others answer 501.
IMPLEMENTED = {
    "users.create", "users.get", "users.update", "users.delete", "users.search",
    "users.delete_email", "users.delete_phone_number", "users.delete_password", "users.delete_totp",
    "users.delete_external_id", "users.delete_webauthn_registration",
    "users.delete_biometric_registration", "users.delete_crypto_wallet",
    "users.delete_oauth_registration",
    "magic_links.email.login_or_create", "magic_links.email.send", "magic_links.email.invite",
    "magic_links.email.revoke_invite", "magic_links.create", "magic_links.authenticate",
    "otps.sms.send", "otps.sms.login_or_create", "otps.whatsapp.send", "otps.whatsapp.login_or_create",
    "otps.email.send", "otps.email.login_or_create", "otps.authenticate",
    "passwords.create", "passwords.authenticate", "passwords.strength_check",
    "passwords.email.reset_start", "passwords.email.reset", "passwords.existing_password.reset",
    "passwords.sessions.reset",
    "sessions.authenticate", "sessions.get", "sessions.revoke", "sessions.get_jwks",
    "totps.create", "totps.authenticate", "totps.recover", "totps.recovery_codes",
    "m2m.clients.create", "m2m.clients.get", "m2m.clients.update", "m2m.clients.delete",
    "m2m.clients.search", "m2m.clients.secrets.rotate_start", "m2m.clients.secrets.rotate",
    "m2m.clients.secrets.rotate_cancel", "m2m.token",
}  # fmt: skip


ERROR_KEYS = {"status_code", "request_id", "error_type", "error_message", "error_url"}


def concrete(template: str, project_id: str) -> str:
    parts = []
    for segment in template.split("/"):
        if segment == "{project_id}":
            parts.append(project_id)
        elif segment.startswith("{"):
            parts.append(segment[1:-1].replace("_", "-") + "-test-00000000")
        else:
            parts.append(segment)
    return "/".join(parts)


def auth(fake: FakeStytch) -> dict[str, str]:
    token = base64.b64encode(f"{fake.project_id}:{fake.secret}".encode()).decode()
    return {"authorization": f"Basic {token}", "content-type": "application/json"}


def ask(fake: FakeStytch, method: str, path: str, body: Any = None, **headers: str) -> tuple[int, Any]:
    raw = b"" if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
    answer = fake.handle(FakeRequest(method, path, {}, {**auth(fake), **headers}, raw))
    return answer.status, answer.payload


EMAIL = "ada@example.com"
PHONE = "+12025550162"
STRONG = "Tr0ub4dor&3-horse"  # passes the emulator's password policy


async def error_of(call: Awaitable[object]) -> tuple[int, str | None]:
    """The status and error type of the ClientError ``call`` raises."""
    with pytest.raises(ClientError) as info:
        await call
    return info.value.status_code, info.value.error_type


async def login(fake: FakeStytch, stytch: AsyncStytch, minutes: int = 60, **options: Any) -> Any:
    """Log ``EMAIL`` in by magic link and return the authenticate response."""
    await stytch.magic_links.email.login_or_create(EMAIL)
    token = fake.outbox.last(email=EMAIL).token
    assert token is not None
    return await stytch.magic_links.authenticate(token, session_duration_minutes=minutes, **options)
