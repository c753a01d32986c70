"""The default wire: a small HTTP/1.1 keep-alive connection pool on anyio streams.

Why not httpx's own pool: with many requests in flight, httpcore offers each freed
connection to every waiting request and the losers go round again, so throughput
collapses as concurrency grows (see docs/performance.md). This pool keeps idle
connections in a last-in, first-out stack per origin and bounds the total with one
FIFO semaphore: taking or returning a connection costs the same at 1 or 100 in flight.

It speaks just what the Stytch API needs: one request per connection at a time,
``Content-Length`` or chunked bodies (gzip or deflate decoded), keep-alive, TLS with
certificate and host name checks. Proxies are left to httpx (see ``base.py``). Answers
are framed strictly (``framing.py``) and bounded by ``max_response_size`` while they are
read and decompressed. An idle connection is reused only if its socket has nothing to
read: a server's goodbye or unasked bytes retire it. ``aclose()`` ends calls in flight
(``httpx.ReadError``) and turns away those queued for a slot (``httpx.ConnectError``).

The pool keeps each call's deadline itself (``keeps_deadlines``), so the caller needs no
cancel scope per call: a wait that overruns it raises ``DeadlineExceeded``. On asyncio,
waiting for a slot and the exchange each set a loop timer on the future they wait for;
on trio, one watchdog task per pool and trio run keeps both deadlines (``_TrioWatch``);
connecting runs in a cancel scope with the deadline (a slow path). ``aclose()`` cancels
every such scope and wakes every waiter.

Failures are raised as httpx exceptions so the retry rules read the same on every wire:
``httpx.ConnectError`` only while connecting (the request never left); once the first
byte may have been written, ``WriteError``, ``ReadError`` or ``RemoteProtocolError``.
A connection whose exchange did not end cleanly (an error, a cancelled call, a body
not read to its end) is closed, never reused.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import math
import os
import ssl
import time
import zlib
from collections import deque
from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import SplitResult, quote, urlsplit

import anyio
import httpx
import sniffio

from .base import DEFAULT_MAX_RESPONSE_SIZE, DeadlineExceeded, Reply, ResponseTooLarge
from .framing import MAX_HEAD, body_length, check_trailer, chunk_size, head_end, parse_head
from .streams import AnyioStream, Stream, connect

# Idle connections older than this are closed rather than reused (httpx uses the same).
KEEPALIVE_EXPIRY = 5.0
MAX_CONNECTIONS = 100
_DEFAULT_PORTS = {"http": 80, "https": 443}
_NO_BODY = frozenset({204, 304})
# Characters left as they are when a request target has to be percent-encoded.
_TARGET_SAFE = "/?&=%:@!$'()*+,;~-._"
_Origin = tuple[str, str, int]
_CLOSED = "the connection pool is closed"


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One verifying TLS context per process; building one costs tens of milliseconds.

    Trust comes from ``SSL_CERT_FILE``/``SSL_CERT_DIR`` when set, else from certifi
    (the bundle httpx uses), so the default client trusts what httpx would.
    """
    cafile, capath = os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
    if not cafile and not capath:
        import certifi

        cafile = certifi.where()
    context = ssl.create_default_context(cafile=cafile or None, capath=capath or None)
    context.set_alpn_protocols(["http/1.1"])
    return context


@functools.lru_cache(maxsize=64)
def _origin_of(scheme: str, netloc: str) -> tuple[_Origin, str] | None:
    """The (scheme, host, port) a URL's scheme and authority name, and its Host header;
    ``None`` when they name no host we can reach. Cached: a client talks to one or two."""
    parts = SplitResult(scheme, netloc, "", "", "")
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except (ValueError, KeyError):
        return None
    host = parts.hostname
    if not port or not host:
        return None
    return (scheme, host, port), netloc.rpartition("@")[2]


def _encode_head(
    method: str, target: str, host: str, headers: Mapping[str, str], length: int | None
) -> bytes:
    parts = [f"{method} {target} HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: gzip, deflate\r\n"]
    for name, value in headers.items():
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name or ":" in name:
            raise httpx.LocalProtocolError(f"header {name!r} contains a line break or colon")
        parts.append(f"{name}: {value}\r\n")
    if length is not None:
        parts.append(f"Content-Length: {length}\r\n")
    parts.append("\r\n")
    try:
        return "".join(parts).encode("ascii")
    except UnicodeEncodeError as exc:
        raise httpx.LocalProtocolError("request headers must be ASCII") from exc


