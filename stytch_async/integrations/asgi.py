"""Plain ASGI middleware: one client for the app's lifetime, sessions checked, errors answered.

For Starlette, Litestar or any ASGI 3 app; it needs nothing beyond ``stytch_async``::

    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from stytch_async.integrations.asgi import StytchMiddleware

    app = Starlette(routes=..., middleware=[
        Middleware(StytchMiddleware, client=lambda: AsyncStytch(PROJECT_ID, SECRET),
                   public_paths=("/login", "/health")),
    ])

What it does, per ASGI scope:

- ``lifespan``: makes the client and holds it open (``async with``) around the app's
  own lifespan, so the key set refreshes in the background; a client that cannot
  start (``preload_jwks=True`` and no key set) fails the startup.
- ``http``: puts the client in ``scope["state"]["stytch"]`` (Starlette's and Litestar's
  ``request.state.stytch``), then, unless the path starts with one of ``public_paths``,
  authenticates the session JWT (``Authorization: Bearer`` or the cookie) and puts the
  ``Session`` in ``scope["state"]["stytch_session"]``; a refusal is answered here (401,
  403, 503 per :mod:`stytch_async.integrations.base`) and the app is not called. A
  ``StytchError`` the app raises before it starts its answer is answered the same way.
- anything else (``websocket``) passes through untouched.

:class:`StytchB2BMiddleware` does the same with an ``AsyncStytchB2B``: the
``MemberSession`` goes in ``scope["state"]["stytch_session"]`` and
``authorization_check`` is the B2B one (organization, resource, action). Two classes
rather than one taking either client keep each option typed for its API, and
Starlette's ``Middleware(cls, **options)`` checks the options against ``cls``'s
signature, which an overloaded constructor would defeat.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from http.cookies import CookieError, SimpleCookie
from typing import Any, Generic, TypeVar

from stytch_async.b2b.client import AsyncStytchB2B
from stytch_async.b2b.types.entities import MemberSession
from stytch_async.consumer.client import AsyncStytch
from stytch_async.consumer.types.entities import Session
from stytch_async.consumer.types.sessions import AuthorizationCheck, AuthorizationCheckDict
from stytch_async.errors import StytchError

from .base import (
    SESSION_JWT_COOKIE,
    MemberCheck,
    MemberCheckFor,
    MemberSessionCheck,
    OwnOrganizationCheck,
    SessionCheck,
    http_answer,
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

AnyClient = TypeVar("AnyClient", AsyncStytch, AsyncStytchB2B)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _cookies(scope: Scope) -> dict[str, str]:
    raw = _header(scope, b"cookie")
    if not raw:
        return {}
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


async def send_error(send: Send, exc: StytchError) -> None:
    """Answer ``exc`` as JSON with the status of the table in ``integrations.base``."""
    answer = http_answer(exc)
    body = json.dumps(answer.body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers.items()]
    await send({"type": "http.response.start", "status": answer.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _SessionMiddleware(Generic[AnyClient]):
    """What both middlewares do; subclasses say which client and which check."""

    def __init__(
        self,
        app: ASGIApp,
        client: AnyClient | Callable[[], AnyClient],
        public_paths: Iterable[str],
    ) -> None:
        self.app = app
        if isinstance(client, (AsyncStytch, AsyncStytchB2B)):
            self._make: Callable[[], AnyClient] | None = None
            self.client: AnyClient | None = client
        else:
            self._make, self.client = client, None
        self.public_paths = tuple(public_paths)

    async def _authenticate(self, stytch: AnyClient, scope: Scope) -> Any:
        raise NotImplementedError

    def _client(self) -> AnyClient:
        if self.client is None or (self.client.closed and self._make is not None):
            assert self._make is not None
            self.client = self._make()
        return self.client

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(scope, receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        stytch = self._client()
        try:
            await stytch.__aenter__()
        except StytchError as exc:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.failed", "message": f"Stytch client: {exc}"})
            return
        try:
            await self.app(scope, receive, send)
        finally:
            await stytch.__aexit__(None, None, None)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        stytch = self._client()
        state = scope.setdefault("state", {})
        state["stytch"] = stytch
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            if not str(scope.get("path", "")).startswith(self.public_paths):
                state["stytch_session"] = await self._authenticate(stytch, scope)
            await self.app(scope, receive, tracking_send)
        except StytchError as exc:
            if started:
                raise
            await send_error(send, exc)


class StytchMiddleware(_SessionMiddleware[AsyncStytch]):
    """ASGI middleware holding one ``AsyncStytch`` and checking each request's session."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        client: AsyncStytch | Callable[[], AsyncStytch],
        public_paths: Iterable[str] = (),
        cookie_name: str | None = SESSION_JWT_COOKIE,
        remote_fallback: bool = False,
        authorization_check: AuthorizationCheck | AuthorizationCheckDict | None = None,
        max_token_age_seconds: float | None = None,
    ) -> None:
        super().__init__(app, client, public_paths)
        self.check = SessionCheck(
            cookie_name=cookie_name,
            remote_fallback=remote_fallback,
            authorization_check=authorization_check,
            max_token_age_seconds=max_token_age_seconds,
        )

    async def _authenticate(self, stytch: AsyncStytch, scope: Scope) -> Session:
        return await self.check.authenticate(stytch, _header(scope, b"authorization"), _cookies(scope))


class StytchB2BMiddleware(_SessionMiddleware[AsyncStytchB2B]):
    """ASGI middleware holding one ``AsyncStytchB2B`` and checking each request's member session.

    ``authorization_check`` is a B2B check, an
    :class:`~stytch_async.integrations.base.OwnOrganizationCheck` (the
    permission in the member's own organization), or a function of the ASGI ``scope``
    returning either (or None: no check on that request; ``async def`` works too). The
    middleware runs before routing, so the scope holds no path parameters yet: read the
    organization from what the server puts there, ``scope["path"]`` (percent-decoded,
    without the query string), ``scope["query_string"]`` (raw bytes) and
    ``scope["headers"]`` (a list of ``(name, value)`` byte pairs, names lower-cased),
    and ``scope["method"]``; it is not called for ``public_paths``. Whatever it raises
    is raised: a ``StytchError`` is answered like a refusal, anything else reaches the
    server.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        client: AsyncStytchB2B | Callable[[], AsyncStytchB2B],
        public_paths: Iterable[str] = (),
        cookie_name: str | None = SESSION_JWT_COOKIE,
        remote_fallback: bool = False,
        authorization_check: MemberCheck | OwnOrganizationCheck | MemberCheckFor[Scope] | None = None,
        max_token_age_seconds: float | None = None,
    ) -> None:
        super().__init__(app, client, public_paths)
        self.check: MemberSessionCheck[Scope] = MemberSessionCheck(
            cookie_name=cookie_name,
            remote_fallback=remote_fallback,
            authorization_check=authorization_check,
            max_token_age_seconds=max_token_age_seconds,
        )

    async def _authenticate(self, stytch: AsyncStytchB2B, scope: Scope) -> MemberSession:
        return await self.check.authenticate(
            stytch, _header(scope, b"authorization"), _cookies(scope), request=scope
        )


__all__ = ["Scope", "StytchB2BMiddleware", "StytchMiddleware", "send_error"]
