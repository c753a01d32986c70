"""Fixtures for the emulator's tests: a fresh ``FakeStytch`` and a strict client wired to it.

``stytch`` here shadows the recorded-wire client of ``tests/conftest.py``: in
this folder every call goes to the emulator, and every answer is decoded with
the strict converter, so a field the emulator adds that the models do not know
(or a required field it forgets) fails the test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from stytch_async import AsyncStytch
from stytch_async.testing import FakeStytch
from tests.support.emulator import strict


@pytest.fixture
async def fake() -> AsyncIterator[FakeStytch]:
    async with FakeStytch() as emulator:
        yield emulator


@pytest.fixture
async def stytch(fake: FakeStytch) -> AsyncIterator[AsyncStytch]:
    async with strict(fake.client()) as client:
        yield client
