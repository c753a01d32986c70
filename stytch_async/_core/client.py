"""Client construction and lifecycle shared by the consumer and B2B clients.

A client moves through four states: unopened -> open -> entered -> closed.
``__init__`` only checks and stores its arguments; the wire (the own pool, or an
``httpx.AsyncClient``) is made on first use or when the ``async with`` block is
entered. Entering twice, or using a closed client, raises
:class:`~stytch_async.errors.UsageError`. An ``httpx.AsyncClient`` passed in by the
caller is used as is and never closed here.

Background work is the subclass's: ``_start_background`` runs on entering the
block, ``_stop_background`` on leaving it and ``_cancel_background`` on close. The
engine knows nothing of products, APIs or local checks.
"""

from __future__ import annotations

import base64
import enum
import importlib
import platform
from types import TracebackType
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlsplit

import anyio
import httpx

from stytch_async._version import __version__
from stytch_async._wire.base import DEFAULT_MAX_RESPONSE_SIZE, HttpxWire, Wire
from stytch_async._wire.choose import default_wire
from stytch_async._wire.pool import Pool, shared_ssl_context
from stytch_async.errors import UsageError

from .converter import CONVERTER, warm_codecs
from .pipeline import RequestPipeline

if TYPE_CHECKING:
    from typing_extensions import Self

LIVE_URL = "https://api.stytch.com"
TEST_URL = "https://test.stytch.com"
FRAUD_URL = "https://telemetry.stytch.com"

_PY = ".".join(platform.python_version_tuple()[:2])
USER_AGENT = f"stytch-async/{__version__} python/{_PY} httpx/{httpx.__version__}"


class _State(enum.Enum):
    UNOPENED = "unopened"
    OPEN = "open"
    ENTERED = "entered"
    CLOSED = "closed"


def _check_credential(name: str, value: object) -> str:
    # The value itself is never quoted: it may be the secret.
    if not isinstance(value, str):
        raise UsageError(f"{name} must be a string, got {type(value).__name__}")
    if not value.strip():
        raise UsageError(f"{name} must not be empty")
    if value != value.strip():
        raise UsageError(
            f"{name} has leading or trailing whitespace (a newline read from a file or an "
            "environment variable?); strip it: Stytch would refuse every call with 401"
        )
    if any(c.isspace() or not c.isprintable() for c in value):
        raise UsageError(f"{name} contains whitespace or control characters; check how it was read")
    return value


def check_seconds(name: str, value: object, *, allow_zero: bool) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not (value >= 0 if allow_zero else value > 0)
        or value == float("inf")
    ):
        bound = ">= 0" if allow_zero else "> 0"
        raise UsageError(f"{name} must be a finite number of seconds {bound}, got {value!r}")
    return float(value)


def resolve_base_url(project_id: str, base_url: str | None, environment: str | None) -> str:
    """Pick the API base URL: explicit URL, then environment, then the project id prefix."""
    if base_url is not None:
        if not isinstance(base_url, str) or not base_url.startswith(("https://", "http://")):
            raise UsageError(f"base_url must be an http(s) URL, got {base_url!r}")
        if any(c.isspace() or not c.isprintable() for c in base_url):
            # A pasted URL with a trailing newline or tab would otherwise end up in every request line.
            raise UsageError(f"base_url {base_url!r} contains whitespace or control characters")
        try:
            parts = urlsplit(base_url)
            parts.port  # noqa: B018 - reading it is the check: out of range raises ValueError
        except ValueError as exc:
            raise UsageError(f"base_url {base_url!r} is not a valid URL: {exc}") from exc
        if not parts.hostname:
            raise UsageError(f"base_url {base_url!r} names no host")
        return base_url.rstrip("/")
    if environment is not None:
        if environment == "live":
            return LIVE_URL
        if environment == "test":
            return TEST_URL
        raise UsageError(f"environment must be 'live' or 'test', got {environment!r}")
    if project_id.startswith("project-live-"):
        return LIVE_URL
    if project_id.startswith("project-test-"):
        return TEST_URL
    raise UsageError(
        f"cannot tell the environment from project id {project_id!r}: it starts with neither "
        "'project-live-' nor 'project-test-'; pass base_url= (or environment='live'/'test')"
    )


