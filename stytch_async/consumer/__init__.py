"""The consumer API: ``AsyncStytch`` (``stytch_async.AsyncStytch``), its generated types and resources.

Types live in ``stytch_async.consumer.types.<product>`` (shared entities such as
``User`` and ``Session`` in ``stytch_async.consumer.types.entities``); the results of
local checks in ``stytch_async.consumer.tokens``.
"""

from __future__ import annotations

__all__: list[str] = []  # the client is imported from ``stytch_async``