def _inflate(content: bytes, encoding: str, limit: int) -> bytes:
    """Decode a gzip or deflate body, never producing more than ``limit`` bytes."""
    for wbits in (47 if encoding == "gzip" else 15, -15):  # -15: raw deflate, as some servers send
        inflater = zlib.decompressobj(wbits)
        try:
            data = inflater.decompress(content, limit + 1)
        except zlib.error as exc:
            error = exc
            continue
        if len(data) > limit or inflater.unconsumed_tail:
            raise ResponseTooLarge.over(limit, "decoded")
        if inflater.eof:
            return data
        error = zlib.error("incomplete or truncated stream")
    raise httpx.DecodingError(f"cannot {encoding}-decode the body: {error}")


_OVERDUE_IN_FLIGHT = "the call's deadline passed while the request was under way"
_CUT_SHORT = "the server closed the connection before the answer was complete"


class _Connection:
    __slots__ = ("buffer", "deadline", "expired", "idle_since", "limit", "stream")

    def __init__(self, stream: Stream, limit: int = DEFAULT_MAX_RESPONSE_SIZE) -> None:
        self.stream = stream
        self.buffer = b""
        self.idle_since = 0.0
        self.limit = limit
        #: When the exchange under way must end (``anyio.current_time()``'s clock).
        self.deadline = math.inf
        #: Set by the trio watchdog when it closed the stream at the deadline.
        self.expired = False

    def overdue(self) -> None:
        """The trio watchdog's call at the exchange's deadline: close the stream under it, so
        the exchange wakes with an error (raised as ``DeadlineExceeded``)."""
        self.expired = True
        cast("AnyioStream", self.stream).expire()  # watched exchanges are on expirable streams

    def looks_dead(self) -> bool:
        """An idle connection with anything to read has been closed (or broken) by the server."""
        return bool(self.buffer) or self.stream.dead()

    async def _more(self) -> bytes:
        try:
            return await self.stream.receive(self.deadline)
        except anyio.EndOfStream:
            raise httpx.RemoteProtocolError(_CUT_SHORT) from None
        except (anyio.BrokenResourceError, OSError) as exc:
            raise httpx.ReadError(f"reading the answer failed: {exc!r}") from exc

    async def exchange(
        self, request: bytes, *, decode: bool = True, deadline: float = math.inf
    ) -> tuple[Reply, bool]:
        """Write one request, read one answer; also say whether the connection can be reused.

        With ``decode=False`` a gzip or deflate body is left as it came. ``deadline``
        is passed to the stream's waits (kept only by a stream that ``keeps_deadlines``).
        """
        self.deadline = deadline
        try:
            await self.stream.send(request, deadline)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError) as exc:
            raise httpx.WriteError(f"writing the request failed: {exc!r}") from exc
        while True:
            # The head is read here, not in a method of its own: a call waiting for its
            # answer holds one frame fewer (see "Round two, seventh session" in docs/performance.md).
            data = self.buffer
            try:
                while (end := head_end(data)) < 0:
                    data += await self.stream.receive(self.deadline)
            except anyio.EndOfStream:
                raise httpx.RemoteProtocolError(_CUT_SHORT) from None
            except (anyio.BrokenResourceError, OSError) as exc:
                raise httpx.ReadError(f"reading the answer failed: {exc!r}") from exc
            self.buffer = data[end + 4 :]
            status, version, fields = parse_head(data[:end])
            if status >= 200:
                break
            if status == 101:  # never asked for: we do not switch protocols
                raise httpx.RemoteProtocolError("an unrequested 101 Switching Protocols answer")
            # Other 1xx answers before the real one are skipped.
        headers: dict[str, str] = {}
        for key, text in fields:
            headers[key] = f"{headers[key]}, {text}" if key in headers else text
        if status in _NO_BODY:
            body_length(headers)  # refused if malformed, though not used
            content, reusable = b"", True  # these answers never carry a body, whatever the headers say
        else:
            content, reusable = await self._read_body(headers)
        if version == b"HTTP/1.0" and headers.get("connection", "").lower() != "keep-alive":
            reusable = False
        if "close" in headers.get("connection", "").lower():
            reusable = False
        encoding = headers.get("content-encoding", "").lower() if decode else ""
        if encoding in ("gzip", "deflate"):
            content = _inflate(content, encoding, self.limit)
        return Reply(status, headers, content, fields), reusable and not self.buffer

    async def _read_exact(self, size: int) -> bytes:
        data = self.buffer
        if len(data) >= size:
            self.buffer = data[size:]
            return data[:size]
        chunks = [data]
        have = len(data)
        while have < size:
            more = await self._more()
            chunks.append(more)
            have += len(more)
        data = b"".join(chunks)
        self.buffer = data[size:]
        return data[:size]

    async def _read_line(self) -> bytes:
        while True:
            end = self.buffer.find(b"\r\n")
            if end >= 0:
                line, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
                return line
            self.buffer += await self._more()
            if len(self.buffer) > MAX_HEAD and self.buffer.find(b"\r\n", 0, MAX_HEAD) < 0:
                raise httpx.RemoteProtocolError("a chunk header or trailer line is too long")

    async def _read_body(self, headers: dict[str, str]) -> tuple[bytes, bool]:
        length = body_length(headers)
        if length == -1:
            parts: list[bytes] = []
            total = 0
            while True:
                size = chunk_size(await self._read_line())
                total += size
                if total > self.limit:
                    raise ResponseTooLarge.over(self.limit, "chunked")
                if size == 0:
                    while line := await self._read_line():  # trailers end with an empty line
                        check_trailer(line)
                    return b"".join(parts), True
                parts.append(await self._read_exact(size))
                if await self._read_line():
                    raise httpx.RemoteProtocolError("a chunk does not end with CRLF")
        if length is not None:
            if length > self.limit:
                raise ResponseTooLarge.over(self.limit, f"Content-Length {length}")
            return await self._read_exact(length), True
        # No length: the body runs to the end of the connection.
        parts = [self.buffer]
        total = len(self.buffer)
        self.buffer = b""
        try:
            while total <= self.limit:
                parts.append(await self.stream.receive(self.deadline))
                total += len(parts[-1])
            raise ResponseTooLarge.over(self.limit, "read to the end")
        except anyio.EndOfStream:
            return b"".join(parts), False
        except (anyio.BrokenResourceError, OSError) as exc:
            raise httpx.ReadError(f"reading the answer failed: {exc!r}") from exc


