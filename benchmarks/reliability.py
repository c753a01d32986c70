"""The fault suite at length, as a table: ``nox -s reliability`` (or ``python benchmarks/reliability.py``).

Runs every scenario of ``tests/support/faults.py`` through the client's own pool and
through an injected stock ``httpx.AsyncClient`` (the reference), on asyncio and trio,
then the cancellation storm, ``aclose()`` under load and a long load run, and prints
Markdown tables for ``docs/reliability.md``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.faults import SCENARIOS, Outcome, Scenario, close_under_load, load, run, storm

WIRES = ["pool", "httpx"]
BACKENDS = ["asyncio", "trio"]


def _cell(outcome: Outcome, scenario: Scenario) -> str:
    notes = [outcome.error, f"{outcome.elapsed:.2f}s", f"{outcome.seen} sent"]
    if not outcome.next_ok and not scenario.refused:  # with no server, no call can work
        notes.append("**next call fails**")
    if outcome.leaked:
        notes.append(f"**{outcome.leaked} sockets left**")
    if outcome.secret_shown:
        notes.append("**secret shown**")
    return ", ".join(notes)


def _row(cells: list[Any]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000, help="calls in the load run")
    parser.add_argument("--in-flight", type=int, default=200)
    parser.add_argument("--storm-rounds", type=int, default=4)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds after which the load run stops")
    args = parser.parse_args()

    columns = [f"{wire} ({backend})" for wire in WIRES for backend in BACKENDS]
    print(_row(["scenario", "expected (pool)", *columns]))
    print(_row(["---"] * (2 + len(columns))))
    for scenario in SCENARIOS:
        cells = [_cell(anyio.run(run, scenario, w, backend=b), scenario) for w in WIRES for b in BACKENDS]
        print(_row([scenario.name, f"{scenario.expect}, {scenario.expect_seen} sent", *cells]), flush=True)

    print()
    print(_row(["run", *columns]))
    print(_row(["---"] * (1 + len(columns))))
    runs: list[tuple[str, Any]] = [
        (
            f"cancellation storm (150 in flight x {args.storm_rounds})",
            lambda w: storm(w, rounds=args.storm_rounds),
        ),
        ("aclose() under load (100 waiting)", lambda w: close_under_load(w, 100)),
        (
            f"load: {args.calls} calls at {args.in_flight} in flight",
            lambda w: load(w, calls=args.calls, in_flight=args.in_flight, budget=args.budget),
        ),
    ]
    for title, make in runs:
        results = [anyio.run(make, w, backend=b) for w in WIRES for b in BACKENDS]
        cells = [", ".join(f"{k}={_fmt(v)}" for k, v in result.items()) for result in results]
        print(_row([title, *cells]), flush=True)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


if __name__ == "__main__":
    main()
