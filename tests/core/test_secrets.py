"""One rule for what is a credential: the generator, reprs and redaction all use it."""

from __future__ import annotations

import httpx
import pytest

from codegen import render
from stytch_async import AsyncStytch, DecodeError, HttpError
from stytch_async._core import secrets
from stytch_async._core.converter import make_converter
from stytch_async._core.response import body_excerpt
from stytch_async.consumer.types.entities import Password, User
from stytch_async.consumer.types.passwords import AuthenticateRequest, StrengthCheckResponse
from tests.support.recorded import Wire, load_fixture


@pytest.mark.parametrize(
    "name",
    [
        "token",
        "session_token",
        "session_jwt",
        "access_token",
        "client_secret",
        "next_client_secret",
        "secret",
        "password",
        "new_password",
        "code",
        "totp_code",
        "authorization_code",
        "recovery_code",
        "recovery_codes",
        "backup_codes",
        "qr_code",
        "code_verifier",
        "hash",
        "Session-Token",
    ],
)
def test_credential_names(name: str) -> None:
    assert secrets.is_secret(name)


@pytest.mark.parametrize(
    "name",
    [
        "status_code",
        "country_code",
        "code_challenge",
        "client_secret_last_four",
        "token_type",
        "token_id",
        "password_id",
        "reset_password_expiration_minutes",
        "public_key",
        "hash_type",
        "email",
        "",
    ],
)
def test_names_that_are_not_credentials(name: str) -> None:
    assert not secrets.is_secret(name)


def test_only_strings_and_string_lists_are_credential_values() -> None:
    assert secrets.is_credential_value("s3cret")
    assert secrets.is_credential_value(["a", "b"])
    assert secrets.is_credential_value(("a",))
    for value in ("", [], True, False, 3, None, {"password_id": "p"}, [1, 2]):
        assert not secrets.is_credential_value(value), value


def test_a_password_flag_and_a_password_object_are_shown() -> None:
    check = StrengthCheckResponse(
        request_id="r",
        status_code=200,
        valid_password=True,
        score=4,
        breached_password=False,
        strength_policy="zxcvbn",
        breach_detection_on_create=True,
    )
    assert "valid_password=True" in repr(check)
    assert "breached_password=False" in repr(check)
    password = Password(password_id="password-test-1", requires_reset=False)
    text = repr(password)
    assert text == "Password(password_id='password-test-1', requires_reset=False)"
    assert f"password={text}" in repr(_user_with(password))


def _user_with(password: Password) -> User:
    data = load_fixture("users.get")
    data["password"] = {"password_id": password.password_id, "requires_reset": password.requires_reset}
    data["status_code"] = 200
    user: User = make_converter().structure(data, User)
    return user


def test_password_strings_and_tokens_are_hidden_and_absence_is_shown() -> None:
    request = AuthenticateRequest(email="ada@example.com", password="hunter2!", session_token="tok-123")
    text = repr(request)
    assert "hunter2" not in text
    assert "tok-123" not in text
    assert "password='<hidden>'" in text
    assert "session_token='<hidden>'" in text
    assert "session_jwt=None" in text
    assert "email='ada@example.com'" in text


def test_excerpts_redact_by_the_same_rule() -> None:
    data = {
        "recovery_codes": ["rc-1", "rc-2"],
        "totp_code": "123456",
        "status_code": 200,
        "valid_password": True,
        "public_key": "pk-visible",
        "user": {"password": {"password_id": "password-1"}, "session_jwt": "eyJ.x.y"},
    }
    text = body_excerpt("", data)
    for secret in ("rc-1", "rc-2", "123456", "eyJ.x.y"):
        assert secret not in text
    for shown in ('"status_code":200', '"valid_password":true', "pk-visible", "password-1"):
        assert shown in text


def test_redact_url_blanks_secret_query_values_only() -> None:
    url = "https://x.test/v1/a?token=abc&user_id=u-1&code=&n=1"
    assert secrets.redact_url(url) == "https://x.test/v1/a?token=<redacted>&user_id=u-1&code=&n=1"
    assert secrets.redact_url("https://x.test/v1/a?user_id=u-1") == "https://x.test/v1/a?user_id=u-1"
    assert secrets.redact_url("https://x.test/v1/a") == "https://x.test/v1/a"


@pytest.mark.anyio
async def test_transport_errors_leave_secret_query_values_out(stytch: AsyncStytch, wire: Wire) -> None:
    for _ in range(3):
        wire.raise_(httpx.ConnectError("refused"))
    stytch._pipeline.backoff_base = 0.0
    with pytest.raises(HttpError) as info:
        await stytch._pipeline.send("GET", "/v1/x", query={"token": "tok-abc", "n": 1}, timeout=None)
    assert "tok-abc" not in str(info.value)
    assert "token=<redacted>&n=1" in str(info.value)
    assert wire.requests[0].url.params["token"] == "tok-abc"  # only the message is redacted


@pytest.mark.anyio
async def test_decode_errors_redact_by_the_same_rule(stytch: AsyncStytch, wire: Wire) -> None:
    wire.reply(200, {"request_id": "r", "session_token": "tok-secret", "session_jwt": 7})
    with pytest.raises(DecodeError) as info:
        await stytch.sessions.authenticate(session_token="t")
    assert "tok-secret" not in info.value.excerpt
    assert '"session_jwt":7' in info.value.excerpt


def test_the_generator_uses_the_shared_rule() -> None:
    for name in ("totp_code", "valid_password", "status_code", "hash", "session_token"):
        assert render.is_secret(name) is secrets.is_secret(name)
