"""What the B2B API's local member-session checks return: member sessions with typed claims.

The errors they raise live in :mod:`stytch_async.errors` (``JwtError``,
``PermissionDeniedError``, ``TenancyMismatchError`` and friends).
"""

from __future__ import annotations

from typing import Generic, TypeVar

import attrs

from stytch_async._core.reprs import hidden as _hidden
from stytch_async.b2b.types.entities import Member, MemberSession, Organization
from stytch_async.common.types.entities import AuthorizationVerdict

C = TypeVar("C")

__all__ = ["AuthenticateJWTResponse", "MemberSessionWithClaims"]


@attrs.frozen(kw_only=True)
class MemberSessionWithClaims(Generic[C]):
    """A member session checked locally, its custom claims structured into the caller's class."""

    member_session: MemberSession
    custom_claims: C


@attrs.frozen(kw_only=True)
class AuthenticateJWTResponse(Generic[C]):
    """What the B2B ``sessions.authenticate_jwt`` returns, whichever way the JWT was checked.

    ``verified_locally`` is True when the key set (and, for an authorization check,
    the cached policies) sufficed; then ``request_id``, ``member``, ``organization``
    and ``verdict`` are None and ``session_jwt`` is the JWT passed in. Otherwise
    Stytch answered and the fields are its answer, including a refreshed
    ``session_jwt``. ``custom_claims`` is the member session's custom claims,
    structured into ``claims_type`` when one was given (a ``dict`` otherwise).
    """

    status_code: int
    request_id: str | None
    member_session: MemberSession
    session_jwt: str = attrs.field(repr=_hidden)
    custom_claims: C
    verified_locally: bool
    member: Member | None = None
    organization: Organization | None = None
    verdict: AuthorizationVerdict | None = None
