"""Test helpers for local token checks: RSA signers, JWT minting and a stand-in Stytch.

Keys are generated here with joserfc; nothing is recorded or fetched.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import attrs
import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from stytch_async import AsyncStytch, AsyncStytchB2B
from stytch_async._local.client import LocalChecksClient
from tests.support.recorded import BASE_URL, PROJECT_ID, SECRET

C = TypeVar("C", bound=LocalChecksClient)

JWKS_PATH = f"/v1/sessions/jwks/{PROJECT_ID}"
POLICY_PATH = "/v1/rbac/policy"
AUTHENTICATE_PATH = "/v1/sessions/authenticate"
SESSION_CLAIM = "https://stytch.com/session"
USER_ID = "user-test-16d9ba61-97a1-4ba4-9720-b03761dc50c6"
SESSION_ID = "session-test-fe6c042b-6286-479f-8a4f-b046a6c46509"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Signer:
    """An RSA key pair standing in for one of the project's signing keys."""

    def __init__(self, kid: str) -> None:
        self.kid = kid
        self.key = RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256", "use": "sig"})

    def public_jwk(self) -> dict[str, Any]:
        return dict(self.key.as_dict(private=False))

    def public_pem(self) -> bytes:
        return self.key.as_pem(private=False)

    def mint(self, claims: dict[str, Any], **header: Any) -> str:
        return jwt.encode({"alg": "RS256", "kid": self.kid, "typ": "JWT", **header}, claims, self.key)


@functools.cache
def signer(kid: str) -> Signer:
    """One key per kid for the whole run (RSA generation is the slow part)."""
    return Signer(kid)


