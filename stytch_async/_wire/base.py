"""How a request reaches Stytch: the ``Wire`` interface and its two implementations.

``RequestPipeline`` hands a wire the method, the absolute URL, the headers and the body,
and gets back anything with ``status_code``, ``headers`` and ``content``.

* :class:`~stytch_async._wire.pool.Pool` (``_pool.py``) is the default: a small HTTP/1.1
  connection pool written on anyio streams, so it runs on asyncio and trio alike.
* :class:`HttpxWire` sends through an ``httpx.AsyncClient``: the one a caller passed
  in (mocks, proxies, event hooks all keep working), or one we make ourselves when
  proxy environment variables ask for a proxy, which the pool does not speak.

Both raise ``httpx.TransportError`` subclasses, with the same meaning everywhere:
``ConnectError`` means the request never left; any other error means it may have
reached the server. The retry rules in ``stytch_async._core.pipeline`` rest on that distinction.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Protocol

import httpx

#: The largest answer body a client reads, after decompression, unless told otherwise.
#: Stytch's biggest pages are well under a megabyte; this only stops a runaway server.
DEFAULT_MAX_RESPONSE_SIZE = 32 * 1024 * 1024


class ResponseTooLarge(httpx.RemoteProtocolError):
    """The answer's body is larger than the client's ``max_response_size``.

    Raised while reading (or decompressing), before the excess is held in memory.
    Never retried: the same request would bring the same answer.
    """

    @classmethod
    def over(cls, limit: int, how: str) -> ResponseTooLarge:
        return cls(f"the answer's body ({how}) is larger than max_response_size={limit} bytes")


class DeadlineExceeded(httpx.TimeoutException):
    """The call's deadline passed while a wire that keeps deadlines itself was waiting.

    Raised by :class:`~stytch_async._wire.pool.Pool` (``keeps_deadlines``) at the wait
    that overran; the connection it was using, if any, is closed. The pipeline turns it
    into the same ``HttpTimeoutError`` its own cancel scope gives other wires.
    """


class Response(Protocol):
    """What a wire returns; ``httpx.Response`` fits, and so does the pool's ``Reply``.

    Header lookups use lower-case names.
    """

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def content(self) -> bytes: ...


class Reply:
    """A finished answer: status, headers (lower-case names) and the whole body."""

    __slots__ = ("content", "fields", "headers", "status_code")

    def __init__(
        self,
        status_code: int,
        headers: dict[str, str],
        content: bytes,
        fields: list[tuple[str, str]] | None = None,
    ) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content
        #: The header lines as they came, in order (names lower-case), repeats kept apart.
        self.fields = fields

    def __repr__(self) -> str:
        return f"<Reply {self.status_code} ({len(self.content)} bytes)>"


class Wire(Protocol):
    """Sends one request and returns the whole answer.

    ``deadline`` is on the clock of ``anyio.current_time()``. A wire whose
    ``keeps_deadlines`` is true ends every wait at it by itself, raising
    :class:`DeadlineExceeded`, and ends calls under way when it is closed; the caller
    then needs no cancel scope per call. Any other wire ignores ``deadline``, and the
    caller runs it inside a cancel scope with that deadline.
    """

    @property
    def keeps_deadlines(self) -> bool: ...

    @property
    def is_closed(self) -> bool: ...

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        content: bytes | None,
        deadline: float = math.inf,
    ) -> Response: ...

    async def aclose(self) -> None: ...


class HttpxWire:
    """Send through an ``httpx.AsyncClient``; close it only if we made it.

    ``max_response_size`` holds here less tightly than in the pool: a declared
    ``Content-Length`` over the limit is refused before the body is read, but other
    bodies are measured once httpx has read them (leaving httpx's body iterator part
    way leaves unclosed async generators behind on trio).
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        owned: bool,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
    ) -> None:
        self.client = client
        self.owned = owned
        self.max_response_size = max_response_size

    #: Deadlines and closing are the caller's cancel scope's business here.
    keeps_deadlines = False

    @property
    def is_closed(self) -> bool:
        return self.client.is_closed

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        content: bytes | None,
        deadline: float = math.inf,  # kept by the caller's cancel scope
    ) -> httpx.Response:
        request = self.client.build_request(method, url, headers=headers, content=content)
        response = await self.client.send(request, stream=True)
        limit = self.max_response_size
        try:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit and "content-encoding" not in response.headers:
                raise ResponseTooLarge.over(limit, f"Content-Length {declared}")
            await response.aread()
        finally:
            await response.aclose()
        if len(response.content) > limit:
            raise ResponseTooLarge.over(limit, "decoded")
        return response

    async def aclose(self) -> None:
        if self.owned:
            await self.client.aclose()


__all__ = [
    "DEFAULT_MAX_RESPONSE_SIZE",
    "DeadlineExceeded",
    "HttpxWire",
    "Reply",
    "Response",
    "ResponseTooLarge",
    "Wire",
]
