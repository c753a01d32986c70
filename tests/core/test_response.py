"""The pure response decoder: every error shape, with no event loop."""

from __future__ import annotations

import gc
import json
from typing import Any

import anyio
import attrs
import httpx
import pytest

from stytch_async import AsyncStytch
from stytch_async._core.converter import make_converter
from stytch_async._core.response import GC_PAUSE_BYTES, body_excerpt, client_error, parse_response, structure
from stytch_async.consumer.types.magic_links import EmailSendResponse
from stytch_async.errors import ClientError, DecodeError, RateLimitError, StytchError
from tests.support.loopback import loopback
from tests.support.recorded import PROJECT_ID, SECRET

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


# -- edges mutation testing found (each assertion pins one rule a mutant broke unnoticed) ----


def test_error_fields_that_are_not_non_empty_strings_fall_back_or_stay_none() -> None:
    body = {
        "error_type": 5,
        "error": "invalid_grant",
        "error_message": "",
        "error_description": "The code has expired.",
        "request_id": 42,
        "error_url": ["not", "a", "url"],
        "error_details": ["not", "a", "mapping"],
    }
    err = client_error(400, json.dumps(body).encode())
    assert (err.error_type, err.error_message, err.request_id, err.error_url) == (
        "invalid_grant",
        "The code has expired.",
        None,
        None,
    )
    assert err.error_details is None
    assert err.body == body


def test_a_json_error_without_any_message_has_an_empty_one() -> None:
    err = client_error(409, b'{"error_type":"duplicate_email"}')
    assert err.error_message == ""
    assert str(err) == "409 duplicate_email"


def test_an_error_keeps_its_raw_text_and_headers_whatever_the_body() -> None:
    headers = {"request-id": "r-5", "content-type": "text/html"}
    for content in (b'{"error_type":"x"}', b"<h1>Service Unavailable</h1>"):
        err = client_error(503, content, headers=headers)
        assert err.text == content.decode()
        assert dict(err.headers) == headers


def test_an_error_body_that_is_not_utf8_is_read_with_replacement_characters() -> None:
    err = client_error(502, b"<h1>Bad \xff Gateway</h1>")
    assert err.text == "<h1>Bad \ufffd Gateway</h1>"
    assert err.error_message == "<h1>Bad \ufffd Gateway</h1>"


def test_text_already_decoded_by_the_caller_is_used_as_given() -> None:
    err = client_error(502, b"ignored bytes", "Bad Gateway")
    assert err.text == "Bad Gateway"
    assert err.error_message == "Bad Gateway"


def test_a_429_without_headers_has_no_retry_after() -> None:
    err = client_error(429, b"")
    assert isinstance(err, RateLimitError)
    assert err.retry_after is None


def test_a_body_that_is_not_json_keeps_its_excerpt_status_and_request_id() -> None:
    reply = response(200, content=b"<html>\xff maintenance</html>", headers={"Request-Id": "r-77"})
    with pytest.raises(DecodeError) as info:
        parse_response(reply, EmailSendResponse, LENIENT)
    err = info.value
    assert (err.status_code, err.request_id) == (200, "r-77")
    assert err.excerpt == "<html>\ufffd maintenance</html>"
    assert str(err).startswith("200 response body is not JSON")


def test_a_success_body_that_is_not_an_object_keeps_its_status_and_excerpt() -> None:
    with pytest.raises(DecodeError) as info:
        parse_response(response(201, json=[1, "two"]), EmailSendResponse, LENIENT)
    assert info.value.status_code == 201
    assert info.value.excerpt == '[1,"two"]'


def test_a_body_that_does_not_fit_names_the_model_status_and_every_field_up_to_three() -> None:
    body = {"user_id": "u", "email_id": 3, "request_id": 1}
    with pytest.raises(DecodeError) as info:
        parse_response(response(201, json=body), EmailSendResponse, LENIENT)
    assert info.value.status_code == 201
    assert str(info.value) == (
        "201 response does not fit EmailSendResponse: invalid value for type, expected str @ $.request_id; "
        "invalid value for type, expected str @ $.email_id"
    )
    with pytest.raises(DecodeError) as info:
        structure({"user_id": "u"}, EmailSendResponse, LENIENT, status_code=200)
    assert str(info.value) == (
        "200 response does not fit EmailSendResponse: required field missing @ $.request_id; "
        "required field missing @ $.status_code; required field missing @ $.email_id"
    )
    with pytest.raises(DecodeError) as info:
        structure({"request_id": 1, "user_id": 2, "email_id": 3}, EmailSendResponse, LENIENT, status_code=200)
    assert str(info.value).endswith("expected str @ $.user_id (+1 more)")
    assert info.value.excerpt == '{"request_id":1,"user_id":2,"email_id":3}'


def test_a_strict_decode_names_the_extra_keys() -> None:
    body = {"request_id": "r", "user_id": "u", "email_id": "e", "status_code": 200, "brand_new": 1}
    with pytest.raises(DecodeError) as info:
        structure(body, EmailSendResponse, STRICT, status_code=200)
    assert str(info.value) == (
        "200 response does not fit EmailSendResponse: extra fields found (brand_new) @ $ (request_id=r)"
    )


