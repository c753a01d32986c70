"""What the consumer API's local token checks return: sessions with typed claims.

The errors they raise live in :mod:`stytch_async.errors` (``JwtError`` and friends).
"""

from __future__ import annotations

from typing import Generic, TypeVar

import attrs

from stytch_async._core.reprs import hidden as _hidden
from stytch_async.common.types.entities import AuthorizationVerdict
from stytch_async.consumer.types.entities import Session, User
from stytch_async.consumer.types.sessions import AuthenticateResponse

C = TypeVar("C")

__all__ = [
    "AuthenticateJWTResponse",
    "AuthenticateWithClaimsResponse",
    "SessionWithClaims",
]


@attrs.frozen(kw_only=True)
class SessionWithClaims(Generic[C]):
    """A session checked locally, its custom claims structured into the caller's class."""

    session: Session
    custom_claims: C


@attrs.frozen(kw_only=True)
class AuthenticateJWTResponse(Generic[C]):
    """What ``sessions.authenticate_jwt`` returns, whichever way the JWT was checked.

    ``verified_locally`` is True when the key set sufficed; then ``request_id`` is
    None, ``user`` and ``verdict`` are None, and ``session_jwt`` is the JWT passed
    in. Otherwise Stytch answered and the fields are its answer, including a
    refreshed ``session_jwt``. ``custom_claims`` is the session's custom claims,
    structured into ``claims_type`` when one was given (a ``dict`` otherwise).
    """

    status_code: int
    request_id: str | None
    session: Session
    session_jwt: str = attrs.field(repr=_hidden)
    custom_claims: C
    verified_locally: bool
    user: User | None = None
    verdict: AuthorizationVerdict | None = None


@attrs.frozen(kw_only=True)
class AuthenticateWithClaimsResponse(Generic[C]):
    """What ``sessions.authenticate_with_claims`` returns: Stytch's answer and the typed claims."""

    response: AuthenticateResponse
    custom_claims: C
