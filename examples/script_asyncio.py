"""A script on asyncio: send an email OTP, authenticate it, check the session JWT locally, log out.

``python examples/script_asyncio.py`` runs it against the in-process emulator; the
code is read from its outbox. With STYTCH_PROJECT_ID and STYTCH_SECRET set it asks
the real API and prompts for the emailed code instead.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable

import anyio

from stytch_async import AsyncStytch
from stytch_async.testing import FakeStytch


async def login(stytch: AsyncStytch, email: str, read_code: Callable[[str], Awaitable[str]]) -> str:
    """The whole flow; returns the user id. Works on asyncio and trio alike."""
    sent = await stytch.otps.email.login_or_create(email)
    auth = await stytch.otps.authenticate(sent.email_id, await read_code(email), session_duration_minutes=30)
    session = await stytch.sessions.authenticate_jwt_local(auth.session_jwt)  # no request
    print(f"{session.user_id} logged in until {session.expires_at}")
    await stytch.sessions.revoke(session_id=session.session_id)
    return session.user_id


async def main() -> str:
    if "STYTCH_PROJECT_ID" in os.environ:

        async def ask(email: str) -> str:
            return await anyio.to_thread.run_sync(input, f"code emailed to {email}: ")

        async with AsyncStytch(os.environ["STYTCH_PROJECT_ID"], os.environ["STYTCH_SECRET"]) as stytch:
            return await login(stytch, os.environ.get("EMAIL", "ada@example.com"), ask)

    async with FakeStytch() as fake, fake.client() as stytch:

        async def from_outbox(email: str) -> str:
            code = fake.outbox.last(email=email).code
            assert code is not None  # an OTP message always carries its code
            return code

        return await login(stytch, "ada@example.com", from_outbox)


if __name__ == "__main__":
    asyncio.run(main())
