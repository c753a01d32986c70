"""What pausing the garbage collector saves when decoding a big body (a 100-user page).

    python benchmarks/decode_gc.py [--number 100] [--rounds 11]

Both sides parse and structure the same ``users.search`` page the main benchmark's
fake server answers with, through ``parse_response`` (what every call does). One side
keeps the collector on throughout, as every body under ``GC_PAUSE_BYTES`` is decoded;
the other is the path big bodies take, with the collector paused. The rounds
alternate which side goes first; the figures are medians of CPU time per decode, and
the last result is kept alive while the next is built, as a caller holding a page
would. The whole client is imported first, so the collector has a realistic heap to
walk when it runs.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from payloads import search_payload

import stytch_async  # noqa: F401  (the whole client's objects, as in an app)
from stytch_async._core import response as decoding
from stytch_async._core.converter import CONVERTER
from stytch_async._wire.base import Response
from stytch_async.consumer.types.users import SearchResponse


class _Reply:
    """The least a finished response needs for ``parse_response``."""

    def __init__(self, content: bytes) -> None:
        self.status_code = 200
        self.content = content
        self.headers: dict[str, str] = {}


def main(number: int, rounds: int) -> None:
    body = orjson.dumps(search_payload())
    reply: Response = _Reply(body)
    assert len(body) >= decoding.GC_PAUSE_BYTES

    def paused() -> object:
        return decoding.parse_response(reply, SearchResponse, CONVERTER)

    def collector_on() -> object:
        limit, decoding.GC_PAUSE_BYTES = decoding.GC_PAUSE_BYTES, len(body) + 1
        try:
            return decoding.parse_response(reply, SearchResponse, CONVERTER)
        finally:
            decoding.GC_PAUSE_BYTES = limit

    sides: dict[str, Callable[[], object]] = {"collector on": collector_on, "collector paused": paused}
    times: dict[str, list[float]] = {name: [] for name in sides}
    kept: object = None
    for r in range(rounds):
        for name in sides if r % 2 else reversed(list(sides)):
            fn = sides[name]
            started = time.process_time()
            for _ in range(number):
                kept = fn()
            times[name].append((time.process_time() - started) / number)
    del kept
    on, off = (statistics.median(times[name]) * 1e6 for name in sides)
    print(f"users.search page: {len(body)} bytes, {len(gc.get_objects())} objects tracked")
    print(f"collector on:      {on:8.0f} us CPU per decode")
    print(f"collector paused:  {off:8.0f} us CPU per decode ({off / on:.2f}x)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n", 1)[0])
    parser.add_argument("--number", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=11)
    args = parser.parse_args()
    main(args.number, args.rounds)
