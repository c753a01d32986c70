"""The engine: one emulated project answering HTTP for every API backend mounted on it.

It owns what every API shares: the project's credentials and basic-auth check,
routing (with the ``/_emulator/`` control endpoints), fault injection, the
clock, the signing keys, the outbox and the record of answered requests. A
backend brings an API's routes, its error types and its state; the engine
resets a backend by asking it to build a fresh state object.
"""

from __future__ import annotations

import base64
import hmac
import logging
import secrets
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from stytch_async.errors import UsageError

from .body import Body
from .control import CONTROL_ROUTES
from .errors import ApiError, ErrorCatalog, ErrorTable, fail, not_emulated
from .faults import Fault, Faults
from .http import FakeRequest, FakeResponse
from .project import Project
from .routing import Call, Endpoint, Route, Routes, literal_segments, sdk_name
from .transport import FakeTransport

if TYPE_CHECKING:
    from typing_extensions import Self

logger = logging.getLogger("stytch_async.testing")


class Backend(Protocol):
    """One API's half of the emulator (consumer now, B2B next)."""

    @property
    def routes(self) -> Routes[Any]: ...

    @property
    def errors(self) -> ErrorTable: ...

    @property
    def state(self) -> object: ...

    def reset(self) -> None:
        """Forget everything: replace the state with a fresh one."""


@dataclass(frozen=True)
class RecordedRequest:
    """One request the emulator answered: what was asked and the status it got."""

    method: str
    path: str
    status: int


@dataclass(frozen=True)
class _Mount:
    routes: Routes[Any]
    state: Callable[[], object]


def _mount(backend: Backend) -> _Mount:
    return _Mount(backend.routes, lambda: backend.state)