def unsigned(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    """A compact JWT with any header and a given (possibly empty) signature."""
    signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
    return signing_input + "." + b64(signature)


def hs256_with_public_key(s: Signer, claims: dict[str, Any]) -> str:
    """The classic confusion attack: HMAC over the token keyed with the RSA public key."""
    header = {"alg": "HS256", "kid": s.kid, "typ": "JWT"}
    signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
    mac = hmac.new(s.public_pem(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(mac)


def registered(now: float | None = None, **overrides: Any) -> dict[str, Any]:
    """The registered claims Stytch puts in every token for this project."""
    now = time.time() if now is None else now
    claims: dict[str, Any] = {
        "aud": [PROJECT_ID],
        "exp": int(now) + 300,
        "iat": int(now),
        "iss": f"stytch.com/{PROJECT_ID}",
        "nbf": int(now),
        "sub": USER_ID,
        "jti": "jwt-test-0b0d6a86",
    }
    claims.update(overrides)
    return claims


def session_claims(now: float | None = None, **overrides: Any) -> dict[str, Any]:
    """Claims of a session JWT as Stytch mints them."""
    claims = registered(now)
    claims[SESSION_CLAIM] = {
        "id": SESSION_ID,
        "started_at": "2021-12-29T21:06:16Z",
        "last_accessed_at": "2021-12-29T21:06:16Z",
        "expires_at": "2021-12-29T22:06:16Z",
        "attributes": {"ip_address": "203.0.113.7", "user_agent": "Mozilla/5.0"},
        "authentication_factors": [
            {
                "type": "magic_link",
                "delivery_method": "email",
                "last_authenticated_at": "2021-12-29T21:06:16Z",
                "email_factor": {
                    "email_id": "email-test-81bf03a8-86e1-4d95-bd44-bb3495224953",
                    "email_address": "ada@example.com",
                },
            }
        ],
        "roles": ["stytch_user", "editor"],
    }
    claims["plan"] = "pro"
    claims["seats"] = 5
    claims.update(overrides)
    return claims


POLICY = {
    "roles": [
        {
            "role_id": "stytch_user",
            "description": "Every user",
            "permissions": [{"resource_id": "documents", "actions": ["read"]}],
        },
        {
            "role_id": "editor",
            "description": "Edits documents",
            "permissions": [{"resource_id": "documents", "actions": ["read", "write"]}],
        },
        {
            "role_id": "admin",
            "description": "Everything",
            "permissions": [{"resource_id": "documents", "actions": ["*"]}],
        },
    ],
    "resources": [
        {"resource_id": "documents", "description": "Docs", "actions": ["read", "write", "delete"]}
    ],
    "scopes": [
        {
            "scope": "read:docs",
            "description": "Read documents",
            "permissions": [{"resource_id": "documents", "actions": ["read"]}],
        },
        {
            "scope": "manage:docs",
            "description": "Everything on documents",
            "permissions": [{"resource_id": "documents", "actions": ["*"]}],
        },
    ],
}


class FakeStytch:
    """An httpx handler serving the key set, the RBAC policy and sessions.authenticate.

    ``signers`` is the published key set; ``jwks_status``/``policy_status`` make
    the endpoints fail; ``delay`` slows the key set down so callers overlap;
    ``hits`` counts requests by path; anything unexpected fails the test.
    """

    jwks_path = JWKS_PATH
    policy_path = POLICY_PATH
    authenticate_path = AUTHENTICATE_PATH
    policy: dict[str, object] | None = POLICY  # None: a 200 answer without a policy

    def __init__(self, *signers: Signer) -> None:
        self.signers = list(signers)
        self.extra_keys: list[dict[str, Any]] = []
        self.jwks_status = 200
        self.policy_status = 200
        self.delay = 0.0
        self.hits: Counter[str] = Counter()
        self.requests: list[httpx.Request] = []
        self.authenticate_reply: Callable[[dict[str, Any]], httpx.Response] | None = None

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.hits[path] += 1
        self.requests.append(request)
        rid = {"request_id": f"request-id-test-{len(self.requests)}"}
        if request.method == "GET" and path == self.jwks_path:
            if self.delay:
                await anyio.sleep(self.delay)
            if self.jwks_status != 200:
                return httpx.Response(self.jwks_status, json={**rid, "error_type": "internal_server_error"})
            keys = [s.public_jwk() for s in self.signers] + self.extra_keys
            return httpx.Response(200, json={**rid, "status_code": 200, "keys": keys})
        if request.method == "GET" and path == self.policy_path:
            if self.policy_status != 200:
                return httpx.Response(self.policy_status, json={**rid, "error_type": "internal_server_error"})
            return httpx.Response(200, json={**rid, "status_code": 200, "policy": self.policy})
        if (
            request.method == "POST"
            and path == self.authenticate_path
            and self.authenticate_reply is not None
        ):
            return self.authenticate_reply(json.loads(request.content))
        return await self.other(request, rid)

    async def other(self, request: httpx.Request, rid: dict[str, str]) -> httpx.Response:
        raise AssertionError(f"unexpected request {request.method} {request.url}")

    def background_paths(self) -> tuple[str, ...]:
        """What the client fetches for itself: the key set and the policies."""
        return (self.jwks_path, self.policy_path)

    def api_calls(self) -> int:
        """Requests other than the key set and the policies."""
        return sum(n for path, n in self.hits.items() if path not in self.background_paths())


def _client(cls: type[C], fake: FakeStytch, options: dict[str, Any]) -> tuple[C, httpx.AsyncClient]:
    http = httpx.AsyncClient(transport=httpx.MockTransport(fake))
    options.setdefault("max_retries", 0)
    client = cls(PROJECT_ID, SECRET, base_url=options.pop("base_url", BASE_URL), http_client=http, **options)
    return client, http


def make_client(fake: FakeStytch, **options: Any) -> tuple[AsyncStytch, httpx.AsyncClient]:
    """A client whose only way out is ``fake``; retries off so failures show at once."""
    return _client(AsyncStytch, fake, options)


def make_b2b_client(fake: FakeStytch, **options: Any) -> tuple[AsyncStytchB2B, httpx.AsyncClient]:
    """A B2B client whose only way out is ``fake`` (a :class:`FakeStytchB2B`)."""
    return _client(AsyncStytchB2B, fake, options)


async def wait_until(condition: Callable[[], bool], limit: float = 3.0) -> None:
    """Poll until ``condition()`` holds; fail the test after ``limit`` seconds."""
    with anyio.fail_after(limit):
        while not condition():  # noqa: ASYNC110 - the condition is a counter in another object
            await anyio.sleep(0.005)


# -- the B2B API ------------------------------------------------------------------------

B2B_JWKS_PATH = f"/v1/b2b/sessions/jwks/{PROJECT_ID}"
B2B_POLICY_PATH = "/v1/b2b/rbac/policy"
B2B_AUTHENTICATE_PATH = "/v1/b2b/sessions/authenticate"
ORG_POLICY_PREFIX = "/v1/b2b/rbac/organizations/"
ORGANIZATION_CLAIM = "https://stytch.com/organization"
MEMBER_ID = "member-test-32fc5024-9c09-4da3-bd2e-c9ce4da9375f"
MEMBER_SESSION_ID = "member-session-test-e8b6b2e4-3a8b-4d26-9ad6-2b38b8f84b3e"
ORG_ID = "organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931"
OTHER_ORG_ID = "organization-test-4a8d7f45-1d6c-4bd4-8a52-bf7d2a4d4c10"
ORG_SLUG = "acme"


def member_claims(now: float | None = None, **overrides: Any) -> dict[str, Any]:
    """Claims of a B2B member session JWT as Stytch mints them."""
    claims = registered(now, sub=MEMBER_ID)
    claims[SESSION_CLAIM] = {
        "id": MEMBER_SESSION_ID,
        "started_at": "2023-08-01T10:00:00Z",
        "last_accessed_at": "2023-08-01T10:05:00Z",
        "expires_at": "2023-08-01T11:00:00Z",
        "authentication_factors": [
            {
                "type": "otp",
                "delivery_method": "sms",
                "last_authenticated_at": "2023-08-01T10:00:00Z",
                "phone_number_factor": {
                    "phone_id": "phone-number-test-d5a3b680-e8a3-40c0-b815-ab79986666d0",
                    "phone_number": "+15005550006",
                },
            }
        ],
        "roles": ["stytch_member", "billing_viewer"],
    }
    claims[ORGANIZATION_CLAIM] = {"organization_id": ORG_ID, "slug": ORG_SLUG}
    claims["plan"] = "pro"
    claims["seats"] = 5
    claims.update(overrides)
    return claims


B2B_POLICY = {
    **POLICY,
    "roles": [
        {
            "role_id": "stytch_member",
            "description": "Every member",
            "permissions": [{"resource_id": "documents", "actions": ["read"]}],
        },
        {
            "role_id": "stytch_admin",
            "description": "Organization admins",
            "permissions": [
                {"resource_id": "documents", "actions": ["*"]},
                {"resource_id": "invoices", "actions": ["*"]},
            ],
        },
    ],
    "resources": [
        {"resource_id": "documents", "description": "Docs", "actions": ["read", "write", "delete"]},
        {"resource_id": "invoices", "description": "Bills", "actions": ["read", "pay"]},
    ],
}

#: Roles each organization defines for itself (served by get_org_policy).
ORG_ROLES: dict[str, list[dict[str, Any]]] = {
    ORG_ID: [
        {
            "role_id": "billing_viewer",
            "description": "Reads invoices",
            "permissions": [{"resource_id": "invoices", "actions": ["read"]}],
        }
    ],
    OTHER_ORG_ID: [
        {
            "role_id": "billing_viewer",
            "description": "Reads and pays invoices",
            "permissions": [{"resource_id": "invoices", "actions": ["read", "pay"]}],
        }
    ],
}


class FakeStytchB2B(FakeStytch):
    """:class:`FakeStytch` for the B2B API, also serving each organization's own roles.

    ``org_roles`` maps organization ids to their roles; ``org_policy_status`` makes that
    endpoint fail; ``org_delay`` slows it down.
    """

    jwks_path = B2B_JWKS_PATH
    policy_path = B2B_POLICY_PATH
    authenticate_path = B2B_AUTHENTICATE_PATH
    policy = B2B_POLICY

    def __init__(self, *signers: Signer) -> None:
        super().__init__(*signers)
        self.org_roles = {org: list(roles) for org, roles in ORG_ROLES.items()}
        self.org_policy_status = 200
        self.org_delay = 0.0

    async def other(self, request: httpx.Request, rid: dict[str, str]) -> httpx.Response:
        path = request.url.path
        if request.method == "GET" and path.startswith(ORG_POLICY_PREFIX):
            if self.org_delay:
                await anyio.sleep(self.org_delay)
            if self.org_policy_status != 200:
                return httpx.Response(
                    self.org_policy_status, json={**rid, "error_type": "internal_server_error"}
                )
            org = path[len(ORG_POLICY_PREFIX) :]
            roles = self.org_roles.get(org, [])
            return httpx.Response(200, json={**rid, "status_code": 200, "org_policy": {"roles": roles}})
        return await super().other(request, rid)

    def org_hits(self, org: str = ORG_ID) -> int:
        return self.hits[ORG_POLICY_PREFIX + org]

    def api_calls(self) -> int:
        own = self.background_paths()
        return sum(
            n for path, n in self.hits.items() if path not in own and not path.startswith(ORG_POLICY_PREFIX)
        )


@attrs.frozen
class Api:
    """One API's side of the local checks, for tests that hold for both clients."""

    name: str
    fake: type[FakeStytch]
    make: Callable[..., tuple[Any, httpx.AsyncClient]]
    claims: Callable[..., dict[str, Any]]


APIS = [
    pytest.param(Api("consumer", FakeStytch, make_client, session_claims), id="consumer"),
    pytest.param(Api("b2b", FakeStytchB2B, make_b2b_client, member_claims), id="b2b"),
]
