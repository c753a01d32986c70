"""Byte streams under the pool: a native asyncio protocol, or an anyio stream elsewhere.

anyio's asyncio streams take a checkpoint (a whole event-loop pass) on every send and
receive; for a request-and-answer exchange that is half the loop passes of a call. On
asyncio the pool therefore talks to a plain ``asyncio.Protocol`` (``AsyncioStream``);
on trio it reads and writes the socket directly (``TrioSocket``), and on any other
anyio backend it uses anyio's stream as is (``AnyioStream`` wraps both). On asyncio and
trio it also connects its sockets itself, the same way on both: an IP address without a
lookup, a host with one address straight away, several staggered (RFC 8305).

Both give the pool the same small interface and the same failures: ``receive``
raises ``anyio.EndOfStream`` at the end of the stream, and ``send``/``receive`` raise
``anyio.BrokenResourceError`` (or ``OSError``) when the connection broke.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import math
import os
import select
import socket
import ssl
import weakref
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Protocol, cast

import anyio
import anyio.abc
from anyio.streams.tls import TLSStream

from .base import DeadlineExceeded

_HAPPY_EYEBALLS_DELAY = 0.25
# Past this many unread bytes an asyncio connection stops reading until they are taken:
# the kernel's buffers and TCP flow control then hold a server that sends too much.
_HIGH_WATER = 256 * 1024
# The most an asyncio connection reads at once (what asyncio's transports read by default).
_READ_SIZE = 256 * 1024
_READ_BUFFERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, memoryview] = weakref.WeakKeyDictionary()


def readable_now(fd: int) -> bool:
    """True if the socket has bytes or an end-of-stream waiting; a closed socket counts too."""
    if fd < 0:
        return True
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            return bool(poller.poll(0))
        readable, _, _ = select.select([fd], [], [], 0)
        return bool(readable)
    except (OSError, ValueError):
        return True


class Stream(Protocol):
    #: True if ``send`` and ``receive`` end their waits at ``deadline`` themselves
    #: (raising ``DeadlineExceeded``); otherwise the caller keeps it with a cancel scope.
    keeps_deadlines: bool
    #: True if the stream is an :class:`AnyioStream` whose ``expire`` can end an exchange
    #: under way from another task (trio).
    expirable: bool

    async def send(self, data: bytes, deadline: float = math.inf) -> None: ...

    async def receive(self, deadline: float = math.inf) -> bytes: ...

    def dead(self) -> bool:
        """True if an idle connection has been closed by the peer, or has unread bytes."""
        ...

    async def aclose(self) -> None:
        """Close at once, without a goodbye."""
        ...


def _read_buffer(loop: asyncio.AbstractEventLoop) -> memoryview:
    view = _READ_BUFFERS.get(loop)
    if view is None:
        view = _READ_BUFFERS[loop] = memoryview(bytearray(_READ_SIZE))
    return view


class AsyncioStream(asyncio.BufferedProtocol):
    """A TCP (or TLS) connection as an asyncio protocol with a receive buffer.

    Its waits end at the call's deadline by themselves: a timer on the event loop fails
    the future being waited for. That costs a fraction of a cancel scope, which on
    asyncio is a good part of a whole call's overhead. The timer is the connection's and
    outlives a call: a call whose deadline is no earlier than the armed timer's only
    notes it, and a timer that fires before the current wait's deadline arms itself again
    for that deadline (or not at all, if nothing waits). Deadlines are mostly "now plus
    the same timeout", so a busy connection arms a timer about once per timeout instead
    of once per call.

    It reads through one buffer per event loop (``BufferedProtocol``): a plain protocol
    has the transport allocate a fresh 256 KiB bytes object for every read, which the C
    library maps, shrinks and unmaps again (three system calls per answer). Sharing is
    safe because the transport fills the buffer and hands it over in one step
    (``get_buffer``, then ``buffer_updated``), and the bytes are copied out at once.
    """

    keeps_deadlines = True
    expirable = False  # not needed: its waits keep the deadline themselves

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._buffer = _read_buffer(loop)
        self._transport: asyncio.Transport | None = None
        self._chunks: list[bytes] = []
        self._size = 0
        self._paused = False
        self._fd = -1
        self._eof = False
        self._error: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._drained: asyncio.Future[None] | None = None
        # The wait under way that a deadline can end, its deadline and what it waits for,
        # and the connection's timer with the time it is armed for.
        self._waiting: asyncio.Future[None] | None = None
        self._deadline = math.inf
        self._what = ""
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf

    # -- asyncio callbacks ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Not an isinstance check: uvloop's transports have every method used here but do
        # not derive from asyncio.Transport.
        self._transport = cast("asyncio.Transport", transport)
        raw = transport.get_extra_info("socket")
        self._fd = raw.fileno() if raw is not None else -1

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._buffer

    def buffer_updated(self, nbytes: int) -> None:
        self.data_received(bytes(self._buffer[:nbytes]))

    def data_received(self, data: bytes) -> None:
        self._chunks.append(data)
        self._size += len(data)
        if self._size > _HIGH_WATER and not self._paused and self._transport is not None:
            self._paused = True
            self._transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self._eof = True
        self._wake()
        return False  # let the transport close itself

    def connection_lost(self, exc: BaseException | None) -> None:
        self._eof = True
        self._error = exc
        self._wake()
        if self._timer is not None:
            self._timer.cancel()
            self._timer, self._timer_at = None, math.inf
        drained, self._drained = self._drained, None
        if drained is not None and not drained.done():
            drained.set_result(None)

    def pause_writing(self) -> None:
        if self._drained is None:
            self._drained = self._loop.create_future()

    def resume_writing(self) -> None:
        drained, self._drained = self._drained, None
        if drained is not None and not drained.done():
            drained.set_result(None)

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # -- the Stream interface ------------------------------------------------------------

    @classmethod
    async def connect(cls, host: str, port: int, ssl_context: ssl.SSLContext | None) -> AsyncioStream:
        loop = asyncio.get_running_loop()
        sock = await _open_socket(loop, host, port)
        try:
            _, protocol = await loop.create_connection(
                lambda: cls(loop),
                sock=sock,
                ssl=ssl_context,
                server_hostname=host if ssl_context is not None else None,
            )
        except BaseException:
            sock.close()  # the transport, if one was made, has closed it already
            raise
        return protocol

    def _broken(self) -> BaseException:
        if self._error is not None:
            return anyio.BrokenResourceError(str(self._error))
        return anyio.EndOfStream()

    async def _wait(self, future: asyncio.Future[None], deadline: float, what: str) -> None:
        if deadline == math.inf:
            await future
            return
        self._waiting, self._deadline, self._what = future, deadline, what
        if deadline < self._timer_at:  # no timer, or one armed for later: arm it for this one
            if self._timer is not None:
                self._timer.cancel()
            self._timer = self._loop.call_at(deadline, self._on_timer)
            self._timer_at = deadline
        try:
            await future
        finally:
            self._waiting = None

    def _on_timer(self) -> None:
        armed_for = self._timer_at
        self._timer, self._timer_at = None, math.inf
        waiting = self._waiting
        if waiting is None or waiting.done():
            return  # nothing waits: the next wait arms a timer again
        # The loop says ``armed_for`` has come (by its own clock: uvloop's counts milliseconds).
        if self._deadline <= armed_for:
            waiting.set_exception(DeadlineExceeded(f"the call's deadline passed while waiting {self._what}"))
        else:  # armed by an earlier call: wait on for this one's deadline
            self._timer = self._loop.call_at(self._deadline, self._on_timer)
            self._timer_at = self._deadline

    async def send(self, data: bytes, deadline: float = math.inf) -> None:
        transport = self._transport
        if transport is None or self._eof or transport.is_closing():
            raise anyio.BrokenResourceError("the connection is closed")
        transport.write(data)
        if self._drained is not None:
            await self._wait(self._drained, deadline, "to send the request")
            if self._error is not None:
                raise anyio.BrokenResourceError(str(self._error))

    async def receive(self, deadline: float = math.inf) -> bytes:
        if not self._chunks:
            if self._eof:
                raise self._broken()
            self._waiter = self._loop.create_future()
            try:
                await self._wait(self._waiter, deadline, "for the answer")
            finally:
                self._waiter = None
            if not self._chunks:
                raise self._broken()
        chunks = self._chunks
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        chunks.clear()
        self._size = 0
        if self._paused and self._transport is not None and not self._eof:
            self._paused = False
            self._transport.resume_reading()
        return data

    def dead(self) -> bool:
        # Loop callbacks deliver only what arrived before the last loop pass; the socket
        # itself also knows about a FIN or bytes that came while the caller was busy.
        return (
            self._eof
            or bool(self._chunks)
            or self._transport is None
            or self._transport.is_closing()
            # Made under an earlier asyncio.run(), whose loop is closed (or at least no longer
            # running). Cheaper than comparing with asyncio.get_running_loop(), which on
            # Python 3.11 makes a getpid() system call each time.
            or self._loop.is_closed()
            or not self._loop.is_running()
            or readable_now(self._fd)
        )

    async def aclose(self) -> None:
        if self._transport is not None:
            try:
                self._transport.abort()
            except RuntimeError:
                # Its event loop is closed (an earlier asyncio.run()), so the transport can
                # no longer close its socket; close the socket under it ourselves.
                wrapped = self._transport.get_extra_info("socket")
                raw = getattr(wrapped, "_sock", None)
                if raw is not None:
                    raw.close()


class TrioSocket(anyio.abc.ByteStream):
    """A connected TCP socket on trio that only waits when the socket would block.

    trio's socket methods take a checkpoint on every call, even when the data is
    already there; a request is written whole and its answer arrives in one or two
    reads, so waiting only on ``EWOULDBLOCK`` (and before the first read after a send,
    when the answer cannot have come yet) saves most scheduler passes. It holds the
    plain non-blocking socket that :func:`_open_trio_socket` connected. TLS, when
    wanted, is layered on top with anyio's ``TLSStream``.
    """

    def __init__(self, sock: socket.socket) -> None:
        import trio

        self._socket = sock
        self._wait_readable = trio.lowlevel.wait_readable
        self._wait_writable = trio.lowlevel.wait_writable
        #: Set by a send: the next read waits first, since an answer cannot be there yet
        #: (trying first would cost a system call and a ``BlockingIOError`` per call).
        self._sent = False

    async def receive(self, max_bytes: int = 65536) -> bytes:
        if self._sent:
            self._sent = False
            await self._wait_readable(self._socket)
        while True:
            try:
                data = self._socket.recv(max_bytes)
            except BlockingIOError:
                await self._wait_readable(self._socket)
                continue
            except OSError as exc:
                raise anyio.BrokenResourceError(str(exc)) from exc
            if not data:
                raise anyio.EndOfStream
            return data

    async def send(self, item: bytes) -> None:
        view = memoryview(item)
        while view:
            try:
                sent = self._socket.send(view)
            except BlockingIOError:
                await self._wait_writable(self._socket)
                continue
            except OSError as exc:
                raise anyio.BrokenResourceError(str(exc)) from exc
            view = view[sent:]
        self._sent = True

    async def send_eof(self) -> None:
        try:
            self._socket.shutdown(socket.SHUT_WR)
        except OSError as exc:
            raise anyio.BrokenResourceError(str(exc)) from exc

    async def aclose(self) -> None:
        import trio

        _close_on_trio(self._socket)
        await trio.lowlevel.checkpoint()

    @property
    def extra_attributes(self) -> Mapping[Any, Callable[[], Any]]:
        sock = self._socket
        return {
            anyio.abc.SocketAttribute.raw_socket: lambda: sock,
            anyio.abc.SocketAttribute.family: lambda: sock.family,
            anyio.abc.SocketAttribute.local_address: sock.getsockname,
            anyio.abc.SocketAttribute.remote_address: sock.getpeername,
        }


def _close_on_trio(sock: socket.socket) -> None:
    """Close a socket that trio tasks may be waiting on: wake them first (trio's order)."""
    import trio

    if sock.fileno() != -1:
        trio.lowlevel.notify_closing(sock)
        sock.close()


class AnyioStream:
    """Any anyio byte stream (trio's sockets, in practice).

    Deadlines are the caller's: on trio the pool's watchdog ends an overdue exchange
    with :meth:`expire`; elsewhere the pool runs the exchange inside a cancel scope.
    """

    keeps_deadlines = False

    def __init__(self, stream: anyio.abc.ByteStream, *, trio: bool = False) -> None:
        self._stream = stream
        self._socket = stream.extra(anyio.abc.SocketAttribute.raw_socket, None)  # noqa: S610 (anyio, not Django)
        self._closed = False
        #: On trio, with a raw socket that :meth:`expire` can close under a waiting task.
        self.expirable = trio and self._socket is not None

    def expire(self) -> None:
        """Close the socket now, from another task: a task waiting on it (or about to read or
        write it) fails at once. trio's own order for closing: wake the waiters, then close,
        with no checkpoint in between. Only for streams that are ``expirable``."""
        if self._socket is not None:
            _close_on_trio(self._socket)

    @classmethod
    async def connect(
        cls, host: str, port: int, ssl_context: ssl.SSLContext | None, *, trio: bool = False
    ) -> AnyioStream:
        tcp: anyio.abc.ByteStream
        tcp = TrioSocket(await _open_trio_socket(host, port)) if trio else await anyio.connect_tcp(host, port)
        stream: anyio.abc.ByteStream = tcp
        if ssl_context is not None:
            try:
                stream = await TLSStream.wrap(
                    tcp, hostname=host, ssl_context=ssl_context, standard_compatible=False
                )
            except BaseException:
                await anyio.aclose_forcefully(tcp)
                raise
        return cls(stream, trio=trio)

    async def send(self, data: bytes, deadline: float = math.inf) -> None:
        await self._stream.send(data)

    def receive(self, deadline: float = math.inf) -> Coroutine[Any, Any, bytes]:
        # Not a coroutine itself: it hands back the stream's, so a call waiting for its
        # answer holds one frame fewer (fewer objects for the garbage collector).
        return self._stream.receive(65536)

    def dead(self) -> bool:
        if self._closed:
            return True
        if self._socket is None:
            return False
        return readable_now(self._socket.fileno())

    async def aclose(self) -> None:
        self._closed = True
        await anyio.aclose_forcefully(self._stream)


def _new_socket(info: tuple[Any, ...]) -> socket.socket:
    """A non-blocking TCP socket for one of ``getaddrinfo``'s answers, with Nagle off."""
    family, kind, proto, _, _ = info
    sock = socket.socket(family, kind, proto)
    try:
        sock.setblocking(False)
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except BaseException:
        sock.close()
        raise
    return sock


async def _attempt(loop: asyncio.AbstractEventLoop, info: Any) -> socket.socket:
    """One connection attempt; its socket is closed unless the attempt returns it."""
    sock = _new_socket(info)
    try:
        await loop.sock_connect(sock, info[4])
    except BaseException:
        sock.close()
        raise
    return sock


def _literal(host: str, port: int) -> list[tuple[Any, ...]]:
    """The one address an IP-literal host names (it needs no lookup, and no trip to a
    resolver thread); empty for a host name."""
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return []
    family = socket.AF_INET6 if literal.version == 6 else socket.AF_INET
    return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (host, port))]