class _TrioWatch:
    """Deadlines on trio, kept by one watchdog system task per trio run.

    A cancel scope per call costs trio a fifth of a whole call; an entry here costs a
    dictionary insert. At an item's deadline the watchdog calls its ``overdue()``: an
    exchange under way has its socket closed, a caller waiting for a slot is woken with
    ``DeadlineExceeded``. ``overdue()`` must not wait.
    """

    def __init__(self) -> None:
        self.items: dict[_Connection | _Parked, float] = {}
        self._run: object = None  # the trio run the watchdog belongs to
        self._wake_at = math.inf  # when it wakes next
        self._poke: Any = None  # the event that wakes it sooner
        self._scope: Any = None  # its cancel scope

    def watch(self, item: _Connection | _Parked, deadline: float) -> None:
        lowlevel = _TRIO_LOWLEVEL or _trio_lowlevel()
        run = lowlevel.current_root_task()
        if run is not self._run:  # the first deadline of this trio run
            import trio

            self._run = run
            self.items = {}
            self._wake_at = math.inf
            self._poke = trio.Event()
            lowlevel.spawn_system_task(self._watchdog, name="stytch_async pool deadlines")
        self.items[item] = deadline
        if deadline < self._wake_at:  # rare: the watchdog sleeps past this deadline
            self._wake_at = deadline
            self._poke.set()

    def unwatch(self, item: _Connection | _Parked) -> None:
        self.items.pop(item, None)

    def cancel(self) -> None:
        if self._scope is not None:
            self._scope.cancel()

    async def _watchdog(self) -> None:
        """Call ``overdue()`` on every item past its deadline; sleep until the next one.

        A system task of the trio run (it ends with the run, or with ``cancel()``); it
        must never raise, since an error in a system task ends the whole run.
        """
        import trio

        with trio.CancelScope() as scope:
            self._scope = scope
            while True:
                now = trio.current_time()
                nearest = math.inf
                for item, deadline in list(self.items.items()):
                    if deadline <= now:
                        del self.items[item]
                        # Nothing may escape (it would end the run); an exchange then ends at its read.
                        with contextlib.suppress(Exception):
                            item.overdue()
                    elif deadline < nearest:
                        nearest = deadline
                self._wake_at = nearest
                poke = self._poke = trio.Event()
                with trio.move_on_at(nearest):
                    await poke.wait()


