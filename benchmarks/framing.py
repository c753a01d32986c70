"""CPU cost of framing one answer: the pool's hand parser against an h11 cycle.

``python benchmarks/framing.py`` prints microseconds per request/answer cycle for a
4 KB JSON answer (headers as Stytch sends them), both parsers fed the same bytes in
one piece, with no socket involved. This is the figure behind the choice in
``stytch_async/_wire/framing.py``: parse by hand, refuse what h11 refuses.
"""

from __future__ import annotations

import argparse
import json
import timeit

import anyio
import h11

from stytch_async._wire.pool import _Connection, _encode_head

BODY = json.dumps({"request_id": "request-id-test-1", "pad": "x" * 4000}).encode()
ANSWER = (
    b"HTTP/1.1 200 OK\r\nDate: Sun, 29 Nov 2026 23:00:00 GMT\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\nConnection: keep-alive\r\nRequest-Id: request-id-test-1\r\n"
    b"Vary: Origin\r\nStrict-Transport-Security: max-age=31536000\r\n\r\n" % len(BODY)
) + BODY
HEADERS = {"Authorization": "Basic cHJvamVjdDpzZWNyZXQ=", "User-Agent": "stytch-async/bench"}


class _Canned:
    """A stream that answers every request with ``ANSWER`` at once."""

    async def send(self, data: bytes) -> None:
        pass

    async def receive(self) -> bytes:
        return ANSWER

    def dead(self) -> bool:
        return False

    async def aclose(self) -> None:
        pass


def pool_cycles(count: int) -> float:
    connection = _Connection(_Canned())
    request = _encode_head("GET", "/v1/users/u-1", "api.stytch.com", HEADERS, None)

    async def run() -> None:
        for _ in range(count):
            reply, _ = await connection.exchange(request)
            assert len(reply.content) == len(BODY)

    start = timeit.default_timer()
    anyio.run(run)
    return (timeit.default_timer() - start) / count


def h11_cycles(count: int) -> float:
    connection = h11.Connection(h11.CLIENT)
    headers = [("Host", "api.stytch.com"), *HEADERS.items()]
    start = timeit.default_timer()
    for _ in range(count):
        connection.send(h11.Request(method="GET", target="/v1/users/u-1", headers=headers))
        connection.send(h11.EndOfMessage())
        connection.receive_data(ANSWER)
        body = []
        while True:
            event = connection.next_event()
            if isinstance(event, h11.Data):
                body.append(event.data)
            elif isinstance(event, h11.EndOfMessage):
                break
        connection.start_next_cycle()
        assert len(b"".join(body)) == len(BODY)
    return (timeit.default_timer() - start) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    pool = min(pool_cycles(args.count) for _ in range(args.rounds))
    h11_cost = min(h11_cycles(args.count) for _ in range(args.rounds))
    print(f"answer of {len(ANSWER)} bytes, best of {args.rounds} rounds of {args.count}")
    print(f"pool hand parser: {pool * 1e6:6.1f} us per cycle")
    print(f"h11 cycle:        {h11_cost * 1e6:6.1f} us per cycle")


if __name__ == "__main__":
    main()