class BaseClient:
    """Construction, the httpx client and the open/closed state machine."""

    #: Modules nearly every first call needs (the API's shared types, the sessions
    #: product), imported by ``__aenter__`` in a worker thread, with the decoders of
    #: their classes built, so the first call does not block the loop.
    _warm_modules: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        project_id: str,
        secret: str,
        *,
        environment: str | None = None,
        base_url: str | None = None,
        fraud_base_url: str | None = None,
        timeout: float | None = 30.0,
        max_retries: int = 2,
        http_client: httpx.AsyncClient | None = None,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
    ) -> None:
        self.project_id = _check_credential("project_id", project_id)
        secret = _check_credential("secret", secret)
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0
        ):
            raise UsageError(f"timeout must be a positive number of seconds or None, got {timeout!r}")
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise UsageError(f"max_retries must be a whole number >= 0, got {max_retries!r}")
        if (
            isinstance(max_response_size, bool)
            or not isinstance(max_response_size, int)
            or max_response_size < 1
        ):
            raise UsageError(
                f"max_response_size must be a whole number of bytes >= 1, got {max_response_size!r}"
            )
        self._max_response_size = max_response_size
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise UsageError(f"http_client must be an httpx.AsyncClient, got {type(http_client).__name__}")
        self.base_url = resolve_base_url(project_id, base_url, environment)
        fraud = FRAUD_URL if fraud_base_url is None else resolve_base_url(project_id, fraud_base_url, None)
        self._http: Wire | None = (
            None
            if http_client is None
            else HttpxWire(http_client, owned=False, max_response_size=max_response_size)
        )
        self._fraud_base_url = fraud
        self._state = _State.UNOPENED
        auth = "Basic " + base64.b64encode(f"{project_id}:{secret}".encode()).decode("ascii")
        self._pipeline = RequestPipeline(
            get_client=self._client_for_request,
            project_id=project_id,
            base_url=self.base_url,
            fraud_base_url=fraud,
            headers={"Authorization": auth, "User-Agent": USER_AGENT},
            timeout=float(timeout) if timeout is not None else None,
            max_retries=max_retries,
            converter=CONVERTER,
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(project_id={self.project_id!r}, base_url={self.base_url!r}, "
            f"state={self._state.value!r})"
        )

    # -- lifecycle -----------------------------------------------------------------------

    def _check_open(self) -> None:
        """Refuse any use, remote call or local check, once the client is closed."""
        if self._state is _State.CLOSED:
            raise UsageError(f"{type(self).__name__} is closed; create a new client")

    def _client_for_request(self) -> Wire:
        self._check_open()
        if self._http is None:
            # Ours to choose: our own pool, or httpx when the environment names a proxy.
            self._http = default_wire(
                self.base_url, self._fraud_base_url, max_response_size=self._max_response_size
            )
        if self._state is _State.UNOPENED:
            self._state = _State.OPEN
        return self._http

    async def __aenter__(self) -> Self:
        if self._state is _State.ENTERED:
            raise UsageError(f"{type(self).__name__} is already open in an 'async with' block")
        wire = self._client_for_request()
        try:
            await anyio.to_thread.run_sync(self._warm_up, isinstance(wire, Pool))
            await self._start_background()
        except BaseException:
            await self.aclose()
            raise
        self._state = _State.ENTERED
        return self

    def _warm_up(self, own_pool: bool) -> None:
        """One-off work the first call would otherwise do on the event loop (runs in a thread).

        Importing the shared types builds a hundred attrs classes (compiling each one's
        methods), and each class's decoder and encoder is compiled on first use; the pool's verifying
        TLS context reads the CA bundle. All are cached process-wide, so only the first
        client pays, and off the loop.
        """
        for name in self._warm_modules:
            warm_codecs(importlib.import_module(name), self._pipeline.converter)
        if own_pool and self.base_url.startswith("https://"):
            shared_ssl_context()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self._stop_background()
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        """Close the client and its connections; calling it again does nothing."""
        if self._state is _State.CLOSED:
            return
        self._state = _State.CLOSED
        self._cancel_background()  # background key-set work first, so it never sees the error below
        self._pipeline.close()  # calls under way end now, with an HttpError
        http, self._http = self._http, None
        if http is not None:
            await http.aclose()  # an injected httpx client is left open (HttpxWire owned=False)

    # -- hooks for background work -----------------------------------------------------

    async def _start_background(self) -> None:
        """Start what runs while the ``async with`` block is open (nothing here)."""

    async def _stop_background(self) -> None:
        """Stop it and wait until it is gone (nothing here)."""

    def _cancel_background(self) -> None:
        """Cancel it without waiting; safe from anywhere (nothing here)."""

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` has run."""
        return self._state is _State.CLOSED
