"""Every endpoint, parameter and response field of the official b2b client is on ``AsyncStytchB2B``."""

from __future__ import annotations

from stytch_async import AsyncStytchB2B
from tests.support.inventory import (
    fixed_gaps,
    inventory,
    missing_endpoints_and_parameters,
    missing_response_fields,
)

CLIENT = AsyncStytchB2B("project-test-1", "s")


def test_the_official_client_exposes_123_endpoints() -> None:
    assert len(inventory("b2b")[0]) == 123


def test_every_endpoint_and_parameter_exists() -> None:
    assert missing_endpoints_and_parameters(CLIENT, "b2b") == []


def test_every_response_field_exists() -> None:
    assert missing_response_fields(CLIENT, "b2b") == []


def test_known_gaps_are_still_gaps() -> None:
    assert fixed_gaps(CLIENT, "b2b") == []
