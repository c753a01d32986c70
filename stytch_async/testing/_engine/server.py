"""A small HTTP/1.1 server on loopback that hands every request to the emulator.

Built on the standard library's threading HTTP server: one thread per
connection, keep-alive, and a clean stop that closes open connections too, so
nothing outlives :meth:`LoopbackServer.close`.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from .http import Answer, FakeRequest, FakeResponse

if TYPE_CHECKING:
    from typing_extensions import Self

_MAX_BODY = 1 << 20


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    # A client's pool opens up to 100 connections at once. With socketserver's backlog of 5
    # the kernel drops the handshakes past it, and those connects wait for a retransmission
    # (one second, then two, ...), which can outlast a call's timeout.
    request_queue_size = socket.SOMAXCONN

    def __init__(self, address: tuple[str, int], answer: Answer, log: bool) -> None:
        self.answer = answer
        self.log = log
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        conn, address = super().get_request()
        with self.connections_lock:
            self.connections.add(conn)
        return conn, address

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # the client went away mid-request: nothing to report
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        with self.connections_lock:
            open_now, self.connections = list(self.connections), set()
        for conn in open_now:
            with contextlib.suppress(OSError):  # already gone
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60  # an idle keep-alive connection is closed after a minute
    # Headers and body go out as separate writes; with Nagle on, each answer waited ~40 ms
    # for the client's delayed ACK (benchmarks/emulator.py: 44 ms per request before, 0.9 ms after).
    disable_nagle_algorithm = True
    server: _Server

    def _answer(self) -> None:
        length_header = self.headers.get("Content-Length") or "0"
        if not length_header.isdigit() or int(length_header) > _MAX_BODY:
            self._write(
                FakeResponse(400, {"error_type": "bad_request", "error_message": "bad Content-Length"})
            )
            return
        body = self.rfile.read(int(length_header)) if int(length_header) else b""
        parts = urlsplit(self.path)
        request = FakeRequest(
            method=self.command,
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        answer = self.server.answer(request)
        if answer.disconnect:
            self.close_connection = True  # drop it without a word, like a failed proxy
            return
        self._write(answer)

    def _write(self, answer: FakeResponse) -> None:
        content = answer.content()
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _answer

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")


class HttpServer:
    """A running emulator server: ``url``, and ``close()`` (or ``with``)."""

    def __init__(self, answer: Answer, host: str, port: int, *, log: bool = False) -> None:
        self._server = _Server((host, port), answer, log)
        bound = self._server.server_address[0]
        self.host: str = bound if isinstance(bound, str) else bytes(bound).decode()
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"stytch-emulator-{self.port}",
            daemon=True,
        )
        self._started = False
        self._closed = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={self.url!r})"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        if not self._started:
            self._started = True
            self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, drop open connections and wait for the server thread (at most 5 s)."""
        if self._closed:
            return
        self._closed = True
        if self._started:
            self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()
        if self._started:  # a server built but never started has no thread to wait for
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
