"""stytch_async: an async-first, typed client for the Stytch authentication API."""

from __future__ import annotations

from stytch_async.b2b.client import AsyncStytchB2B
from stytch_async.consumer.client import AsyncStytch

from ._core.serialize import from_dict, to_dict, to_json
from ._version import __version__
from .errors import ClientError, DecodeError, HttpError, StytchError, UsageError

__all__ = [
    "AsyncStytch",
    "AsyncStytchB2B",
    "ClientError",
    "DecodeError",
    "HttpError",
    "StytchError",
    "UsageError",
    "__version__",
    "from_dict",
    "to_dict",
    "to_json",
]
