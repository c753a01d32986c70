"""The consumer API: ``AsyncStytch``, its generated types and resources, and local checks.

Types live in ``stytch_async.consumer.types.<product>`` (shared entities such as
``User`` and ``Session`` in ``stytch_async.consumer.types.entities``); the results of
local checks in ``stytch_async.consumer.tokens``.
"""

from __future__ import annotations

from stytch_async.consumer.client import AsyncStytch

__all__ = ["AsyncStytch"]