class _Parked:
    """A trio task waiting for a slot, parked without a cancel scope."""

    __slots__ = ("done", "queue", "task")

    def __init__(self, task: Any, queue: deque[Any]) -> None:
        self.task = task
        self.queue = queue
        #: Set once the task has been woken, or has stopped waiting: nothing wakes it again.
        self.done = False

    def wake(self) -> bool:
        if self.done:
            return False
        self.done = True
        _TRIO_LOWLEVEL.reschedule(self.task)
        return True

    def abort(self, _: Any) -> Any:
        """Cancelled while still waiting (never once woken): leave the queue."""
        self.done = True
        with contextlib.suppress(ValueError):
            self.queue.remove(self)
        return _TRIO_LOWLEVEL.Abort.SUCCEEDED

    def overdue(self) -> None:
        if self.done:
            return
        import outcome

        self.done = True
        with contextlib.suppress(ValueError):
            self.queue.remove(self)
        _TRIO_LOWLEVEL.reschedule(self.task, outcome.Error(DeadlineExceeded(_SLOT_OVERDUE)))


#: ``trio.lowlevel`` once trio has been used (the hot paths skip an import statement).
_TRIO_LOWLEVEL: Any = None


def _trio_lowlevel() -> Any:
    global _TRIO_LOWLEVEL
    import trio

    _TRIO_LOWLEVEL = trio.lowlevel
    return _TRIO_LOWLEVEL


class _Slots:
    """A FIFO limit on connections in use that, unlike ``anyio.Semaphore``, takes no
    checkpoint when a slot is free (each checkpoint is a full event-loop pass).

    With more callers than connections every call waits, so a wait costs no cancel scope
    (a good part of a call on either loop): on asyncio a waiter is a bare future whose
    deadline one loop timer keeps for all of them (``_LoopDeadlines``); on trio a parked
    task whose deadline the pool's watchdog keeps (``_TrioWatch``).
    """

    def __init__(self, size: int, watch: _TrioWatch | None = None) -> None:
        self.free = size
        self.watch = watch or _TrioWatch()
        #: asyncio futures or parked trio tasks, first come first served.
        self.waiters: deque[asyncio.Future[None] | _Parked] = deque()
        #: The asyncio waiters' deadlines.
        self.due = _LoopDeadlines()
        self.closed = False

    async def acquire(self, deadline: float = math.inf) -> None:
        if self.closed:
            raise httpx.ConnectError(_CLOSED)
        if self.free > 0 and not self.waiters:
            self.free -= 1
            return
        if sniffio.current_async_library() == "asyncio":
            await self._wait_on_asyncio(deadline)
        else:
            await self._wait_on_trio(deadline)
        if self.closed:
            raise httpx.ConnectError(_CLOSED + " while this call waited for a connection")

    async def _wait_on_asyncio(self, deadline: float) -> None:
        loop = asyncio.get_running_loop()
        granted: asyncio.Future[None] = loop.create_future()
        self.waiters.append(granted)
        timed = deadline != math.inf
        if timed:
            self.due.watch(loop, granted, deadline)
        try:
            await granted
        except BaseException:
            if granted.done() and not granted.cancelled() and granted.exception() is None:
                self.release()  # the slot came as we were cancelled: pass it on
            else:
                with contextlib.suppress(ValueError):  # release() may have dropped it already
                    self.waiters.remove(granted)
            raise
        finally:
            if timed:
                self.due.items.pop(granted, None)

    async def _wait_on_trio(self, deadline: float) -> None:
        lowlevel = _TRIO_LOWLEVEL or _trio_lowlevel()
        parked = _Parked(lowlevel.current_task(), self.waiters)
        self.waiters.append(parked)
        if deadline == math.inf:
            await lowlevel.wait_task_rescheduled(parked.abort)
            return
        self.watch.watch(parked, deadline)
        try:
            await lowlevel.wait_task_rescheduled(parked.abort)
        finally:
            self.watch.unwatch(parked)

    def close(self) -> None:
        """Turn every waiter away now, and every later caller."""
        self.closed = True
        self.due.stop()
        while self.waiters:
            self._wake(self.waiters.popleft())

    def release(self) -> None:
        waiters = self.waiters
        while waiters:  # handed over: the count of free slots stays
            if self._wake(waiters.popleft()):
                return
        self.free += 1

    @staticmethod
    def _wake(waiter: asyncio.Future[None] | _Parked) -> bool:
        """Wake one waiter; False if it had already stopped waiting (an asyncio future
        cancelled with its task, or past its deadline, that has not yet left the queue)."""
        if isinstance(waiter, _Parked):
            return waiter.wake()
        if waiter.done():
            return False
        waiter.set_result(None)
        return True


