"""The key set cache: single flight, cooldown, stale-if-error, background refresh, lifecycle."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest
import sniffio

from stytch_async import AsyncStytch
from stytch_async._local.jwks import parse_key_set
from stytch_async.errors import DecodeError, JwksUnavailableError, JwtInvalidError, UsageError
from tests.support.recorded import PROJECT_ID
from tests.support.tokens import (
    APIS,
    JWKS_PATH,
    Api,
    FakeStytch,
    make_client,
    session_claims,
    signer,
    unsigned,
    wait_until,
)

pytestmark = pytest.mark.anyio

KEY = signer("jwk-test-primary")
NEXT = signer("jwk-test-next")


def refresh_tasks() -> list[str]:
    """Names of the library's background tasks alive right now, on either backend."""
    if sniffio.current_async_library() == "asyncio":
        names = [t.get_name() for t in asyncio.all_tasks()]
    else:
        import trio

        names = []
        stack = [trio.lowlevel.current_root_task()]
        while stack:
            task = stack.pop()
            names.append(task.name)
            for nursery in task.child_nurseries:
                stack.extend(nursery.child_tasks)
    return [n for n in names if n.startswith("stytch_async")]


def garbage(i: int, claims: Callable[[], dict[str, Any]] = session_claims) -> str:
    return unsigned({"alg": "RS256", "kid": f"jwk-garbage-{i}"}, claims(), b"not a signature")


# -- single flight and cooldown -------------------------------------------------------


@pytest.mark.parametrize("api", APIS)
async def test_rotation_makes_one_refresh_for_a_hundred_concurrent_checks(api: Api) -> None:
    fake = api.fake(KEY)
    fake.delay = 0.02  # keep the refresh in flight while the others arrive
    client, http = api.make(fake, jwks_cooldown=0.05)
    async with http, client:
        await client.sessions.authenticate_jwt_local(KEY.mint(api.claims()))
        assert fake.hits[fake.jwks_path] == 1
        fake.signers = [KEY, NEXT]  # Stytch starts signing with a new key
        await anyio.sleep(0.06)  # the last fetch is older than the cooldown
        token = NEXT.mint(api.claims())
        sessions: list[object] = []

        async def check() -> None:
            sessions.append(await client.sessions.authenticate_jwt_local(token))

        async with anyio.create_task_group() as tg:
            for _ in range(100):
                tg.start_soon(check)
    assert len(sessions) == 100
    assert all(s == sessions[0] for s in sessions)
    assert fake.hits == {fake.jwks_path: 2}


async def test_first_use_by_many_concurrent_checks_fetches_once() -> None:
    fake = FakeStytch(KEY)
    fake.delay = 0.02
    client, http = make_client(fake)
    token = KEY.mint(session_claims())
    async with http, client, anyio.create_task_group() as tg:
        for _ in range(50):
            tg.start_soon(client.sessions.authenticate_jwt_local, token)
    assert fake.hits == {JWKS_PATH: 1}


@pytest.mark.parametrize("api", APIS)
async def test_cooldown_holds_for_garbage_kids(api: Api) -> None:
    fake = api.fake(KEY)
    client, http = api.make(fake, jwks_cooldown=30)
    async with http, client:
        for i in range(50):
            with pytest.raises(JwtInvalidError) as caught:
                await client.sessions.authenticate_jwt_local(garbage(i, api.claims))
            assert caught.value.reason == "unknown_key"

        async def concurrent(i: int) -> None:
            with pytest.raises(JwtInvalidError):
                await client.sessions.authenticate_jwt_local(garbage(i, api.claims))

        async with anyio.create_task_group() as tg:
            for i in range(50, 100):
                tg.start_soon(concurrent, i)
    # The first garbage token fetched the set; the other 99 were refused from it.
    assert fake.hits == {fake.jwks_path: 1}


async def test_an_unknown_kid_refreshes_again_once_the_cooldown_has_passed() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake, jwks_cooldown=0.3)
    async with http, client:
        for i in range(3):
            with pytest.raises(JwtInvalidError):
                await client.sessions.authenticate_jwt_local(garbage(i))
        assert fake.hits[JWKS_PATH] == 1
        await anyio.sleep(0.35)
        for i in range(3):
            with pytest.raises(JwtInvalidError):
                await client.sessions.authenticate_jwt_local(garbage(i))
    assert fake.hits[JWKS_PATH] == 2


# -- stale if error ---------------------------------------------------------------------


