"""Bad input is refused before anything is sent; odd but valid input cannot change the route.

Path parameters are checked over a real socket on both wires (the default pool and an
injected ``httpx.AsyncClient``), because URL libraries resolve dot-segments on their own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from stytch_async import AsyncStytch, UsageError
from stytch_async._core.pipeline import quote_path
from tests.support.loopback import Loopback, loopback
from tests.support.recorded import PROJECT_ID, SECRET, Wire, load_fixture

pytestmark = pytest.mark.anyio

OK_USER = load_fixture("users.get")
OK_CREATE = load_fixture("users.create")
OK_M2M_CREATE = load_fixture("m2m.clients.create")


@pytest.fixture(params=["pool", "httpx"])
async def on_socket(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Loopback, AsyncStytch]]:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    async with loopback() as server:
        http = httpx.AsyncClient(trust_env=False) if request.param == "httpx" else None
        try:
            async with AsyncStytch(PROJECT_ID, SECRET, base_url=server.url, http_client=http) as client:
                yield server, client
        finally:
            if http is not None:
                await http.aclose()


# -- path parameters ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_id", "target"),
    [
        ("..", "/v1/users/%2E%2E"),
        (".", "/v1/users/%2E"),
        ("...", "/v1/users/..."),
        ("a/../b", "/v1/users/a%2F..%2Fb"),
        ("user.1", "/v1/users/user.1"),
        ("?x=1#y", "/v1/users/%3Fx%3D1%23y"),
        ("%2F", "/v1/users/%252F"),
        ("ü", "/v1/users/%C3%BC"),
        ("a\r\nHost: evil", "/v1/users/a%0D%0AHost%3A%20evil"),
        ("a\x00b", "/v1/users/a%00b"),
    ],
)
async def test_a_path_parameter_never_changes_the_route(
    on_socket: tuple[Loopback, AsyncStytch], user_id: str, target: str
) -> None:
    server, stytch = on_socket
    server.reply(200, OK_USER)
    await stytch.users.get(user_id)
    # (users.get also repeats the id in the query string; only the path matters here.)
    assert [(s.method, s.target.partition("?")[0]) for s in server.seen] == [("GET", target)]


@pytest.mark.parametrize("user_id", ["", None, 7])
async def test_an_empty_or_non_string_path_parameter_is_refused_unsent(
    on_socket: tuple[Loopback, AsyncStytch], user_id: Any
) -> None:
    server, stytch = on_socket
    with pytest.raises(UsageError, match="path parameter must"):
        await stytch.users.get(user_id)
    with pytest.raises(UsageError, match="path parameter must"):
        await stytch.users.delete(user_id)
    assert server.seen == []


def test_quote_path_names_the_parameter_it_refuses() -> None:
    with pytest.raises(UsageError, match=r"^user_id must not be empty$"):
        quote_path("", "user_id")
    assert quote_path("..", "user_id") == "%2E%2E"


# -- a bare string where the API takes a list ---------------------------------------------


async def test_a_bare_string_for_m2m_scopes_is_refused_unsent(stytch: AsyncStytch, wire: Wire) -> None:
    with pytest.raises(
        UsageError, match=r"scopes \(in ClientsCreateRequest\) must be a list, got str"
    ) as info:
        await stytch.m2m.clients.create(scopes="read:users")
    assert "wrap a single value in a list" in str(info.value)
    assert wire.requests == []


async def test_a_bare_string_for_user_roles_is_refused_unsent(stytch: AsyncStytch, wire: Wire) -> None:
    with pytest.raises(UsageError, match=r"roles \(in CreateRequest\) must be a list, got str"):
        await stytch.users.create(email="ada@example.com", roles="admin")
    with pytest.raises(UsageError, match="must be a list, got dict"):
        await stytch.users.create(email="ada@example.com", roles={"admin": True})  # type: ignore[arg-type]
    assert wire.requests == []


async def test_lists_tuples_and_absent_lists_are_still_sent(stytch: AsyncStytch, wire: Wire) -> None:
    wire.reply(200, OK_M2M_CREATE)
    wire.reply(200, OK_CREATE)
    wire.reply(200, OK_CREATE)
    await stytch.m2m.clients.create(scopes=("read:users", "write:users"))
    assert wire.last_json() == {"scopes": ["read:users", "write:users"]}
    await stytch.users.create(email="ada@example.com", roles=["admin"])
    assert wire.last_json() == {"email": "ada@example.com", "roles": ["admin"]}
    await stytch.users.create(email="ada@example.com")
    assert wire.last_json() == {"email": "ada@example.com"}
