"""``idp.introspect_token_network``: ask Stytch whether an access token is active."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._core.pipeline import RequestPipeline, quote_path

if TYPE_CHECKING:
    from .idp import IDPTokenResponse


class IdpNetwork:
    """The network half of token introspection (RFC 7662, form-encoded)."""

    _pipeline: RequestPipeline

    async def introspect_token_network(
        self,
        token: str,
        client_id: str,
        *,
        client_secret: str | None = None,
        token_type_hint: str = "access_token",  # noqa: S107 - a token kind, not a credential
        timeout: float | None = None,
    ) -> IDPTokenResponse:
        """Ask Stytch whether an access or refresh token is active, and read its claims.

        ``client_id`` (and ``client_secret`` for confidential clients) identify the
        Connected App the token was issued to. An inactive token is not an error: the
        response has ``active=False`` and no claims.
        """
        from .idp import IDPTokenResponse

        body = {"token": token, "client_id": client_id, "token_type_hint": token_type_hint}
        if client_secret is not None:
            body["client_secret"] = client_secret
        return await self._pipeline.request(
            "POST",
            f"/v1/public/{quote_path(self._pipeline.project_id)}/oauth2/introspect",
            IDPTokenResponse,
            body=body,
            form=True,
            timeout=timeout,
        )
