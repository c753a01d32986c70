"""A FastAPI app with B2B discovery sign-up: prove an email, then create or enter an organization.

The flow: ``POST /discover`` emails a discovery link; ``GET /discover/callback?token=``
authenticates it and lists the organizations the address may enter, keeping the intermediate
session token in a cookie; ``POST /organizations`` creates one (its first member is an admin)
and ``POST /organizations/{organization_id}/enter`` enters one; both set the member's
session JWT cookie, which ``GET /me`` checks locally.

``stytch_lifespan`` holds the ``AsyncStytchB2B`` for the app's life, ``get_stytch_b2b`` hands it
to the routes and ``RequireMemberSession`` checks the member session locally.
Run it with ``uvicorn examples.b2b_discovery_signup:app`` against your B2B project
(STYTCH_PROJECT_ID, STYTCH_SECRET) or the emulator (``STYTCH_BASE_URL=http://127.0.0.1:4010``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Cookie, Depends, FastAPI, Response

from stytch_async import AsyncStytchB2B
from stytch_async.b2b.types.entities import MemberSession
from stytch_async.integrations.fastapi import (
    RequireMemberSession,
    add_error_handler,
    get_stytch_b2b,
    stytch_lifespan,
)

SESSION = "stytch_member_session_jwt"
DISCOVERY = "stytch_intermediate_session"  # the intermediate session token: a credential
COOKIE_OPTIONS: dict[str, Any] = {"httponly": True, "secure": True, "samesite": "lax"}


def client_from_environment() -> AsyncStytchB2B:
    return AsyncStytchB2B(
        os.environ["STYTCH_PROJECT_ID"],
        os.environ["STYTCH_SECRET"],
        base_url=os.environ.get("STYTCH_BASE_URL"),
    )


B2B = Annotated[AsyncStytchB2B, Depends(get_stytch_b2b)]
# The member session JWT, from our cookie (or an Authorization: Bearer header), checked locally;
# a missing or refused one is a 401.
Member = Annotated[MemberSession, Depends(RequireMemberSession(cookie_name=SESSION))]


def create_app(make_client: Callable[[], AsyncStytchB2B] = client_from_environment) -> FastAPI:
    app = FastAPI(lifespan=stytch_lifespan(make_client))  # one client for the app's life
    add_error_handler(app)  # Stytch errors become 401/403/429/502/503 answers

    @app.post("/discover")
    async def discover(b2b: B2B, email: str) -> dict[str, bool]:
        await b2b.magic_links.email.discovery.send(
            email, discovery_redirect_url="http://localhost:8000/discover/callback"
        )
        return {"sent": True}

    @app.get("/discover/callback")
    async def discovered(b2b: B2B, token: str, response: Response) -> dict[str, Any]:
        found = await b2b.magic_links.discovery.authenticate(token)
        response.set_cookie(DISCOVERY, found.intermediate_session_token, **COOKIE_OPTIONS)
        return {
            "email_address": found.email_address,
            "organizations": [
                {
                    "organization_id": entry.organization.organization_id,
                    "name": entry.organization.organization_name,
                    "membership": entry.membership.type if entry.membership else None,
                }
                for entry in found.discovered_organizations
                if entry.organization is not None
            ],
        }

    @app.post("/organizations")
    async def create_organization(
        b2b: B2B, name: str, response: Response, ist: Annotated[str, Cookie(alias=DISCOVERY)]
    ) -> dict[str, str]:
        created = await b2b.discovery.organizations.create(
            ist, organization_name=name, session_duration_minutes=60
        )
        response.delete_cookie(DISCOVERY)  # spent
        response.set_cookie(SESSION, created.session_jwt, **COOKIE_OPTIONS)
        return {"organization_id": created.organization.organization_id, "member_id": created.member_id}

    @app.post("/organizations/{organization_id}/enter")
    async def enter_organization(
        b2b: B2B, organization_id: str, response: Response, ist: Annotated[str, Cookie(alias=DISCOVERY)]
    ) -> dict[str, str]:
        entered = await b2b.discovery.intermediate_sessions.exchange(
            ist, organization_id, session_duration_minutes=60
        )
        response.delete_cookie(DISCOVERY)
        response.set_cookie(SESSION, entered.session_jwt, **COOKIE_OPTIONS)
        return {"organization_id": organization_id, "member_id": entered.member_id}

    @app.get("/me")
    async def me(member: Member) -> dict[str, Any]:
        return {
            "member_id": member.member_id,
            "organization_slug": member.organization_slug,
            "roles": member.roles,
        }

    return app


app = create_app()