_SLOT_OVERDUE = "the call's deadline passed while waiting for a free connection"


class _LoopDeadlines:
    """The deadlines of asyncio callers waiting for a slot, kept by one loop timer.

    A timer per waiter costs a handle, a heap push and a cancel: about 5 µs a call with
    1,000 callers on 100 connections. Here a waiter costs a dictionary entry, and the one
    timer is armed for the earliest deadline. When it fires it fails every waiter whose
    deadline has come and is armed again for the nearest one left; a later deadline than
    the armed one (the usual case: one timeout, callers in order) only adds its entry.
    """

    def __init__(self) -> None:
        self.items: dict[asyncio.Future[None], float] = {}
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop the timer is on
        self._timer: asyncio.TimerHandle | None = None
        self._at = math.inf  # when it fires

    def watch(self, loop: asyncio.AbstractEventLoop, granted: asyncio.Future[None], deadline: float) -> None:
        self.items[granted] = deadline
        if deadline < self._at or loop is not self._loop:
            self._arm(loop, deadline)

    def _arm(self, loop: asyncio.AbstractEventLoop, when: float) -> None:
        if self._timer is not None and loop is self._loop:
            self._timer.cancel()
        # A timer left on an earlier loop (a client reused across asyncio.run() calls)
        # is not touched: that loop may be closed, and _fire() ignores it.
        self._loop, self._at = loop, when
        self._timer = loop.call_at(when, self._fire, loop)

    def _fire(self, loop: asyncio.AbstractEventLoop) -> None:
        if loop is not self._loop:
            return
        # The armed time counts as reached, whatever the grain of the loop's clock (uvloop's
        # is a millisecond), so a timer that fires a hair early cannot spin.
        reached = max(loop.time(), self._at)
        self._timer, self._at = None, math.inf
        nearest = math.inf
        for granted, deadline in list(self.items.items()):
            if granted.get_loop() is not loop:
                continue
            if deadline <= reached:
                del self.items[granted]
                if not granted.done():
                    granted.set_exception(DeadlineExceeded(_SLOT_OVERDUE))
            elif deadline < nearest:
                nearest = deadline
        if nearest != math.inf:
            self._arm(loop, nearest)

    def stop(self) -> None:
        """Disarm the timer (the pool is closing)."""
        if self._timer is not None:
            with contextlib.suppress(Exception):  # its loop may be closed already
                self._timer.cancel()
        self._loop, self._timer, self._at = None, None, math.inf


