"""stytch_async: an async-first, typed client for the Stytch authentication API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .client import AsyncStytch
from .errors import ClientError, DecodeError, HttpError, StytchError, UsageError

if TYPE_CHECKING:
    from ._wire.transport import PoolTransport

__all__ = [
    "AsyncStytch",
    "ClientError",
    "DecodeError",
    "HttpError",
    "PoolTransport",
    "StytchError",
    "UsageError",
    "__version__",
]


def __getattr__(name: str) -> Any:
    # The transport is imported on first use: most programs never need it at startup.
    if name == "PoolTransport":
        from ._wire.transport import PoolTransport

        return PoolTransport
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
