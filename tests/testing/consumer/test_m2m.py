"""M2M end to end: client CRUD and search, secret rotation, the client-credentials token."""

from __future__ import annotations

import base64
import json

import pytest

from stytch_async import AsyncStytch, ClientError
from stytch_async.errors import InsufficientScopesError
from stytch_async.testing import FakeStytch
from tests.support.emulator import error_of

pytestmark = pytest.mark.anyio


async def test_client_crud(stytch: AsyncStytch) -> None:
    created = await stytch.m2m.clients.create(
        ["read:users", "write:users"], client_name="billing", trusted_metadata={"team": "ops"}
    )
    client = created.m2m_client
    assert client.client_id.startswith("m2m-client-test-")
    assert client.client_secret_last_four == client.client_secret[-4:]
    assert len(client.client_secret) == 44
    got = await stytch.m2m.clients.get(client.client_id)
    assert (got.m2m_client.client_name, got.m2m_client.scopes, got.m2m_client.status) == (
        "billing",
        ["read:users", "write:users"],
        "active",
    )
    updated = await stytch.m2m.clients.update(client.client_id, status="inactive", scopes=["read:users"])
    assert (updated.m2m_client.status, updated.m2m_client.scopes) == ("inactive", ["read:users"])
    assert (await stytch.m2m.clients.delete(client.client_id)).client_id == client.client_id
    assert await error_of(stytch.m2m.clients.get(client.client_id)) == (404, "m2m_client_not_found")
    assert await error_of(stytch.m2m.clients.create(["has space"])) == (400, "invalid_m2m_client_scope")
    assert await error_of(stytch.m2m.clients.create(["a"], client_secret="short")) == (
        400,
        "insecure_m2m_client_secret",
    )
    mine = await stytch.m2m.clients.create(["a"], client_id="my-client")
    assert mine.m2m_client.client_id == "my-client"
    assert await error_of(stytch.m2m.clients.create(["a"], client_id="my-client")) == (
        400,
        "duplicate_m2m_client_id",
    )
    assert await error_of(stytch.m2m.clients.update("my-client", status="paused")) == (
        400,
        "invalid_m2m_client_status",
    )


async def test_client_search(stytch: AsyncStytch) -> None:
    ids = [
        (await stytch.m2m.clients.create(scopes, client_name=name)).m2m_client.client_id
        for name, scopes in (("a", ["read:users"]), ("b", ["write:users"]), ("c", ["read:users", "admin"]))
    ]
    by_scope = await stytch.m2m.clients.search(
        query={"operator": "AND", "operands": [{"filter_name": "scopes", "filter_value": ["read:users"]}]}
    )
    assert [c.client_id for c in by_scope.m2m_clients] == [ids[0], ids[2]]
    by_name = await stytch.m2m.clients.search(
        query={"operator": "OR", "operands": [{"filter_name": "client_name", "filter_value": "b"}]}
    )
    assert [c.client_id for c in by_name.m2m_clients] == [ids[1]]
    pages = [p async for p in stytch.m2m.clients.search_all(limit=2)]
    assert [len(p.m2m_clients) for p in pages] == [2, 1]
    bad = {"operator": "AND", "operands": [{"filter_name": "color", "filter_value": "red"}]}
    assert await error_of(stytch.m2m.clients.search(query=bad)) == (
        400,
        "m2m_search_filter_name_not_recognized",
    )


async def test_tokens_verify_locally_with_their_scopes(fake: FakeStytch, stytch: AsyncStytch) -> None:
    client = (await stytch.m2m.clients.create(["read:users", "write:users"])).m2m_client
    token = await stytch.m2m.token(client.client_id, client.client_secret, scopes=["read:users"])
    assert (token.token_type, token.expires_in) == ("bearer", 3600)
    claims = await stytch.m2m.authenticate_token(token.access_token, required_scopes=["read:users"])
    assert (claims.client_id, claims.scopes) == (client.client_id, ["read:users"])
    with pytest.raises(InsufficientScopesError):
        await stytch.m2m.authenticate_token(token.access_token, required_scopes=["write:users"])
    payload = json.loads(base64.urlsafe_b64decode(token.access_token.split(".")[1] + "=="))
    assert payload["iss"] == f"stytch.com/{fake.project_id}"
    assert payload["aud"] == [fake.project_id]
    assert payload["exp"] - payload["iat"] == 3600
    every = await stytch.m2m.token(client.client_id, client.client_secret)
    assert (await stytch.m2m.authenticate_token(every.access_token)).scopes == ["read:users", "write:users"]


