"""The pure JWT steps at their edges: exact time boundaries, missing and odd claims, odd headers."""

from __future__ import annotations

from typing import Any

import pytest
from joserfc import jws
from joserfc.jwk import RSAKey

from stytch_async._local.jwt import (
    _KNOWN_HEADERS,
    _KNOWN_HEADERS_MAX,
    MAX_TOKEN_CHARS,
    check_claims,
    check_window,
    read_kid,
    require_str,
    verify_signature,
)
from stytch_async.errors import (
    JwtExpiredError,
    JwtInvalidError,
    JwtNotYetValidError,
    JwtTooOldError,
    UsageError,
)
from tests.support.recorded import PROJECT_ID
from tests.support.tokens import b64, signer, unsigned

ISS = f"stytch.com/{PROJECT_ID}"
NOW = 1_700_000_000.0


def claims(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "iss": ISS,
        "aud": [PROJECT_ID],
        "exp": NOW + 300,
        "iat": NOW - 10,
        "nbf": NOW - 10,
    }
    base.update(overrides)
    return base


def check(c: dict[str, Any], *, now: float = NOW, leeway: float = 0, max_age: float | None = None) -> None:
    check_claims(c, what="token", issuers={ISS}, audience=PROJECT_ID, now=now, leeway=leeway, max_age=max_age)


# -- times: the exact boundary decides -----------------------------------------------------


def test_exp_boundary() -> None:
    check(claims(exp=NOW + 0.001))
    with pytest.raises(JwtExpiredError, match="expired 0s ago"):
        check(claims(exp=NOW))
    check(claims(exp=NOW - 4.999), leeway=5)
    with pytest.raises(JwtExpiredError):
        check(claims(exp=NOW - 5), leeway=5)


def test_nbf_boundary() -> None:
    check(claims(nbf=NOW))
    with pytest.raises(JwtNotYetValidError, match="not valid for another 0s"):
        check(claims(nbf=NOW + 0.001))
    check(claims(nbf=NOW + 5), leeway=5)
    with pytest.raises(JwtNotYetValidError):
        check(claims(nbf=NOW + 5.001), leeway=5)


def test_iat_boundary() -> None:
    check(claims(iat=NOW, nbf=NOW))
    with pytest.raises(JwtNotYetValidError, match="issued 0s in the future"):
        check(claims(iat=NOW + 0.001, nbf=NOW))
    check(claims(iat=NOW + 5, nbf=NOW), leeway=5)
    with pytest.raises(JwtNotYetValidError, match="in the future"):
        check(claims(iat=NOW + 5.001, nbf=NOW), leeway=5)


def test_max_age_boundary() -> None:
    check(claims(iat=NOW - 59.999), max_age=60)
    with pytest.raises(JwtTooOldError, match="issued 60s ago; at most 60s is allowed"):
        check(claims(iat=NOW - 60), max_age=60)
    check(claims(iat=NOW - 10_000))  # no maximum age, no limit
    with pytest.raises(JwtTooOldError):
        check(claims(iat=NOW), max_age=0)


def test_the_order_is_issuer_audience_then_times() -> None:
    expired_forgery = claims(iss="https://evil.example", exp=NOW - 100)
    with pytest.raises(JwtInvalidError) as info:
        check(expired_forgery)
    assert info.value.reason == "issuer"
    with pytest.raises(JwtInvalidError) as info:
        check(claims(aud=["other"], exp=NOW - 100))
    assert info.value.reason == "audience"


# -- missing and odd claims ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["iss", "aud", "exp", "iat", "nbf"])
def test_each_required_claim_is_required(name: str) -> None:
    c = claims()
    del c[name]
    with pytest.raises(JwtInvalidError, match=f"has no '{name}' claim") as info:
        check(c)
    assert info.value.reason == "missing_claim"


@pytest.mark.parametrize("aud", [5, None, {"aud": PROJECT_ID}, PROJECT_ID + "x", [], [5], True])
def test_an_audience_that_is_not_this_project_is_refused(aud: Any) -> None:
    with pytest.raises(JwtInvalidError) as info:
        check(claims(aud=aud))
    assert info.value.reason == "audience"


@pytest.mark.parametrize("aud", [PROJECT_ID, [PROJECT_ID], ["other", PROJECT_ID]])
def test_an_audience_string_or_list_naming_this_project_is_accepted(aud: Any) -> None:
    check(claims(aud=aud))