class Engine:
    """An emulated project: the shared machinery under ``FakeStytch``.

    ``backends`` are built with the :class:`Project` they serve; ``catalog``
    lists every endpoint of every API by API name, to name one in a 501.
    """

    def __init__(
        self,
        *,
        project_id: str | None,
        secret: str | None,
        backends: Iterable[Callable[[Project], Backend]],
        catalog: Mapping[str, Sequence[Endpoint]],
    ) -> None:
        if project_id is not None and (not isinstance(project_id, str) or not project_id.strip()):
            raise UsageError("project_id must be a non-empty string")
        if secret is not None and (not isinstance(secret, str) or not secret.strip()):
            raise UsageError("secret must be a non-empty string")
        self._project = Project(project_id or f"project-test-{uuid.uuid4()}")
        self.project_id = self._project.project_id
        self.secret = secret or f"secret-{self._project.env}-{secrets.token_urlsafe(27)}"
        self.clock = self._project.clock
        self.outbox = self._project.outbox
        self.requests: list[RecordedRequest] = []
        self._backends = [make(self._project) for make in backends]
        self._errors = ErrorCatalog(*(b.errors for b in self._backends))
        self._mounts = [_Mount(CONTROL_ROUTES, lambda: self), *map(_mount, self._backends)]
        self._catalog = catalog
        self._faults = Faults()
        self._lock = threading.RLock()
        basic = base64.b64encode(f"{self.project_id}:{self.secret}".encode()).decode("ascii")
        self._authorization = f"Basic {basic}"
        self._http_clients: list[httpx.AsyncClient] = []

    def __repr__(self) -> str:
        return f"{type(self).__name__}(project_id={self.project_id!r})"

    # -- test helpers ------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every record of every API, and every message, fault and request.

        The signing keys stay, so JWKS already cached by a client keeps working;
        the clock goes back to the wall clock.
        """
        with self._lock:
            for backend in self._backends:
                backend.reset()
            self._faults = Faults()
            self.outbox.clear()
            self.clock.reset()
            self.requests.clear()

    def rotate_keys(self, *, keep_previous: bool = True) -> str:
        """Sign from now on with a new key and return its ``kid``.

        The previous keys stay in the JWKS (tokens they signed keep verifying)
        unless ``keep_previous=False``, which withdraws them at once.
        """
        with self._lock:
            return self._project.keys.rotate(keep_previous=keep_previous)

    @property
    def key_ids(self) -> list[str]:
        """The published ``kid``s, oldest first; the last one signs."""
        self._project.keys.current()
        return self._project.keys.kids()

    def jwks(self) -> dict[str, Any]:
        """The JWKS document, as ``GET /v1/sessions/jwks/<project_id>`` serves it."""
        return {"keys": self._project.keys.jwks()}

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
        fault = Fault.checked(
            path,
            status=status,
            retry_after=retry_after,
            times=times,
            method=method,
            error_type=error_type,
            disconnect=disconnect,
        )
        self._faults.add(fault)

    # -- answering ---------------------------------------------------------------------

    def handle(self, request: FakeRequest) -> FakeResponse:
        """Answer one request; never raises, whatever the request holds."""
        path = request.path.split("?", 1)[0]
        with self._lock:
            now = self._project.request_time = self.clock.now()
            try:
                request_id = self._project.new_id("request-id")
                response = self._answer(request, path, request_id, now)
            finally:
                self._project.request_time = None
            self.requests.append(RecordedRequest(request.method, path, response.status))
        return response

    def _find(self, method: str, path: str) -> tuple[Route[Any], dict[str, str], object] | None:
        best: tuple[Route[Any], dict[str, str], object] | None = None
        for mount in self._mounts:
            found = mount.routes.find(method, path)
            if found is not None and (
                best is None or literal_segments(found[0].template) > literal_segments(best[0].template)
            ):
                best = (found[0], found[1], mount.state())
        return best

    def _answer(self, request: FakeRequest, path: str, request_id: str, now: float) -> FakeResponse:
        try:
            # The /_emulator/ helpers stay reachable whatever faults are armed.
            fault = None if path.startswith("/_emulator/") else self._faults.take(request.method, path)
            if fault is not None:
                return fault.response(self._errors, request_id)
            found = self._find(request.method, path)
            if found is None or not found[0].public:
                self._check_auth(request)
            if found is None:
                raise self._not_implemented(request.method, path)
            route, params, state = found
            body = (
                Body.parse(request.body, request.headers.get("content-type", "application/json"))
                if request.method in ("POST", "PUT")
                else Body({})
            )
            endpoint = f"{request.method} {route.template}"
            payload = route.handler(Call(state, body, params, request.query, endpoint, now))
            return FakeResponse(200, {"status_code": 200, "request_id": request_id, **payload})
        except ApiError as error:
            return self._errors.render(error, request_id)
        except Exception:  # an emulator bug still gets Stytch's 500, never a hang
            logger.exception("stytch_async emulator failed on %s %s", request.method, path)
            return self._errors.render(fail("internal_server_error"), request_id)

    def _check_auth(self, request: FakeRequest) -> None:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), self._authorization.encode()):
            raise fail("unauthorized_credentials")

    def _not_implemented(self, method: str, path: str) -> ApiError:
        named = sdk_name(self._catalog, method, path)
        if named is not None:
            api, name = named
            return not_emulated(f"{method} {path} ({api} API: {name})")
        names = list(self._catalog)
        apis = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        return not_emulated(f"{method} {path}, which is not an endpoint of Stytch's {apis} API,")

    # -- plugging clients in -------------------------------------------------------------

    def transport(self) -> FakeTransport:
        """An httpx transport (async and sync) that answers from this emulator, no sockets."""
        return FakeTransport(self.handle)

    def http_client(self, **options: Any) -> httpx.AsyncClient:
        """An ``httpx.AsyncClient`` wired to the emulator; closed by :meth:`aclose`."""
        client = httpx.AsyncClient(transport=self.transport(), **options)
        self._http_clients.append(client)
        return client

    async def aclose(self) -> None:
        """Close the httpx clients made by :meth:`http_client` and the client helpers."""
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