def _staggered_order(host: str, infos: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The order to try a host's addresses in: families alternating, the first family
    first (RFC 8305 section 4)."""
    if not infos:
        raise OSError(f"no address for {host!r}")
    first = [i for i in infos if i[0] == infos[0][0]]
    other = [i for i in infos if i[0] != infos[0][0]]
    return (
        [i for pair in zip(first, other, strict=False) for i in pair]
        + first[len(other) :]
        + other[len(first) :]
    )


async def _open_socket(loop: asyncio.AbstractEventLoop, host: str, port: int) -> socket.socket:
    """Connect a TCP socket, trying the host's addresses staggered (RFC 8305's "happy eyeballs").

    Written here rather than left to ``create_connection(happy_eyeballs_delay=...)``,
    which, when the caller is cancelled just as an attempt connects, drops that socket
    without closing it. Here every socket is closed unless it is the one returned.
    """
    infos = _literal(host, port) or list(await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM))
    if len(infos) == 1:
        return await _attempt(loop, infos[0])
    ordered = _staggered_order(host, infos)
    attempts: list[asyncio.Task[socket.socket]] = []
    errors: list[BaseException] = []
    winner: socket.socket | None = None

    def settle(done: set[asyncio.Task[socket.socket]]) -> socket.socket | None:
        for attempt in done:
            error = attempt.exception()
            if error is None:
                return attempt.result()
            errors.append(error)
        return None

    try:
        for info in ordered:
            attempts.append(loop.create_task(_attempt(loop, info)))
            done, _ = await asyncio.wait(
                [a for a in attempts if not a.done()],
                timeout=_HAPPY_EYEBALLS_DELAY,
                return_when=asyncio.FIRST_COMPLETED,
            )
            winner = settle(done)
            if winner is not None:
                return winner
        while winner is None and (pending := [a for a in attempts if not a.done()]):
            done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            winner = settle(done)
    finally:
        for attempt in attempts:
            if not attempt.done():
                attempt.cancel()  # the attempt closes its own socket as it unwinds
            elif not attempt.cancelled() and attempt.exception() is None and attempt.result() is not winner:
                attempt.result().close()
    if winner is None:
        raise errors[0] if errors else OSError(f"cannot connect to {host}:{port}")
    return winner


async def _trio_attempt(info: tuple[Any, ...]) -> socket.socket:
    """One connection attempt on trio; its socket is closed unless the attempt returns it."""
    import trio

    sock = _new_socket(info)
    try:
        try:
            sock.connect(info[4])
        except BlockingIOError:
            await trio.lowlevel.wait_writable(sock)
            error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if error:
                raise OSError(error, f"connect to {info[4]!r}: {os.strerror(error)}") from None
        else:
            await trio.lowlevel.checkpoint()
    except BaseException:
        _close_on_trio(sock)
        raise
    return sock


async def _open_trio_socket(host: str, port: int) -> socket.socket:
    """Connect a TCP socket on trio the way :func:`_open_socket` does on asyncio.

    One address (an IP literal needs no lookup) is connected straight away: a nursery
    and a task per attempt, as ``anyio.connect_tcp`` and ``trio.open_tcp_stream`` use
    even then, cost about as much again as the connect itself. Several addresses are
    tried staggered in a nursery; every socket but the one returned is closed.
    """
    import trio

    infos = _literal(host, port) or list(await trio.socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
    if len(infos) == 1:
        return await _trio_attempt(infos[0])
    ordered = _staggered_order(host, infos)
    winner: list[socket.socket] = []
    errors: list[OSError] = []

    async def attempt(info: tuple[Any, ...], failed: trio.Event, nursery: trio.Nursery) -> None:
        try:
            sock = await _trio_attempt(info)
        except OSError as exc:
            errors.append(exc)
            failed.set()
            return
        if winner:  # another attempt won in the same scheduler pass
            _close_on_trio(sock)
            return
        winner.append(sock)
        nursery.cancel_scope.cancel()

    try:
        async with trio.open_nursery() as nursery:
            for info in ordered:
                failed = trio.Event()
                nursery.start_soon(attempt, info, failed, nursery)
                with trio.move_on_after(_HAPPY_EYEBALLS_DELAY):
                    await failed.wait()
    except BaseException:
        for sock in winner:  # cancelled from outside just as an attempt connected
            _close_on_trio(sock)
        raise
    if not winner:
        raise errors[0] if errors else OSError(f"cannot connect to {host}:{port}")
    return winner[0]


async def connect(host: str, port: int, ssl_context: ssl.SSLContext | None) -> Stream:
    """Open a connection with the fastest stream for the running event loop."""
    import sniffio

    library = sniffio.current_async_library()
    if library == "asyncio":
        return await AsyncioStream.connect(host, port, ssl_context)
    return await AnyioStream.connect(host, port, ssl_context, trio=library == "trio")


__all__ = ["AnyioStream", "AsyncioStream", "Stream", "connect"]
