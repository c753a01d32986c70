"""Every endpoint, parameter and response field of the official consumer client is on ``AsyncStytch``."""

from __future__ import annotations

from stytch_async import AsyncStytch
from tests.support.inventory import (
    fixed_gaps,
    inventory,
    missing_endpoints_and_parameters,
    missing_response_fields,
)

CLIENT = AsyncStytch("project-test-1", "s")


def test_the_official_client_exposes_89_endpoints() -> None:
    assert len(inventory("consumer")[0]) == 89


def test_every_endpoint_and_parameter_exists() -> None:
    assert missing_endpoints_and_parameters(CLIENT, "consumer") == []


def test_every_response_field_exists() -> None:
    assert missing_response_fields(CLIENT, "consumer") == []


def test_known_gaps_are_still_gaps() -> None:
    assert fixed_gaps(CLIENT, "consumer") == []
