"""``stytch_async.testing``'s public surface and the clients ``FakeStytch`` makes."""

from __future__ import annotations

import anyio
import pytest

from stytch_async.testing import FakeStytch
from tests.support.emulator import strict

pytestmark = pytest.mark.anyio


def test_the_testing_package_exports_a_sorted_all() -> None:
    import stytch_async.testing as testing

    assert testing.__all__ == sorted(testing.__all__)
    assert {name for name in dir(testing) if not name.startswith("_") and name[0].isupper()} <= set(
        testing.__all__
    )
    for name in testing.__all__:
        assert getattr(testing, name).__module__.startswith("stytch_async.testing")


async def test_clients_it_makes_retry_without_sleeping(fake: FakeStytch) -> None:
    # Ten 503s without Retry-After: with the default backoff (0.5 s doubling, capped at 8 s)
    # the retries alone would wait about half a minute on average.
    fake.fail_next("/v1/users", status=503, times=10)
    async with strict(fake.client(max_retries=10)) as stytch:
        with anyio.fail_after(5):
            created = await stytch.users.create(email="ada@example.com")
    assert [r.status for r in fake.requests] == [503] * 10 + [200]
    assert created.user_id.startswith("user-test-")


async def test_server_clients_retry_without_sleeping_too() -> None:
    with FakeStytch().serve() as server:
        server.fake.fail_next("*", status=503, times=10)
        async with strict(server.client(max_retries=10)) as stytch:
            with anyio.fail_after(5):
                await stytch.users.create(email="ada@example.com")
        assert [r.status for r in server.fake.requests] == [503] * 10 + [200]
