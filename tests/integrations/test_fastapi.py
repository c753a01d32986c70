"""The FastAPI helpers against the emulator, over httpx's ASGI transport, on asyncio and trio.

No ``from __future__ import annotations`` here: FastAPI reads the routes' annotations at
run time, and those built inside ``make_app`` name its local dependency.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI

from stytch_async import AsyncStytch
from stytch_async.consumer.types.entities import Session
from stytch_async.errors import UsageError
from stytch_async.integrations.fastapi import RequireSession, add_error_handler, get_stytch, stytch_lifespan
from stytch_async.testing import FakeStytch
from tests.support.web import ClientFactory, client_with_policy, running, sign_in

pytestmark = pytest.mark.anyio

Stytch = Annotated[AsyncStytch, Depends(get_stytch)]


def make_app(client: Any, **options: Any) -> FastAPI:
    events: list[str] = []

    @asynccontextmanager
    async def own(app: FastAPI) -> AsyncIterator[None]:
        events.append("own lifespan, client open: " + str(not app.state.stytch.closed))
        yield

    app = FastAPI(lifespan=stytch_lifespan(client, then=own))
    app.state.events = events
    add_error_handler(app)
    require = RequireSession(**options)

    @app.get("/me")
    async def me(session: Annotated[Session, Depends(require)]) -> dict[str, Any]:
        return {"user_id": session.user_id, "roles": session.roles}

    @app.post("/login")
    async def login(stytch: Stytch, token: str) -> dict[str, str]:
        auth = await stytch.magic_links.authenticate(token, session_duration_minutes=60)
        return {"session_jwt": auth.session_jwt}

    return app


async def test_lifespan_holds_one_open_client_and_the_dependency_returns_the_session() -> None:
    async with FakeStytch() as fake:
        factory = ClientFactory(fake)
        app = make_app(factory)
        async with running(app) as http, fake.client() as admin:
            jwt = await sign_in(fake, admin)
            by_header = await http.get("/me", headers={"Authorization": f"Bearer {jwt}"})
            by_cookie = await http.get("/me", headers={"Cookie": f"stytch_session_jwt={jwt}"})
            assert factory.made[0].closed is False
        assert factory.made[0].closed is True
        assert app.state.events == ["own lifespan, client open: True"]
        assert len(factory.made) == 1

    assert by_header.status_code == 200
    assert by_cookie.json() == by_header.json()
    assert by_header.json()["roles"] == ["stytch_user"]
    assert by_header.json()["user_id"].startswith("user-test-")


async def test_refusals_are_401_with_the_error_json() -> None:
    async with FakeStytch() as fake, running(make_app(fake.client)) as http:
        missing = await http.get("/me")
        garbage = await http.get("/me", headers={"Authorization": "Bearer not-a-jwt"})
        bad_link = await http.post("/login", params={"token": "no-such-token"})

    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert missing.json()["error_type"] == "jwt_invalid"
    assert garbage.status_code == 401
    assert bad_link.status_code == 401  # Stytch's 404 magic_link_not_found: the link is not valid
    assert bad_link.json()["error_type"] == "magic_link_not_found"
    assert bad_link.json()["request_id"]


async def test_an_expired_jwt_is_refused_locally_and_accepted_with_the_remote_fallback() -> None:
    async with FakeStytch() as fake:
        strict_app = make_app(fake.client)
        lenient_app = make_app(fake.client, remote_fallback=True)
        async with running(strict_app) as strict, running(lenient_app) as lenient, fake.client() as admin:
            jwt = await sign_in(fake, admin)
            fake.clock.advance(minutes=10)  # past the JWT's 5 minutes, inside the session's 60
            refused = await strict.get("/me", headers={"Authorization": f"Bearer {jwt}"})
            accepted = await lenient.get("/me", headers={"Authorization": f"Bearer {jwt}"})
            fake.clock.advance(minutes=60)  # now the session itself is over
            gone = await lenient.get("/me", headers={"Authorization": f"Bearer {jwt}"})

    assert refused.status_code == 401
    assert refused.json()["error_type"] == "jwt_expired"
    assert accepted.status_code == 200
    assert gone.status_code == 401  # Stytch's own refusal, a ClientError, answered 401 as well
    assert gone.json()["error_type"] != "jwt_expired"


async def test_rbac_check_answers_403_when_the_role_lacks_the_action() -> None:
    async with FakeStytch() as fake, fake.client() as admin:
        jwt = await sign_in(fake, admin)
        async with client_with_policy(fake) as reader_client, client_with_policy(fake) as deleter_client:
            may_read = make_app(
                reader_client, authorization_check={"resource_id": "documents", "action": "read"}
            )
            may_delete = make_app(
                deleter_client, authorization_check={"resource_id": "documents", "action": "delete"}
            )
            async with running(may_read) as reader, running(may_delete) as deleter:
                read = await reader.get("/me", headers={"Authorization": f"Bearer {jwt}"})
                delete = await deleter.get("/me", headers={"Authorization": f"Bearer {jwt}"})

    assert read.status_code == 200
    assert delete.status_code == 403
    assert delete.json()["error_type"] == "permission_denied"


async def test_stytch_outages_are_502_and_503() -> None:
    async with FakeStytch() as fake:
        app = make_app(lambda: fake.client(max_retries=0))
        async with running(app) as http:
            fake.fail_next("/v1/magic_links/authenticate", status=500)
            broken = await http.post("/login", params={"token": "t"})
            fake.fail_next("/v1/magic_links/authenticate", disconnect=True)
            unreachable = await http.post("/login", params={"token": "t"})
            fake.fail_next("/v1/magic_links/authenticate", status=429, retry_after=7)
            limited = await http.post("/login", params={"token": "t"})

    assert broken.status_code == 502
    assert broken.json()["error_type"] == "stytch_error"
    assert unreachable.status_code == 503
    assert unreachable.headers["retry-after"] == "5"
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "7"


async def test_without_the_lifespan_the_dependency_says_what_is_missing() -> None:
    app = FastAPI()

    @app.get("/me")
    async def me(stytch: Stytch) -> str:
        return repr(stytch)

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
        with pytest.raises(UsageError, match="stytch_lifespan"):
            await http.get("/me")
