"""What both APIs' sessions share: authentication factors, custom claims, and session JWTs.

A session JWT carries ``iss`` ``stytch.com/<project_id>``, ``aud``
``[project_id]``, ``sub`` (the user or member id), ``iat``/``nbf``/``exp``
(five minutes), the API's own ``https://stytch.com/...`` claims and the
session's custom claims at the top level, signed RS256 with the project's
newest key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .body import Body
from .clock import iso
from .errors import bad_request, fail
from .keys import InvalidJWT, KeyRing

JWT_LIFETIME = 300
SESSION_CLAIM = "https://stytch.com/session"
REGISTERED_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})
_CLAIMS_LIMIT = 4000


@dataclass
class Factor:
    """One entry of a session's ``authentication_factors``."""

    type: str
    delivery_method: str
    detail_key: str | None
    detail: dict[str, Any]
    created_at: float
    last_authenticated_at: float

    def same_as(self, other: Factor) -> bool:
        return (self.type, self.delivery_method, self.detail) == (
            other.type,
            other.delivery_method,
            other.detail,
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": self.type,
            "delivery_method": self.delivery_method,
            "last_authenticated_at": iso(self.last_authenticated_at),
            "created_at": iso(self.created_at),
            "updated_at": iso(self.last_authenticated_at),
        }
        if self.detail_key is not None:
            data[self.detail_key] = dict(self.detail)
        return data


def add_factor(factors: list[Factor], factor: Factor) -> None:
    """Add ``factor``, or refresh the time of the same factor already there."""
    for existing in factors:
        if existing.same_as(factor):
            existing.last_authenticated_at = factor.last_authenticated_at
            return
    factors.append(factor)


def read_claims(body: Body) -> dict[str, Any] | None:
    """``session_custom_claims`` checked as Stytch checks them: no reserved names, at most 4 kB."""
    claims = body.mapping("session_custom_claims")
    if claims is None:
        return None
    if REGISTERED_CLAIMS & claims.keys():
        raise fail("reserved_claims_in_custom_claims")
    if any(key.startswith("https://stytch.com/") for key in claims):
        raise fail("stytch_claims_in_custom_claims")
    try:
        size = len(json.dumps(claims, allow_nan=False))
    except ValueError as exc:
        raise bad_request("session_custom_claims must be plain JSON.") from exc
    if size > _CLAIMS_LIMIT:
        raise fail("custom_claims_too_large")
    return claims


def merge_claims(custom: dict[str, Any], claims: Mapping[str, Any] | None) -> None:
    """Apply an update to a session's custom claims; a null value deletes a claim."""
    for key, value in (claims or {}).items():
        if value is None:
            custom.pop(key, None)
        else:
            custom[key] = value


def mint(keys: KeyRing, project_id: str, subject: str, now: float, claims: Mapping[str, Any]) -> str:
    """A session JWT for ``subject`` carrying ``claims`` (custom and ``https://stytch.com/`` ones)."""
    moment = int(now)
    return keys.sign(
        {
            **claims,
            "aud": [project_id],
            "exp": moment + JWT_LIFETIME,
            "iat": moment,
            "iss": f"stytch.com/{project_id}",
            "nbf": moment,
            "sub": subject,
        }
    )


def session_id_of(keys: KeyRing, project_id: str, token: str) -> str:
    """The session id a correctly signed JWT for this project names, expired or not."""
    try:
        claims = keys.verify(token)
    except InvalidJWT as exc:
        raise fail("unable_to_parse_session_jwt") from exc
    if claims.get("iss") != f"stytch.com/{project_id}":
        raise fail("jwt_invalid_issuer")
    audience = claims.get("aud")
    if project_id not in (audience if isinstance(audience, list) else [audience]):
        raise fail("jwt_invalid_audience")
    claim = claims.get(SESSION_CLAIM)
    session_id = claim.get("id") if isinstance(claim, dict) else None
    if not isinstance(session_id, str):
        raise fail("unable_to_parse_session_jwt")
    return session_id