@pytest.mark.parametrize(
    ("failure", "described"),
    [(KeyError("email_id"), "missing field 'email_id'"), (ValueError("not a timestamp"), "not a timestamp")],
)
def test_a_failure_the_detailed_decode_cannot_reproduce_is_described_as_raised(
    failure: Exception, described: str
) -> None:
    # The fast converter and its detailed twin agree (tests/core/test_fastdecode.py); should they
    # ever not, the message still says what the fast one reported.
    converter = make_converter()

    def fails(_data: object, _cls: object) -> EmailSendResponse:
        raise failure

    converter.register_structure_hook(EmailSendResponse, fails)
    body = {"request_id": "r", "user_id": "u", "email_id": "e", "status_code": 200}
    with pytest.raises(DecodeError) as info:
        structure(body, EmailSendResponse, converter, status_code=200)
    assert str(info.value) == f"200 response does not fit EmailSendResponse: {described} (request_id=r)"
    assert info.value.__cause__ is failure


@pytest.mark.anyio
async def test_headers_are_read_by_lower_case_name_over_the_default_pool() -> None:
    # The own pool hands over a plain dict of lower-case names, unlike httpx's
    # case-insensitive Headers: the Retry-After and Request-Id lookups must use that case.
    async with (
        loopback() as server,
        AsyncStytch(PROJECT_ID, SECRET, base_url=server.url, max_retries=0) as stytch,
    ):
        server.reply(429, {"error_type": "too_many_requests"}, headers={"Retry-After": "7"})
        with anyio.fail_after(5), pytest.raises(RateLimitError) as limited:
            await stytch.magic_links.email.send("ada@example.com")
        assert limited.value.retry_after == 7.0
        server.raw(b"HTTP/1.1 200 OK\r\nRequest-Id: r-8\r\nContent-Length: 6\r\n\r\n<html>")
        with anyio.fail_after(5), pytest.raises(DecodeError) as undecodable:
            await stytch.magic_links.email.send("ada@example.com")
        assert undecodable.value.request_id == "r-8"
    assert len(server.seen) == 2


def test_a_json_null_success_body_is_a_decode_error() -> None:
    with pytest.raises(DecodeError) as info:
        parse_response(response(200, content=b"null"), EmailSendResponse, LENIENT)
    assert str(info.value).startswith("200 expected a JSON object, got NoneType")
    assert info.value.excerpt == ""  # nothing beyond the type to show


def test_the_excerpt_of_a_big_body_is_where_the_whole_document_would_be_cut() -> None:
    # Redaction copies only as many values as the excerpt can show; the cut must still
    # land where cutting the whole document would.
    whole = json.dumps([0] * 300, separators=(",", ":"))
    assert body_excerpt("", [0] * 300) == whole[:200] + "…"
    deep: list[Any] = []
    for _ in range(250):  # nested deeper than the excerpt has room for
        deep = [deep]
    samples: list[Any] = [
        {"items": [{"id": n} for n in range(100)]},
        {f"k{n}": n for n in range(300)},  # more keys than the excerpt has room for
        deep,
    ]
    for data in samples:
        assert body_excerpt("", data) == json.dumps(data, separators=(",", ":"))[:200] + "…"


# -- big bodies are decoded with the garbage collector paused ---------------------------------


@attrs.frozen
class _Probe:
    pad: str


def _probing_converter(seen: list[bool], fail: bool = False) -> Any:
    """A converter whose hook for ``_Probe`` records whether the collector is on while it runs."""
    conv = make_converter()

    def hook(value: Any, _type: Any) -> _Probe:
        seen.append(gc.isenabled())
        if fail:
            raise ValueError("does not fit")
        return _Probe(pad=value["pad"])

    conv.register_structure_hook(_Probe, hook)
    return conv


@pytest.mark.parametrize("size", [GC_PAUSE_BYTES - 100, GC_PAUSE_BYTES + 100])
def test_the_collector_is_paused_only_while_a_big_body_is_decoded(size: int) -> None:
    seen: list[bool] = []
    body = json.dumps({"pad": "x" * size}).encode()
    assert gc.isenabled()
    result = parse_response(response(200, content=body), _Probe, _probing_converter(seen))
    assert result.pad == "x" * size
    assert seen == [len(body) < GC_PAUSE_BYTES]
    assert gc.isenabled()


def test_a_failing_big_decode_turns_the_collector_back_on() -> None:
    seen: list[bool] = []
    body = json.dumps({"pad": "x" * GC_PAUSE_BYTES}).encode()
    with pytest.raises(DecodeError):
        parse_response(response(200, content=body), _Probe, _probing_converter(seen, fail=True))
    assert seen[0] is False
    assert gc.isenabled()


def test_a_collector_the_app_turned_off_stays_off() -> None:
    seen: list[bool] = []
    body = json.dumps({"pad": "x" * GC_PAUSE_BYTES}).encode()
    gc.disable()
    try:
        parse_response(response(200, content=body), _Probe, _probing_converter(seen))
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert seen == [False]
