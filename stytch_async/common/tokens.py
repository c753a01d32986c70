"""What the local checks both clients mount return: M2M and IDP access token claims."""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["IDPTokenClaims", "M2MJWTClaims"]


@attrs.frozen(kw_only=True)
class M2MJWTClaims:
    """The claims of a locally verified M2M access token."""

    client_id: str
    scopes: list[str]
    custom_claims: dict[str, Any]


@attrs.frozen(kw_only=True)
class IDPTokenClaims:
    """The claims of a locally verified access token that Stytch issued as an identity provider.

    The times are the raw JWT numbers (seconds since the epoch), as in the token.
    """

    subject: str
    scope: str
    audience: list[str]
    expires_at: int
    issued_at: int
    issuer: str
    not_before: int
    token_type: str
    custom_claims: dict[str, Any]
