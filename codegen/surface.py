"""What the generated client exposes: the products, and the methods written by hand."""

from __future__ import annotations

PRODUCTS: tuple[str, ...] = (
    "connected_app",
    "crypto_wallets",
    "debug",
    "fraud",
    "idp",
    "impersonation",
    "m2m",
    "magic_links",
    "oauth",
    "otps",
    "passwords",
    "project",
    "rbac",
    "sessions",
    "totps",
    "users",
    "webauthn",
)

# Endpoints whose Python signature differs from the wire (the official SDK joins
# `scopes` into `scope`, spreads `extra`, or posts a form): their models are
# generated, their methods are written by hand in the product's mixin.
MANUAL: frozenset[str] = frozenset({"m2m.token", "idp.introspect_token_network"})

# Hand-written methods that make no single HTTP call (local JWT checks, pagination,
# token caches) live in mixins; the generated product class inherits from them.
# accessor path -> (module inside stytch_async, class name)
EXTENSIONS: dict[str, tuple[str, str]] = {
    "connected_app.clients": ("_core.pagination", "ConnectedAppClientsPages"),
    # IdpLocal and M2MLocal extend _idp.IdpNetwork and _m2m.M2MTokens.
    "idp": ("_idp_local", "IdpLocal"),
    "m2m": ("_m2m_local", "M2MLocal"),
    "m2m.clients": ("_core.pagination", "M2MClientsPages"),
    "sessions": ("_sessions_local", "SessionsLocal"),
    "users": ("_core.pagination", "UsersPages"),
}