@pytest.mark.parametrize("name", ["exp", "nbf", "iat"])
@pytest.mark.parametrize("value", ["1700000000", True, None, float("nan"), float("inf")])
def test_time_claims_must_be_finite_numbers(name: str, value: Any) -> None:
    with pytest.raises(JwtInvalidError, match=f"claim '{name}' is not a number"):
        check(claims(**{name: value}))


# -- the header ----------------------------------------------------------------------------


def token_with_header(header_json: bytes) -> str:
    return b64(header_json) + "." + b64(b"{}") + "." + b64(b"sig")


@pytest.mark.parametrize("kid", ["", 5, None, ["k"]])
def test_an_empty_or_non_string_kid_is_malformed(kid: Any) -> None:
    with pytest.raises(JwtInvalidError, match="names no key id") as info:
        read_kid(unsigned({"alg": "RS256", "kid": kid}, {}, b"sig"), "token")
    assert info.value.reason == "malformed"


def test_a_header_without_kid_is_malformed() -> None:
    with pytest.raises(JwtInvalidError, match="names no key id"):
        read_kid(unsigned({"alg": "RS256"}, {}, b"sig"), "token")


@pytest.mark.parametrize("header", [b"[1, 2]", b'"RS256"', b"5", b"null"])
def test_a_header_that_is_json_but_not_an_object_is_malformed(header: bytes) -> None:
    with pytest.raises(JwtInvalidError, match="header is not a JSON object") as info:
        read_kid(token_with_header(header), "token")
    assert info.value.reason == "malformed"


@pytest.mark.parametrize("header", [b"{nope", b"\xff\xfe"])
def test_a_header_that_is_not_json_is_malformed(header: bytes) -> None:
    with pytest.raises(JwtInvalidError, match="header is not base64url-encoded JSON"):
        read_kid(token_with_header(header), "token")


@pytest.mark.parametrize("alg", ["none", "HS256", "RS512", None, ["RS256"]])
def test_only_rs256_is_accepted(alg: Any) -> None:
    with pytest.raises(JwtInvalidError, match="only RS256 is accepted") as info:
        read_kid(unsigned({"alg": alg, "kid": "k"}, {}, b"sig"), "token")
    assert info.value.reason == "algorithm"


def test_the_kid_is_returned_and_the_size_limit_is_exact() -> None:
    token = unsigned({"alg": "RS256", "kid": "jwk-1"}, {}, b"sig")
    assert read_kid(token, "token") == "jwk-1"
    padded = token + "A" * (MAX_TOKEN_CHARS - len(token))
    assert read_kid(padded, "token") == "jwk-1"
    with pytest.raises(JwtInvalidError, match=f"over the {MAX_TOKEN_CHARS} limit") as info:
        read_kid(padded + "A", "token")
    assert info.value.reason == "too_large"


@pytest.mark.parametrize("token", ["a.b", "a.b.c.d", "a b.c.d", "", "a..c"])
def test_a_token_that_is_not_three_base64url_parts_is_malformed(token: str) -> None:
    with pytest.raises(JwtInvalidError, match="is not a signed JWT"):
        read_kid(token, "token")


def test_a_token_that_is_not_a_string_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="token must be a string, got bytes"):
        read_kid(b"a.b.c", "token")


# -- the caller's window -----------------------------------------------------------------


def test_check_window_accepts_zero_and_numbers() -> None:
    assert check_window(0, None) == (0.0, None)
    assert check_window(1, 0) == (1.0, 0.0)
    assert check_window(2.5, 30) == (2.5, 30.0)


@pytest.mark.parametrize(("leeway", "max_age"), [(-1, None), (True, None), ("1", None), (float("nan"), None)])
def test_check_window_refuses_bad_leeway(leeway: Any, max_age: Any) -> None:
    with pytest.raises(UsageError, match="leeway must be"):
        check_window(leeway, max_age)


@pytest.mark.parametrize("max_age", [-1, True, "60", float("nan")])
def test_check_window_refuses_bad_max_age(max_age: Any) -> None:
    with pytest.raises(UsageError, match="maximum token age must be"):
        check_window(0, max_age)


# -- what each refusal says (never the token, always what was wrong) ------------------------


