"""The pytest plugin: a ``stytch_fake`` fixture, loaded through the ``pytest11`` entry point.

Installing ``stytch-async`` is enough; no conftest is needed::

    import pytest

    @pytest.mark.anyio
    async def test_login(stytch_fake):
        async with stytch_fake.client() as stytch:
            await stytch.magic_links.email.login_or_create("ada@example.com")
            token = stytch_fake.outbox.last(email="ada@example.com").token
            ...

The fixture is synchronous on purpose: building an emulator needs no event
loop, so the same fixture serves anyio's plugin on asyncio and trio,
pytest-asyncio, and plain synchronous tests (``stytch_fake.transport()`` also
drives a synchronous ``httpx.Client``). Disable it with ``-p no:stytch_async``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._fake import FakeStytch


@pytest.fixture
def stytch_fake() -> Iterator[FakeStytch]:
    """A fresh emulated Stytch project for one test; ``stytch_fake.client()`` gives a client for it.

    Clients it makes answer in process, read its clock for local token checks and
    retry without sleeping; ``stytch_fake.serve()`` starts a loopback server. Servers
    started from it and left open are closed when the test ends.
    """
    fake = FakeStytch()
    try:
        yield fake
    finally:
        fake.close_servers()
