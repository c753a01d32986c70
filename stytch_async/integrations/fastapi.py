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

A B2B app passes an ``AsyncStytchB2B`` to the same lifespan and depends on
:class:`RequireMemberSession` (and :func:`get_stytch_b2b`) instead, which return the
typed ``MemberSession``::

    app = FastAPI(lifespan=stytch_lifespan(lambda: AsyncStytchB2B(PROJECT_ID, SECRET)))

    @app.get("/me")
    async def me(member: Annotated[MemberSession, Depends(RequireMemberSession())]) -> dict[str, str]:
        return {"member_id": member.member_id, "organization_id": member.organization_id}

The two dependencies are separate classes rather than one overloaded one because the
client is found on ``app.state`` only when a request arrives, so nothing at the call
site could pick an overload; each class states its return type and takes its API's
own ``authorization_check`` (the B2B one names the organization).

FastAPI (through Starlette and AnyIO) runs these on asyncio and on trio alike; the
usual servers (uvicorn, granian) run asyncio, hypercorn runs either.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from stytch_async.b2b.client import AsyncStytchB2B
from stytch_async.b2b.types.entities import MemberSession
from stytch_async.consumer.client import AsyncStytch
from stytch_async.consumer.types.entities import Session
from stytch_async.consumer.types.sessions import AuthorizationCheck, AuthorizationCheckDict
from stytch_async.errors import StytchError, UsageError

from .base import (
    SESSION_JWT_COOKIE,
    MemberCheck,
    MemberCheckFor,
    MemberSessionCheck,
    OwnOrganizationCheck,
    SessionCheck,
    http_answer,
)

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[Any]]
#: Either client: the lifespan holds whichever it is given.
AnyClient = TypeVar("AnyClient", AsyncStytch, AsyncStytchB2B)


def stytch_lifespan(
    client: AnyClient | Callable[[], AnyClient], *, then: Lifespan | None = None
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A ``lifespan=`` for ``FastAPI``: one client, open while the app runs, on ``app.state.stytch``.

    ``client`` is an ``AsyncStytch`` or an ``AsyncStytchB2B``, or a function that makes
    one (a factory lets the same app start more than once, as test clients do). ``then``
    is the app's own lifespan, run inside, with the client already open.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stytch = client if isinstance(client, (AsyncStytch, AsyncStytchB2B)) else client()
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


def _app_client(request: Request, kind: type[AnyClient], instead: str) -> AnyClient:
    stytch = getattr(request.app.state, "stytch", None)
    if isinstance(stytch, kind):
        return stytch
    if stytch is None:
        raise UsageError(
            "no Stytch client on app.state.stytch: pass lifespan=stytch_lifespan(...) to FastAPI"
        )
    raise UsageError(
        f"app.state.stytch is an {type(stytch).__name__}, not an {kind.__name__}: use {instead} with it"
    )


def get_stytch(request: Request) -> AsyncStytch:
    """A dependency returning the app's ``AsyncStytch`` (set by :func:`stytch_lifespan`)."""
    return _app_client(request, AsyncStytch, "get_stytch_b2b and RequireMemberSession")


def get_stytch_b2b(request: Request) -> AsyncStytchB2B:
    """A dependency returning the app's ``AsyncStytchB2B`` (set by :func:`stytch_lifespan`)."""
    return _app_client(request, AsyncStytchB2B, "get_stytch and RequireSession")


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


class RequireMemberSession:
    """A dependency that authenticates the request's B2B member session: the typed ``MemberSession``.

    For apps whose lifespan holds an ``AsyncStytchB2B``. Options are
    :class:`~stytch_async.integrations.base.MemberSessionCheck`'s; its
    ``authorization_check`` names the organization, the resource and the action, and a
    member of another organization or without the permission gets a 403. It may also be
    an :class:`~stytch_async.integrations.base.OwnOrganizationCheck` (the permission in
    the member's own organization), or a function of the ``Request`` returning the check
    for that request, or None for none: for a route ``/orgs/{organization_id}/...``,
    ``request.path_params["organization_id"]`` names the organization.
    """

    def __init__(
        self,
        *,
        cookie_name: str | None = SESSION_JWT_COOKIE,
        remote_fallback: bool = False,
        authorization_check: MemberCheck | OwnOrganizationCheck | MemberCheckFor[Request] | None = None,
        max_token_age_seconds: float | None = None,
    ) -> None:
        self.check: MemberSessionCheck[Request] = MemberSessionCheck(
            cookie_name=cookie_name,
            remote_fallback=remote_fallback,
            authorization_check=authorization_check,
            max_token_age_seconds=max_token_age_seconds,
        )

    def __repr__(self) -> str:
        return f"RequireMemberSession({self.check!r})"

    async def __call__(self, request: Request) -> MemberSession:
        member_session = await self.check.authenticate(
            get_stytch_b2b(request), request.headers.get("authorization"), request.cookies, request=request
        )
        request.state.stytch_session = member_session
        return member_session


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
    "RequireMemberSession",
    "RequireSession",
    "add_error_handler",
    "get_stytch",
    "get_stytch_b2b",
    "stytch_error_handler",
    "stytch_lifespan",
]
