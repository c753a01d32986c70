"""trio against asyncio for `sessions.authenticate`, in one process, blocks alternating.

    python benchmarks/loops_side_by_side.py [--callers 1000] [--calls 4000] [--blocks 8]

The main benchmark runs each loop in its own interpreter, seconds apart, and this
host's speed changes within seconds; here the two loops take turns in one process
(a fresh client and event loop per block, 1,000 warm-up calls each), so a slow
stretch lands on both. Starts ``fake_server.py`` itself. Reported: client CPU
microseconds per call for each block, the medians, and the median of the paired
asyncio/trio ratios (1.0 means trio costs as much as asyncio).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import anyio

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from worker import StytchAsyncLib


async def _block(url: str, callers: int, calls: int) -> float:
    lib = StytchAsyncLib(url, "")
    await lib.open()

    async def run(total: int) -> None:
        left = total

        async def caller() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                await lib.authenticate()

        async with anyio.create_task_group() as tg:
            for _ in range(callers):
                tg.start_soon(caller)

    try:
        await run(1000)
        start = time.process_time()
        await run(calls)
        return (time.process_time() - start) * 1e6 / calls
    finally:
        await lib.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callers", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=4000)
    parser.add_argument("--blocks", type=int, default=8)
    args = parser.parse_args()
    server = subprocess.Popen(
        [sys.executable, str(HERE / "fake_server.py"), "--max-seconds=1800"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{int(server.stdout.readline())}"
        figures: dict[str, list[float]] = {"asyncio": [], "trio": []}
        for number in range(args.blocks):
            order = ["asyncio", "trio"] if number % 2 == 0 else ["trio", "asyncio"]
            for backend in order:
                figures[backend].append(anyio.run(_block, url, args.callers, args.calls, backend=backend))
    finally:
        server.terminate()
        server.wait(10)
    for backend, values in figures.items():
        shown = ", ".join(f"{v:.0f}" for v in values)
        print(
            f"{backend:8} {args.callers} callers: {shown} µs per call; median {statistics.median(values):.0f}"
        )
    paired = statistics.median(a / t for a, t in zip(figures["asyncio"], figures["trio"], strict=True))
    print(f"asyncio/trio CPU per call, median of pairs: {paired:.2f}")


if __name__ == "__main__":
    main()
