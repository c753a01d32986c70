"""Every generated endpoint, driven from the spec: the exact wire request and a strict decode.

The expected request follows the official SDK's encoding rules (see
docs/design.md): GET sends every parameter in the query string, POST and PUT
send them all as the JSON body, DELETE sends neither; path parameters are
percent-encoded into one segment each. Recorded-style answers come from
tests/fixtures/<api>/<product>.<method>.json and are decoded with the strict converter.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from codegen.generate import MANUAL, MOUNTS, PRODUCTS, Endpoint, load_spec
from stytch_async import AsyncStytch
from tests.support.recorded import Wire, fixture_path, load_fixture
from tests.support.spec_values import call_arguments, expected_path, query_text

SPEC = load_spec()
# What ``AsyncStytch`` mounts: the common products and the consumer ones.
MOUNTED = [e for e in SPEC.endpoints if e.api in MOUNTS["consumer"] and e.top in PRODUCTS[e.api]]
GENERATED = [e for e in MOUNTED if e.qualified not in MANUAL]


def resolve(client: AsyncStytch, e: Endpoint) -> Any:
    target: Any = client
    for part in e.product.split("."):
        target = getattr(target, part)
    return getattr(target, e.method)


def test_every_endpoint_has_a_fixture() -> None:
    missing = [e.qualified for e in MOUNTED if not fixture_path(e.key, e.api).exists()]
    assert missing == []


def test_all_consumer_endpoints_are_exposed() -> None:
    assert len(MOUNTED) == 89  # 25 common + 64 consumer-only, as the official consumer client
    assert {(e.api, e.top) for e in SPEC.endpoints if e.api in MOUNTS["consumer"]} == {
        (api, top) for api in MOUNTS["consumer"] for top in PRODUCTS[api]
    }


@pytest.mark.anyio
@pytest.mark.parametrize("endpoint", GENERATED, ids=lambda e: e.qualified)
async def test_endpoint_wire_and_decode(stytch: AsyncStytch, wire: Wire, endpoint: Endpoint) -> None:
    fixture = load_fixture(endpoint.key, endpoint.api)
    wire.reply(200, fixture)
    args, kwargs, values = call_arguments(SPEC, endpoint)

    result = await resolve(stytch, endpoint)(*args, **kwargs)

    request = wire.last
    assert request.method == endpoint.http
    fraud = endpoint.raw.get("base_url") == "self.fraud_api_base"
    assert request.url.host == ("telemetry.stytch.com" if fraud else "test.stytch.com")
    assert request.url.raw_path.split(b"?")[0].decode() == expected_path(endpoint, values)
    if endpoint.http == "GET":
        expected_query = {k: query_text(v) for k, v in values.items()}
        actual: dict[str, Any] = {}
        for key, value in request.url.params.multi_items():
            actual.setdefault(key, []).append(value)
        assert {
            k: v if isinstance(expected_query[k], list) else v[0] for k, v in actual.items()
        } == expected_query
        assert request.content == b""
    elif endpoint.http == "DELETE":
        assert request.url.query == b""
        assert request.content == b""
    else:
        assert request.url.query == b""
        assert request.headers["content-type"] == "application/json"
        assert json.loads(request.content) == values

    assert result.request_id == fixture["request_id"]
    for key in fixture:
        assert hasattr(result, key), key
