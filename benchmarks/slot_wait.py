"""What a wait for a free connection costs the pool, on asyncio and on trio.

    python benchmarks/slot_wait.py [--calls 20000] [--rounds 10] [--against CHECKOUT]

No sockets: tasks take a slot of the pool's limiter (``_Slots``, 100 slots), pass
one scheduler turn, and give it back, in a loop. With 100 tasks nobody waits;
with 1,000 every take waits in the queue, as in the benchmark's 1,000-caller
scenario. Each call carries a deadline a minute away (the pool's calls always
have one), so the cost of keeping waiters' deadlines is in the figure. Reported:
CPU microseconds per take-and-give-back, the minimum and the median of the rounds
(the minimum is the steadier figure on a shared machine). ``--against`` another
checkout measures its limiter in the same process, alternating round by round.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio

from stytch_async._wire.pool import _Slots


async def _round(limiter: Any, tasks: int, calls: int, backend: str) -> float:
    # The loop's own clock and scheduler turn: anyio's would cost more than the wait itself.
    if backend == "asyncio":
        import asyncio

        clock = asyncio.get_running_loop().time
        turn: Callable[[], Awaitable[None]] = functools.partial(asyncio.sleep, 0)
    else:
        import trio

        clock, turn = trio.current_time, trio.lowlevel.cancel_shielded_checkpoint
    slots = limiter(100)
    left = calls

    async def caller() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await slots.acquire(clock() + 60)
            await turn()
            slots.release()

    start = time.process_time()
    async with anyio.create_task_group() as tg:
        for _ in range(tasks):
            tg.start_soon(caller)
    return (time.process_time() - start) * 1e6 / calls


def _pool_of(checkout: str) -> Any:
    """Another checkout's ``pool.py``, loaded beside this one (its relative imports
    resolve to this checkout's modules, so it must be a version they still fit)."""
    path = Path(checkout) / "stytch_async" / "_wire" / "pool.py"
    spec = importlib.util.spec_from_file_location("stytch_async._wire._pool_against", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _measure(
    backend: str, calls: int, rounds: int, versions: dict[str, Any]
) -> dict[tuple[str, int], list[float]]:
    figures: dict[tuple[str, int], list[float]] = {(v, t): [] for v in versions for t in (100, 1000)}

    async def main() -> None:
        for limiter in versions.values():
            await _round(limiter, 1000, calls, backend)  # warm up
        for number in range(rounds):
            order = list(figures) if number % 2 == 0 else list(reversed(figures))
            for version, tasks in order:  # alternating, so a slow stretch hits both
                figures[version, tasks].append(await _round(versions[version], tasks, calls, backend))

    anyio.run(main, backend=backend)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--against", default="", help="another checkout whose pool to measure alongside")
    args = parser.parse_args()
    versions: dict[str, Any] = {"this": _Slots}
    if args.against:
        versions["against"] = _pool_of(args.against)._Slots
    for backend in ("asyncio", "trio"):
        for (version, tasks), values in _measure(backend, args.calls, args.rounds, versions).items():
            print(
                f"{backend:8} {version:8} {tasks:5} tasks on 100 slots: "
                f"min {min(values):6.2f} µs, median {statistics.median(values):6.2f} µs per wait"
            )


if __name__ == "__main__":
    main()
