"""The benchmark report's arithmetic: paired per-round ratios and the goal table.

The benchmarks themselves run in ``nox -s bench``; these tests only check how their
figures are combined, on made-up samples, so they never time anything.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def run() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop("bench_run", None)
    return module


def _samples(ours: list[float], official: list[float]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    return {
        "error": {
            "ours": [{"cpu_us": v, "p50_ms": 1.0} for v in ours],
            "official": [{"cpu_us": v, "p50_ms": 1.0} for v in official],
        }
    }


def test_paired_ratio_is_the_median_of_each_rounds_ratio(run: ModuleType) -> None:
    goal = run.Goal("error", "cpu_us", "ours", 0.5)
    # Round 2 ran on a slow stretch of the machine for both libraries.
    samples = _samples([100, 300, 110], [250, 600, 200])
    assert run._paired(samples, goal, goal.base()) == pytest.approx(0.5)  # ratios 0.4, 0.5, 0.55


def test_failed_rounds_are_left_out_of_the_pairs(run: ModuleType) -> None:
    goal = run.Goal("error", "cpu_us", "ours", 0.5)
    samples = _samples([100, 100], [400, 200])
    samples["error"]["official"][0] = {"failed": "exit"}
    assert run._paired(samples, goal, goal.base()) == pytest.approx(0.5)
    samples["error"]["ours"][1] = {"failed": "exit"}
    assert run._paired(samples, goal, goal.base()) is None


def test_goal_table_judges_on_the_paired_figure(run: ModuleType) -> None:
    samples = _samples([100, 300, 110], [250, 600, 200])
    results = {"error": {k: run._median(v) for k, v in samples["error"].items()}}
    machine = {"cpu": "test", "os": "test", "python": "3", "versions": "-"}
    table = run.report(results, machine, "cmd", samples)
    row = next(
        line for line in table.splitlines() if line.startswith("| error cpu_us (stytch_async (asyncio)")
    )
    # Paired: 0.50 (met, limit 0.5); of the medians: 110 / 250 = 0.44.
    assert row.split("|")[2:6] == [" 0.50 ", " 0.44 ", " ≤ 0.5 ", " yes "]
    samples["error"]["ours"][0] = {"cpu_us": 150.0}  # round 1's ratio becomes 0.6
    table = run.report(results, machine, "cmd", samples)
    row = next(
        line for line in table.splitlines() if line.startswith("| error cpu_us (stytch_async (asyncio)")
    )
    assert row.split("|")[2:6] == [" 0.55 ", " 0.44 ", " ≤ 0.5 ", " no "]
