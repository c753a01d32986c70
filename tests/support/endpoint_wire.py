"""One spec-driven check of a generated endpoint: the exact wire request and a strict decode.

The expected request follows the official SDK's encoding rules (see docs/design.md):
GET sends every parameter in the query string, POST and PUT send them all as the JSON
body, DELETE sends neither; path parameters are percent-encoded into one segment
each; ``method_options`` becomes the acting member's session headers. Recorded-style
answers come from ``tests/fixtures/<api>/<product>.<method>.json``.
"""

from __future__ import annotations

import json
from typing import Any

from codegen.generate import Endpoint, Spec
from stytch_async._core.client import BaseClient
from tests.support.recorded import Wire, load_fixture
from tests.support.spec_values import call_arguments, expected_path, query_text

MEMBER_TOKEN = "member-session-token-1"
MEMBER_JWT = "member.session.jwt"


def resolve(client: BaseClient, e: Endpoint) -> Any:
    target: Any = client
    for part in e.product.split("."):
        target = getattr(target, part)
    return getattr(target, e.method)


async def check_endpoint(client: BaseClient, wire: Wire, spec: Spec, endpoint: Endpoint) -> None:
    fixture = load_fixture(endpoint.key, endpoint.api)
    wire.reply(200, fixture)
    args, kwargs, values = call_arguments(spec, endpoint)
    if endpoint.method_options is not None:
        kwargs["method_options"] = {
            "authorization": {"session_token": MEMBER_TOKEN, "session_jwt": MEMBER_JWT}
        }

    result = await resolve(client, endpoint)(*args, **kwargs)

    request = wire.last
    assert request.method == endpoint.http
    fraud = endpoint.raw.get("base_url") == "self.fraud_api_base"
    assert request.url.host == ("telemetry.stytch.com" if fraud else "test.stytch.com")
    assert request.url.raw_path.split(b"?")[0].decode() == expected_path(endpoint, values)
    if endpoint.method_options is not None:
        assert request.headers["x-stytch-member-session"] == MEMBER_TOKEN
        assert request.headers["x-stytch-member-sessionjwt"] == MEMBER_JWT
    else:
        assert "x-stytch-member-session" not in request.headers
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
