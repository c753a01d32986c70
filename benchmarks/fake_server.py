"""A fast fake Stytch API for the benchmarks: canned answers over HTTP/1.1 keep-alive.

It listens on 127.0.0.1 only, prints its port on the first line of stdout, and stops by
itself after ``--max-seconds`` seconds, after ``--max-requests`` requests, or once it has
been idle for ``--idle-seconds``. The answers are prepared bytes, so the server spends
a few microseconds per request and the client under test is what gets measured.

Routes:

* ``POST /v1/sessions/authenticate``: the session fixture, or a 404 ``session_not_found``
  when the body names the token ``missing``;
* ``POST /v1/users/search``: a page of 100 users (about 110 KB);
* ``GET /v1/sessions/jwks/<project>`` and ``/v1/b2b/sessions/jwks/<project>``: the key set in
  ``--jwks`` (for local JWT checks, consumer and B2B);
* anything else: 404 ``not_found``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from pathlib import Path

from payloads import auth_payload, not_found_payload, search_payload

_REASONS = {200: b"OK", 404: b"Not Found"}


def _answer(status: int, body: bytes, *, close: bool = False) -> bytes:
    head = (
        b"HTTP/1.1 %d %s\r\n"
        b"Content-Type: application/json\r\n"
        b"Content-Length: %d\r\n"
        b"Request-Id: request-id-bench\r\n" % (status, _REASONS[status], len(body))
    )
    if close:
        head += b"Connection: close\r\n"
    return head + b"\r\n" + body


class Answers:
    def __init__(self, jwks: bytes) -> None:
        self.auth = _answer(200, json.dumps(auth_payload(), separators=(",", ":")).encode())
        self.session_missing = _answer(
            404, json.dumps(not_found_payload("session_not_found"), separators=(",", ":")).encode()
        )
        self.search = _answer(200, json.dumps(search_payload(), separators=(",", ":")).encode())
        self.not_found = _answer(
            404, json.dumps(not_found_payload("not_found"), separators=(",", ":")).encode()
        )
        self.jwks_body = jwks

    def pick(self, method: bytes, path: bytes, body: bytes, close: bool) -> bytes:
        if method == b"POST" and path == b"/v1/sessions/authenticate":
            return self.session_missing if b"missing" in body else self.auth
        if method == b"POST" and path == b"/v1/users/search":
            return self.search
        if method == b"GET" and path.startswith((b"/v1/sessions/jwks/", b"/v1/b2b/sessions/jwks/")):
            return _answer(200, self.jwks_body, close=close)
        return self.not_found


class Budget:
    def __init__(self, max_requests: int, max_seconds: float, idle_seconds: float) -> None:
        self.left = max_requests
        self.until = time.monotonic() + max_seconds
        self.idle_seconds = idle_seconds
        self.last = time.monotonic()
        self.done = asyncio.Event()

    def spend(self) -> bool:
        self.left -= 1
        self.last = time.monotonic()
        if self.left <= 0:
            self.done.set()
            return False
        return True


class HttpProtocol(asyncio.Protocol):
    def __init__(self, answers: Answers, budget: Budget) -> None:
        self.answers = answers
        self.budget = budget
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        assert self.transport is not None
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end]
            lines = head.split(b"\r\n")
            method, path, _ = lines[0].split(b" ", 2)
            length = 0
            close = False
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
            total = end + 4 + length
            if len(self.buffer) < total:
                return
            body = self.buffer[end + 4 : total]
            self.buffer = self.buffer[total:]
            path = path.split(b"?", 1)[0]
            self.transport.write(self.answers.pick(method, path, body, close))
            if not self.budget.spend() or close:
                self.transport.close()
                return


async def serve(args: argparse.Namespace, answers: Answers) -> None:
    budget = Budget(args.max_requests, args.max_seconds, args.idle_seconds)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: HttpProtocol(answers, budget), "127.0.0.1", args.port, backlog=1024
    )
    port = server.sockets[0].getsockname()[1]
    print(port, flush=True)
    async with server:
        while not budget.done.is_set():
            now = time.monotonic()
            if now >= budget.until or now - budget.last >= budget.idle_seconds:
                break
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(budget.done.wait(), timeout=1.0)
    print("fake server stopped", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--jwks", default="")
    parser.add_argument("--max-requests", type=int, default=20_000_000)
    parser.add_argument("--max-seconds", type=float, default=3600.0)
    parser.add_argument("--idle-seconds", type=float, default=120.0)
    args = parser.parse_args()
    answers = Answers(Path(args.jwks).read_bytes() if args.jwks else b'{"keys":[]}')
    asyncio.run(serve(args, answers))


if __name__ == "__main__":
    main()
