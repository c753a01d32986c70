"""Response JSON parses the same with orjson and with the json module it falls back to."""

from __future__ import annotations

import importlib.util
import json
import os
import platform
from typing import Any

import pytest

from stytch_async._core import response as _response
from stytch_async._core.response import loads

BODIES = [
    b'{"request_id": "r", "n": 1, "ok": true, "none": null, "list": [1.5, "x"]}',
    b'{"big": 18446744073709551615, "small": -9223372036854775808}',  # the 64-bit limits
    b'{"nan": NaN, "inf": Infinity}',  # not JSON, but what json.loads accepts
    '{"name": "Zoë 🙂", "esc": "\\u00e9"}'.encode(),
    b"[1, 2, 3]",
]
BROKEN = [b"", b"{", b"<html>502</html>", b'{"a": 1} trailing', b"\xff\xfe"]

# nox's tests_without_orjson session sets this to "json"; otherwise orjson is expected wherever
# it is a dependency (CPython).
EXPECTED_PARSER = os.environ.get("STYTCH_ASYNC_EXPECT_JSON_PARSER") or (
    "orjson" if platform.python_implementation() == "CPython" else "json"
)


def test_the_parser_in_use_is_the_one_this_run_expects() -> None:
    in_use = "json" if _response._orjson_loads is None else "orjson"
    assert in_use == EXPECTED_PARSER
    if EXPECTED_PARSER == "json":
        # Not merely switched off: the package cannot find orjson at all in this environment.
        assert importlib.util.find_spec("orjson") is None


@pytest.fixture(params=["orjson", "json"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "json":
        monkeypatch.setattr(_response, "_orjson_loads", None)
    elif EXPECTED_PARSER == "json":
        pytest.skip("orjson is not installed in this run")
    else:
        assert _response._orjson_loads is not None, "orjson is a dependency on CPython"
    return str(request.param)


@pytest.mark.parametrize("body", BODIES)
def test_same_values_as_the_json_module(parser: str, body: bytes) -> None:
    expected: Any = json.loads(body)
    got = loads(body)
    assert json.dumps(got, sort_keys=True) == json.dumps(expected, sort_keys=True)


@pytest.mark.parametrize("body", BROKEN)
def test_broken_bodies_raise_value_error(parser: str, body: bytes) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 (json and orjson word their errors differently)
        loads(body)


def test_integers_past_64_bits_keep_their_magnitude(parser: str) -> None:
    # orjson reads them as floats (the one documented difference); json keeps ints.
    value = loads(b'{"big": 123456789012345678901234567890}')["big"]
    assert value == pytest.approx(1.2345678901234568e29)
    assert isinstance(value, float if parser == "orjson" else int)
