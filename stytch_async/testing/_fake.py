"""``FakeStytch``: one emulated Stytch project, in process or on a loopback port."""

from __future__ import annotations

import base64
import hmac
import logging
import secrets
import threading
import uuid
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx

from stytch_async.consumer.client import AsyncStytch
from stytch_async.errors import UsageError

from . import _m2m, _magic_links, _otps, _passwords, _sessions, _totps, _users
from ._clock import Clock
from ._control import control_routes
from ._faults import Fault, Faults
from ._keys import KeyRing
from ._outbox import Outbox
from ._routing import Routes, not_implemented
from ._state import Call, State
from ._wire import ApiError, Body, WireRequest, WireResponse, error_body, fail

if TYPE_CHECKING:
    from typing_extensions import Self

    from ._server import LoopbackServer

logger = logging.getLogger("stytch_async.testing")

PRODUCT_ROUTES = (
    _users.ROUTES
    + _magic_links.ROUTES
    + _otps.ROUTES
    + _passwords.ROUTES
    + _sessions.ROUTES
    + _totps.ROUTES
    + _m2m.ROUTES
)


@dataclass(frozen=True)
class RecordedRequest:
    """One request the emulator answered: what was asked and the status it got."""

    method: str
    path: str
    status: int


class FakeStytch:
    """A stateful, in-memory Stytch consumer API speaking the real wire format.

    In process, with no sockets::

        async with FakeStytch() as fake, fake.client() as stytch:
            await stytch.magic_links.email.login_or_create("ada@example.com")
            token = fake.outbox.last(email="ada@example.com").token

    Or as a real HTTP server on loopback (``with fake.serve() as server: server.url``),
    or from the command line: ``python -m stytch_async.testing serve --port 4010``.

    Test helpers: ``outbox`` (delivered links and codes), ``clock`` (advance or
    freeze time), :meth:`rotate_keys`, :meth:`fail_next`, :meth:`reset` and
    ``requests`` (what was asked, with the status answered). State belongs to
    this instance; requests from many tasks or threads are handled one at a time.
    """

    def __init__(self, *, project_id: str | None = None, secret: str | None = None) -> None:
        if project_id is not None and (not isinstance(project_id, str) or not project_id.strip()):
            raise UsageError("project_id must be a non-empty string")
        if secret is not None and (not isinstance(secret, str) or not secret.strip()):
            raise UsageError("secret must be a non-empty string")
        self.project_id = project_id or f"project-test-{uuid.uuid4()}"
        env = "live" if self.project_id.startswith("project-live-") else "test"
        self.secret = secret or f"secret-{env}-{secrets.token_urlsafe(27)}"
        self.clock = Clock()
        self.outbox = Outbox()
        self._keys = KeyRing(env)
        self._state = State(self.project_id, self.clock, self._keys, self.outbox)
        self._faults = Faults()
        self._lock = threading.RLock()
        self._routes: Routes = PRODUCT_ROUTES + control_routes(self)
        basic = base64.b64encode(f"{self.project_id}:{self.secret}".encode()).decode("ascii")
        self._authorization = f"Basic {basic}"
        self.requests: list[RecordedRequest] = []
        self._http_clients: list[httpx.AsyncClient] = []

    def __repr__(self) -> str:
        return f"FakeStytch(project_id={self.project_id!r})"

    # -- test helpers ------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every user, session, pending token, M2M client, message, fault and request.

        The signing keys stay, so JWKS already cached by a client keeps working;
        the clock goes back to the wall clock.
        """
        with self._lock:
            self._state.clear()
            self.outbox.clear()
            self._faults.clear()
            self.clock.reset()
            self.requests.clear()

    def rotate_keys(self, *, keep_previous: bool = True) -> str:
        """Sign from now on with a new key and return its ``kid``.

        The previous keys stay in the JWKS (tokens they signed keep verifying)
        unless ``keep_previous=False``, which withdraws them at once.
        """
        with self._lock:
            return self._keys.rotate(keep_previous=keep_previous)

    @property
    def key_ids(self) -> list[str]:
        """The published ``kid``s, oldest first; the last one signs."""
        self._keys.current()
        return self._keys.kids()

    def jwks(self) -> dict[str, Any]:
        """The JWKS document, as ``GET /v1/sessions/jwks/<project_id>`` serves it."""
        return {"keys": self._keys.jwks()}

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
    ) -> None:
        """Make the next ``times`` requests to ``path`` (``"*"`` for any) fail.

        They get ``status`` with Stytch's error JSON (``too_many_requests`` for
        429, ``internal_server_error`` for 500, ``server_unavailable`` for 503,
        or ``error_type``) and a ``Retry-After`` header when ``retry_after`` is
        given; with ``disconnect=True`` the connection drops with no answer.
        Nothing else happens for a failed request: no state changes.
        """
        if not isinstance(path, str) or not (path == "*" or path.startswith("/")):
            raise UsageError(f"path must be a request path starting with '/', or '*'; got {path!r}")
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise UsageError(f"status must be an HTTP error status (400-599), got {status!r}")
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise UsageError(f"times must be a whole number >= 1, got {times!r}")
        if retry_after is not None and (isinstance(retry_after, bool) or retry_after < 0):
            raise UsageError(f"retry_after must be a number of seconds >= 0, got {retry_after!r}")
        verb = method.upper() if method is not None else None
        self._faults.add(Fault(path, verb, status, retry_after, error_type, disconnect, times))

    # -- answering ---------------------------------------------------------------------

    def handle(self, request: WireRequest) -> WireResponse:
        """Answer one request; never raises, whatever the request holds."""
        path = request.path.split("?", 1)[0]
        with self._lock:
            self._state.request_time = self.clock.now()
            try:
                request_id = self._state.request_id()
                response = self._answer(request, path, request_id)
            finally:
                self._state.request_time = None
            self.requests.append(RecordedRequest(request.method, path, response.status))
        return response

    def _answer(self, request: WireRequest, path: str, request_id: str) -> WireResponse:
        try:
            # The /_emulator/ helpers stay reachable whatever faults are armed.
            fault = None if path.startswith("/_emulator/") else self._faults.take(request.method, path)
            if fault is not None:
                return fault.response(request_id)
            found = self._routes.find(request.method, path)
            if found is None or not found[0].public:
                self._check_auth(request)
            if found is None:
                raise not_implemented(request.method, path)
            route, params = found
            body = (
                Body.parse(request.body, request.headers.get("content-type", "application/json"))
                if request.method in ("POST", "PUT")
                else Body({})
            )
            call = Call(self._state, body, params, request.query, f"{request.method} {route.template}")
            payload = route.handler(call)
            return WireResponse(200, {"status_code": 200, "request_id": request_id, **payload})
        except ApiError as error:
            return WireResponse(error.status, error_body(error, request_id), error.headers)
        except Exception:  # an emulator bug still gets Stytch's 500, never a hang
            logger.exception("stytch_async emulator failed on %s %s", request.method, path)
            return WireResponse(500, error_body(fail("internal_server_error"), request_id))

    def _check_auth(self, request: WireRequest) -> None:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), self._authorization.encode()):
            raise fail("unauthorized_credentials")

    # -- plugging a client in ------------------------------------------------------------

    def transport(self) -> FakeTransport:
        """An httpx transport (async and sync) that answers from this emulator, no sockets."""
        return FakeTransport(self)

    def http_client(self, **options: Any) -> httpx.AsyncClient:
        """An ``httpx.AsyncClient`` wired to the emulator; closed by :meth:`aclose`."""
        client = httpx.AsyncClient(transport=self.transport(), **options)
        self._http_clients.append(client)
        return client

    def client(self, **options: Any) -> AsyncStytch:
        """An ``AsyncStytch`` for this project whose requests the emulator answers in process.

        Its local token checks (``sessions.authenticate_jwt_local``,
        ``m2m.authenticate_token``) read the emulator's clock, so ``clock.advance()``
        expires JWTs for them as it does for the emulator.
        """
        return self.follow_clock(
            AsyncStytch(self.project_id, self.secret, http_client=self.http_client(), **options)
        )

    def follow_clock(self, client: AsyncStytch) -> AsyncStytch:
        """Make ``client``'s local token checks use this emulator's clock; returns it."""
        client._local.clock = self.clock.now
        return client

    def serve(self, host: str = "127.0.0.1", port: int = 0, *, log: bool = False) -> LoopbackServer:
        """Start a real HTTP server for this emulator (``port=0`` picks a free one)."""
        from ._server import LoopbackServer

        return LoopbackServer(self, host, port, log=log).start()

    async def aclose(self) -> None:
        """Close the httpx clients made by :meth:`http_client` and :meth:`client`."""
        clients, self._http_clients = self._http_clients, []
        for client in clients:
            await client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class FakeTransport(httpx.AsyncBaseTransport, httpx.BaseTransport):
    """Hands each httpx request to a :class:`FakeStytch` and turns its answer into a response."""

    def __init__(self, fake: FakeStytch) -> None:
        self._fake = fake

    def _respond(self, request: httpx.Request, body: bytes) -> httpx.Response:
        wire = WireRequest(
            method=request.method,
            path=request.url.raw_path.decode("ascii").split("?", 1)[0],
            query=dict(request.url.params),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
        )
        answer = self._fake.handle(wire)
        if answer.disconnect:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        headers = {"Content-Type": "application/json", **answer.headers}
        return httpx.Response(answer.status, headers=headers, content=answer.content(), request=request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self._respond(request, await request.aread())

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._respond(request, request.read())