async def test_token_errors_use_the_oauth_shape(stytch: AsyncStytch) -> None:
    client = (await stytch.m2m.clients.create(["read:users"])).m2m_client
    for call, expected in (
        (stytch.m2m.token(client.client_id, "wrong-secret"), (401, "invalid_client")),
        (stytch.m2m.token("m2m-client-test-unknown", "x"), (401, "invalid_client")),
        (stytch.m2m.token(client.client_id, client.client_secret, scopes=["admin"]), (400, "invalid_scope")),
    ):
        with pytest.raises(ClientError) as info:
            await call
        assert (info.value.status_code, info.value.error_type) == expected
        assert info.value.body is not None
        assert set(info.value.body) == {"status_code", "request_id", "error", "error_description"}
    await stytch.m2m.clients.update(client.client_id, status="inactive")
    refused = stytch.m2m.token(client.client_id, client.client_secret)
    assert await error_of(refused) == (401, "invalid_client")


async def test_secret_rotation(stytch: AsyncStytch) -> None:
    client = (await stytch.m2m.clients.create(["read:users"])).m2m_client
    assert await error_of(stytch.m2m.clients.secrets.rotate(client.client_id)) == (
        400,
        "m2m_client_not_rotating_secret",
    )
    started = await stytch.m2m.clients.secrets.rotate_start(client.client_id)
    new_secret = started.m2m_client.next_client_secret
    assert started.m2m_client.next_client_secret_last_four == new_secret[-4:]
    assert await error_of(stytch.m2m.clients.secrets.rotate_start(client.client_id)) == (
        400,
        "m2m_client_already_rotating_secret",
    )
    for secret in (client.client_secret, new_secret):  # both work during the rotation
        assert (await stytch.m2m.token(client.client_id, secret)).access_token
    rotated = await stytch.m2m.clients.secrets.rotate(client.client_id)
    assert rotated.m2m_client.client_secret_last_four == new_secret[-4:]
    assert rotated.m2m_client.next_client_secret_last_four is None
    assert await error_of(stytch.m2m.token(client.client_id, client.client_secret)) == (401, "invalid_client")
    await stytch.m2m.clients.secrets.rotate_start(client.client_id)
    cancelled = await stytch.m2m.clients.secrets.rotate_cancel(client.client_id)
    assert cancelled.m2m_client.next_client_secret_last_four is None
    assert (await stytch.m2m.token(client.client_id, new_secret)).access_token


def test_the_token_endpoint_takes_a_form_body_without_project_credentials() -> None:
    from stytch_async.testing._engine.http import FakeRequest

    fake = FakeStytch()
    created = fake.handle(
        FakeRequest(
            "POST",
            "/v1/m2m/clients",
            headers={
                "authorization": "Basic "
                + base64.b64encode(f"{fake.project_id}:{fake.secret}".encode()).decode()
            },
            body=json.dumps({"scopes": ["read:users"]}).encode(),
        )
    ).payload["m2m_client"]
    form = f"grant_type=client_credentials&client_id={created['client_id']}&client_secret={created['client_secret']}"
    answer = fake.handle(
        FakeRequest(
            "POST",
            f"/v1/public/{fake.project_id}/oauth2/token",
            headers={"content-type": "application/x-www-form-urlencoded"},
            body=form.encode(),
        )
    )
    assert answer.status == 200
    assert answer.payload["token_type"] == "bearer"


def test_the_token_endpoint_checks_the_grant_type() -> None:
    from stytch_async.testing._engine.http import FakeRequest

    fake = FakeStytch()
    answer = fake.handle(
        FakeRequest(
            "POST",
            f"/v1/public/{fake.project_id}/oauth2/token",
            body=json.dumps({"grant_type": "password", "client_id": "c", "client_secret": "s"}).encode(),
        )
    )
    assert (answer.status, answer.payload["error"]) == (400, "unsupported_grant_type")
