"""The migration guide's rows, both sides, against one emulator served on loopback.

The official SDK's async methods run on aiohttp, hence asyncio only; ``stytch`` is installed
by the test extra, never as a dependency of the package.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
import stytch as official
from stytch.core.response_base import StytchError as OfficialError

from stytch_async import AsyncStytch, ClientError, to_dict
from stytch_async.errors import JwtExpiredError
from stytch_async.testing import FakeStytch, LoopbackServer
from tests.support.web import sign_in

pytestmark = [
    pytest.mark.anyio,
    # The official SDK's own use of aiohttp.BasicAuth, which aiohttp deprecates; not ours to fix.
    pytest.mark.filterwarnings("ignore:(BasicAuth|The 'auth' parameter) is deprecated:DeprecationWarning"),
]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # aiohttp, under the official SDK, runs on asyncio only


@pytest.fixture
async def both() -> AsyncIterator[tuple[official.Client, AsyncStytch, FakeStytch]]:
    async with FakeStytch() as fake:
        with fake.serve() as server:
            assert isinstance(server, LoopbackServer)
            async with (
                aiohttp.ClientSession() as session,
                AsyncStytch(fake.project_id, fake.secret, base_url=server.url, max_retries=0) as ours,
            ):
                theirs = official.Client(
                    fake.project_id, fake.secret, environment=server.url + "/", async_session=session
                )
                yield theirs, ours, fake


async def test_calls_and_json(both: tuple[official.Client, AsyncStytch, FakeStytch]) -> None:
    theirs, ours, _fake = both
    a = await theirs.magic_links.email.login_or_create_async(email="ada@example.com")
    b = await ours.magic_links.email.login_or_create("ada@example.com")
    assert a.user_id == b.user_id
    assert set(a.model_dump()) == set(to_dict(b))
    user_a = await theirs.users.get_async(user_id=a.user_id)
    user_b = await ours.users.get(b.user_id)
    dumped_a = user_a.model_dump(mode="json")
    dumped_b = to_dict(user_b)
    assert dumped_a["emails"] == dumped_b["emails"]
    assert dumped_a["status"] == dumped_b["status"] == "active"  # an enum there, a plain string here


async def test_errors(both: tuple[official.Client, AsyncStytch, FakeStytch]) -> None:
    theirs, ours, _fake = both
    with pytest.raises(OfficialError) as official_error:
        await theirs.magic_links.authenticate_async(token="no-such-token")
    with pytest.raises(ClientError) as our_error:
        await ours.magic_links.authenticate("no-such-token")
    assert official_error.value.details.error_type == our_error.value.error_type == "magic_link_not_found"
    assert official_error.value.details.status_code == our_error.value.status_code == 404


async def test_local_checks_raise_instead_of_returning_none(
    both: tuple[official.Client, AsyncStytch, FakeStytch],
) -> None:
    theirs, ours, fake = both
    fake.clock.freeze(at=time.time() - 3600)  # log in an hour ago: the 5-minute JWT has expired
    jwt = await sign_in(fake, ours)
    assert await theirs.sessions.authenticate_jwt_local_async(session_jwt=jwt) is None
    with pytest.raises(JwtExpiredError):
        await ours.sessions.authenticate_jwt_local(jwt)


async def test_keyword_only_optionals(both: tuple[official.Client, AsyncStytch, FakeStytch]) -> None:
    theirs, ours, _fake = both
    await theirs.magic_links.email.login_or_create_async("ada@example.com", "https://app.example.com/in")
    with pytest.raises(TypeError):
        await ours.magic_links.email.login_or_create("ada@example.com", "https://app.example.com/in")  # type: ignore[misc]


@pytest.mark.parametrize(
    ("theirs", "ours"),
    [
        (
            "stytch.consumer.models.magic_links_email:LoginOrCreateResponse",
            "stytch_async.consumer.types.magic_links:EmailLoginOrCreateResponse",
        ),
        (
            "stytch.consumer.models.m2m_clients:CreateResponse",
            "stytch_async.common.types.m2m:ClientsCreateResponse",
        ),
        ("stytch.consumer.models.users:User", "stytch_async.consumer.types.entities:User"),
        ("stytch.consumer.models.sessions:Session", "stytch_async.consumer.types.entities:Session"),
    ],
)
def test_model_paths(theirs: str, ours: str) -> None:
    for path in (theirs, ours):
        module, name = path.split(":")
        assert isinstance(getattr(importlib.import_module(module), name), type)
    theirs_cls = getattr(importlib.import_module(theirs.split(":")[0]), theirs.split(":")[1])
    ours_cls = getattr(importlib.import_module(ours.split(":")[0]), ours.split(":")[1])
    assert set(theirs_cls.model_fields) <= {f.name for f in ours_cls.__attrs_attrs__}
