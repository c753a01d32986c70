"""``to_dict`` / ``to_json`` / ``from_dict``: JSON-ready data in the API's shape, and back."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from stytch_async import DecodeError, UsageError, from_dict, to_dict, to_json
from stytch_async._core.converter import parse_timestamp
from stytch_async.consumer.types.entities import Session
from stytch_async.consumer.types.magic_links import AuthenticateResponse
from stytch_async.testing import FakeStytch
from tests.support.fixture_models import FIXTURE_MODELS
from tests.support.recorded import load_fixture


def _same_as_sent(sent: Any, dumped: Any, path: str = "") -> list[str]:
    """Where ``dumped`` differs from the body Stytch sent: timestamps compare as instants,
    and a key the body left out may only come back as null."""
    if isinstance(sent, dict):
        if not isinstance(dumped, dict):
            return [path]
        wrong = [f"{path}.{k} (missing)" for k in sent if k not in dumped]
        wrong += [f"{path}.{k} (not null)" for k in dumped if k not in sent and dumped[k] is not None]
        for k in sent.keys() & dumped.keys():
            wrong += _same_as_sent(sent[k], dumped[k], f"{path}.{k}")
        return wrong
    if isinstance(sent, list):
        if not isinstance(dumped, list) or len(sent) != len(dumped):
            return [path]
        return [
            w
            for i, (a, b) in enumerate(zip(sent, dumped, strict=True))
            for w in _same_as_sent(a, b, f"{path}[{i}]")
        ]
    if sent == dumped:
        return []
    if isinstance(sent, str) and isinstance(dumped, str):
        try:
            if parse_timestamp(sent) == parse_timestamp(dumped):
                return []
        except ValueError:
            pass
    return [path]


@pytest.mark.parametrize(("key", "model"), FIXTURE_MODELS, ids=[k for k, _ in FIXTURE_MODELS])
def test_every_fixture_round_trips(key: str, model: type[Any]) -> None:
    body = load_fixture(key)
    body["status_code"] = 200
    response = from_dict(model, body)

    data = to_dict(response)
    assert from_dict(model, data) == response
    assert json.loads(to_json(response)) == data
    assert from_dict(model, json.loads(to_json(response, indent=2))) == response
    assert _same_as_sent(body, data) == []
    compact = to_dict(response, exclude_none=True)
    assert from_dict(model, compact) == response
    assert None not in compact.values()


def test_datetimes_are_utc_iso_strings_and_nones_are_null() -> None:
    session = Session(
        session_id="session-test-1",
        user_id="user-test-1",
        started_at=dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc),
        last_accessed_at=dt.datetime(2024, 5, 1, 14, 0, 0, 250000, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        expires_at=dt.datetime(2024, 5, 1, 13, 0, tzinfo=dt.timezone.utc),
        attributes=None,
        authentication_factors=[],
        custom_claims=None,
        roles=["stytch_user"],
    )
    data = to_dict(session)
    assert data["started_at"] == "2024-05-01T12:00:00Z"
    assert data["last_accessed_at"] == "2024-05-01T14:00:00.250000+02:00"
    assert data["custom_claims"] is None
    assert "custom_claims" not in to_dict(session, exclude_none=True)
    assert from_dict(Session, data) == session


def test_secrets_hidden_from_repr_are_in_the_data() -> None:
    body = load_fixture("magic_links.authenticate")
    body["status_code"] = 200
    response = from_dict(AuthenticateResponse, body)
    assert body["session_token"] not in repr(response)
    assert to_dict(response)["session_token"] == body["session_token"]


def test_wrong_inputs_raise_from_the_tree() -> None:
    with pytest.raises(UsageError, match="response object"):
        to_dict({"a": 1})
    with pytest.raises(UsageError, match="response object"):
        to_dict(Session)
    with pytest.raises(UsageError, match="response class"):
        from_dict(dict, {})
    with pytest.raises(UsageError, match="takes a dict"):
        from_dict(Session, [])  # type: ignore[arg-type]
    body = load_fixture("magic_links.authenticate")
    body["status_code"] = 200
    body["user"]["created_at"] = "not a time"
    with pytest.raises(DecodeError, match=r"user.*created_at") as info:
        from_dict(AuthenticateResponse, body)
    assert body["session_token"] not in str(info.value)
    assert body["session_token"] not in info.value.excerpt


@pytest.mark.anyio
async def test_a_fastapi_route_returns_to_dict() -> None:
    app = FastAPI()
    async with FakeStytch() as fake, fake.client() as stytch:

        @app.post("/login")
        async def login(token: str) -> dict[str, Any]:
            return to_dict(await stytch.magic_links.authenticate(token, session_duration_minutes=5))

        await stytch.magic_links.email.login_or_create("ada@example.com")
        token = fake.outbox.last(email="ada@example.com").token
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
            answer = await http.post("/login", params={"token": token})

    assert answer.status_code == 200
    auth = from_dict(AuthenticateResponse, answer.json())
    assert auth.user.emails[0].email == "ada@example.com"
    assert auth.session is not None
    assert auth.session.expires_at - auth.session.started_at == dt.timedelta(minutes=5)
