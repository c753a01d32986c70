"""Turning a verified session JWT's claims into a typed session, for either API.

A Stytch session JWT carries the session in the ``https://stytch.com/session``
claim; a B2B member session JWT also carries ``https://stytch.com/organization``.
The consumer and B2B ``sessions`` extensions share these steps and differ only in
the field names of the session they build. Nothing here does I/O or knows a
product type: the caller passes the class to build and the converter.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Any, TypeVar

import cattrs

from stytch_async._core.response import _describe
from stytch_async.errors import (
    DecodeError,
    JwksUnavailableError,
    JwtExpiredError,
    JwtInvalidError,
    JwtNotYetValidError,
    JwtTooOldError,
    PolicyUnavailableError,
    StytchError,
    UsageError,
)

from .jwt import custom_claims, require_str

T = TypeVar("T")

#: The claim that carries the session in every Stytch session JWT.
SESSION_CLAIM = "https://stytch.com/session"
#: The claim that carries the organization in a B2B member session JWT.
ORGANIZATION_CLAIM = "https://stytch.com/organization"
_SESSION_CLAIMS = (SESSION_CLAIM, ORGANIZATION_CLAIM)


def claim_object(claims: Mapping[str, Any], name: str, what: str) -> dict[str, Any]:
    """The JSON object under claim ``name``; missing is ``missing_claim``, another shape ``malformed``."""
    value = claims.get(name)
    if value is None:
        raise JwtInvalidError(f"{what} has no {name!r} claim", reason="missing_claim")
    if not isinstance(value, dict):
        raise JwtInvalidError(f"{what} claim {name!r} is not a JSON object", reason="malformed")
    return value


def session_fields(claims: Mapping[str, Any], what: str, model: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The session claim, and the fields both APIs' session objects read from it.

    ``expires_at`` falls back to the JWT's ``exp`` (older tokens have no inner one),
    as in the official SDK. ``roles`` must be a list of strings: the converter would
    otherwise split a string role into characters.
    """
    session = claim_object(claims, SESSION_CLAIM, what)
    roles = session.get("roles", [])
    if roles.__class__ is not list or any(role.__class__ is not str for role in roles):
        raise DecodeError(
            f"{what} claims do not fit {model}: roles is not a list of strings", status_code=200
        )
    return session, {
        "started_at": session.get("started_at"),
        "last_accessed_at": session.get("last_accessed_at"),
        "expires_at": session.get("expires_at", claims.get("exp")),
        "authentication_factors": session.get("authentication_factors", []),
        "roles": roles,
        "subject": require_str(claims, "sub", what),
        "custom_claims": custom_claims(claims, *_SESSION_CLAIMS),
    }


def build(data: Mapping[str, Any], cls: type[T], converter: cattrs.Converter, what: str) -> T:
    """Structure ``data`` (``None`` values left out) into ``cls``; a mismatch is a ``DecodeError``."""
    try:
        return converter.structure({k: v for k, v in data.items() if v is not None}, cls)
    except (cattrs.BaseValidationError, KeyError, TypeError, ValueError) as exc:
        raise DecodeError(
            f"{what} claims do not fit {cls.__name__}: {_describe(exc)}", status_code=200
        ) from exc


def structure_claims(value: Mapping[str, Any] | None, claims_type: type[T], converter: cattrs.Converter) -> T:
    """Structure custom claims into the caller's class; a mismatch is a ``DecodeError``."""
    try:
        return converter.structure(dict(value or {}), claims_type)
    except cattrs.errors.StructureHandlerNotFoundError as exc:
        raise UsageError(f"claims_type {claims_type!r} is not a class cattrs can build (use attrs)") from exc
    except (cattrs.BaseValidationError, KeyError, TypeError, ValueError) as exc:
        name = getattr(claims_type, "__name__", repr(claims_type))
        raise DecodeError(f"custom claims do not fit {name}: {_describe(exc)}", status_code=200) from exc


def server_may_decide(exc: StytchError) -> bool:
    """Local failures that Stytch may still accept: time-based ones and missing keys or policy.

    A malformed or forged token (bad signature, issuer, audience, a token of the
    other API) is refused without asking; Stytch would refuse it too, and asking
    would let garbage tokens turn into API calls.
    """
    if isinstance(exc, (JwtExpiredError, JwtTooOldError, JwtNotYetValidError)):
        return True
    if isinstance(exc, (JwksUnavailableError, PolicyUnavailableError)):
        return True
    return isinstance(exc, JwtInvalidError) and exc.reason == "unknown_key"


async def local_or_none(check: Awaitable[T]) -> T | None:
    """Await a local check; ``None`` when it failed for a reason Stytch may see differently."""
    try:
        return await check
    except StytchError as exc:
        if not server_may_decide(exc):
            raise
        return None


__all__ = [
    "ORGANIZATION_CLAIM",
    "SESSION_CLAIM",
    "build",
    "claim_object",
    "local_or_none",
    "server_may_decide",
    "session_fields",
    "structure_claims",
]