@pytest.mark.parametrize("api", APIS)
async def test_outage_keeps_known_keys_and_logs_once(caplog: pytest.LogCaptureFixture, api: Api) -> None:
    caplog.set_level(logging.DEBUG, logger="stytch_async")
    fake = api.fake(KEY)
    client, http = api.make(fake, jwks_cooldown=0)
    token = KEY.mint(api.claims())
    async with http, client:
        known = await client.sessions.authenticate_jwt_local(token)
        fake.jwks_status = 503
        for i in range(4):
            # Each unknown kid tries a refresh (no cooldown here) and fails...
            with pytest.raises(JwtInvalidError) as caught:
                await client.sessions.authenticate_jwt_local(garbage(i, api.claims))
            assert caught.value.reason == "unknown_key"
            # ...while tokens signed by the known key keep verifying.
            assert await client.sessions.authenticate_jwt_local(token) == known
        assert fake.hits[fake.jwks_path] == 5
        fake.jwks_status = 200
        with pytest.raises(JwtInvalidError):
            await client.sessions.authenticate_jwt_local(garbage(9, api.claims))
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "keeping the last good copy" in warnings[0].getMessage()
    assert "503" in warnings[0].getMessage()
    recovered = [r for r in caplog.records if r.levelno == logging.INFO]
    assert [r.getMessage() for r in recovered] == ["JWKS: fetched again after 4 failed attempts"]
    assert all("secret" not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("api", APIS)
async def test_never_a_good_set_is_unavailable_and_rate_limited(api: Api) -> None:
    fake = api.fake(KEY)
    fake.jwks_status = 500
    client, http = api.make(fake)
    token = KEY.mint(api.claims())
    async with http, client:
        for _ in range(5):
            with pytest.raises(JwksUnavailableError):
                await client.sessions.authenticate_jwt_local(token)
    assert fake.hits == {fake.jwks_path: 1}


async def test_unusable_keys_are_skipped() -> None:
    fake = FakeStytch(KEY)
    fake.extra_keys = [
        {"kty": "AKP", "kid": "jwk-test-pq", "alg": "ML-DSA-44", "pub": "AAAA"},
        {"kty": "RSA", "kid": "jwk-test-broken", "e": "AQAB"},
        {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
        "not an object",
    ]
    client, http = make_client(fake)
    async with http, client:
        session = await client.sessions.authenticate_jwt_local(KEY.mint(session_claims()))
    assert session.user_id
    assert set(client._local.jwks.refresher.value or {}) == {KEY.kid}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"keys": []}, "no usable key"),
        ({"keys": [{"kty": "AKP", "kid": "k"}]}, "no usable key"),
        ({"nope": 1}, "no 'keys' list"),
        ([], "no 'keys' list"),
    ],
)
def test_parse_key_set_refuses_sets_without_a_usable_key(document: Any, message: str) -> None:
    with pytest.raises(DecodeError, match=message):
        parse_key_set(document)


async def test_a_key_set_that_is_not_json_is_unavailable() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>maintenance</html>")

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = AsyncStytch(PROJECT_ID, "s", http_client=http)
        with pytest.raises(JwksUnavailableError) as caught:
            await client.sessions.authenticate_jwt_local(KEY.mint(session_claims()))
        await client.aclose()
    assert isinstance(caught.value.__cause__, DecodeError)


# -- background refresh and lifecycle -------------------------------------------------


async def test_background_refresh_runs_inside_the_block_and_stops_at_exit() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake, jwks_refresh_interval=0.03)
    async with http:
        async with client:
            assert sorted(refresh_tasks()) == [
                "stytch_async refresh JWKS",
                "stytch_async refresh RBAC policy",
            ]
            await anyio.sleep(0.1)
            assert fake.hits == {}  # nothing fetched until a token is checked
            await client.sessions.authenticate_jwt_local(KEY.mint(session_claims()))
            await wait_until(lambda: fake.hits[JWKS_PATH] >= 4)
        fetched = fake.hits[JWKS_PATH]
        assert refresh_tasks() == []
        assert client._local.running == 0
        await anyio.sleep(0.1)
    assert fake.hits[JWKS_PATH] == fetched


async def test_background_failures_keep_keys_and_log_once(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake, jwks_refresh_interval=0.02, jwks_cooldown=0.02)
    token = KEY.mint(session_claims())
    async with http, client:
        await client.sessions.authenticate_jwt_local(token)
        fake.jwks_status = 500
        await wait_until(lambda: fake.hits[JWKS_PATH] >= 5)
        assert (await client.sessions.authenticate_jwt_local(token)).user_id
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1


