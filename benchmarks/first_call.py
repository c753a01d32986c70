"""Where the first call's blocking work goes: ``python benchmarks/first_call.py [asyncio|trio]``.

Runs in a fresh interpreter against a loopback server. A ticker task wakes every
millisecond and records the longest gap, i.e. the longest time the event loop was
blocked, while (1) ``async with AsyncStytch(...)`` is entered and (2) the first
``sessions.authenticate`` runs (the call most apps make first, and the one issue 14
measures); then the second call for comparison. Prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import anyio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.loopback import loopback
from tests.support.recorded import PROJECT_ID, SECRET, load_fixture

TOKEN = "session-token-bench"  # the loopback server answers any token with the fixture


async def main() -> dict[str, float]:
    from stytch_async import AsyncStytch

    gaps: list[float] = []
    done = anyio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await anyio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    def worst() -> float:
        value = max(gaps, default=0.0) * 1000
        gaps.clear()
        return value

    async with loopback() as server, anyio.create_task_group() as tg:
        for _ in range(2):
            server.reply(200, load_fixture("sessions.authenticate"))
        tg.start_soon(ticker)
        await anyio.sleep(0.05)
        worst()
        t0 = time.perf_counter()
        async with AsyncStytch(PROJECT_ID, SECRET, base_url=server.url) as client:
            enter_ms = (time.perf_counter() - t0) * 1000
            await anyio.sleep(0.01)  # let the ticker see the end of a blocked stretch
            enter_block = worst()
            t1 = time.perf_counter()
            await client.sessions.authenticate(session_token=TOKEN)
            first_ms = (time.perf_counter() - t1) * 1000
            await anyio.sleep(0.01)
            first_block = worst()
            t2 = time.perf_counter()
            await client.sessions.authenticate(session_token=TOKEN)
            second_ms = (time.perf_counter() - t2) * 1000
        done.set()
    return {
        "enter_ms": enter_ms,
        "enter_max_block_ms": enter_block,
        "first_call_ms": first_ms,
        "first_call_max_block_ms": first_block,
        "second_call_ms": second_ms,
    }


if __name__ == "__main__":
    backend = sys.argv[1] if len(sys.argv) > 1 else "asyncio"
    print(
        json.dumps(
            {"backend": backend, **{k: round(v, 1) for k, v in anyio.run(main, backend=backend).items()}}
        )
    )
