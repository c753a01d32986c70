"""Where the first call's blocking work goes: ``python benchmarks/first_call.py [asyncio|trio] [--url URL]``.

Runs in a fresh interpreter against ``fake_server.py`` in its own process (the one at
``--url``, else one it starts), as Stytch would be: a server on the same event loop
would add its own accept, parse and reply to the blocked time. A ticker task wakes every
millisecond and records the longest gap, i.e. the longest time the event loop was
blocked, while (1) ``async with AsyncStytch(...)`` is entered and (2) the first
``sessions.authenticate`` runs (the call most apps make first, and the one issue 14
measures); then the second call for comparison. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import anyio

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from payloads import PROJECT_ID, SECRET

TOKEN = "session-token-bench"  # the fake server answers any token but "missing..." with a session


async def main(url: str) -> dict[str, float]:
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

    async with anyio.create_task_group() as tg:
        tg.start_soon(ticker)
        await anyio.sleep(0.05)
        worst()
        t0 = time.perf_counter()
        async with AsyncStytch(PROJECT_ID, SECRET, base_url=url) as client:
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


def _run(backend: str, url: str) -> dict[str, float]:
    return anyio.run(main, url, backend=backend)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("backend", nargs="?", default="asyncio", choices=["asyncio", "trio"])
    parser.add_argument("--url", default="", help="a running fake_server.py (else one is started)")
    args = parser.parse_args()
    server = None
    url = args.url
    if not url:
        server = subprocess.Popen(
            [sys.executable, str(HERE / "fake_server.py"), "--max-seconds=120"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert server.stdout is not None
        url = f"http://127.0.0.1:{int(server.stdout.readline())}"
    try:
        figures = _run(args.backend, url)
    finally:
        if server is not None:
            server.terminate()
            server.wait()
    print(json.dumps({"backend": args.backend, **{k: round(v, 1) for k, v in figures.items()}}))
