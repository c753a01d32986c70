"""What the local check of an M2M access token returns (both clients mount ``m2m``)."""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["M2MJWTClaims"]


@attrs.frozen(kw_only=True)
class M2MJWTClaims:
    """The claims of a locally verified M2M access token."""

    client_id: str
    scopes: list[str]
    custom_claims: dict[str, Any]
