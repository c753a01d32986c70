"""The fault suite, fast version: every scenario against the own pool, on asyncio and trio.

Long runs (20,000 calls, bigger storms) and the side-by-side report with an injected
httpx client live in ``nox -s reliability`` (``benchmarks/reliability.py``).
"""

from __future__ import annotations

import pytest

from tests.support.faults import DEADLINE, SCENARIOS, Scenario, close_under_load, load, run, storm

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
async def test_scenario(scenario: Scenario) -> None:
    outcome = await run(scenario, "pool")
    assert (outcome.error, outcome.seen) == (scenario.expect, scenario.expect_seen), outcome.detail
    assert outcome.elapsed < DEADLINE + 0.5  # every call ends by its deadline
    assert outcome.next_ok or scenario.refused  # the client is still usable
    assert outcome.leaked == 0
    assert not outcome.secret_shown


async def test_cancellation_storm() -> None:
    result = await storm("pool", in_flight=150, rounds=2)
    assert result["cancelled"] > 0, result
    assert result["completed"] > 0, result
    assert result["next_ok"], result
    assert result["leaked"] == 0, result


async def test_close_under_load() -> None:
    result = await close_under_load("pool", in_flight=120)
    assert result["ended_in"] < 1
    assert result["errors"] == ["HttpError"]
    assert result["sent_after"] == 0


async def test_load_stays_within_the_connection_limit() -> None:
    result = await load("pool", calls=2000, in_flight=200)
    assert result["calls"] == 2000
    assert result["peak_connections"] <= 100
