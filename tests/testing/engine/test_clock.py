"""The emulator's clock."""

from __future__ import annotations

import pytest

from stytch_async.testing import FakeStytch

pytestmark = pytest.mark.anyio


def test_the_clock_advances_freezes_and_resumes() -> None:
    fake = FakeStytch()
    fake.clock.freeze(1_700_000_000)
    assert fake.clock.now() == 1_700_000_000
    fake.clock.advance(minutes=1, seconds=5)
    assert fake.clock.now() == 1_700_000_065
    assert fake.clock.frozen
    fake.clock.unfreeze()
    assert not fake.clock.frozen
    assert 1_700_000_065 <= fake.clock.now() < 1_700_000_075
    with pytest.raises(ValueError, match="aware"):
        fake.clock.freeze(__import__("datetime").datetime(2024, 1, 1))
