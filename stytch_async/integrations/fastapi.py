"""FastAPI helpers: one client per app, a session dependency, and error answers.

Needs ``pip install stytch-async[fastapi]``; ``import stytch_async`` never imports it::

    from typing import Annotated
    from fastapi import Depends, FastAPI
    from stytch_async import AsyncStytch
    from stytch_async.consumer.types.entities import Session
    from stytch_async.integrations.fastapi import (
        RequireSession, add_error_handler, stytch_lifespan,
    )

    app = FastAPI(lifespan=stytch_lifespan(lambda: AsyncStytch(PROJECT_ID, SECRET)))
    add_error_handler(app)

    @app.get("/me")
    async def me(session: Annotated[Session, Depends(RequireSession())]) -> dict[str, str]:
        return {"user_id": session.user_id}

FastAPI (through Starlette and AnyIO) runs these on asyncio and on trio alike; the
usual servers (uvicorn, granian) run asyncio, hypercorn runs either.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from stytch_async.consumer.client import AsyncStytch
from stytch_async.consumer.types.entities import Session
from stytch_async.consumer.types.sessions import AuthorizationCheck, AuthorizationCheckDict
from stytch_async.errors import StytchError, UsageError

from .base import SESSION_JWT_COOKIE, SessionCheck, http_answer

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[Any]]


def stytch_lifespan(
    client: AsyncStytch | Callable[[], AsyncStytch], *, then: Lifespan | None = None
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A ``lifespan=`` for ``FastAPI``: one client, open while the app runs, on ``app.state.stytch``.

    ``client`` is a client or a function that makes one (a factory lets the same app
    start more than once, as test clients do). ``then`` is the app's own lifespan,
    run inside, with the client already open.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stytch = client if isinstance(client, AsyncStytch) else client()
        async with stytch:
            app.state.stytch = stytch
            try:
                if then is None:
                    yield
                else:
                    async with then(app):
                        yield
            finally:
                del app.state.stytch

    return lifespan


def get_stytch(request: Request) -> AsyncStytch:
    """A dependency returning the app's client (set by :func:`stytch_lifespan`)."""
    stytch = getattr(request.app.state, "stytch", None)
    if not isinstance(stytch, AsyncStytch):
        raise UsageError(
            "no Stytch client on app.state.stytch: pass lifespan=stytch_lifespan(...) to FastAPI"
        )
    return stytch


class RequireSession:
    """A dependency that authenticates the request's session and returns the typed ``Session``.

    The JWT comes from ``Authorization: Bearer`` or the ``cookie_name`` cookie. Options
    are :class:`~stytch_async.integrations.base.SessionCheck`'s: ``remote_fallback``
    asks Stytch when the local check cannot decide, ``authorization_check`` requires an
    RBAC permission. Failures raise; :func:`add_error_handler` turns them into 401/403/503.
    """

    def __init__(
        self,
        *,
        cookie_name: str | None = SESSION_JWT_COOKIE,
        remote_fallback: bool = False,
        authorization_check: AuthorizationCheck | AuthorizationCheckDict | None = None,
        max_token_age_seconds: float | None = None,
    ) -> None:
        self.check = SessionCheck(
            cookie_name=cookie_name,
            remote_fallback=remote_fallback,
            authorization_check=authorization_check,
            max_token_age_seconds=max_token_age_seconds,
        )

    def __repr__(self) -> str:
        return f"RequireSession({self.check!r})"

    async def __call__(self, request: Request) -> Session:
        session = await self.check.authenticate(
            get_stytch(request), request.headers.get("authorization"), request.cookies
        )
        request.state.stytch_session = session
        return session


async def stytch_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """An exception handler answering any ``StytchError`` per the table in ``integrations.base``."""
    if not isinstance(exc, StytchError):  # registered for StytchError only; kept honest for mypy
        raise exc
    answer = http_answer(exc)
    return JSONResponse(answer.body, status_code=answer.status_code, headers=answer.headers)


def add_error_handler(app: FastAPI) -> None:
    """Register :func:`stytch_error_handler` for every ``StytchError`` raised in ``app``."""
    app.add_exception_handler(StytchError, stytch_error_handler)


__all__ = [
    "RequireSession",
    "add_error_handler",
    "get_stytch",
    "stytch_error_handler",
    "stytch_lifespan",
]
