"""Every example in examples/ runs here against the emulator, on asyncio and trio."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from stytch_async.testing import FakeStytch
from tests.support.web import member_sign_in, running

EXAMPLES = Path(__file__).parent.parent.parent / "examples"
pytestmark = pytest.mark.anyio


def load(name: str) -> ModuleType:
    """Import ``examples/<name>.py`` as the scripts see each other (their folder on sys.path)."""
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_fastapi_passwordless_magic_link_otp_and_logout() -> None:
    example = load("fastapi_passwordless")
    async with FakeStytch() as fake, running(example.create_app(fake.client)) as http:
        assert (await http.get("/me")).status_code == 401

        await http.post("/login/email", params={"email": "ada@example.com"})
        token = fake.outbox.last(email="ada@example.com").token
        linked = await http.get("/authenticate", params={"token": token})
        jwt = linked.cookies["stytch_session_jwt"]
        me = await http.get("/me", headers={"Cookie": f"stytch_session_jwt={jwt}"})

        sent = await http.post("/login/otp", params={"email": "ada@example.com"})
        code = fake.outbox.last(email="ada@example.com").code
        wrong = await http.post(
            "/login/otp/verify", params={"method_id": sent.json()["method_id"], "code": "000000"}
        )
        verified = await http.post(
            "/login/otp/verify", params={"method_id": sent.json()["method_id"], "code": code}
        )
        otp_jwt = verified.cookies["stytch_session_jwt"]

        out = await http.post("/logout", headers={"Authorization": f"Bearer {otp_jwt}"})
        async with fake.client() as admin:
            live = await admin.sessions.get(me.json()["user_id"])

    assert linked.status_code == 200
    assert me.json()["user_id"] == linked.json()["user_id"] == verified.json()["user_id"]
    assert wrong.status_code == 401
    assert verified.status_code == 200
    assert out.json() == {"logged_out": True}
    assert 'stytch_session_jwt=""' in out.headers["set-cookie"]
    assert len(live.sessions) == 1  # the magic-link session remains; the OTP one is revoked


async def test_starlette_middleware_example() -> None:
    example = load("starlette_middleware")
    async with FakeStytch() as fake, running(example.create_app(fake.client)) as http, fake.client() as admin:
        await admin.magic_links.email.login_or_create("ada@example.com")
        auth = await admin.magic_links.authenticate(
            fake.outbox.last(email="ada@example.com").token or "", session_duration_minutes=5
        )
        ok = await http.get("/dashboard", headers={"Authorization": f"Bearer {auth.session_jwt}"})
        refused = await http.get("/dashboard")
        health = await http.get("/public/health")
    assert ok.json() == {"user_id": auth.user_id, "roles": ["stytch_user"]}
    assert refused.status_code == 401
    assert health.json() == {"ok": True}


async def test_starlette_b2b_middleware_example() -> None:
    example = load("starlette_b2b_middleware")
    async with (
        FakeStytch() as fake,
        running(example.create_app(fake.b2b_client)) as http,
        fake.b2b_client() as admin,
    ):
        org, jwt = await member_sign_in(fake, admin, "ada@acme.com", slug="acme")
        ok = await http.get("/me", headers={"Cookie": f"stytch_session_jwt={jwt}"})
        refused = await http.get("/me")
        health = await http.get("/public/health")
        member = await admin.sessions.authenticate_jwt_local(jwt)
    assert member.organization_id == org
    assert ok.json() == {
        "member_id": member.member_id,
        "organization_slug": "acme",
        "roles": ["stytch_member"],
    }
    assert refused.status_code == 401
    assert health.json() == {"ok": True}


@pytest.mark.parametrize("script", ["script_asyncio", "script_trio"])
async def test_scripts(
    script: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("STYTCH_PROJECT_ID", raising=False)
    module = load(script)
    user_id = await module.main()
    assert user_id.startswith("user-test-")
    assert f"{user_id} logged in until" in capsys.readouterr().out


async def test_m2m_service_and_cached_caller() -> None:
    example = load("m2m_service")
    async with FakeStytch() as fake, fake.client() as stytch:
        made = await stytch.m2m.clients.create(["read:invoices", "write:invoices"])
        client = made.m2m_client
        async with running(example.create_service(fake.client)) as service:
            statuses = await example.call_service(stytch, service, client.client_id, client.client_secret)
            no_token = await service.get("/invoices")
    assert statuses == [200, 200, 403]  # the token was narrowed to read:invoices
    assert no_token.status_code == 401
    tokens = [r for r in fake.requests if r.path.endswith("/oauth2/token")]
    assert len(tokens) == 1


async def test_b2b_discovery_sign_up_create_then_enter() -> None:
    example = load("b2b_discovery_signup")
    async with FakeStytch() as fake, running(example.create_app(fake.b2b_client)) as http:
        assert (await http.get("/me")).status_code == 401

        # The cookies are Secure, so the test hands them back itself (the app runs on http://app).
        await http.post("/discover", params={"email": "ada@acme.com"})
        message = fake.outbox.last(email="ada@acme.com")
        assert message.url is not None
        assert message.url.startswith("http://localhost:8000/discover/callback?")
        first = await http.get("/discover/callback", params={"token": message.token})
        ist = {"Cookie": f"stytch_intermediate_session={first.cookies['stytch_intermediate_session']}"}
        created = await http.post("/organizations", params={"name": "Acme"}, headers=ist)
        again = await http.post("/organizations", params={"name": "Again"}, headers=ist)
        me = await http.get("/me", headers=_session_cookie(created))
        oid = created.json()["organization_id"]

        # Bob, invited, discovers the organization and enters it.
        async with fake.b2b_client() as admin:
            await admin.magic_links.email.invite(oid, "bob@acme.com")
        await http.post("/discover", params={"email": "bob@acme.com"})
        listed = await http.get(
            "/discover/callback", params={"token": fake.outbox.last(email="bob@acme.com").token}
        )
        bob_ist = {"Cookie": f"stytch_intermediate_session={listed.cookies['stytch_intermediate_session']}"}
        entered = await http.post(f"/organizations/{oid}/enter", headers=bob_ist)
        bob = await http.get("/me", headers=_session_cookie(entered))
        replayed = await http.get("/discover/callback", params={"token": message.token})

    assert first.json() == {"email_address": "ada@acme.com", "organizations": []}
    assert again.status_code == 401  # the intermediate session was spent on the first organization
    assert again.json()["error_type"] == "intermediate_session_not_found"
    assert me.json() == {
        "member_id": created.json()["member_id"],
        "organization_slug": "acme",
        "roles": ["stytch_member", "stytch_admin"],
    }
    assert listed.json()["organizations"] == [
        {"organization_id": oid, "name": "Acme", "membership": "invited_member"}
    ]
    assert entered.json()["organization_id"] == oid
    assert bob.json()["member_id"] == entered.json()["member_id"] != created.json()["member_id"]
    assert bob.json()["roles"] == ["stytch_member"]
    assert replayed.status_code == 401  # a discovery link works once


def _session_cookie(answer: httpx.Response) -> dict[str, str]:
    return {"Cookie": f"stytch_member_session_jwt={answer.cookies['stytch_member_session_jwt']}"}


def test_examples_are_all_tested() -> None:
    tested = {
        "fastapi_passwordless",
        "starlette_middleware",
        "script_asyncio",
        "script_trio",
        "m2m_service",
        "b2b_discovery_signup",
        "starlette_b2b_middleware",
    }
    assert {p.stem for p in EXAMPLES.glob("*.py")} == tested
