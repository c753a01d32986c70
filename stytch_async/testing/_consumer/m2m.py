"""M2M: client CRUD and search, secret rotation, and the client-credentials token endpoint.

``POST /v1/public/{project_id}/oauth2/token`` takes a JSON or a form body (the
official SDKs send either) and needs no project credentials: the client id
and secret are the credentials. Its errors use the OAuth shape
(``error``, ``error_description``). The access token is an RS256 JWT signed
with the project's session keys (so the same JWKS verifies it): ``iss``
``stytch.com/<project_id>``, ``aud`` ``[project_id]``, ``sub`` the client id,
``scope`` the granted scopes separated by spaces, and one hour of life.
"""

from __future__ import annotations

import hmac
from typing import Any

from stytch_async.testing._engine.body import Body
from stytch_async.testing._engine.errors import ApiError, fail
from stytch_async.testing._engine.routing import Routes
from stytch_async.testing._engine.search import Filters, page

from .records import M2MClientRecord
from .state import Call, ConsumerState

ROUTES: Routes[ConsumerState] = Routes()

TOKEN_LIFETIME = 3600
MIN_SECRET_LENGTH = 32

M2M_FILTERS: Filters[M2MClientRecord] = Filters(
    errors={
        "unknown": "m2m_search_filter_name_not_recognized",
        "missing_value": "m2m_search_missing_filter_value",
        "list": "m2m_search_expected_array_of_strings",
        "bool": "bad_request",
        "text": "bad_request",
        "choice": "bad_request",
        "time": "bad_request",
        "operator": "bad_request",
    },
    lists={"client_id": lambda c: [c.client_id], "scopes": lambda c: c.scopes},
    exact={"client_name": lambda c: c.client_name},
)


def _scopes(body: Body, *, required: bool) -> list[str] | None:
    scopes = body.strings("scopes")
    if scopes is None:
        if required:
            raise fail("bad_request", "scopes is a required field.")
        return None
    if any(not s or " " in s for s in scopes):
        raise fail("invalid_m2m_client_scope")
    return scopes


def _client(state: ConsumerState, client_id: str) -> M2MClientRecord:
    client = state.m2m_clients.get(client_id)
    if client is None:
        raise fail("m2m_client_not_found")
    return client


def _answer(client: M2MClientRecord, **secret: str) -> dict[str, Any]:
    return {"m2m_client": {**client.to_json(), **secret}}


