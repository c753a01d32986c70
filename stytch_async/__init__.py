"""stytch_async: an async-first, typed client for the Stytch authentication API."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from stytch_async.b2b.client import AsyncStytchB2B
from stytch_async.consumer.client import AsyncStytch

from ._core.serialize import from_dict, to_dict, to_json
from ._version import __version__
from .errors import ClientError, DecodeError, HttpError, StytchError, UsageError

# A library adds no handler of its own but this one, so its warnings (a key-set outage)
# stay out of stderr in programs that never configured logging.
logging.getLogger(__name__).addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from ._wire.transport import PoolTransport

__all__ = [
    "AsyncStytch",
    "AsyncStytchB2B",
    "ClientError",
    "DecodeError",
    "HttpError",
    "PoolTransport",
    "StytchError",
    "UsageError",
    "__version__",
    "from_dict",
    "to_dict",
    "to_json",
]


def __getattr__(name: str) -> Any:
    # The transport is imported on first use: most programs never need it at startup.
    if name == "PoolTransport":
        from ._wire.transport import PoolTransport

        return PoolTransport
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
