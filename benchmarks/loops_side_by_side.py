"""trio against asyncio for `sessions.authenticate`, in one process, blocks alternating.

    python benchmarks/loops_side_by_side.py [--callers 1000] [--calls 4000] [--blocks 8] [--gc-off]

The main benchmark runs each loop in its own interpreter, seconds apart, and this
host's speed changes within seconds; here the two loops take turns in one process
(a fresh client and event loop per block, 1,000 warm-up calls each), so a slow
stretch lands on both. Starts ``fake_server.py`` itself. Reported: client CPU
microseconds per call for each block, the medians, and the median of the paired
asyncio/trio ratios (1.0 means trio costs as much as asyncio); then, per loop, the
cyclic garbage collector's runs per 1,000 calls (generations 0/1/2) and the CPU
microseconds per call they took (part of the figure above). ``--gc-off`` turns the
collector off for the measured calls, to see each loop's cost without it.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import time
from pathlib import Path

import anyio

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from worker import StytchAsyncLib


class _GcClock:
    """Counts the collector's runs per generation and the CPU time they take."""

    def __init__(self) -> None:
        self.runs = [0, 0, 0]
        self.seconds = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.process_time()
        else:
            self.runs[info["generation"]] += 1
            self.seconds += time.process_time() - self._started


async def _block(url: str, callers: int, calls: int, gc_off: bool) -> tuple[float, _GcClock]:
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

    clock = _GcClock()
    try:
        await run(1000)
        if gc_off:
            gc.disable()
        gc.callbacks.append(clock)
        start = time.process_time()
        await run(calls)
        return (time.process_time() - start) * 1e6 / calls, clock
    finally:
        gc.enable()
        if clock in gc.callbacks:
            gc.callbacks.remove(clock)
        await lib.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callers", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=4000)
    parser.add_argument("--blocks", type=int, default=8)
    parser.add_argument("--gc-off", action="store_true", help="no cyclic garbage collection while measuring")
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
        clocks: dict[str, list[_GcClock]] = {"asyncio": [], "trio": []}
        for number in range(args.blocks):
            order = ["asyncio", "trio"] if number % 2 == 0 else ["trio", "asyncio"]
            for backend in order:
                cpu, clock = anyio.run(_block, url, args.callers, args.calls, args.gc_off, backend=backend)
                figures[backend].append(cpu)
                clocks[backend].append(clock)
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
    for backend, measured in clocks.items():
        runs = "/".join(
            f"{statistics.median(c.runs[g] for c in measured) * 1000 / args.calls:.1f}" for g in range(3)
        )
        cost = statistics.median(c.seconds * 1e6 / args.calls for c in measured)
        print(f"{backend:8} garbage collector: {runs} runs per 1,000 calls, {cost:.1f} µs per call")


if __name__ == "__main__":
    main()
