"""Machine-to-machine: a service whose routes require scopes, and a caller with a cached token.

The server checks each bearer token locally (``m2m.authenticate_token``, no request to
Stytch while the key set is fresh); the caller fetches a token once and reuses it
until shortly before it expires (``m2m.token_source``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI, Header

from stytch_async import AsyncStytch
from stytch_async.common.tokens import M2MJWTClaims
from stytch_async.errors import JwtInvalidError
from stytch_async.integrations.fastapi import add_error_handler, get_stytch, stytch_lifespan

Stytch = Annotated[AsyncStytch, Depends(get_stytch)]


def require_scopes(*scopes: str) -> Callable[..., object]:
    """A dependency: the caller's M2M token must carry every one of ``scopes`` (else 401/403)."""

    async def check(stytch: Stytch, authorization: Annotated[str, Header()] = "") -> M2MJWTClaims:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise JwtInvalidError("no bearer token", reason="missing")
        return await stytch.m2m.authenticate_token(token, required_scopes=list(scopes))

    return check


# Module level: FastAPI resolves the routes' (string) annotations in this module's globals.
Reader = Annotated[M2MJWTClaims, Depends(require_scopes("read:invoices"))]
Writer = Annotated[M2MJWTClaims, Depends(require_scopes("write:invoices"))]


def create_service(make_client: Callable[[], AsyncStytch]) -> FastAPI:
    app = FastAPI(lifespan=stytch_lifespan(make_client))
    add_error_handler(app)

    @app.get("/invoices")
    async def list_invoices(caller: Reader) -> dict[str, object]:
        return {"invoices": [], "client_id": caller.client_id}

    @app.post("/invoices")
    async def create_invoice(caller: Writer) -> dict[str, object]:
        return {"created": True, "client_id": caller.client_id}

    return app


async def call_service(
    stytch: AsyncStytch, service: httpx.AsyncClient, client_id: str, secret: str
) -> list[int]:
    """The caller: three requests on one cached token; returns their statuses."""
    tokens = stytch.m2m.token_source(client_id, secret, scopes=["read:invoices"])
    statuses = []
    for method in ("GET", "GET", "POST"):
        token = await tokens.get()  # fetched once, then served from the cache
        answer = await service.request(method, "/invoices", headers={"Authorization": f"Bearer {token}"})
        statuses.append(answer.status_code)
    return statuses