class Pool:
    """Keep-alive connections per origin, at most ``max_connections`` in use at once."""

    def __init__(
        self,
        *,
        max_connections: int = MAX_CONNECTIONS,
        keepalive_expiry: float = KEEPALIVE_EXPIRY,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
    ) -> None:
        self.max_connections = max_connections
        self.max_response_size = max_response_size
        self.keepalive_expiry = keepalive_expiry
        self._idle: dict[_Origin, list[_Connection]] = {}
        #: Deadlines on trio: exchanges under way and callers waiting for a slot.
        self._watch = _TrioWatch()
        self._slots = _Slots(max_connections, self._watch)
        self._busy: set[_Connection] = set()
        #: Cancel scopes of waits under way (connecting; exchanges off asyncio): aclose ends them.
        self._scopes: set[anyio.CancelScope] = set()
        self._closed = False

    #: Every wait of a call ends by its deadline, and ``aclose()`` ends calls under way.
    keeps_deadlines = True

    @property
    def is_closed(self) -> bool:
        return self._closed

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        content: bytes | None,
        deadline: float = math.inf,
    ) -> Reply:
        if self._closed:
            raise httpx.ConnectError(_CLOSED)
        parts = urlsplit(url)
        found = _origin_of(parts.scheme, parts.netloc)
        if found is None:
            raise httpx.UnsupportedProtocol(f"cannot send to {url!r}")
        origin, host_header = found
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if not target.isascii() or " " in target:
            target = quote(target, safe=_TARGET_SAFE)  # e.g. a base_url with a space or an accent
        length = len(content) if content is not None else (0 if method in ("POST", "PUT", "PATCH") else None)
        request = _encode_head(method, target, host_header, headers, length)
        if content:
            request += content
        return await self.roundtrip(origin, request, deadline=deadline)

    async def roundtrip(
        self, origin: _Origin, request: bytes, *, decode: bool = True, deadline: float = math.inf
    ) -> Reply:
        """Send an encoded request to ``origin`` (scheme, host, port) and read its answer.

        Every wait ends by ``deadline`` (``anyio.current_time()``'s clock) with
        ``DeadlineExceeded``; the request is not sent if it passed while waiting for a
        slot or a connection.
        """
        if self._closed:
            raise httpx.ConnectError(_CLOSED)
        await self._slots.acquire(deadline)
        try:
            connection = await self._take(origin) or await self._connect(origin, deadline)
            done = False
            self._busy.add(connection)
            try:
                if self.is_closed:  # closed while this call was connecting: send nothing
                    raise httpx.ConnectError(_CLOSED)
                stream = connection.stream
                if stream.keeps_deadlines:
                    reply, reusable = await connection.exchange(request, decode=decode, deadline=deadline)
                elif stream.expirable and deadline != math.inf:
                    # On trio, the deadline is kept by the pool's watchdog task (_TrioWatch): at
                    # the deadline it closes the socket, which wakes the exchange with an error
                    # raised here as DeadlineExceeded. Inline: a frame fewer held per call.
                    self._watch.watch(connection, deadline)
                    try:
                        reply, reusable = await connection.exchange(request, decode=decode)
                    except Exception as exc:
                        if connection.expired:
                            raise DeadlineExceeded(_OVERDUE_IN_FLIGHT) from exc
                        raise
                    finally:
                        self._watch.unwatch(connection)
                    reusable = reusable and not connection.expired
                else:
                    reply, reusable = await self._exchange_in_scope(connection, request, decode, deadline)
                done = True
            except Exception as exc:
                if self.is_closed and not isinstance(exc, httpx.ConnectError):
                    raise httpx.ReadError(_CLOSED + " while this call was in flight") from exc
                raise
            finally:
                self._busy.discard(connection)
                if done and reusable and not self.is_closed:
                    connection.idle_since = time.monotonic()
                    self._idle.setdefault(origin, []).append(connection)
                else:
                    await connection.stream.aclose()
        finally:
            self._slots.release()
        return reply

    async def _take(self, origin: _Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if now - connection.idle_since < self.keepalive_expiry and not connection.looks_dead():
                return connection
            await connection.stream.aclose()
        return None

    async def _exchange_in_scope(
        self, connection: _Connection, request: bytes, decode: bool, deadline: float
    ) -> tuple[Reply, bool]:
        with anyio.CancelScope(deadline=deadline) as scope:
            self._scopes.add(scope)
            try:
                return await connection.exchange(request, decode=decode)
            finally:
                self._scopes.discard(scope)
        # Reached only when the scope was cancelled: by aclose() or by the deadline.
        if self._closed:
            raise httpx.ReadError(_CLOSED + " while this call was in flight")
        raise DeadlineExceeded(_OVERDUE_IN_FLIGHT)

    async def _connect(self, origin: _Origin, deadline: float = math.inf) -> _Connection:
        scheme, host, port = origin
        context = shared_ssl_context() if scheme == "https" else None
        with anyio.CancelScope(deadline=deadline) as scope:
            self._scopes.add(scope)
            try:
                return _Connection(await connect(host, port, context), self.max_response_size)
            except (OSError, anyio.BrokenResourceError, asyncio.TimeoutError) as exc:
                raise httpx.ConnectError(f"cannot connect to {host}:{port}: {exc}") from exc
            finally:
                self._scopes.discard(scope)
        # Reached only when the scope was cancelled: nothing was sent.
        if self._closed:
            raise httpx.ConnectError(_CLOSED)
        raise DeadlineExceeded(f"the call's deadline passed while connecting to {host}:{port}")

    async def aclose(self) -> None:
        """Close every connection now: calls in flight fail with ``httpx.ReadError``,
        calls waiting for a connection with ``httpx.ConnectError``; nothing more is sent."""
        self._closed = True
        self._slots.close()
        for scope in self._scopes:
            scope.cancel()
        self._watch.cancel()
        idle, self._idle = self._idle, {}
        doomed = [c for connections in idle.values() for c in connections] + list(self._busy)
        for connection in doomed:
            await connection.stream.aclose()


__all__ = ["KEEPALIVE_EXPIRY", "MAX_CONNECTIONS", "Pool", "Reply", "shared_ssl_context"]