def test_refusals_name_the_token_and_the_offending_value() -> None:
    with pytest.raises(JwtInvalidError) as info:
        check(claims(iss="https://evil.example"))
    assert info.value.error_message == "token was issued by 'https://evil.example', not this project"
    with pytest.raises(JwtInvalidError) as info:
        check(claims(aud=["other-project"]))
    assert info.value.error_message == "token is meant for ['other-project'], not this project"
    for name in ("exp", "nbf", "iat"):
        with pytest.raises(JwtInvalidError) as info:
            check(claims(**{name: "soon"}))
        assert info.value.error_message == f"token claim {name!r} is not a number"


def test_require_str_says_which_claim_is_missing() -> None:
    assert require_str({"sub": "user-1"}, "sub", "session JWT") == "user-1"
    with pytest.raises(JwtInvalidError) as info:
        require_str({"sub": 5}, "sub", "session JWT")
    assert info.value.error_message == "session JWT has no string 'sub' claim"
    assert info.value.reason == "missing_claim"


def test_signature_refusals_say_what_failed() -> None:
    good = signer("jwk-test-primary")
    other = signer("jwk-test-other")
    token = good.mint(claims())
    assert verify_signature(token, good.key, "session JWT")["iss"] == ISS
    with pytest.raises(JwtInvalidError) as info:
        verify_signature(token, other.key, "session JWT")
    assert info.value.error_message == "session JWT signature does not verify"
    assert info.value.reason == "signature"
    header, payload, signature = token.split(".")
    with pytest.raises(JwtInvalidError) as info:
        verify_signature(f"{header}.!!!.{signature}", good.key, "session JWT")
    assert info.value.error_message == "session JWT is not a signed JWT (three base64url parts)"
    assert info.value.reason == "malformed"
    # A length no byte string encodes to (one past a multiple of four characters).
    with pytest.raises(JwtInvalidError) as info:
        verify_signature(f"{header}.{payload}.{signature}AAA", good.key, "session JWT")
    assert info.value.error_message == "session JWT cannot be decoded: Error"
    assert info.value.reason == "malformed"


def test_a_key_that_is_not_for_rs256_signatures_is_refused() -> None:
    good = signer("jwk-test-primary")
    token = good.mint(claims())
    for parameters in ({"use": "enc"}, {"alg": "RS512"}):
        key = RSAKey.import_key(good.key.as_dict(private=False), parameters=parameters)
        with pytest.raises(JwtInvalidError) as info:
            verify_signature(token, key, "session JWT")
        assert info.value.reason == "malformed"
        assert info.value.error_message.startswith("session JWT cannot be decoded: ")


def test_a_header_that_joserfc_refuses_is_refused_once_read() -> None:
    # A critical extension nobody understands: the token must not be trusted.
    token = unsigned({"alg": "RS256", "kid": "k-crit", "crit": ["exp-ext"], "exp-ext": 1}, {}, b"sig")
    with pytest.raises(JwtInvalidError) as info:
        read_kid(token, "session JWT")
    assert info.value.reason == "malformed"
    assert info.value.error_message.startswith("session JWT header is refused: ")
    assert token.partition(".")[0] not in _KNOWN_HEADERS


def test_an_algorithm_refusal_quotes_the_headers_alg() -> None:
    with pytest.raises(JwtInvalidError) as info:
        read_kid(unsigned({"alg": "HS256", "kid": "k"}, {}, b"sig"), "session JWT")
    assert info.value.error_message == "session JWT is signed with 'HS256'; only RS256 is accepted"


def test_a_token_with_non_ascii_characters_is_not_a_signed_jwt() -> None:
    with pytest.raises(JwtInvalidError) as info:
        read_kid("é" + unsigned({"alg": "RS256", "kid": "k"}, {}, b"sig"), "session JWT")
    assert info.value.error_message == "session JWT is not a signed JWT (three base64url parts)"


def test_a_signed_payload_that_is_not_an_object_is_refused() -> None:
    good = signer("jwk-test-primary")
    header = {"alg": "RS256", "kid": good.kid}
    token = jws.serialize_compact(header, b"[1, 2]", good.key)
    with pytest.raises(JwtInvalidError) as info:
        verify_signature(token, good.key, "session JWT")
    assert info.value.error_message == "session JWT payload is not a JSON object"
    assert info.value.reason == "malformed"


def test_the_cache_of_accepted_headers_stays_bounded() -> None:
    for n in range(_KNOWN_HEADERS_MAX + 10):
        assert read_kid(unsigned({"alg": "RS256", "kid": f"k-{n}"}, {}, b"sig"), "token") == f"k-{n}"
        assert len(_KNOWN_HEADERS) <= _KNOWN_HEADERS_MAX
