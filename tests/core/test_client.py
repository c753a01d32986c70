"""Construction, environments and the lifecycle state machine."""

from __future__ import annotations

import gc
import warnings

import httpx
import pytest

from stytch_async import AsyncStytch, UsageError
from tests.support.recorded import SECRET, Wire, load_fixture


@pytest.mark.parametrize(
    ("project_id", "expected"),
    [
        ("project-live-123", "https://api.stytch.com"),
        ("project-test-123", "https://test.stytch.com"),
    ],
)
def test_environment_from_project_id(project_id: str, expected: str) -> None:
    assert AsyncStytch(project_id, "s").base_url == expected


def test_unknown_project_prefix_needs_a_base_url() -> None:
    with pytest.raises(ValueError, match=r"project-foo-1.*base_url"):
        AsyncStytch("project-foo-1", "s")
    assert (
        AsyncStytch("project-foo-1", "s", base_url="https://auth.example.com").base_url
        == "https://auth.example.com"
    )


def test_environment_shortcut() -> None:
    assert AsyncStytch("anything", "s", environment="live").base_url == "https://api.stytch.com"
    with pytest.raises(UsageError, match="environment"):
        AsyncStytch("anything", "s", environment="staging")


@pytest.mark.parametrize(
    ("project_id", "secret", "match"),
    [
        ("", "s", "project_id must not be empty"),
        ("project-test-1", "  ", "secret must not be empty"),
        (None, "s", "project_id must be a string"),
        ("project-test-1", b"s", "secret must be a string"),
    ],
)
def test_bad_credentials(project_id: object, secret: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        AsyncStytch(project_id, secret)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"timeout": 0}, "timeout"),
        ({"timeout": "5"}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": True}, "max_retries"),
        ({"base_url": "ftp://x"}, "base_url"),
        ({"http_client": object()}, "http_client"),
    ],
)
def test_bad_options(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(UsageError, match=match):
        AsyncStytch("project-test-1", "s", **kwargs)  # type: ignore[arg-type]


def test_repr_leaves_the_secret_out() -> None:
    client = AsyncStytch("project-test-1", SECRET)
    assert SECRET not in repr(client)
    assert "project-test-1" in repr(client)
    assert SECRET not in repr(vars(client).get("_pipeline"))


def test_construction_does_no_io_and_needs_no_loop() -> None:
    client = AsyncStytch("project-test-1", "s")
    assert client._http is None  # nothing made until first use


@pytest.mark.anyio
async def test_base_url_path_prefix_is_kept(wire: Wire, http: httpx.AsyncClient) -> None:
    wire.reply(200, load_fixture("sessions.revoke"))
    async with AsyncStytch(
        "project-x", "s", base_url="https://gw.example.com/stytch/", http_client=http
    ) as stytch:
        await stytch.sessions.revoke(session_id="s1")
    assert str(wire.last.url) == "https://gw.example.com/stytch/v1/sessions/revoke"


@pytest.mark.anyio
async def test_double_enter_is_refused(http: httpx.AsyncClient) -> None:
    client = AsyncStytch("project-test-1", "s", http_client=http)
    async with client:
        with pytest.raises(UsageError, match="already open"):
            await client.__aenter__()


@pytest.mark.anyio
async def test_use_after_close_is_refused(wire: Wire, http: httpx.AsyncClient) -> None:
    client = AsyncStytch("project-test-1", "s", http_client=http)
    async with client:
        pass
    assert client.closed
    with pytest.raises(UsageError, match="closed"):
        await client.sessions.get("user-1")
    with pytest.raises(UsageError, match="closed"):
        await client.__aenter__()
    await client.aclose()  # idempotent
    assert wire.requests == []


@pytest.mark.anyio
async def test_injected_client_is_left_open(wire: Wire, http: httpx.AsyncClient) -> None:
    async with AsyncStytch("project-test-1", "s", http_client=http):
        pass
    assert not http.is_closed


@pytest.mark.anyio
async def test_owned_client_is_closed_and_nothing_warns() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client = AsyncStytch("project-test-1", "s")
        async with client:
            owned = client._http
            assert owned is not None
        assert owned.is_closed
        del client, owned
        gc.collect()


@pytest.mark.anyio
async def test_use_without_async_with_then_aclose(wire: Wire, http: httpx.AsyncClient) -> None:
    wire.reply(200, load_fixture("sessions.revoke"))
    client = AsyncStytch("project-test-1", "s", http_client=http)
    await client.sessions.revoke(session_id="s1")
    await client.aclose()
    assert client.closed