async def test_a_crash_in_the_background_never_reaches_the_block(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake, jwks_refresh_interval=0.02, jwks_cooldown=0.02)
    token = KEY.mint(session_claims())
    async with http, client:
        await client.sessions.authenticate_jwt_local(token)
        fake.signers = []
        fake.extra_keys = [object()]  # the stand-in itself blows up while encoding
        await wait_until(lambda: any("crashed" in r.getMessage() for r in caplog.records))
        assert (await client.sessions.authenticate_jwt_local(token)).user_id
    assert refresh_tasks() == []


async def test_without_async_with_the_cache_works_on_demand() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake, jwks_refresh_interval=0.3)
    token = KEY.mint(session_claims())
    async with http:
        await client.sessions.authenticate_jwt_local(token)
        await client.sessions.authenticate_jwt_local(token)
        assert refresh_tasks() == []
        assert fake.hits == {JWKS_PATH: 1}
        await anyio.sleep(0.35)  # older than the interval: refreshed on the next use
        await client.sessions.authenticate_jwt_local(token)
        assert fake.hits == {JWKS_PATH: 2}
        await client.aclose()


async def test_preload_fetches_on_entry() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake, preload_jwks=True)
    async with http, client:
        assert fake.hits == {JWKS_PATH: 1}
        await client.sessions.authenticate_jwt_local(KEY.mint(session_claims()))
    assert fake.hits == {JWKS_PATH: 1}


async def test_failed_preload_fails_the_entry_and_closes_the_client() -> None:
    fake = FakeStytch(KEY)
    fake.jwks_status = 503
    client, http = make_client(fake, preload_jwks=True)
    async with http:
        with pytest.raises(JwksUnavailableError, match="could not preload"):
            async with client:
                pytest.fail("the block must not run")
    assert client.closed
    assert refresh_tasks() == []


async def test_exit_by_exception_or_cancellation_leaves_no_task() -> None:
    fake = FakeStytch(KEY)
    async with httpx.AsyncClient(transport=httpx.MockTransport(fake)) as http:
        client = AsyncStytch(PROJECT_ID, "s", http_client=http)
        with pytest.raises(LookupError):
            async with client:
                raise LookupError("boom")
        assert refresh_tasks() == []

        client = AsyncStytch(PROJECT_ID, "s", http_client=http)
        with anyio.move_on_after(0.05) as scope:
            async with client:
                await anyio.sleep(10)
        assert scope.cancelled_caught
        assert client.closed
        assert refresh_tasks() == []


async def test_aclose_inside_the_block_stops_the_tasks_but_not_the_caller() -> None:
    fake = FakeStytch(KEY)
    client, http = make_client(fake)
    reached = False
    async with http, client:
        await client.aclose()
        await anyio.sleep(0.01)  # a checkpoint: the caller is not cancelled
        assert refresh_tasks() == []
        reached = True
    assert reached


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"jwks_refresh_interval": 0}, "jwks_refresh_interval"),
        ({"jwks_refresh_interval": float("inf")}, "jwks_refresh_interval"),
        ({"jwks_cooldown": -1}, "jwks_cooldown"),
        ({"jwks_cooldown": "30"}, "jwks_cooldown"),
        ({"jwks_cooldown": True}, "jwks_cooldown"),
    ],
)
def test_option_values_are_checked(options: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        AsyncStytch(PROJECT_ID, "s", **options)


def test_defaults_are_documented_values() -> None:
    client = AsyncStytch(PROJECT_ID, "s")
    state = client._local.jwks.refresher
    assert (state.interval, state.cooldown) == (600.0, 30.0)
    assert client._local.policy.refresher.interval == 300.0
    assert client._local.jwks.path == f"/v1/sessions/jwks/{PROJECT_ID}"
    assert not client._local.preload_jwks


async def test_a_cancelled_fetch_does_not_start_a_cooldown() -> None:
    fake = FakeStytch(KEY)
    fake.delay = 1.0
    client, http = make_client(fake, jwks_cooldown=30)
    token = KEY.mint(session_claims())
    async with http, client:
        with anyio.move_on_after(0.05):
            await client.sessions.authenticate_jwt_local(token)
        assert fake.hits == {JWKS_PATH: 1}
        assert "fetches=1" in repr(client._local.jwks.refresher)
        fake.delay = 0
        # The abandoned attempt does not count: the next check fetches at once.
        assert (await client.sessions.authenticate_jwt_local(token)).user_id
    assert fake.hits == {JWKS_PATH: 2}
