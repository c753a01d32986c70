"""The pure response decoder: every error shape, with no event loop."""

from __future__ import annotations

import httpx
import pytest

from stytch_async._core.converter import make_converter
from stytch_async._core.response import parse_response
from stytch_async.consumer.types.magic_links import EmailSendResponse
from stytch_async.errors import ClientError, DecodeError, StytchError

STRICT = make_converter(strict=True)
LENIENT = make_converter()


def response(status: int, **kwargs: object) -> httpx.Response:
    return httpx.Response(status, request=httpx.Request("POST", "https://test.stytch.com/v1/x"), **kwargs)  # type: ignore[arg-type]


def test_stytch_error_json() -> None:
    body = {
        "status_code": 404,
        "request_id": "request-id-test-1",
        "error_type": "magic_link_not_found",
        "error_message": "The magic link could not be authenticated.",
        "error_url": "https://stytch.com/docs/api/errors/404#magic_link_not_found",
        "error_details": {"field": "token"},
    }
    with pytest.raises(ClientError) as info:
        parse_response(response(404, json=body), EmailSendResponse, LENIENT)
    err = info.value
    assert (err.status_code, err.error_type, err.request_id) == (
        404,
        "magic_link_not_found",
        "request-id-test-1",
    )
    assert err.error_message == "The magic link could not be authenticated."
    assert err.error_url == body["error_url"]
    assert err.error_details == {"field": "token"}
    assert err.body == body
    assert str(err) == (
        "404 magic_link_not_found: The magic link could not be authenticated. (request_id=request-id-test-1)"
    )


def test_oauth_error_json() -> None:
    body = {
        "error": "invalid_client",
        "error_description": "Client authentication failed.",
        "error_uri": "https://x/y",
    }
    with pytest.raises(ClientError) as info:
        parse_response(response(401, json=body), EmailSendResponse, LENIENT)
    err = info.value
    assert (err.error_type, err.error_message, err.error_url) == (
        "invalid_client",
        "Client authentication failed.",
        "https://x/y",
    )
    assert err.request_id is None
    assert str(err) == "401 invalid_client: Client authentication failed."


def test_html_502_from_a_proxy() -> None:
    html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    with pytest.raises(ClientError) as info:
        parse_response(response(502, text=html), EmailSendResponse, LENIENT)
    err = info.value
    assert err.status_code == 502
    assert err.error_type is None
    assert err.text == html
    assert err.body is None
    assert str(err).startswith("502: <html>")


@pytest.mark.parametrize("status", [400, 500])
def test_empty_error_body(status: int) -> None:
    with pytest.raises(ClientError) as info:
        parse_response(response(status, content=b""), EmailSendResponse, LENIENT)
    assert str(info.value) == str(status)
    assert info.value.text == ""


def test_error_body_that_is_a_json_list() -> None:
    with pytest.raises(ClientError) as info:
        parse_response(response(400, json=["nope"]), EmailSendResponse, LENIENT)
    assert info.value.body == ["nope"]


def test_truncated_json_on_success() -> None:
    with pytest.raises(DecodeError) as info:
        parse_response(
            response(200, content=b'{"request_id": "r", "session_token": "abc'), EmailSendResponse, LENIENT
        )
    err = info.value
    assert err.status_code == 200
    assert "not JSON" in str(err)
    assert "abc" not in err.excerpt  # a fragment of a token never reaches a log line


def test_empty_success_body() -> None:
    with pytest.raises(DecodeError, match="not JSON"):
        parse_response(response(200, content=b""), EmailSendResponse, LENIENT)


def test_success_body_that_is_not_an_object() -> None:
    with pytest.raises(DecodeError, match="expected a JSON object, got list"):
        parse_response(response(200, json=[1, 2]), EmailSendResponse, LENIENT)


def test_wrong_shape_on_success_names_the_field_and_keeps_the_request_id() -> None:
    body = {"request_id": "request-id-test-9", "user_id": 7, "email_id": "email-1", "session_token": "s3cr3t"}
    with pytest.raises(DecodeError) as info:
        parse_response(response(200, json=body), EmailSendResponse, LENIENT)
    err = info.value
    assert err.request_id == "request-id-test-9"
    assert "user_id" in str(err)
    assert "s3cr3t" not in err.excerpt
    assert isinstance(err, StytchError)


def test_missing_required_field_is_a_decode_error() -> None:
    with pytest.raises(DecodeError, match="email_id"):
        parse_response(response(200, json={"request_id": "r", "user_id": "u"}), EmailSendResponse, LENIENT)


def test_unknown_keys_pass_in_production_and_fail_strictly() -> None:
    body = {"request_id": "r", "user_id": "u", "email_id": "e", "brand_new_field": True}
    parsed = parse_response(response(200, json=body), EmailSendResponse, LENIENT)
    assert parsed.user_id == "u"
    assert parsed.status_code == 200
    with pytest.raises(DecodeError, match="brand_new_field"):
        parse_response(response(200, json=body), EmailSendResponse, STRICT)


def test_a_string_where_a_list_belongs_is_a_decode_error() -> None:
    from stytch_async.consumer.types.sessions import GetResponse

    body = {"request_id": "r", "sessions": "not-a-list"}
    with pytest.raises(DecodeError, match="sessions"):
        parse_response(response(200, json=body), GetResponse, LENIENT)
    with pytest.raises(DecodeError):
        parse_response(
            response(200, json={"request_id": "r", "sessions": [{"roles": "admin"}]}), GetResponse, STRICT
        )