@ROUTES.post("/v1/m2m/clients")
def create(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    scopes = _scopes(body, required=True)
    assert scopes is not None
    client_id = body.text("client_id") or state.new_id("m2m-client")
    secret = body.text("client_secret") or state.new_token()
    if len(secret) < MIN_SECRET_LENGTH:
        raise fail("insecure_m2m_client_secret")
    if client_id in state.m2m_clients:
        raise fail("duplicate_m2m_client_id")
    client = M2MClientRecord(
        client_id=client_id,
        client_name=body.text("client_name") or "",
        client_description=body.text("client_description") or "",
        scopes=scopes,
        secret=secret,
        trusted_metadata=body.mapping("trusted_metadata") or {},
        created_at=call.now,
    )
    state.m2m_clients[client_id] = client
    return _answer(client, client_secret=secret)


@ROUTES.get("/v1/m2m/clients/{client_id}")
def get(call: Call) -> dict[str, Any]:
    return _answer(_client(call.state, call.params["client_id"]))


@ROUTES.put("/v1/m2m/clients/{client_id}")
def update(call: Call) -> dict[str, Any]:
    body = call.body
    client = _client(call.state, call.params["client_id"])
    status = body.text("status")
    if status is not None and status not in ("active", "inactive"):
        raise fail("invalid_m2m_client_status")
    scopes = _scopes(body, required=False)
    name, description = body.text("client_name"), body.text("client_description")
    metadata = body.mapping("trusted_metadata")
    if status is not None:
        client.status = status
    if scopes is not None:
        client.scopes = scopes
    if name is not None:
        client.client_name = name
    if description is not None:
        client.client_description = description
    if metadata is not None:
        client.trusted_metadata = metadata
    return _answer(client)


@ROUTES.delete("/v1/m2m/clients/{client_id}")
def delete(call: Call) -> dict[str, Any]:
    client = _client(call.state, call.params["client_id"])
    del call.state.m2m_clients[client.client_id]
    return {"client_id": client.client_id}


@ROUTES.post("/v1/m2m/clients/search")
def search(call: Call) -> dict[str, Any]:
    matches = M2M_FILTERS.compile(call.body.mapping("query"))
    found = sorted(
        (c for c in call.state.m2m_clients.values() if matches(c)), key=lambda c: (c.created_at, c.client_id)
    )
    chunk, metadata = page(found, call.body, cursor_error="bad_request", limit_error="bad_request")
    return {"m2m_clients": [c.to_json() for c in chunk], "results_metadata": metadata}


@ROUTES.post("/v1/m2m/clients/{client_id}/secrets/rotate/start")
def rotate_start(call: Call) -> dict[str, Any]:
    client = _client(call.state, call.params["client_id"])
    if client.next_secret is not None:
        raise fail("m2m_client_already_rotating_secret")
    client.next_secret = call.state.new_token()
    return _answer(client, next_client_secret=client.next_secret)


@ROUTES.post("/v1/m2m/clients/{client_id}/secrets/rotate")
def rotate(call: Call) -> dict[str, Any]:
    client = _client(call.state, call.params["client_id"])
    if client.next_secret is None:
        raise fail("m2m_client_not_rotating_secret")
    client.secret, client.next_secret = client.next_secret, None
    return _answer(client)


@ROUTES.post("/v1/m2m/clients/{client_id}/secrets/rotate/cancel")
def rotate_cancel(call: Call) -> dict[str, Any]:
    client = _client(call.state, call.params["client_id"])
    if client.next_secret is None:
        raise fail("m2m_client_not_rotating_secret")
    client.next_secret = None
    return _answer(client)


def _oauth_error(status: int, error: str, description: str) -> ApiError:
    return ApiError(error, description, status=status, oauth=True)


@ROUTES.post("/v1/public/{project_id}/oauth2/token", public=True)
def token(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    if call.params["project_id"] != state.project_id:
        raise fail("project_not_found")
    grant_type = body.raw("grant_type")
    client_id, secret = body.raw("client_id"), body.raw("client_secret")
    if not isinstance(client_id, str) or not isinstance(secret, str) or not client_id or not secret:
        raise _oauth_error(400, "invalid_request", "client_id and client_secret are required.")
    if grant_type != "client_credentials":
        raise _oauth_error(400, "unsupported_grant_type", "Only the client_credentials grant is supported.")
    client = state.m2m_clients.get(client_id)
    accepted = [] if client is None else [s for s in (client.secret, client.next_secret) if s is not None]
    if client is None or not any(hmac.compare_digest(secret, s) for s in accepted):
        raise _oauth_error(401, "invalid_client", "Client authentication failed.")
    if client.status != "active":
        raise _oauth_error(401, "invalid_client", "This client is inactive.")
    scope = body.raw("scope")
    if scope is not None and not isinstance(scope, str):
        raise _oauth_error(400, "invalid_request", "scope must be a string of scopes separated by spaces.")
    wanted = scope.split() if scope else list(client.scopes)
    if any(s not in client.scopes for s in wanted):
        raise _oauth_error(400, "invalid_scope", "The client does not hold every requested scope.")
    now = int(call.now)
    access_token = state.keys.sign(
        {
            "aud": [state.project_id],
            "exp": now + TOKEN_LIFETIME,
            "iat": now,
            "iss": f"stytch.com/{state.project_id}",
            "nbf": now,
            "sub": client.client_id,
            "scope": " ".join(wanted),
        }
    )
    return {"access_token": access_token, "token_type": "bearer", "expires_in": TOKEN_LIFETIME}
