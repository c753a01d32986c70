"""A scripted HTTP/1.1 server on 127.0.0.1 for wire tests, on asyncio and trio alike.

Each request is read in full and recorded, then answered by the next queued action:
a normal reply, raw bytes, a dropped connection, or silence. It serves only while its
``async with`` block runs, and every connection is closed when the block ends.
"""

from __future__ import annotations

import gzip as _gzip
import json
import socket
import ssl
import struct
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.abc
import attrs
from anyio.from_thread import start_blocking_portal
from anyio.streams.tls import TLSListener

# An action writes (or does not write) the answer; it returns False to close the connection.
Action = Callable[[anyio.abc.ByteStream], Awaitable[bool]]


@attrs.define
class Seen:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    connection: int

    def json(self) -> Any:
        return json.loads(self.body)


@attrs.define
class Loopback:
    port: int = 0
    scheme: str = "http"
    host: str = "127.0.0.1"
    seen: list[Seen] = attrs.Factory(list)
    actions: deque[Action] = attrs.Factory(deque)
    connections: int = 0
    #: Answers every request once ``actions`` is empty (when set).
    default: Action | None = None
    #: Connections the server still holds open (the client has not closed its end).
    open_connections: int = 0

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    # -- what to answer ------------------------------------------------------------------

    def reply(
        self,
        status: int = 200,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        chunked: bool = False,
        gzip: bool = False,
        close: bool = False,
    ) -> None:
        self.raw(
            self.encode(status, body, headers=headers, chunked=chunked, gzip=gzip, close=close), close=close
        )

    def answer_all(self, status: int = 200, body: Any = None, *, delay: float = 0.0) -> None:
        """Answer every request not otherwise scripted, after ``delay`` seconds."""
        data = self.encode(status, body)

        async def action(stream: anyio.abc.ByteStream) -> bool:
            if delay:
                await anyio.sleep(delay)
            await stream.send(data)
            return True

        self.default = action

    @staticmethod
    def encode(
        status: int = 200,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        chunked: bool = False,
        gzip: bool = False,
        close: bool = False,
    ) -> bytes:
        """The bytes of one answer with a JSON body."""
        content = json.dumps({} if body is None else body).encode()
        extra = dict(headers or {})
        extra.setdefault("Content-Type", "application/json")
        if gzip:
            content = _gzip.compress(content)
            extra["Content-Encoding"] = "gzip"
        if close:
            extra["Connection"] = "close"
        if chunked:
            extra["Transfer-Encoding"] = "chunked"
            half = len(content) // 2
            payload = b"".join(
                b"%x;ext=1\r\n%s\r\n" % (len(part), part) for part in (content[:half], content[half:]) if part
            )
            payload += b"0\r\nX-Trailer: yes\r\n\r\n"
        else:
            extra["Content-Length"] = str(len(content))
            payload = content
        head = f"HTTP/1.1 {status} Whatever\r\n" + "".join(f"{k}: {v}\r\n" for k, v in extra.items()) + "\r\n"
        return head.encode() + payload

    def raw(self, data: bytes, *, close: bool = False) -> None:
        async def action(stream: anyio.abc.ByteStream) -> bool:
            await stream.send(data)
            return not close

        self.actions.append(action)

    def push_later(self, data: bytes, extra: bytes, *, delay: float = 0.05) -> None:
        """Answer with ``data``, then after ``delay`` push ``extra`` unasked onto the idle connection."""

        async def action(stream: anyio.abc.ByteStream) -> bool:
            await stream.send(data)
            await anyio.sleep(delay)
            try:
                await stream.send(extra)
            except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                return False
            return True

        self.actions.append(action)

    def drop(self) -> None:
        """Read the request, then close the connection without a word."""

        async def action(stream: anyio.abc.ByteStream) -> bool:
            return False

        self.actions.append(action)

    def reset(self) -> None:
        """Read the request, then abort the connection (the client sees ECONNRESET)."""

        async def action(stream: anyio.abc.ByteStream) -> bool:
            raw = stream.extra(anyio.abc.SocketAttribute.raw_socket)  # noqa: S610 (anyio, not Django)
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False

        self.actions.append(action)

    def hang(self) -> None:
        """Read the request and never answer; notice when the client hangs up."""

        async def action(stream: anyio.abc.ByteStream) -> bool:
            try:
                while await stream.receive():
                    pass
            except (anyio.EndOfStream, anyio.BrokenResourceError):
                pass
            return False

        self.actions.append(action)

    # -- serving --------------------------------------------------------------------------

    async def _read_request(self, stream: anyio.abc.ByteStream, buffer: bytes) -> tuple[Seen, bytes] | None:
        try:
            while b"\r\n\r\n" not in buffer:
                buffer += await stream.receive()
        except (anyio.EndOfStream, anyio.BrokenResourceError):
            return None
        head, _, rest = buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            rest += await stream.receive()
        seen = Seen(method, target, headers, rest[:length], self.connections)
        return seen, rest[length:]

    async def _serve(self, stream: anyio.abc.ByteStream) -> None:
        self.connections += 1
        self.open_connections += 1
        buffer = b""
        try:
            await self._exchange(stream, buffer)
        finally:
            self.open_connections -= 1

    async def _exchange(self, stream: anyio.abc.ByteStream, buffer: bytes) -> None:
        async with stream:
            while True:
                got = await self._read_request(stream, buffer)
                if got is None:
                    return
                seen, buffer = got
                self.seen.append(seen)
                action = self.actions.popleft() if self.actions else self.default
                if action is None:
                    raise AssertionError(f"unexpected request {seen.method} {seen.target}")
                try:
                    keep = await action(stream)
                except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                    return  # the client hung up before the answer was written
                if not keep:
                    return


def _port(listener: anyio.abc.SocketListener) -> int:
    return listener.extra(anyio.abc.SocketAttribute.local_port)  # noqa: S610 (anyio, not Django)


async def closed_port() -> int:
    """A loopback port where nothing listens: connecting to it is refused."""
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = _port(listener)
    await listener.aclose()
    return port


@asynccontextmanager
async def loopback(tls: ssl.SSLContext | None = None, host: str = "127.0.0.1") -> AsyncIterator[Loopback]:
    """Serve on 127.0.0.1; with ``tls``, over TLS, and URLs name ``host``."""
    server = Loopback(scheme="https" if tls else "http", host=host)
    tcp = await anyio.create_tcp_listener(local_host="127.0.0.1")
    server.port = _port(tcp)
    listener: anyio.abc.Listener[Any] = (
        TLSListener(tcp, tls, standard_compatible=False, handshake_timeout=5) if tls else tcp
    )
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, server._serve)
        try:
            yield server
        finally:
            tg.cancel_scope.cancel()


@asynccontextmanager
async def threaded_loopback(tls: ssl.SSLContext | None = None) -> AsyncIterator[Loopback]:
    """The same server on its own event loop in another thread.

    It keeps running while the test's loop is blocked in synchronous work, as a real server
    does: it can hang up or push bytes between two of the client's loop passes.
    """
    with start_blocking_portal() as portal:
        manager = portal.wrap_async_context_manager(loopback(tls))
        server = await anyio.to_thread.run_sync(manager.__enter__)
        try:
            yield server
        finally:
            await anyio.to_thread.run_sync(manager.__exit__, None, None, None)
