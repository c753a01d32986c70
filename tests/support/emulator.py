"""Helpers for tests that run against the emulator."""

from __future__ import annotations

from stytch_async import AsyncStytch
from stytch_async._core.converter import make_converter


def strict(client: AsyncStytch) -> AsyncStytch:
    """Decode with the strict converter and back off almost not at all."""
    client._pipeline.converter = make_converter(strict=True)
    client._pipeline.backoff_base = 0.001
    return client
