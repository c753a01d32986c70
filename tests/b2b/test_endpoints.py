"""Every endpoint ``AsyncStytchB2B`` mounts, driven from the spec (see ``tests/support/endpoint_wire.py``)."""

from __future__ import annotations

import pytest

from codegen.generate import MANUAL, MOUNTS, PRODUCTS, Endpoint, load_spec
from stytch_async import AsyncStytchB2B
from tests.support.endpoint_wire import check_endpoint
from tests.support.recorded import Wire, fixture_path

SPEC = load_spec()
# What ``AsyncStytchB2B`` mounts: the common products and the B2B ones.
MOUNTED = [e for e in SPEC.endpoints if e.api in MOUNTS["b2b"] and e.top in PRODUCTS[e.api]]
GENERATED = [e for e in MOUNTED if e.qualified not in MANUAL]


def test_every_endpoint_has_a_fixture() -> None:
    missing = [e.qualified for e in MOUNTED if not fixture_path(e.key, e.api).exists()]
    assert missing == []


def test_all_b2b_endpoints_are_exposed() -> None:
    assert len(MOUNTED) == 123  # 25 common + 98 B2B-only, as the official B2BClient
    assert {(e.api, e.top) for e in SPEC.endpoints if e.api in MOUNTS["b2b"]} == {
        (api, top) for api in MOUNTS["b2b"] for top in PRODUCTS[api]
    }


@pytest.mark.anyio
@pytest.mark.parametrize("endpoint", GENERATED, ids=lambda e: e.qualified)
async def test_endpoint_wire_and_decode(stytch_b2b: AsyncStytchB2B, wire: Wire, endpoint: Endpoint) -> None:
    await check_endpoint(stytch_b2b, wire, SPEC, endpoint)
