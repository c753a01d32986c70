"""The ``stytch_fake`` fixture, as a user meets it: a test file with no conftest, run by pytest."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

USER_TESTS = """
import socket

import httpx
import pytest

from stytch_async.testing import FakeStytch

pytestmark = pytest.mark.anyio
OPENED = []


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request):
    return request.param


async def test_a_login(stytch_fake: FakeStytch) -> None:
    async with stytch_fake.client() as stytch:
        sent = await stytch.magic_links.email.login_or_create("ada@example.com")
        token = stytch_fake.outbox.last(email="ada@example.com").token
        auth = await stytch.magic_links.authenticate(token, session_duration_minutes=60)
        local = await stytch.sessions.authenticate_jwt_local(auth.session_jwt)
    assert local.user_id == sent.user_id


async def test_each_test_gets_a_fresh_emulator(stytch_fake: FakeStytch) -> None:
    assert stytch_fake.requests == []
    assert len(stytch_fake.outbox) == 0


async def test_retries_do_not_sleep(stytch_fake: FakeStytch) -> None:
    stytch_fake.fail_next("/v1/users", status=503, times=2)
    async with stytch_fake.client() as stytch:
        await stytch.users.create(email="ada@example.com")
    assert [r.status for r in stytch_fake.requests] == [503, 503, 200]


def test_a_sync_test_and_a_server_left_open(stytch_fake: FakeStytch) -> None:
    with httpx.Client(transport=stytch_fake.transport(), base_url="https://test.stytch.com") as http:
        assert http.get(f"/v1/sessions/jwks/{stytch_fake.project_id}").status_code == 200
    server = stytch_fake.serve()
    OPENED.append(server.port)
    socket.create_connection(("127.0.0.1", server.port), timeout=5).close()


def test_the_server_was_closed_at_teardown() -> None:
    (port,) = OPENED
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
"""


def test_the_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    found = {e.name: e.value for e in entry_points(group="pytest11")}
    assert found["stytch_async"] == "stytch_async.testing.pytest_plugin"


def test_a_user_test_file_runs_on_asyncio_and_trio_with_no_conftest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    # A separate process, so the fixture comes from the installed entry point alone.
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error", "-v")
    result.assert_outcomes(passed=8)
    result.stdout.fnmatch_lines(["*test_a_login?asyncio? PASSED*", "*test_a_login?trio? PASSED*"])


def test_the_plugin_can_be_switched_off(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user="def test_it(stytch_fake):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:stytch_async")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'stytch_fake' not found*"])
