"""A FastAPI app with passwordless login (email magic link or email OTP) and logout.

Run it against the built-in emulator (no account needed) with
``uvicorn examples.fastapi_passwordless:app`` after ``pip install stytch-async[fastapi] uvicorn``,
or against your Stytch project by setting STYTCH_PROJECT_ID and STYTCH_SECRET.
With the emulator, the "sent" links and codes are printed by
``python -m stytch_async.testing serve``; tests read them from ``fake.outbox``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Response

from stytch_async import AsyncStytch, to_dict
from stytch_async.consumer.types.entities import Session
from stytch_async.integrations.fastapi import RequireSession, add_error_handler, get_stytch, stytch_lifespan

COOKIE = "stytch_session_jwt"  # the cookie RequireSession reads by default
Stytch = Annotated[AsyncStytch, Depends(get_stytch)]
CurrentSession = Annotated[Session, Depends(RequireSession())]


def client_from_environment() -> AsyncStytch:
    """The real API when credentials are set, else an emulator on a local port."""
    return AsyncStytch(
        os.environ["STYTCH_PROJECT_ID"],
        os.environ["STYTCH_SECRET"],
        base_url=os.environ.get("STYTCH_BASE_URL"),  # e.g. http://127.0.0.1:4010 for the emulator
    )


def create_app(make_client: Callable[[], AsyncStytch] = client_from_environment) -> FastAPI:
    app = FastAPI(lifespan=stytch_lifespan(make_client))
    add_error_handler(app)  # Stytch errors become 401/403/429/502/503 answers

    @app.post("/login/email")
    async def send_magic_link(stytch: Stytch, email: str) -> dict[str, str]:
        sent = await stytch.magic_links.email.login_or_create(
            email, login_magic_link_url="http://localhost:8000/authenticate"
        )
        return {"user_id": sent.user_id}

    @app.get("/authenticate")
    async def magic_link(stytch: Stytch, token: str, response: Response) -> dict[str, str]:
        auth = await stytch.magic_links.authenticate(token, session_duration_minutes=60)
        response.set_cookie(COOKIE, auth.session_jwt, httponly=True, secure=True, samesite="lax")
        return {"user_id": auth.user_id}

    @app.post("/login/otp")
    async def send_code(stytch: Stytch, email: str) -> dict[str, str]:
        sent = await stytch.otps.email.login_or_create(email)
        return {"method_id": sent.email_id}

    @app.post("/login/otp/verify")
    async def verify_code(stytch: Stytch, method_id: str, code: str, response: Response) -> dict[str, str]:
        auth = await stytch.otps.authenticate(method_id, code, session_duration_minutes=60)
        response.set_cookie(COOKIE, auth.session_jwt, httponly=True, secure=True, samesite="lax")
        return {"user_id": auth.user_id}

    @app.get("/me")
    async def me(session: CurrentSession) -> dict[str, Any]:
        return to_dict(session)  # JSON-ready: timestamps as ISO strings

    @app.post("/logout")
    async def logout(stytch: Stytch, session: CurrentSession, response: Response) -> dict[str, bool]:
        await stytch.sessions.revoke(session_id=session.session_id)
        response.delete_cookie(COOKIE)
        return {"logged_out": True}

    return app


app = create_app()
