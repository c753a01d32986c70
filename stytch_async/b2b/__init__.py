"""The B2B API: ``AsyncStytchB2B`` (``stytch_async.AsyncStytchB2B``), its generated types and resources.

Types live in ``stytch_async.b2b.types.<product>`` (entities several B2B products
share, such as ``Organization`` and ``Member``, in ``stytch_async.b2b.types.entities``;
entities both APIs share in ``stytch_async.common.types.entities``).
"""

from __future__ import annotations

__all__: list[str] = []  # the client is imported from ``stytch_async``
